/// Why a clustering computation refused its input. Each case reads as one line.
public enum ClusteringError: Error, Equatable, CustomStringConvertible {
  /// Fewer points than clusters: k-means cannot place `clusters` distinct centroids.
  case tooFewPoints(points: Int, clusters: Int)
  /// A flat row-major matrix whose element count is not a multiple of its row width, or a width
  /// of zero.
  case shapeMismatch(String)
  /// A setting outside its domain (non-positive count, negative tolerance, ...).
  case invalidArgument(String)
  /// Numbers that are not finite (NaN or infinity) where finite ones are required.
  case nonFinite(String)
  /// Training whose loss became NaN or infinite: it diverged.
  case diverged(String)

  public var description: String {
    switch self {
    case .tooFewPoints(let points, let clusters):
      return "cannot make \(clusters) clusters from \(points) points"
    case .shapeMismatch(let why): return "shape mismatch: \(why)"
    case .invalidArgument(let why): return "invalid argument: \(why)"
    case .nonFinite(let what): return "\(what) contains NaN or infinity"
    case .diverged(let what):
      return
        "\(what) contains NaN or infinity: training diverged (a smaller --learning-rate, or smaller --l1, --l2 or --sparsity penalties, keep it finite)"
    }
  }
}
