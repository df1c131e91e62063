import CMiniSEED
import Foundation

/// Reads MiniSEED 2 through libmseed 2, record by record, splitting runs of samples exactly as
/// ObsPy 1.5.1 does (its `readMSEEDBuffer`), so segments match ObsPy's traces.
///
/// - Every encoding libmseed decodes (Steim-1/2, INT16/32, FLOAT32/64, GEOSCOPE, CDSN, SRO,
///   DWWSSN, text), any record length, records of several channels mixed in one file.
/// - A record joins the latest segment of its channel (network, station, location, channel,
///   quality) when both hold samples of the same type, the rates agree within libmseed's
///   tolerance (|1 - r1/r2| < 0.0001) and it starts within half a sample period of where the
///   segment's next sample is due. Anything else (gap, overlap, out-of-order record, rate or
///   type change, a record without samples) starts a new segment: nothing is ever filled.
/// - Text (log) records and records without samples produce no segment and are listed in
///   `WaveformContents.notes`, as are skipped noise blocks and a truncated tail.
/// - Samples keep their decoded type: 'i' as Int32, 'f' as Float, 'd' as Double.
/// - Each segment keeps its records' data quality (`Segment.quality`: `D`, `R`, `Q` or `M`).
/// - A file is refused (thrown `WaveformFileError`) when libmseed reports an error while
///   decoding it (as ObsPy then refuses it), when it holds no data record, or when a record
///   claims more samples than its data section can hold (checked before any allocation).
public enum MiniSEEDReader {
  /// Reads the file at `url`.
  public static func read(contentsOf url: URL) throws -> WaveformContents {
    var bytes = try FileBytes.read(path: url.path)
    return try bytes.withUnsafeMutableBytes { try read($0, path: url.path) }
  }

  /// Reads MiniSEED bytes; `path` only names the source in errors. libmseed may byte-swap
  /// inside the buffer, hence mutable.
  public static func read(_ bytes: UnsafeMutableRawBufferPointer, path: String = "") throws
    -> WaveformContents
  {
    let captured = try MiniSEEDLog.shared.capture { try parse(bytes, path: path) }
    if let first = captured.errors.first {
      let more = captured.errors.count > 1 ? " (and \(captured.errors.count - 1) more errors)" : ""
      throw WaveformFileError(path: path, reason: "libmseed: \(first)\(more)")
    }
    var contents = captured.result
    contents.notes += summarized(captured.warnings).map { "libmseed: \($0)" }
    return contents
  }

  /// libmseed's messages, each once in order of first appearance with how often it came (it
  /// says the same of every record: 200 identical lines for a file without blockette 1001), at
  /// most `shown` of them and then how many more.
  static func summarized(_ messages: [String], shown: Int = 10) -> [String] {
    var order: [String] = []
    var counts: [String: Int] = [:]
    for message in messages {
      if counts[message] == nil { order.append(message) }
      counts[message, default: 0] += 1
    }
    var lines = order.prefix(shown).map { message in
      let n = counts[message] ?? 1
      return n > 1 ? "\(message) (\(n) times)" : message
    }
    if order.count > shown {
      let rest = order.dropFirst(shown).reduce(0) { $0 + (counts[$1] ?? 0) }
      lines.append(
        "and \(rest) more message\(rest == 1 ? "" : "s") of \(order.count - shown) other kinds")
    }
    return lines
  }

  // MARK: Implementation

  private struct ChannelKey: Hashable {
    var source: SourceIdentifier
    var quality: UInt8
  }

  private enum Buffer {
    case int32([Int32]), float32([Float]), float64([Double]), text(Int), none
  }

  /// A segment being assembled, with the state ObsPy's join test needs (libmseed hptime, us).
  private struct Builder {
    var key: ChannelKey
    var start: Int64
    var end: Int64
    var rate: Double
    var type: CChar
    var delta: Int64
    var count: Int64
    var buffer: Buffer
    var records: Int
  }

