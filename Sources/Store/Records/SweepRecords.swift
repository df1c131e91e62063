import Foundation
import GRDB

/// A row of `sweeps`: one `seiscluster sweep` over a window set.
public struct SweepRecord: Codable, Sendable, Equatable, FetchableRecord,
  MutablePersistableRecord
{
  public static let databaseTableName = "sweeps"
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy
    .convertFromSnakeCase
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy
    .convertToSnakeCase

  public var id: Int64?
  public var windowSetId: Int64
  public var version: String
  /// The sweep's options: sizes, architectures, clusters, model options (JSON object).
  public var optionsJson: String
  public var createdAt: String

  public init(
    id: Int64? = nil, windowSetId: Int64, version: String, optionsJson: String,
    createdAt: String = storeNow()
  ) {
    self.id = id
    self.windowSetId = windowSetId
    self.version = version
    self.optionsJson = optionsJson
    self.createdAt = createdAt
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `sweep_runs`: one run of a sweep, its architecture and latent size, its mean
/// reconstruction loss over the window set and, with a truth file, its scores.
public struct SweepRunRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "sweep_runs"
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy
    .convertFromSnakeCase
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy
    .convertToSnakeCase

  public var sweepId: Int64
  public var runId: Int64
  /// Order within the sweep (architecture-major, then latent size).
  public var position: Int
  public var architecture: String
  public var latent: Int
  /// The reconstruction loss's name (`mse`, `bce`).
  public var loss: String
  public var reconstructionLoss: Double
  public var acc: Double?
  public var nmi: Double?
  public var ari: Double?

  public init(
    sweepId: Int64, runId: Int64, position: Int, architecture: String, latent: Int,
    loss: String, reconstructionLoss: Double, acc: Double? = nil, nmi: Double? = nil,
    ari: Double? = nil
  ) {
    self.sweepId = sweepId
    self.runId = runId
    self.position = position
    self.architecture = architecture
    self.latent = latent
    self.loss = loss
    self.reconstructionLoss = reconstructionLoss
    self.acc = acc
    self.nmi = nmi
    self.ari = ari
  }
}
