import Foundation
import GRDB
import Seismic

/// A row of `segment`: one continuous run of samples of one channel from one file.
public struct SegmentRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "segment"

  public var id: Int64?
  public var fileID: Int64
  public var channelID: Int64
  /// Time of the first sample, nanoseconds since the epoch.
  public var startNanoseconds: Int64
  /// Time of the last sample, nanoseconds since the epoch.
  public var endNanoseconds: Int64
  public var samplingRate: Double
  public var sampleCount: Int
  /// `int32`, `float32` or `float64` (`SampleType.rawValue`).
  public var sampleType: String
  /// How `samples` is laid out (`SampleEncoding.rawValue`).
  public var sampleEncoding: String
  /// The samples: `sampleCount` values of `sampleType`, as `sampleEncoding` lays them out.
  public var samples: Data
  /// The MiniSEED data quality of its records (`D`, `R`, `Q` or `M`); nil for SAC segments and
  /// for segments stored before migration 0009 (`traces export` writes those as `D`).
  public var quality: String?

  enum CodingKeys: String, CodingKey {
    case id
    case fileID = "file_id"
    case channelID = "channel_id"
    case startNanoseconds = "start_ns"
    case endNanoseconds = "end_ns"
    case samplingRate = "sampling_rate"
    case sampleCount = "sample_count"
    case sampleType = "sample_type"
    case sampleEncoding = "sample_encoding"
    case samples
    case quality
  }

  public init(segment: Segment, fileID: Int64, channelID: Int64) {
    id = nil
    self.fileID = fileID
    self.channelID = channelID
    startNanoseconds = segment.startTime.nanoseconds
    endNanoseconds = segment.endTime.nanoseconds
    samplingRate = segment.samplingRate
    sampleCount = segment.sampleCount
    sampleType = segment.samples.sampleType.rawValue
    let (encoding, blob) = SampleBlob.encodeCompact(segment.samples)
    sampleEncoding = encoding.rawValue
    samples = blob
    quality = segment.quality.map { String($0) }
  }

  /// `quality` as a `Segment` holds it (nil when empty or not one character).
  public var segmentQuality: Character? {
    guard let quality, quality.count == 1 else { return nil }
    return quality.first
  }

  /// Samples `range` of the segment this row holds (`SampleBlob.decode(_:type:count:encoding:range:)`).
  public func samples(in range: Range<Int>) throws -> Samples {
    guard let type = SampleType(rawValue: sampleType) else {
      throw SampleBlob.Error(reason: "segment \(id ?? -1): unknown sample type \(sampleType)")
    }
    guard let encoding = SampleEncoding(rawValue: sampleEncoding) else {
      throw SampleBlob.Error(
        reason: "segment \(id ?? -1): unknown sample encoding \(sampleEncoding)")
    }
    return try SampleBlob.decode(
      samples, type: type, count: sampleCount, encoding: encoding, range: range)
  }

  /// The segment this row holds, under `source`.
  public func segment(source: SourceIdentifier) throws -> Segment {
    guard let type = SampleType(rawValue: sampleType) else {
      throw SampleBlob.Error(reason: "segment \(id ?? -1): unknown sample type \(sampleType)")
    }
    guard let encoding = SampleEncoding(rawValue: sampleEncoding) else {
      throw SampleBlob.Error(
        reason: "segment \(id ?? -1): unknown sample encoding \(sampleEncoding)")
    }
    return Segment(
      source: source, startTime: Timestamp(nanoseconds: startNanoseconds),
      samplingRate: samplingRate,
      samples: try SampleBlob.decode(
        samples, type: type, count: sampleCount, encoding: encoding),
      quality: segmentQuality)
  }

}

/// A segment encoded for the store, not yet tied to a file or channel row. Encoding is a
/// costly part of storing, so ingest does it on another core while the writer stores the
/// previous file.
public struct EncodedSegment: Sendable {
  public let source: SourceIdentifier
  var record: SegmentRecord

  public var sampleCount: Int { record.sampleCount }

  public init(_ segment: Segment) {
    source = segment.source
    record = SegmentRecord(segment: segment, fileID: 0, channelID: 0)
  }
}
