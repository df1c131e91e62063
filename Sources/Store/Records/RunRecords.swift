import Foundation
import GRDB

/// A row of `models`: an autoencoder's architecture, parameters, optimiser state and centroids.
public struct ModelRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
  public static let databaseTableName = "models"
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy
    .convertFromSnakeCase
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy
    .convertToSnakeCase

  public var id: Int64?
  public var architectureJson: String
  public var parameters: Data
  public var optimizerState: Data?
  /// K x D float32 centroids of the clustering layer.
  public var centroids: Data?
  public var createdAt: String

  public init(
    id: Int64? = nil, architectureJson: String, parameters: Data, optimizerState: Data?,
    centroids: Data?, createdAt: String = storeNow()
  ) {
    self.id = id
    self.architectureJson = architectureJson
    self.parameters = parameters
    self.optimizerState = optimizerState
    self.centroids = centroids
    self.createdAt = createdAt
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `runs`: one clustering (or relabelling) of a window set.
public struct RunRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
  public static let databaseTableName = "runs"
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy
    .convertFromSnakeCase
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy
    .convertToSnakeCase

  public enum Kind: String, Codable, Sendable { case cluster, relabel }
  public enum Status: String, Codable, Sendable { case running, complete, failed }

  public var id: Int64?
  public var kind: Kind
  public var parentRunId: Int64?
  public var windowSetId: Int64
  public var modelId: Int64?
  public var status: Status
  public var version: String
  public var seed: Int64
  public var clusterCount: Int
  /// Every option of the run (JSON object).
  public var optionsJson: String
  /// Training curves: per-epoch and per-update losses, label-change fractions, stage times.
  public var historyJson: String
  /// The printed per-cluster summary, including the station-confound verdict.
  public var summary: String?
  public var createdAt: String
  public var finishedAt: String?

  public init(
    id: Int64? = nil, kind: Kind, parentRunId: Int64? = nil, windowSetId: Int64,
    modelId: Int64? = nil, status: Status = .running, version: String, seed: Int64,
    clusterCount: Int, optionsJson: String, historyJson: String = "{}", summary: String? = nil,
    createdAt: String = storeNow(), finishedAt: String? = nil
  ) {
    self.id = id
    self.kind = kind
    self.parentRunId = parentRunId
    self.windowSetId = windowSetId
    self.modelId = modelId
    self.status = status
    self.version = version
    self.seed = seed
    self.clusterCount = clusterCount
    self.optionsJson = optionsJson
    self.historyJson = historyJson
    self.summary = summary
    self.createdAt = createdAt
    self.finishedAt = finishedAt
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `assignments`: a window's cluster in a run, with its soft assignment q.
public struct AssignmentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "assignments"
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy
    .convertFromSnakeCase
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy
    .convertToSnakeCase

  public var runId: Int64
  public var windowId: Int64
  public var cluster: Int
  /// q of the assigned cluster.
  public var probability: Double
  /// Euclidean distance from the window's embedding to its cluster's centroid.
  public var distance: Double
  /// The K soft assignments, float32 little-endian.
  public var q: Data
  /// The window's bottleneck features (D float32), for maps of the latent space.
  public var embedding: Data?
  /// The class `relabel` gave, and its probability.
  public var label: String?
  public var labelProbability: Double?
  public var isHandLabelled: Bool

  public init(
    runId: Int64, windowId: Int64, cluster: Int, probability: Double, distance: Double,
    q: [Float], embedding: [Float]? = nil, label: String? = nil, labelProbability: Double? = nil,
    isHandLabelled: Bool = false
  ) {
    self.runId = runId
    self.windowId = windowId
    self.cluster = cluster
    self.probability = probability
    self.distance = distance
    self.q = q.withUnsafeBytes { Data($0) }
    self.embedding = embedding.map { e in e.withUnsafeBytes { Data($0) } }
    self.label = label
    self.labelProbability = labelProbability
    self.isHandLabelled = isHandLabelled
  }

  /// Read column by column (by name: rows come from `SELECT *`). The Codable decoding GRDB
  /// derives converted every column name from snake case for every row.
  public init(row: Row) throws {
    runId = try row.decode(Int64.self, forColumn: "run_id")
    windowId = try row.decode(Int64.self, forColumn: "window_id")
    cluster = try row.decode(Int.self, forColumn: "cluster")
    probability = try row.decode(Double.self, forColumn: "probability")
    distance = try row.decode(Double.self, forColumn: "distance")
    q = try row.decode(Data.self, forColumn: "q")
    embedding = try row.decode(Data?.self, forColumn: "embedding")
    label = try row.decode(String?.self, forColumn: "label")
    labelProbability = try row.decode(Double?.self, forColumn: "label_probability")
    isHandLabelled = try row.decode(Bool.self, forColumn: "is_hand_labelled")
  }

  public var softAssignments: [Float] { q.float32Values }

  public var embeddingValues: [Float]? { embedding?.float32Values }
}

/// A row of `checkpoints`: the latest resumable state of a running run.
public struct CheckpointRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "checkpoints"
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy
    .convertFromSnakeCase
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy
    .convertToSnakeCase

  public var runId: Int64
  /// `pretrain` or `cluster`.
  public var stage: String
  public var iteration: Int
  public var state: Data
  public var updatedAt: String

  public init(
    runId: Int64, stage: String, iteration: Int, state: Data, updatedAt: String = storeNow()
  ) {
    self.runId = runId
    self.stage = stage
    self.iteration = iteration
    self.state = state
    self.updatedAt = updatedAt
  }
}

extension Data {
  /// The bytes read as little-endian float32 values.
  public var float32Values: [Float] {
    var out = [Float](repeating: 0, count: count / 4)
    _ = out.withUnsafeMutableBytes { copyBytes(to: $0) }
    return out
  }
}
