import Foundation
import Seismic
import Store

/// Writes a catalog as a SeisBench-style metadata CSV, one row per window, with SeisBench's
/// `category_parameter_unit` column names: `trace_name` (the window id, as `windows export`
/// orders the `.npy`), `station_network_code`, `station_code`, `station_location_code`,
/// `trace_start_time`, `trace_sampling_rate_hz`, `trace_npts`, `trace_channels`,
/// `trace_component_order`, `trace_<phase>_arrival_sample` per phase, then `cluster`,
/// `cluster_probability`, `label`.
///
/// The `trace_` columns describe the waveform window. For a spectrogram set that is the window
/// the spectrograms were computed from (its rate and sample count, from the options that built
/// the set), so a user can cut it again; the `.npy` holds the spectrograms. Imported
/// spectrograms, whose waveforms are unknown, leave those columns empty.
public struct SeisBenchMetadataWriter {
  public init() {}

  /// The waveform rate and sample count behind a spectrogram set, when its options say.
  static func waveformShape(of set: WindowSetRecord) -> (rate: Double, samples: Int)? {
    struct Parameters: Decodable {
      struct Options: Decodable { var before: Double, after: Double, rate: Double }
      var options: Options
    }
    guard
      let o = try? JSONDecoder().decode(Parameters.self, from: Data(set.parametersJson.utf8))
        .options,
      o.rate > 0, o.rate.isFinite, o.before + o.after > 0
    else { return nil }
    let samples = WindowCut.samples(seconds: o.before + o.after, rate: o.rate)
    guard samples >= 1, samples < 1e15 else { return nil }
    return (o.rate, Int(samples))
  }

  /// The waveform rate (nil when unknown) and sample count (empty when unknown) of a set's
  /// windows.
  static func traceShape(of set: WindowSetRecord) -> (rate: Double?, npts: String) {
    guard set.inputKind == .spectrogram else { return (set.samplingRate, String(set.length)) }
    let source = waveformShape(of: set)
    return (source?.rate, source.map { String($0.samples) } ?? "")
  }

  public func render(_ catalog: Catalog) -> String {
    // Windows `assign` added from another set (imported ones, say) have that set's shape.
    var shapes = [catalog.windowSet.id: Self.traceShape(of: catalog.windowSet)]
    for (id, set) in catalog.assignedSets { shapes[id] = Self.traceShape(of: set) }
    // SeisBench names arrival columns by phase (`trace_p_arrival_sample`); one per phase seen.
    let phases = Array(
      Set(catalog.entries.map { arrivalColumnPhase($0.phase) }.filter { !$0.isEmpty })
    ).sorted()
    var csv = CSVText(
      header: [
        "trace_name", "station_network_code", "station_code", "station_location_code",
        "trace_start_time", "trace_sampling_rate_hz", "trace_npts", "trace_channels",
        "trace_component_order",
      ] + phases.map { "trace_\($0)_arrival_sample" } + [
        "cluster", "cluster_probability", "label",
      ])
    for entry in catalog.entries {
      let set = catalog.windowSet(of: entry)
      let (rate, npts) = shapes[set.id] ?? Self.traceShape(of: set)
      let channels = entry.channels.split(separator: ",").map(String.init)
      let order = Self.componentOrder(channels)
      var arrival: String? = nil
      if let rate, let start = entry.startTime, let pick = entry.pickTime {
        let sample = (Double(pick.nanoseconds(since: start)) / 1e9 * rate).rounded()
        arrival = String(Int64(sample))
      }
      let phase = arrivalColumnPhase(entry.phase)
      let rateText: String = rate.map(JSONValue.spell) ?? ""
      let trace: [String] = [
        String(entry.windowID), entry.network, entry.station, entry.location,
        entry.startTime?.iso8601 ?? "", rateText, npts, entry.channels, order,
      ]
      let arrivals: [String] = phases.map { $0 == phase ? (arrival ?? "") : "" }
      let result: [String] = [
        String(entry.cluster), JSONValue.spell(entry.probability), entry.label ?? "",
      ]
      csv.append(trace + arrivals + result)
    }
    return csv.text
  }

  /// The phase as SeisBench names its arrival column (`trace_P_arrival_sample`,
  /// `trace_Pg_arrival_sample`, `trace_pP_arrival_sample`: case kept, as SeisBench's
  /// labellers read it, so a depth phase pP and a reflection PP stay apart); a phase that is
  /// not letters and digits only (empty, `S*`) gets no column.
  func arrivalColumnPhase(_ phase: String) -> String {
    phase.allSatisfy { ($0.isLetter || $0.isNumber) && $0.isASCII } ? phase : ""
  }

  /// The components of a window in the `.npy`'s order, as SeisBench's `trace_component_order`
  /// names them: a window's channels 1 and 2 fill the N and E rows (the contract's
  /// `--components`), so they are N and E here, and a loader asking for `ZNE` gets every row
  /// (with `Z12` it zero-filled them). `trace_channels` keeps the codes as recorded.
  static func componentOrder(_ channels: [String]) -> String {
    String(
      channels.compactMap(\.last).map { code -> Character in
        switch code {
        case "1": "N"
        case "2": "E"
        default: code
        }
      })
  }
}
