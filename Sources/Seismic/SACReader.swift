import Foundation

/// Reads SAC files (header version 6, evenly sampled time series): binary, little- or
/// big-endian, and alphanumeric (`SACAlphanumeric`).
///
/// The header is validated rather than trusted: NVHDR must be 6, NPTS must match the file size
/// exactly (632 + 4 * NPTS bytes) before anything is allocated, DELTA must be finite and
/// positive. Codes come from KNETWK, KSTNM, KHOLE and KCMPNM ("-12345" means empty). The start
/// time is the reference time (NZYEAR, NZJDAY, NZHOUR, NZMIN, NZSEC, NZMSEC; 1970-01-01 when
/// undefined) plus B. The sampling rate is the one the header's float32 DELTA stands for
/// (`samplingRate(delta:)`): 0.008 is 125 Hz, not the 124.999994 Hz of 1 / DELTA in Double,
/// whose error made a day of joined files drift off their own start times.
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

  /// The sampling rate a float32 DELTA stands for: of the rates whose interval, as a float32,
  /// is DELTA or one of its two neighbours (writers round or truncate; ObsPy issue 3408), the
  /// one written with the fewest significant digits, in DELTA (0.077 s) or in hertz (125 Hz;
  /// hertz on a tie).
  /// float32 holds about 7 digits, so 1 / DELTA in Double is off by up to 6e-8: 124.999994 Hz
  /// for 0.008 s, and 24.999998 Hz for the float32 just above 0.04 s that some writers give.
  /// A day of joined files then drifts a fifth of a sample off the files' own start times,
  /// and an overlap 30 minutes in no longer lines up with the run's samples. Where no rate of
  /// fewer digits fits, DELTA's own shortest decimal is taken (0.05000016 s: 19.999936 Hz).
  /// ObsPy rounds DELTA to whole microseconds instead, which reads 150 Hz as 149.9925 Hz.
  public static func samplingRate(delta: Float) -> Double {
    let raw = 1.0 / Double(delta)
    // A subnormal DELTA has neighbours far apart (the one below 1e-45 is 0): taken as it is.
    guard delta.isNormal, delta > 0, raw.isFinite else { return raw }
    func fits(_ rate: Double) -> Bool {
      guard rate.isFinite, rate > 0 else { return false }
      let back = Float(1.0 / rate)
      return back == delta || back == delta.nextUp || back == delta.nextDown
    }
    var best: (rate: Double, digits: Int) = (raw, Int.max)
    // DELTA as written: its shortest decimal that reads back as the same float32.
    let written = "\(delta)"
    if let value = Double(written), value > 0, fits(1.0 / value) {
      best = (1.0 / value, significantDigits(written))
    }
    // The rate rounded to k decimals, for the first k that fits.
    var scale = 1.0
    for k in 0...6 {
      let rate = (raw * scale).rounded() / scale
      if fits(rate) {
        let digits = significantDigits(String(format: "%.\(k)f", rate))
        if digits <= best.digits { best = (rate, digits) }
        break
      }
      scale *= 10
    }
    return best.rate
  }

  /// Significant digits of a decimal (`1e-05`, `0.077`, `125.000`): leading and trailing zeros,
  /// the point and an exponent do not count.
  static func significantDigits(_ decimal: String) -> Int {
    let mantissa = decimal.lowercased().split(separator: "e").first.map(String.init) ?? decimal
    var digits = mantissa.filter(\.isNumber)
    while digits.first == "0" { digits.removeFirst() }
    while digits.last == "0" { digits.removeLast() }
    return max(digits.count, 1)
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
    if let problem = referenceFieldProblem(header) {
      throw WaveformFileError(path: path, reason: problem)
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
      network: header[.knetwk], station: header[.kstnm],
      location: SourceIdentifier.storedLocation(header[.khole]),
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
      source: source, startTime: start, samplingRate: samplingRate(delta: header[.delta]),
      samples: .float32(samples))
    if let problem = segment.timeRangeProblem {
      throw WaveformFileError(path: path, reason: problem)
    }
    return WaveformContents(format: .sac, segments: [segment], notes: [])
  }

  /// The NZ* reference fields (year, day of year, hour, minute, second, millisecond), the year
  /// made four-digit (two-digit years are taken as 19xx, as SAC itself does); nil when any is
  /// undefined (-12345), which makes the reference the epoch.
  static func referenceFields(_ h: SACHeader) -> (year: Int64, rest: [Int32])? {
    let fields = [h[.nzyear], h[.nzjday], h[.nzhour], h[.nzmin], h[.nzsec], h[.nzmsec]]
    if fields.contains(SACHeader.undefinedInteger) { return nil }
    var year = Int64(fields[0])
    if (0...99).contains(year) { year += 1900 }
    return (year, Array(fields.dropFirst()))
  }

  /// Why the NZ* reference time names no time, or nil: a field out of its range (NZJDAY 400,
  /// NZHOUR 25) would otherwise roll the samples into another day or year without a word. A
  /// leap second (NZSEC 60) is a time. Undefined fields leave the reference at the epoch.
  static func referenceFieldProblem(_ h: SACHeader) -> String? {
    guard let (year, _) = referenceFields(h) else { return nil }
    let ranges: [(SACHeader.IntegerField, ClosedRange<Int32>, String)] = [
      (.nzjday, 1...(Timestamp.isLeapYear(year) ? 366 : 365), "a day of \(year)"),
      (.nzhour, 0...23, "an hour"),
      (.nzmin, 0...59, "a minute"), (.nzsec, 0...60, "a second"),
      (.nzmsec, 0...999, "a millisecond"),
    ]
    for (field, range, what) in ranges where !range.contains(h[field]) {
      return
        "SAC header \(String(describing: field).uppercased()) is \(h[field]), not \(what) "
        + "(\(range.lowerBound)-\(range.upperBound)): the reference time names no time"
    }
    return nil
  }

  /// NZ* reference time; the epoch when any of its fields is undefined.
  static func referenceTime(_ h: SACHeader) -> Timestamp {
    guard let (year, f) = referenceFields(h) else { return Timestamp(nanoseconds: 0) }
    return Timestamp(
      year: Int(year), dayOfYear: Int(f[0]), hour: Int(f[1]), minute: Int(f[2]),
      second: Int(f[3]), nanosecond: Int64(f[4]) * 1_000_000)
  }

  /// The time of the first sample (reference time plus B), or nil when it falls outside what
  /// `Timestamp` holds. Checked in Double first, so no header value can overflow Int64.
  static func startTime(_ h: SACHeader) -> Timestamp? {
    let limit = Segment.representableNanoseconds / 1e9
    let b = offsetB(h)
    if let (year, f) = referenceFields(h) {
      let days = Double(Timestamp.days(fromCivil: year, m: 1, d: 1)) + Double(f[0]) - 1
      let seconds =
        days * 86_400 + Double(f[1]) * 3600 + Double(f[2]) * 60 + Double(f[3])
        + Double(f[4]) / 1000
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
