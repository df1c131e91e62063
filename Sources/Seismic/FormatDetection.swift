import Foundation

/// The waveform formats seiscluster reads.
public enum WaveformFormat: String, Sendable, CaseIterable {
  /// MiniSEED 2 (SEED 2.4 data records), any encoding libmseed 2 decodes.
  case miniSEED = "mseed"
  /// SAC (header version 6): binary in either byte order, or alphanumeric.
  case sac = "sac"
}

/// Tells formats apart from content, never from file names.
public enum FormatDetection {
  /// The format of `bytes`, or a `WaveformFileError` naming what the content is not.
  ///
  /// - MiniSEED 3 (`MS` then version 3) is refused as "MiniSEED 3 is not supported".
  /// - MiniSEED 2 is checked first (see below).
  /// - SAC is recognised by its header version NVHDR = 6 read in either byte order, with a file
  ///   at least as long as the 632-byte header; alphanumeric SAC by its header lines (14 lines
  ///   of 5 floats, 8 of 5 integers, NVHDR = 6).
  /// - MiniSEED 2 is recognised by a SEED fixed header at the start (sequence number of digits,
  ///   spaces or NULs, a record type `D R Q M`, or a SEED volume control header `V A S T`),
  ///   after any number of 128-byte blank (noise) blocks, which ObsPy skips too. A sequence
  ///   number without a digit (all NULs or spaces, as some loggers write) needs a plausible
  ///   header behind it: printable codes and a valid year, day and time of day.
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
    if let first = firstRecordOffset(bytes),
      looksLikeSEEDHeader(UnsafeRawBufferPointer(rebasing: bytes[first...]))
    {
      return .miniSEED
    }
    if SACHeader.byteOrder(of: bytes) != nil { return .sac }
    if SACAlphanumeric.looksLikeAlphanumeric(bytes) { return .sac }
    if SACHeader.isVersion7(bytes) {
      throw WaveformFileError(
        path: path,
        reason:
          "SAC header version 7 (SAC 102's footer of doubles) is not supported: write it as version 6"
      )
    }
    throw WaveformFileError(path: path, reason: "unknown format: not MiniSEED or SAC")
  }

  /// The first 8 bytes of a SEED record: 6 characters of sequence number (digits, spaces or
  /// NULs), a record type and a space or NUL; at least 48 bytes. Without a digit in the
  /// sequence number, the rest of the fixed header must be plausible too.
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
    let types: Set<UInt8> = Set("DRQMVAST".utf8)
    guard types.contains(b[6]) && (b[7] == 32 || b[7] == 0) else { return false }
    return digits > 0 || hasPlausibleFixedHeader(b)
  }

  /// Codes (bytes 8..<20) of printable ASCII or NUL, and a start time (bytes 20..<27) with a
  /// year 1900...2100, day 1...366, hour, minute and second in range, in either byte order.
  static func hasPlausibleFixedHeader(_ b: UnsafeRawBufferPointer) -> Bool {
    guard b.count >= 48 else { return false }
    guard (8..<20).allSatisfy({ b[$0] == 0 || (b[$0] >= 32 && b[$0] < 127) }) else {
      return false
    }
    let big = (Int(b[20]) << 8 | Int(b[21]), Int(b[22]) << 8 | Int(b[23]))
    let little = (Int(b[21]) << 8 | Int(b[20]), Int(b[23]) << 8 | Int(b[22]))
    let dateOK = [big, little].contains { (1900...2100).contains($0.0) && (1...366).contains($0.1) }
    return dateOK && b[24] < 24 && b[25] < 60 && b[26] <= 60
  }

  /// The offset of the first 128-byte block that is not a blank (noise) block: six characters
  /// of digits, spaces or NULs and 42 spaces, as ObsPy's `OBSPY_ISVALIDBLANK`. Nil when the
  /// bytes hold nothing else.
  static func firstRecordOffset(_ b: UnsafeRawBufferPointer) -> Int? {
    var offset = 0
    while offset + 48 <= b.count {
      guard isBlankBlock(UnsafeRawBufferPointer(rebasing: b[offset...])) else { return offset }
      offset += 128
    }
    return offset == 0 ? 0 : nil
  }

  /// OBSPY_ISVALIDBLANK on the first 48 bytes of `b`.
  static func isBlankBlock(_ b: UnsafeRawBufferPointer) -> Bool {
    guard b.count >= 48 else { return false }
    for i in 0..<6 where !(b[i] == 0 || b[i] == 32 || (b[i] >= 48 && b[i] <= 57)) {
      return false
    }
    return (6..<48).allSatisfy { b[$0] == 32 }
  }
}
