/// An input the user named that could not be used. Printed as one line: `error: PATH: why`.
public struct InputError: Error, CustomStringConvertible, Sendable {
  public var path: String
  public var reason: String
  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }
  public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}
