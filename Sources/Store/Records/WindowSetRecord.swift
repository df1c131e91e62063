import GRDB

/// A row of `window_sets`: one set of equally shaped windows (N x C x L) and how it was made.
public struct WindowSetRecord: Codable, Sendable, Equatable, FetchableRecord,
  MutablePersistableRecord
{
  public static let databaseTableName = "window_sets"
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy
    .convertFromSnakeCase
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy
    .convertToSnakeCase

  /// What the windows hold: preprocessed samples, STFT spectrograms, or imported tensors.
  public enum InputKind: String, Codable, Sendable {
    case waveform, spectrogram, imported
  }

  public var id: Int64?
  public var createdAt: String
  public var version: String
  public var isCurrent: Bool
  public var inputKind: InputKind
  /// C: components (waveform) or frequency bins x components (spectrogram).
  public var channelCount: Int
  /// L: samples (waveform) or frames (spectrogram).
  public var length: Int
  /// Samples per second of the windows' time axis, when known.
  public var samplingRate: Double?
  /// The options that built the set (JSON object).
  public var parametersJson: String
  /// The processing history, one entry per step (JSON array), as ObsPy's `stats.processing`.
  public var processingJson: String

  public init(
    id: Int64? = nil, createdAt: String = storeNow(), version: String, isCurrent: Bool = true,
    inputKind: InputKind, channelCount: Int, length: Int, samplingRate: Double?,
    parametersJson: String, processingJson: String
  ) {
    self.id = id
    self.createdAt = createdAt
    self.version = version
    self.isCurrent = isCurrent
    self.inputKind = inputKind
    self.channelCount = channelCount
    self.length = length
    self.samplingRate = samplingRate
    self.parametersJson = parametersJson
    self.processingJson = processingJson
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
