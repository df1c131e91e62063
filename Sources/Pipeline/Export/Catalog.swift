import Foundation
import Seismic
import Store

/// One window of a run's labelled catalog: where and when its pick is, and what the run made
/// of it.
public struct CatalogEntry: Sendable, Equatable {
  /// The user-facing `window_id` (unique within its window set).
  public var windowID: Int64
  public var network: String
  public var station: String
  /// Empty for the blank location code.
  public var location: String
  /// The window's channels in order (`HHZ,HHN,HHE`).
  public var channels: String
  /// The channel the pick was made on, when the pick catalog said.
  public var pickChannel: String?
  /// Nil for windows imported without an index.
  public var pickTime: Timestamp?
  public var phase: String
  /// Time of the window's first sample, when it was cut from stored traces.
  public var startTime: Timestamp?
  public var cluster: Int
  /// q of the assigned cluster.
  public var probability: Double
  /// Distance from the window's embedding to its cluster's centroid.
  public var distance: Double
  public var label: String?
  public var labelProbability: Double?
  public var isHandLabelled: Bool
  /// The window set the window belongs to (the run's own, unless `assign` added windows of a
  /// later set).
  public var windowSetID: Int64?

  public init(
    windowID: Int64, network: String, station: String, location: String, channels: String,
    pickChannel: String? = nil, pickTime: Timestamp?, phase: String, startTime: Timestamp? = nil,
    cluster: Int, probability: Double, distance: Double, label: String? = nil,
    labelProbability: Double? = nil, isHandLabelled: Bool = false, windowSetID: Int64? = nil
  ) {
    self.windowID = windowID
    self.network = network
    self.station = station
    self.location = location
    self.channels = channels
    self.pickChannel = pickChannel
    self.pickTime = pickTime
    self.phase = phase
    self.startTime = startTime
    self.cluster = cluster
    self.probability = probability
    self.distance = distance
    self.label = label
    self.labelProbability = labelProbability
    self.isHandLabelled = isHandLabelled
    self.windowSetID = windowSetID
  }

  /// The channel a pick is reported on: the pick's own, else the window's first (vertical). A
  /// pick that names band and instrument codes alone (PhaseNet's `HH`) is reported on the
  /// window's first channel, of that band and instrument: `HH` names no SEED channel.
  public var reportedChannel: String {
    let first = channels.split(separator: ",").first.map(String.init) ?? ""
    if let pickChannel, pickChannel.count >= 3 || (!pickChannel.isEmpty && first.isEmpty) {
      return pickChannel
    }
    return first
  }
}

/// A run's labelled catalog: the run, its window set, and one entry per assigned window in
/// window order. Every catalog writer and the report start from here.
public struct Catalog: Sendable {
  public var run: RunRecord
  public var windowSet: WindowSetRecord
  public var entries: [CatalogEntry] {
    didSet { anyEntryLabelled = entries.contains { $0.label != nil } }
  }
  /// Whether an entry has a label, kept with `entries`: `hasLabels` is asked once per entry by
  /// the writers, and scanning every entry each time made an export of 100,000 windows take
  /// 20 s (quadratic).
  private var anyEntryLabelled: Bool
  /// The sets of windows `assign` added to the run from later sets, by id: their windows'
  /// shapes and rates are their own set's, not the run's.
  public var assignedSets: [Int64: WindowSetRecord]

  public init(
    run: RunRecord, windowSet: WindowSetRecord, entries: [CatalogEntry],
    assignedSets: [Int64: WindowSetRecord] = [:]
  ) {
    self.run = run
    self.windowSet = windowSet
    self.entries = entries
    self.assignedSets = assignedSets
    anyEntryLabelled = entries.contains { $0.label != nil }
  }

  /// The window set entry `entry` belongs to: the run's own unless `assign` added it.
  public func windowSet(of entry: CatalogEntry) -> WindowSetRecord {
    entry.windowSetID.flatMap { assignedSets[$0] } ?? windowSet
  }

  /// The run's id (0 for a run never stored, which only tests build).
  public var runID: Int64 { run.id ?? 0 }

  /// True once the run carries class labels (a `relabel` run, or any window with a label):
  /// the catalogs then gain `label` and `label_probability`.
  public var hasLabels: Bool {
    run.kind == .relabel || anyEntryLabelled
  }

  /// The run's options as a JSON object (empty when `options_json` is not an object).
  public var options: [String: JSONValue] {
    guard case .object(let members)? = try? JSONValue(parsing: run.optionsJson) else { return [:] }
    // The model's options (epochs, tol, ...) read as the run's own; the window set is described
    // by its own record.
    var flat: [(String, JSONValue)] = []
    for (key, value) in members {
      if key == "model", case .object(let inner) = value {
        flat += inner
      } else if key != "window_set" {
        flat.append((key, value))
      }
    }
    return Dictionary(flat, uniquingKeysWith: { first, _ in first })
  }

  /// Loads run `runID` (the latest complete run when nil) with its windows and picks.
  /// Throws `InputError` naming the store when there is no such run.
  public static func load(from store: SeisStore, runID: Int64? = nil) throws -> Catalog {
    if let reason = try store.incompleteRunReason(id: runID) {
      throw InputError(path: store.path, reason: reason)
    }
    guard let run = try store.run(id: runID), let id = run.id else {
      throw InputError(path: store.path, reason: "no complete run in the store")
    }
    let (windowSet, rows) = try store.catalogRows(runID: id, windowSetID: run.windowSetId)
    guard let set = windowSet else {
      throw InputError(
        path: store.path, reason: "run \(id) names window set \(run.windowSetId), not stored")
    }
    let entries = rows.map { row in
      CatalogEntry(
        windowID: row.windowKey, network: row.network, station: row.station,
        location: row.location, channels: row.channels, pickChannel: row.pickChannel,
        pickTime: row.pickTimeNs.map(Timestamp.init(nanoseconds:)), phase: row.phase,
        startTime: row.startNs.map(Timestamp.init(nanoseconds:)), cluster: row.cluster,
        probability: row.probability, distance: row.distance, label: row.label,
        labelProbability: row.labelProbability, isHandLabelled: row.isHandLabelled,
        windowSetID: row.windowSetId)
    }
    var assignedSets: [Int64: WindowSetRecord] = [:]
    for other in Set(entries.compactMap(\.windowSetID)) where other != run.windowSetId {
      if let record = try store.windowSet(id: other) { assignedSets[other] = record }
    }
    return Catalog(run: run, windowSet: set, entries: entries, assignedSets: assignedSets)
  }
}
