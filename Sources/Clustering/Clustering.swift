import Numerics

/// Clustering: k-means(++), Student-t assignment, target distribution, KL, the DEC loop and the
/// metrics (ACC, NMI, ARI). Touches no files.
public enum Clustering {}
