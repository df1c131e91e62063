import Foundation

/// Reads any waveform file seiscluster knows, choosing the reader from the content.
public enum WaveformReader {
  /// Detects the format of the file at `url` and reads it. Throws `WaveformFileError` (one line,
  /// naming the path) for anything that cannot be read.
  public static func read(contentsOf url: URL) throws -> WaveformContents {
    var bytes = try FileBytes.read(path: url.path)
    return try bytes.withUnsafeMutableBytes { try read($0, path: url.path) }
  }

  /// Detects the format of `bytes` and reads them (libmseed may byte-swap inside the buffer).
  public static func read(_ bytes: UnsafeMutableRawBufferPointer, path: String = "") throws
    -> WaveformContents
  {
    switch try FormatDetection.detect(UnsafeRawBufferPointer(bytes), path: path) {
    case .miniSEED: return try MiniSEEDReader.read(bytes, path: path)
    case .sac: return try SACReader.read(UnsafeRawBufferPointer(bytes), path: path)
    }
  }
}
