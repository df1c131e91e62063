import Foundation

/// Reads SAC files (header version 6, evenly sampled time series): binary, little- or
/// big-endian, and alphanumeric (`SACAlphanumeric`).
///
/// The header is validated rather than trusted: NVHDR must be 6, NPTS must match the file size
/// exactly (632 + 4 * NPTS bytes) before anything is allocated, DELTA must be finite and
/// positive. Codes come from KNETWK, KSTNM, KHOLE and KCMPNM ("-12345" means empty). The start
/// time is the reference time (NZYEAR, NZJDAY, NZHOUR, NZMIN, NZSEC, NZMSEC; 1970-01-01 when
/// undefined) plus B. The sampling rate is 1 / DELTA computed in Double from the header's
/// float32 DELTA, which is the truth (ObsPy rounds DELTA to microseconds; this reader does not).
public enum SACReader {
  /// Reads the file at `url`.
  public static func read(contentsOf url: URL) throws -> WaveformContents {
    let bytes = try FileBytes.read(path: url.path)
    return try bytes.withUnsafeBytes { try read($0, path: url.path) }
  }

  /// Reads SAC bytes, binary or alphanumeric; `path` only names the source in errors.
  public static func read(_ bytes: UnsafeRawBufferPointer, path: String = "") throws
    -> WaveformContents
  {
    func fail(_ reason: String) -> WaveformFileError {
      WaveformFileError(path: path, reason: reason)
    }
    if SACHeader.byteOrder(of: bytes) == nil, SACAlphanumeric.looksLikeAlphanumeric(bytes) {
      return try readAlphanumeric(bytes, path: path)
    }
    guard bytes.count >= SACHeader.byteCount else {
      throw fail("SAC file too short for its 632-byte header (\(bytes.count) bytes)")
    }
    guard let order = SACHeader.byteOrder(of: bytes) else {
      throw fail("not a SAC version 6 header (NVHDR is not 6 in either byte order)")
    }
    let header = SACHeader(bytes: bytes, byteOrder: order)
    let npts = Int(header[.npts])
    guard npts >= 0 else { throw fail("SAC header NPTS is negative (\(npts))") }
    try checkTimeSeries(header, path: path)
    let expected = SACHeader.byteCount + 4 * npts
    guard bytes.count == expected else {
      throw fail(
        "SAC file size \(bytes.count) disagrees with the header (NPTS \(npts) needs \(expected) bytes)"
      )
    }
    try checkHeader(header, path: path)
    var samples = [Float](repeating: 0, count: npts)
    samples.withUnsafeMutableBytes { out in
      out.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[SACHeader.byteCount..<expected]))
    }
    let needsSwap = (order == .little) != (1.littleEndian == 1)
    if needsSwap {
      samples.withUnsafeMutableBufferPointer { buffer in
        for i in buffer.indices {
          buffer[i] = Float(bitPattern: buffer[i].bitPattern.byteSwapped)
        }
      }
    }
    return try contents(header, samples: samples, path: path)
  }

  /// Reads alphanumeric SAC (see `SACAlphanumeric`) into a segment exactly as binary SAC.
  static func readAlphanumeric(_ bytes: UnsafeRawBufferPointer, path: String) throws
    -> WaveformContents
  {
    func fail(_ reason: String) -> WaveformFileError {
      WaveformFileError(path: path, reason: "alphanumeric SAC: " + reason)
    }
    let header: SACHeader
    let samples: [Float]
    do {
      let (parsed, start) = try SACAlphanumeric.parseHeader(bytes)
      header = parsed
      guard header[.nvhdr] == 6 else { throw fail("header version NVHDR is not 6") }
      let npts = Int(header[.npts])
      guard npts >= 0 else { throw fail("header NPTS is negative (\(npts))") }
      try checkTimeSeries(header, path: path)
      try checkHeader(header, path: path)
      samples = try SACAlphanumeric.samples(bytes, from: start)
      guard samples.count == npts else {
        throw fail("\(samples.count) samples disagree with the header's NPTS \(npts)")
      }
    } catch let problem as SACAlphanumeric.HeaderProblem {
      throw fail(problem.reason)
    }
    return try contents(header, samples: samples, path: path)
  }

  /// Refuses files that are not one evenly sampled time series (a spectrum, x-y data, or
  /// uneven sampling, whose samples need times of their own), before their size is checked.
  private static func checkTimeSeries(_ header: SACHeader, path: String) throws {
    // IFTYPE: ITIME (1) is a time series; IRLIM (2) and IAMPH (3) spectra, IXY (4) and IXYZ
    // (51) general data. Undefined is read as a time series, as SAC itself does.
    let type = header[.iftype]
    let names: [Int32: String] = [
      2: "IRLIM (a spectrum)", 3: "IAMPH (a spectrum)", 4: "IXY (x-y data)",
      51: "IXYZ (x-y-z data)",
    ]
    guard type == 1 || type == SACHeader.undefinedInteger else {
      throw WaveformFileError(
        path: path,
        reason:
          "SAC file holds IFTYPE \(names[type] ?? String(type)), not a time series: not supported"
      )
    }
    // LEVEN: 1 evenly sampled; 0 uneven (an X array of sample times follows the samples).
    guard header[.leven] != 0 else {
      throw WaveformFileError(
        path: path,
        reason:
          "unevenly sampled SAC (LEVEN = 0) is not supported: its samples need times of their own")
    }
  }

  /// Refuses headers whose DELTA or times cannot describe samples (before any sample is read).
  private static func checkHeader(_ header: SACHeader, path: String) throws {
    let delta = header[.delta]
    guard delta.isFinite, delta > 0 else {
      throw WaveformFileError(path: path, reason: "SAC header DELTA is not positive (\(delta))")
    }
    let b = header[.b]
    guard b.isFinite else {
      throw WaveformFileError(
        path: path, reason: "SAC header B is not a number (\(b)): the start time is unknown")
    }
    guard startTime(header) != nil else {
      throw WaveformFileError(
        path: path,
        reason:
          "SAC header times are out of range (reference year \(header[.nzyear]), B \(header[.b])): "
          + "not within \(Segment.representableRange)")
    }
    let span = Double(max(Int(header[.npts]) - 1, 0)) * Double(delta) * 1e9
    let start = startTime(header)?.nanoseconds ?? 0
    guard span < Segment.representableNanoseconds,
      abs(Double(start) + span) < Segment.representableNanoseconds
    else {
      throw WaveformFileError(
        path: path,
        reason:
          "SAC samples (NPTS \(header[.npts]), DELTA \(delta)) end outside the representable times (\(Segment.representableRange))"
      )
    }
  }

  /// The file's one segment (none, with a note, when it holds no samples).
  private static func contents(_ header: SACHeader, samples: [Float], path: String) throws
    -> WaveformContents
  {
    let source = SourceIdentifier(
      network: header[.knetwk], station: header[.kstnm], location: header[.khole],
      channel: header[.kcmpnm])
    guard !samples.isEmpty else {
      return WaveformContents(
        format: .sac, segments: [],
        notes: ["\(source.id): the SAC file holds no samples (NPTS 0): no segment"])
    }
    guard let start = startTime(header) else {
      throw WaveformFileError(path: path, reason: "SAC header times are out of range")
    }
    let segment = Segment(
      source: source, startTime: start, samplingRate: 1.0 / Double(header[.delta]),
      samples: .float32(samples))
    if let problem = segment.timeRangeProblem {
      throw WaveformFileError(path: path, reason: problem)
    }
    return WaveformContents(format: .sac, segments: [segment], notes: [])
  }

  /// NZ* reference time; the epoch when any of its fields is undefined. Two-digit years are
  /// taken as 19xx, as SAC itself does.
  static func referenceTime(_ h: SACHeader) -> Timestamp {
    let fields = [h[.nzyear], h[.nzjday], h[.nzhour], h[.nzmin], h[.nzsec], h[.nzmsec]]
    if fields.contains(SACHeader.undefinedInteger) { return Timestamp(nanoseconds: 0) }
    var year = Int(fields[0])
    if (0...99).contains(year) { year += 1900 }
    return Timestamp(
      year: year, dayOfYear: Int(fields[1]), hour: Int(fields[2]), minute: Int(fields[3]),
      second: Int(fields[4]), nanosecond: Int64(fields[5]) * 1_000_000)
  }

  /// The time of the first sample (reference time plus B), or nil when it falls outside what
  /// `Timestamp` holds. Checked in Double first, so no header value can overflow Int64.
  static func startTime(_ h: SACHeader) -> Timestamp? {
    let limit = Segment.representableNanoseconds / 1e9
    let b = offsetB(h)
    let fields = [h[.nzyear], h[.nzjday], h[.nzhour], h[.nzmin], h[.nzsec], h[.nzmsec]]
    if !fields.contains(SACHeader.undefinedInteger) {
      var year = Int64(fields[0])
      if (0...99).contains(year) { year += 1900 }
      let days = Double(Timestamp.days(fromCivil: year, m: 1, d: 1)) + Double(fields[1]) - 1
      let seconds =
        days * 86_400 + Double(fields[2]) * 3600 + Double(fields[3]) * 60 + Double(fields[4])
        + Double(fields[5]) / 1000
      guard abs(seconds) < limit, abs(seconds + b) < limit else { return nil }
    }
    guard abs(b) < limit else { return nil }
    return referenceTime(h).adding(seconds: b)
  }

  /// B (seconds from the reference time to the first sample) as Double; 0 when undefined.
  static func offsetB(_ h: SACHeader) -> Double {
    let b = h[.b]
    return (b == SACHeader.undefinedFloat || !b.isFinite) ? 0 : Double(b)
  }
}