  private static func parse(_ bytes: UnsafeMutableRawBufferPointer, path: String) throws
    -> WaveformContents
  {
    func fail(_ reason: String) -> WaveformFileError {
      WaveformFileError(path: path, reason: reason)
    }
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count > 0
    else { throw fail("empty file: not MiniSEED or SAC") }
    let length = bytes.count
    let minimum = Int(MINRECLEN)
    guard length >= minimum else {
      throw fail("\(length) bytes: too short for a MiniSEED record (\(minimum) bytes at least)")
    }
    let bigEndianHost = ms_bigendianhost() != 0

    var notes: [String] = []
    var builders: [Builder] = []
    var latest: [ChannelKey: Int] = [:]
    var recordCount = 0
    var blankBlocks = 0
    var controlBlocks = 0
    var notSEEDBlocks = 0
    var nonASCIISources = Set<SourceIdentifier>()
    /// Records dated to no time, said in one line.
    var undated: (count: Int, first: (offset: Int, date: String)?) = (0, nil)
    /// Records stamped with a leap second (23:59:60), said in one line.
    var leapSeconds: (count: Int, first: Int?) = (0, nil)

    var msr: UnsafeMutablePointer<MSRecord>? = msr_init(nil)
    defer { msr_free(&msr) }

    var offset = 0
    while offset < length {
      let remaining = length - offset
      if remaining < minimum {
        notes.append("the last \(remaining) bytes are not a whole record (skipped)")
        break
      }
      let recordStart = base + offset
      if isBlank(UnsafeRawPointer(recordStart)) {
        blankBlocks += 1
        offset += minimum
        continue
      }
      var code = msr_parse(recordStart, Int32(remaining), &msr, -1, 0, 0)
      if code == MS_NOTSEED {
        let type = UInt8(bitPattern: recordStart[6])
        if "VAST".utf8.contains(type) { controlBlocks += 1 } else { notSEEDBlocks += 1 }
        offset += minimum
        continue
      } else if code < 0 {
        notes.append(
          "record at byte \(offset): \(String(cString: ms_errorstr(code))); the rest is not read")
        break
      } else if code > 0 && Int(code) >= remaining {
        notes.append("record at byte \(offset) is cut short by the end of the file (skipped)")
        break
      } else if code > 0 {
        // No blockette 1000 and no following record: the rest may be exactly one record.
        guard remaining.nonzeroBitCount == 1 else {
          notes.append("record at byte \(offset) has no determinable length; the rest is not read")
          break
        }
        code = msr_parse(recordStart, Int32(remaining), &msr, Int32(remaining), 0, 0)
        if code != 0 {
          notes.append("record at byte \(offset) cannot be parsed; the rest is not read")
          break
        }
      }
      guard let record = msr else { throw fail("libmseed returned no record") }
      let reclen = Int(record.pointee.reclen)
      if offset + reclen > length {
        notes.append("record at byte \(offset) runs past the end of the file (skipped)")
        break
      }
      recordCount += 1
      try unpack(record, at: recordStart, offset: offset, bigEndianHost: bigEndianHost, path: path)
      // libmseed turns day 367 into 2 January of the next year; ObsPy refuses the file
      // ("julday out of bounds"). The record's time is not to be trusted: not stored, and said
      // (after the checks of its data, which refuse a broken record whatever its date).
      if let date = impossibleStartTime(record) {
        undated.count += 1
        if undated.first == nil { undated.first = (offset, date) }
        offset += reclen
        continue
      }
      // A leap second (23:59:60) reads as midnight that follows, as ObsPy reads it; the next
      // record then overlaps it, so the overlap warning is explained here.
      if let fsdh = record.pointee.fsdh, fsdh.pointee.start_time.sec == 60 {
        leapSeconds.count += 1
        if leapSeconds.first == nil { leapSeconds.first = offset }
      }
      append(record, to: &builders, latest: &latest, nonASCIISources: &nonASCIISources)
      offset += reclen
    }

    guard recordCount > 0 else {
      throw fail("no MiniSEED data records: not MiniSEED or SAC")
    }
    if let first = undated.first {
      notes.append(
        undated.count == 1
          ? "record at byte \(first.offset) is \(first.date), which is no time: its samples are not stored"
          : "\(undated.count) records are dated to no time (the first, at byte \(first.offset), is \(first.date)): their samples are not stored"
      )
    }
    if let first = leapSeconds.first {
      notes.append(
        "\(leapSeconds.count == 1 ? "record at byte \(first) is" : "\(leapSeconds.count) records (the first at byte \(first)) are") stamped at a leap second, 23:59:60: read as 00:00:00 of the next day, as ObsPy reads it, so a record that follows may overlap it"
      )
    }
    if blankBlocks > 0 {
      notes.append("skipped \(blankBlocks) blank (noise) block(s) of 128 bytes")
    }
    if controlBlocks > 0 {
      notes.append("skipped \(controlBlocks) block(s) of SEED volume control headers")
    }
    if notSEEDBlocks > 0 {
      notes.append("skipped \(notSEEDBlocks) block(s) of 128 bytes that are not SEED records")
    }
    for source in nonASCIISources.sorted() {
      notes.append(
        "\(source.id): the header's codes hold bytes that are not ASCII; dropped, as ObsPy does")
    }

    var segments: [Segment] = []
    for b in builders {
      // libmseed's microseconds become nanoseconds; a start beyond 2262 cannot.
      let (startNanoseconds, overflow) = b.start.multipliedReportingOverflow(by: 1000)
      guard !overflow else {
        notes.append(
          "\(b.key.source.id): start time \(b.start) us is beyond the representable times: no segment"
        )
        continue
      }
      let name = "\(b.key.source.id) at \(Timestamp(nanoseconds: startNanoseconds).iso8601)"
      let samples: Samples
      switch b.buffer {
      case .int32(let v): samples = .int32(v)
      case .float32(let v): samples = .float32(v)
      case .float64(let v): samples = .float64(v)
      case .text(let n):
        notes.append("\(name): \(b.records) text (log) record(s), \(n) characters: no segment")
        continue
      case .none:
        notes.append("\(name): \(b.records) record(s) without samples: no segment")
        continue
      }
      if samples.count == 0 {
        notes.append("\(name): \(b.records) record(s) without samples: no segment")
        continue
      }
      let quality = Character(Unicode.Scalar(b.key.quality))
      let segment = Segment(
        source: b.key.source, startTime: Timestamp(nanoseconds: startNanoseconds),
        samplingRate: b.rate, samples: samples,
        quality: Segment.dataQualities.contains(quality) ? quality : nil)
      if let problem = segment.timeRangeProblem {
        notes.append("\(name): \(problem): no segment")
        continue
      }
      segments.append(segment)
    }
    return WaveformContents(format: .miniSEED, segments: segments, notes: notes)
  }

