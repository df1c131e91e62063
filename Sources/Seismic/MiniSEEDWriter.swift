import CMiniSEED
import Foundation

/// Writes a segment as MiniSEED 2 through libmseed 2's packer (`mst_pack`), keeping every
/// sample exactly.
///
/// - Encoding: Steim-2 for integers whose first value and successive differences fit Steim-2's
///   30-bit differences, INT32 otherwise; FLOAT32 and FLOAT64 for floats.
/// - Records of 4096 bytes, big-endian: the usual archive record size (FDSN data centres serve
///   4096- and 512-byte records; 4096 packs long traces with least header overhead).
/// - Data quality: the segment's own (`Segment.quality`, as ObsPy writes a trace's
///   `stats.mseed.dataquality`), `D` when it has none (SAC, stores from before migration 0009).
///   A quality MiniSEED 2 does not know is refused: no reader would read the records.
/// - The sampling rate is written as SEED's factor/multiplier; when that does not read back as
///   the same Double, a blockette 100 (float32 rate) is added.
/// - Time is written to the microsecond (libmseed 2's resolution; blockette 1001 carries the
///   microseconds). The start time is rounded to the nearest microsecond, half up, as ObsPy
///   rounds it.
public enum MiniSEEDWriter {
  /// Record length of the written files, in bytes.
  public static let recordLength: Int32 = 4096

  /// The encoding the writer chooses for `samples`.
  public static func encoding(for samples: Samples) -> Int8 {
    switch samples {
    case .int32(let v): return fitsSteim2(v) ? Int8(DE_STEIM2) : Int8(DE_INT32)
    case .float32: return Int8(DE_FLOAT32)
    case .float64: return Int8(DE_FLOAT64)
    }
  }

  /// Whether Steim-2 can hold the values: the first one and every difference within 30 bits.
  public static func fitsSteim2(_ values: [Int32]) -> Bool {
    let low: Int64 = -(1 << 29)
    let high: Int64 = (1 << 29) - 1
    var previous: Int64 = 0
    for v in values {
      let d = Int64(v) - previous
      if d < low || d > high { return false }
      previous = Int64(v)
    }
    return true
  }

  /// Whether the codes fit MiniSEED 2's fixed header (network 2, station 5, location 2,
  /// channel 3 printable ASCII characters). A leading or inner space fits (codes read from
  /// MiniSEED 2 keep them, `" cp"`); a trailing one does not, since the header pads with spaces
  /// and it would not read back.
  public static func codesFit(_ source: SourceIdentifier) -> Bool {
    let widths = [
      (source.network, 2), (source.station, 5), (source.location, 2), (source.channel, 3),
    ]
    return widths.allSatisfy { code, width in
      code.utf8.count <= width && code.utf8.allSatisfy { $0 >= 32 && $0 < 127 }
        && code.utf8.last != 32
    }
  }

  /// The data quality written for `segment`: its own, `D` when it has none.
  public static func quality(of segment: Segment) -> Character {
    segment.quality ?? "D"
  }

  /// The file's bytes. Throws when the codes do not fit MiniSEED 2 (they are never truncated),
  /// the segment's quality is not one of `Segment.dataQualities`, or it has no samples.
  public static func encode(_ segment: Segment) throws -> Data {
    try encodeReportingRate(segment).data
  }

  /// The file's bytes and the sampling rate a reader gets back from them: the stored rate when
  /// SEED's factor/multiplier or blockette 100 (float32) holds it, else the nearest they hold
  /// (a SAC rate of 200.00000447 Hz reads back as 200 Hz).
  public static func encodeReportingRate(_ segment: Segment) throws -> (
    data: Data, rate: Double?
  ) {
    guard codesFit(segment.source) else {
      throw WaveformFileError(
        path: segment.source.id,
        reason:
          "codes do not fit MiniSEED 2 (network 2, station 5, location 2, channel 3 characters)")
    }
    guard Segment.dataQualities.contains(quality(of: segment)) else {
      throw WaveformFileError(
        path: segment.source.id,
        reason: "data quality \(quality(of: segment)) is not one of MiniSEED 2's (D, R, Q, M)")
    }
    let result = try MiniSEEDLog.shared.capture { () throws -> (Data, Double?) in
      let plain = try pack(segment, rateBlockette: false)
      let plainRate = try readBackRate(plain)
      if plainRate == segment.samplingRate { return (plain, plainRate) }
      let withBlockette = try pack(segment, rateBlockette: true)
      let blocketteRate = try readBackRate(withBlockette)
      // Neither form holds every Double: keep the closer one (float32 precision at worst).
      let plainError = abs((plainRate ?? .infinity) - segment.samplingRate)
      let blocketteError = abs((blocketteRate ?? .infinity) - segment.samplingRate)
      return blocketteError < plainError ? (withBlockette, blocketteRate) : (plain, plainRate)
    }
    if let error = result.errors.first {
      throw WaveformFileError(path: segment.source.id, reason: "libmseed: \(error)")
    }
    return (result.result.0, result.result.1)
  }

  // MARK: Implementation

  private final class Sink {
    var data = Data()
  }

