/// Errors from building or restoring a network; `description` is one line.
public enum NeuralNetworkError: Error, Equatable, CustomStringConvertible {
  /// The architecture options are unusable (the text says which and why).
  case invalidConfiguration(String)
  /// A parameter blob has the wrong number of values for the architecture.
  case parameterCountMismatch(expected: Int, actual: Int)
  /// Stored bytes could not be decoded.
  case corruptData(String)

  public var description: String {
    switch self {
    case .invalidConfiguration(let why): "invalid network configuration: \(why)"
    case .parameterCountMismatch(let expected, let actual):
      "the architecture needs \(expected) parameters, the stored blob holds \(actual)"
    case .corruptData(let why): "corrupt network data: \(why)"
    }
  }
}
