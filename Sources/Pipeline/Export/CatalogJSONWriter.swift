/// Writes a catalog as `{"run": {...}, "windows": [{...}, ...]}`: the run's identity and every
/// option it ran with, then one object per window with the CSV's fields, typed.
public struct CatalogJSONWriter {
  public init() {}

  public func render(_ catalog: Catalog) -> String {
    let document = JSONValue.object([
      ("run", runObject(catalog)),
      ("windows", .array(catalog.entries.map { .object(catalog.fields(of: $0)) })),
    ])
    return document.serialized(indent: 2) + "\n"
  }

  /// `value` with every `parameters` member that holds a JSON object as text (the window set's
  /// build options, stored so) given as that object: a reader parses the export once.
  static func parametersUnwrapped(_ value: JSONValue) -> JSONValue {
    switch value {
    case .object(let members):
      return .object(
        members.map { key, member in
          if key == "parameters", case .string(let text) = member,
            let parsed = try? JSONValue(parsing: text), case .object = parsed
          {
            return (key, parsed)
          }
          return (key, parametersUnwrapped(member))
        })
    case .array(let items):
      return .array(items.map(parametersUnwrapped))
    default:
      return value
    }
  }

  /// The run: id, kind, version, seed, clusters, times, its window set, and its options.
  func runObject(_ catalog: Catalog) -> JSONValue {
    let run = catalog.run
    let set = catalog.windowSet
    let options = Self.parametersUnwrapped(
      (try? JSONValue(parsing: run.optionsJson)) ?? .string(run.optionsJson))
    var members: [(String, JSONValue)] = [
      ("id", .integer(catalog.runID)),
      ("kind", .string(run.kind.rawValue)),
      ("parent_run", run.parentRunId.map(JSONValue.integer) ?? .null),
      ("version", .string(run.version)),
      // Stored as the bit pattern of the UInt64 seed.
      ("seed", .unsigned(UInt64(bitPattern: run.seed))),
      ("clusters", .integer(Int64(run.clusterCount))),
      ("created_at", .string(run.createdAt)),
      ("finished_at", JSONValue(run.finishedAt)),
      ("windows", .integer(Int64(catalog.entries.count))),
      (
        "window_set",
        .object([
          ("id", set.id.map(JSONValue.integer) ?? .null),
          ("input", .string(set.inputKind.rawValue)),
          ("channels", .integer(Int64(set.channelCount))),
          ("length", .integer(Int64(set.length))),
          ("sampling_rate_hz", JSONValue(set.samplingRate)),
        ])
      ),
    ]
    // The contract's `{"run": {...options...}}`: every option also at the run's top level
    // (where it does not shadow a field above), and the whole object under `options`.
    if case .object(let optionMembers) = options {
      let taken = Set(members.map(\.0)).union(["options"])
      members += optionMembers.filter { !taken.contains($0.0) }
    }
    members.append(("options", options))
    return .object(members)
  }
}
