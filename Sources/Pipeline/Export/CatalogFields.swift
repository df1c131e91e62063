import Seismic

extension Catalog {
  /// The names of the per-window fields, in order: those of the contract
  /// (`window_id,network,station,location,time,phase,cluster,probability`), then `channels`,
  /// `channel` (the pick's own channel, empty when it names none: `picks import` of the CSV
  /// gets it back, and with it the same channel set), `distance` and `run`, and `label`, `label_probability`, `hand_labelled` once the run
  /// carries labels. CSV and JSON share them, so the two always agree.
  public var fieldNames: [String] {
    var names = [
      "window_id", "network", "station", "location", "time", "phase", "cluster", "probability",
      "channels", "channel", "distance", "run",
    ]
    if hasLabels { names += ["label", "label_probability", "hand_labelled"] }
    return names
  }

  /// An entry's fields, typed, in the order of `fieldNames`. `time` is the pick time in
  /// ISO 8601 UTC with microseconds.
  public func fields(of entry: CatalogEntry) -> [(String, JSONValue)] {
    var fields: [(String, JSONValue)] = [
      ("window_id", .integer(entry.windowID)),
      ("network", .string(entry.network)),
      ("station", .string(entry.station)),
      ("location", .string(entry.location)),
      ("time", JSONValue(entry.pickTime?.iso8601)),
      ("phase", .string(entry.phase)),
      ("cluster", .integer(Int64(entry.cluster))),
      ("probability", JSONValue(entry.probability)),
      ("channels", .string(entry.channels)),
      ("channel", .string(entry.pickChannel ?? "")),
      ("distance", JSONValue(entry.distance)),
      ("run", .integer(runID)),
    ]
    if hasLabels {
      fields += [
        ("label", JSONValue(entry.label)),
        ("label_probability", JSONValue(entry.labelProbability)),
        ("hand_labelled", .bool(entry.isHandLabelled)),
      ]
    }
    return fields
  }
}