  /// The record's start time as read (`dated 2024, day 367, 17:20:00`) when it names no real
  /// time (a day past the year's last, an hour of 24), or nil. libmseed has put the header in
  /// the host's byte order; a second of 60 (a leap second) is a time.
  static func impossibleStartTime(_ record: UnsafeMutablePointer<MSRecord>) -> String? {
    guard let fsdh = record.pointee.fsdh else { return nil }
    let t = fsdh.pointee.start_time
    let days = Timestamp.isLeapYear(Int64(t.year)) ? 366 : 365
    if (1...days).contains(Int(t.day)) && t.hour < 24 && t.min < 60 && t.sec <= 60 { return nil }
    return String(
      format: "dated %d, day %d, %02d:%02d:%02d", Int(t.year), Int(t.day), Int(t.hour),
      Int(t.min), Int(t.sec))
  }

  /// OBSPY_ISVALIDBLANK: six digits, spaces or NULs, then 42 spaces (a noise block).
  private static func isBlank(_ p: UnsafeRawPointer) -> Bool {
    for i in 0..<6 {
      let c = p.load(fromByteOffset: i, as: UInt8.self)
      if !(c == 0 || c == 32 || (c >= 48 && c <= 57)) { return false }
    }
    for i in 6..<48 where p.load(fromByteOffset: i, as: UInt8.self) != 32 { return false }
    return true
  }

