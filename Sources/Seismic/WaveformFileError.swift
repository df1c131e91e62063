/// A waveform file that cannot be read: one line, `PATH: why`.
public struct WaveformFileError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The file, as the caller named it (empty when reading from memory without a name).
  public var path: String
  /// Why, in one line.
  public var reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason.replacingOccurrences(of: "\n", with: " ")
  }

  public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}
