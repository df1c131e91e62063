/// Pure signal-processing functions on `[Double]` samples, matching ObsPy 1.5.1 / SciPy 1.17.
///
/// Each function leaves its input alone and returns new samples. The processing steps in
/// `ProcessingStep.swift` wrap these functions with checked settings and a description.
public enum DSP {}