  /// Decodes a record's samples with the byte order ObsPy chooses: blockette 1000's when
  /// present, else the header's own (a header that needs swapping means swapped data).
  private static func unpack(
    _ record: UnsafeMutablePointer<MSRecord>, at start: UnsafeMutablePointer<CChar>, offset: Int,
    bigEndianHost: Bool, path: String
  ) throws {
    let r = record.pointee
    guard let fsdh = r.fsdh, r.samplecnt > 0 else { return }
    let dataOffset = Int(fsdh.pointee.data_offset)
    let reclen = Int(r.reclen)
    guard dataOffset >= 48, dataOffset < reclen else { return }
    // libmseed's fixed-width decoders (text, INT16/32, FLOAT32/64, GEOSCOPE, CDSN, SRO,
    // DWWSSN) read `samplecnt` samples without checking the record's end: bound the count by
    // what the data section holds in the record's own encoding (found by FuzzMiniSEED, a text
    // record claiming 255 characters past the end of the buffer). Steim-2 holds at most 7
    // samples per 4 bytes; unknown encodings get that bound too.
    let dataBytes = reclen - dataOffset
    let capacity: Int64
    switch r.encoding {
    case Int8(DE_ASCII): capacity = Int64(dataBytes)
    case Int8(DE_INT16), Int8(DE_GEOSCOPE163), Int8(DE_GEOSCOPE164), Int8(DE_CDSN), Int8(DE_SRO),
      Int8(DE_DWWSSN):
      capacity = Int64(dataBytes / 2)
    case Int8(DE_GEOSCOPE24): capacity = Int64(dataBytes / 3)
    case Int8(DE_INT32), Int8(DE_FLOAT32): capacity = Int64(dataBytes / 4)
    case Int8(DE_FLOAT64): capacity = Int64(dataBytes / 8)
    case Int8(DE_STEIM1): capacity = Int64(dataBytes)
    default: capacity = Int64(dataBytes) * 7 / 4
    }
    guard r.samplecnt <= capacity else {
      throw WaveformFileError(
        path: path,
        reason:
          "record at byte \(offset) claims \(r.samplecnt) samples in \(dataBytes) bytes of data")
    }
    var swap: Int32 = 0
    if r.Blkt1000 != nil {
      if bigEndianHost && r.byteorder == 0 { swap = 1 }
      if !bigEndianHost && r.byteorder > 0 { swap = 1 }
    } else {
      let raw = UnsafeRawPointer(start)
      let year =
        Int(raw.load(fromByteOffset: 20, as: UInt8.self))
        | Int(raw.load(fromByteOffset: 21, as: UInt8.self)) << 8
      let day =
        Int(raw.load(fromByteOffset: 22, as: UInt8.self))
        | Int(raw.load(fromByteOffset: 23, as: UInt8.self)) << 8
      if !(year >= 1900 && year <= 2100 && day >= 1 && day <= 366) { swap = 1 }
    }
    let decoded = msr_unpack_data(record, swap, 0)
    if decoded > 0 { record.pointee.numsamples = Int64(decoded) }
  }

