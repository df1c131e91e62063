/// Numerics: tensors as flat `[Float]` with a shape, GEMM through CBLAS, FFT plans through FFTW,
/// and approximate equality. Touches no files.
public enum Numerics {}