  private static func pack(_ segment: Segment, rateBlockette: Bool) throws -> Data {
    guard let mst = mst_init(nil) else {
      throw WaveformFileError(path: segment.source.id, reason: "libmseed cannot allocate a trace")
    }
    defer {
      var p: UnsafeMutablePointer<MSTrace>? = mst
      mst_free(&p)
    }
    let s = segment.source
    for (value, keyPath) in [
      (s.network, \MSTrace.network), (s.station, \MSTrace.station),
      (s.location, \MSTrace.location), (s.channel, \MSTrace.channel),
    ]
      as [(
        String,
        WritableKeyPath<
          MSTrace, (CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar)
        >
      )]
    {
      withUnsafeMutableBytes(of: &mst.pointee[keyPath: keyPath]) { raw in
        raw.initializeMemory(as: UInt8.self, repeating: 0)
        for (i, b) in value.utf8.prefix(10).enumerated() { raw[i] = b }
      }
    }
    mst.pointee.dataquality = CChar(
      bitPattern: quality(of: segment).asciiValue ?? UInt8(ascii: "D"))
    // Rounded to the nearest microsecond, half up, as ObsPy writes it
    // (`_convert_datetime_to_mstime`); segments never start near Int64.max.
    mst.pointee.starttime =
      segment.startTime.nanoseconds.addingReportingOverflow(500).partialValue
      .floorDivided(by: 1000).0
    mst.pointee.samprate = segment.samplingRate
    let count = segment.sampleCount
    guard count > 0 else { throw WaveformFileError(path: s.id, reason: "no samples to write") }
    mst.pointee.samplecnt = Int64(count)
    mst.pointee.numsamples = Int64(count)
    let width = segment.samples.sampleType.byteWidth
    guard let storage = malloc(max(count * width, 1)) else {
      throw WaveformFileError(path: s.id, reason: "cannot allocate \(count) samples")
    }
    mst.pointee.datasamples = storage
    switch segment.samples {
    case .int32(let v):
      mst.pointee.sampletype = CChar(UInt8(ascii: "i"))
      copy(v, to: storage)
    case .float32(let v):
      mst.pointee.sampletype = CChar(UInt8(ascii: "f"))
      copy(v, to: storage)
    case .float64(let v):
      mst.pointee.sampletype = CChar(UInt8(ascii: "d"))
      copy(v, to: storage)
    }

    // The template carries the codes, the quality and the blockettes into every record.
    var template: UnsafeMutablePointer<MSRecord>? = msr_init(nil)
    defer { msr_free(&template) }
    guard let record = template else {
      throw WaveformFileError(path: s.id, reason: "libmseed cannot allocate a record")
    }
    record.pointee.network = mst.pointee.network
    record.pointee.station = mst.pointee.station
    record.pointee.location = mst.pointee.location
    record.pointee.channel = mst.pointee.channel
    record.pointee.dataquality = mst.pointee.dataquality
    // Blockette 1001 carries the microseconds below SEED's 100 us time resolution.
    var b1001 = blkt_1001_s()
    _ = withUnsafeMutableBytes(of: &b1001) { raw in
      msr_addblockette(
        template, raw.bindMemory(to: CChar.self).baseAddress, Int32(raw.count), 1001, 0)
    }
    if rateBlockette {
      var b100 = blkt_100_s()
      b100.samprate = Float(segment.samplingRate)
      _ = withUnsafeMutableBytes(of: &b100) { raw in
        msr_addblockette(
          template, raw.bindMemory(to: CChar.self).baseAddress, Int32(raw.count), 100, 0)
      }
    }

    let sink = Sink()
    let context = Unmanaged.passUnretained(sink).toOpaque()
    var packed: Int64 = 0
    let records = mst_pack(
      mst,
      { record, length, context in
        guard let record, let context, length > 0 else { return }
        let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
        sink.data.append(
          UnsafeRawPointer(record).assumingMemoryBound(to: UInt8.self), count: Int(length))
      },
      context, recordLength, encoding(for: segment.samples), 1, &packed, 1, 0, template)
    withExtendedLifetime(sink) {}
    guard records >= 0, packed == Int64(count) else {
      throw WaveformFileError(
        path: s.id, reason: "libmseed packed \(packed) of \(count) samples")
    }
    return sink.data
  }

  private static func copy<T>(_ values: [T], to storage: UnsafeMutableRawPointer) {
    values.withUnsafeBytes { raw in
      if let base = raw.baseAddress { storage.copyMemory(from: base, byteCount: raw.count) }
    }
  }

  /// The sampling rate libmseed reads from the first record of `data`.
  private static func readBackRate(_ data: Data) throws -> Double? {
    var bytes = [UInt8](data.prefix(Int(recordLength)))
    guard !bytes.isEmpty else { return nil }
    return bytes.withUnsafeMutableBytes { raw -> Double? in
      var msr: UnsafeMutablePointer<MSRecord>? = nil
      defer { msr_free(&msr) }
      let code = msr_parse(
        raw.bindMemory(to: CChar.self).baseAddress, Int32(raw.count), &msr, -1, 0, 0)
      guard code == 0, let msr else { return nil }
      return msr.pointee.samprate
    }
  }
}