  /// Joins the record to its channel's latest segment or starts a new one (ObsPy's rule).
  private static func append(
    _ record: UnsafeMutablePointer<MSRecord>, to builders: inout [Builder],
    latest: inout [ChannelKey: Int], nonASCIISources: inout Set<SourceIdentifier>
  ) {
    let r = record.pointee
    var nonASCII = false
    let source = SourceIdentifier(
      network: code(r.network, nonASCII: &nonASCII), station: code(r.station, nonASCII: &nonASCII),
      location: SourceIdentifier.storedLocation(code(r.location, nonASCII: &nonASCII)),
      channel: code(r.channel, nonASCII: &nonASCII))
    if nonASCII { nonASCIISources.insert(source) }
    let key = ChannelKey(source: source, quality: UInt8(bitPattern: r.dataquality))
    let end = msr_endtime(record)
    let count = Int64(r.samplecnt)
    let available = r.datasamples != nil ? min(Int64(r.numsamples), count) : 0

    if let index = latest[key] {
      let last = builders[index]
      let tolerance = Int64(0.5 * Double(last.delta))
      let negativeTolerance = tolerance != 0 ? -tolerance : 0
      // Wrapping arithmetic: absurd header times must not trap (an overflow never joins).
      let (partial, overflow1) = r.starttime.subtractingReportingOverflow(last.end)
      let (gap, overflow2) = partial.subtractingReportingOverflow(last.delta)
      if !overflow1 && !overflow2 && count > 0 && last.count > 0 && last.type == r.sampletype
        && abs(1.0 - last.rate / r.samprate) < 0.0001 && gap <= tolerance
        && gap >= negativeTolerance
      {
        builders[index].count += count
        builders[index].end = end
        builders[index].records += 1
        appendSamples(r, available: available, to: &builders[index].buffer)
        return
      }
    }
    var builder = Builder(
      key: key, start: r.starttime, end: end, rate: r.samprate, type: r.sampletype,
      delta: hptimePeriod(rate: r.samprate), count: count,
      buffer: .none, records: 1)
    switch UInt8(bitPattern: r.sampletype) {
    case UInt8(ascii: "i"): builder.buffer = .int32([])
    case UInt8(ascii: "f"): builder.buffer = .float32([])
    case UInt8(ascii: "d"): builder.buffer = .float64([])
    case UInt8(ascii: "a"): builder.buffer = .text(0)
    default: builder.buffer = .none
    }
    appendSamples(r, available: available, to: &builder.buffer)
    latest[key] = builders.count
    builders.append(builder)
  }

  /// The sample period in libmseed's microseconds, 0 for a rate of 0 and for rates whose period
  /// does not fit (a header's absurd or non-finite rate must not trap).
  private static func hptimePeriod(rate: Double) -> Int64 {
    let period = Double(HPTMODULUS) / rate
    guard rate != 0, period.isFinite, abs(period) < 9.2e18 else { return 0 }
    return Int64(period)
  }

  private static func appendSamples(_ r: MSRecord, available: Int64, to buffer: inout Buffer) {
    guard available > 0, let raw = r.datasamples else { return }
    let n = Int(available)
    switch buffer {
    case .int32(var v):
      buffer = .none
      v.append(
        contentsOf: UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Int32.self), count: n))
      buffer = .int32(v)
    case .float32(var v):
      buffer = .none
      v.append(
        contentsOf: UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Float.self), count: n))
      buffer = .float32(v)
    case .float64(var v):
      buffer = .none
      v.append(
        contentsOf: UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Double.self), count: n))
      buffer = .float64(v)
    case .text(let c):
      buffer = .text(c + n)
    case .none:
      break
    }
  }

  /// A code from libmseed's NUL-terminated char[11] (trailing spaces already removed; a
  /// leading or inner space stays, as the file holds it). Bytes that are not ASCII are dropped,
  /// as ObsPy drops them (`decode("ascii", errors="ignore")`), so the codes match ObsPy's ids;
  /// `nonASCII` is set when any was.
  static func code<T>(_ tuple: T, nonASCII: inout Bool) -> String {
    withUnsafeBytes(of: tuple) { raw in
      var bytes: [UInt8] = []
      for b in raw {
        if b == 0 { break }
        if b < 128 { bytes.append(b) } else { nonASCII = true }
      }
      return String(decoding: bytes, as: UTF8.self)
    }
  }
}
