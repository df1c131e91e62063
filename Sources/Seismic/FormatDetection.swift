import Foundation

/// The waveform formats seiscluster reads.
public enum WaveformFormat: String, Sendable, CaseIterable {
  /// MiniSEED 2 (SEED 2.4 data records), any encoding libmseed 2 decodes.
  case miniSEED = "mseed"
  /// Binary SAC (header version 6), either byte order.
  case sac = "sac"
}

/// Tells formats apart from content, never from file names.
public enum FormatDetection {
  /// The format of `bytes`, or a `WaveformFileError` naming what the content is not.
  ///
  /// - MiniSEED 3 (`MS` then version 3) is refused as "MiniSEED 3 is not supported".
  /// - MiniSEED 2 is checked first (see below).
  /// - SAC is recognised by its header version NVHDR = 6 read in either byte order, with a file
  ///   at least as long as the 632-byte header.
  /// - MiniSEED 2 is recognised by a SEED fixed header at the start (sequence number of digits,
  ///   spaces or NULs, a record type `D R Q M`, or a SEED volume control header `V A S T`).
  public static func detect(_ bytes: UnsafeRawBufferPointer, path: String = "") throws
    -> WaveformFormat
  {
    if bytes.isEmpty {
      throw WaveformFileError(path: path, reason: "empty file: not MiniSEED or SAC")
    }
    if bytes.count >= 3, bytes[0] == UInt8(ascii: "M"), bytes[1] == UInt8(ascii: "S"),
      bytes[2] == 3
    {
      throw WaveformFileError(path: path, reason: "MiniSEED 3 is not supported")
    }
    // SEED first: its ASCII signature cannot be a SAC DELTA, while a MiniSEED data section may
    // hold the integer 6 where SAC keeps NVHDR.
    if looksLikeSEEDHeader(bytes) { return .miniSEED }
    if SACHeader.byteOrder(of: bytes) != nil { return .sac }
    throw WaveformFileError(path: path, reason: "unknown format: not MiniSEED or SAC")
  }

  /// The first 8 bytes of a SEED record: 6 characters of sequence number (digits, spaces or
  /// NULs, at least one digit), a record type and a space or NUL; at least 48 bytes.
  static func looksLikeSEEDHeader(_ b: UnsafeRawBufferPointer) -> Bool {
    guard b.count >= 48 else { return false }
    var digits = 0
    for i in 0..<6 {
      let c = b[i]
      if c >= 48 && c <= 57 {
        digits += 1
      } else if c != 32 && c != 0 {
        return false
      }
    }
    guard digits > 0 else { return false }
    let types: Set<UInt8> = Set("DRQMVAST".utf8)
    return types.contains(b[6]) && (b[7] == 32 || b[7] == 0)
  }
}
