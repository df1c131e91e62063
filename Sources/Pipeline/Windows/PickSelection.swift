import Seismic
import Store

/// The picks a window set is built from: by phase, station patterns and time, as ObsPy's
/// `Stream.select` selects traces (contract, "Window options").
enum PickSelection {
  /// The stored picks the options select, in pick order (time, then station). Throws
  /// `BuildError` for a station pattern that cannot be read or that matches no stored station
  /// (one with data or picks), naming it.
  static func picks(in store: SeisStore, options: WindowSetOptions, channels: [ChannelRecord])
    throws -> [PickRecord]
  {
    var picks = try store.picks(phase: options.phase, from: options.start, before: options.end)
    guard let texts = options.stations else { return picks }
    var patterns: [StationPattern] = []
    for text in texts {
      do {
        patterns.append(try StationPattern(text))
      } catch {
        throw WindowSetBuilder.BuildError(reason: "--stations: \(error.description)")
      }
    }
    var stored = channels.map { (network: $0.network, station: $0.station, location: $0.location) }
    stored += try store.pickStations()
    for pattern in patterns
    where !stored.contains(where: {
      pattern.matches(network: $0.network, station: $0.station, location: $0.location)
    }) {
      let known = Set(stored.map { "\($0.network).\($0.station).\($0.location)" }).sorted()
      let shown = known.prefix(10).joined(separator: ", ") + (known.count > 10 ? ", ..." : "")
      throw WindowSetBuilder.BuildError(
        reason:
          "--stations '\(pattern)' matches no stored station"
          + (known.isEmpty ? " (the store holds none)" : " (stored: \(shown))"))
    }
    // Each station's codes are matched once, not once per pick.
    struct Codes: Hashable { var network, station, location: String }
    var selected: [Codes: Bool] = [:]
    picks.removeAll { pick in
      let codes = Codes(network: pick.network, station: pick.station, location: pick.location)
      if let known = selected[codes] { return !known }
      let matches = patterns.contains {
        $0.matches(network: pick.network, station: pick.station, location: pick.location)
      }
      selected[codes] = matches
      return !matches
    }
    return picks
  }

  /// When `--phase` names no stored pick's phase: the phases stored, and a note when one
  /// differs from it only by case (phases are matched exactly: `p` and `P` are different
  /// phases). Nil when the phase is stored or not given.
  static func phaseHint(in store: SeisStore, options: WindowSetOptions) throws -> String? {
    guard let phase = options.phase else { return nil }
    let counts = try store.pickPhaseCounts()
    guard !counts.isEmpty, !counts.contains(where: { $0.phase == phase }) else { return nil }
    let shown = counts.prefix(8).map { "'\($0.phase)' \($0.count)" }.joined(separator: ", ")
    var hint = "stored phases: " + shown + (counts.count > 8 ? ", ..." : "")
    if let near = counts.first(where: { $0.phase.lowercased() == phase.lowercased() }) {
      hint += "; phases are matched exactly, so --phase \(near.phase) for '\(near.phase)'"
    }
    return hint
  }

  /// What a store still needs before windows can be cut from it, for a message (nil when it
  /// holds traces and picks): a new user's next command.
  public static func missingInput(in store: SeisStore) -> String? {
    guard let (traces, picks) = try? store.holdsTracesAndPicks() else { return nil }
    switch (traces, picks) {
    case (false, false):
      return
        "the store holds no traces and no picks: `seiscluster ingest DIR` stores waveforms, then `seiscluster picks import FILE` (or `seiscluster detect`) gives the picks windows are cut around"
    case (true, false):
      return
        "the store holds no picks: `seiscluster picks import FILE` (CSV or QuakeML), or `seiscluster detect` for STA/LTA triggers"
    case (false, true):
      return "the store holds picks but no traces: `seiscluster ingest DIR` stores the waveforms"
    case (true, true):
      return nil
    }
  }

  /// How many `detect` triggers lie less than `seconds` from another pick at the same
  /// station (nil when the picks are of one kind): a store that holds both `detect`'s
  /// triggers and imported picks would otherwise get two windows of one event.
  static func triggersBesideOtherPicks(_ picks: [PickRecord], within seconds: Double) -> Int? {
    let isTrigger = picks.map { $0.origin == TriggerDetection.origin }
    guard isTrigger.contains(true), isTrigger.contains(false) else { return nil }
    let reach = UInt64(max(0, (seconds * 1e9).rounded()))
    // |a - b| for any two times, with no overflow (stored times span ±292 years).
    func apart(_ a: Int64, _ b: Int64) -> UInt64 {
      a >= b ? UInt64(bitPattern: a &- b) : UInt64(bitPattern: b &- a)
    }
    var others: [String: [Int64]] = [:]
    for (p, trigger) in zip(picks, isTrigger) where !trigger {
      others["\(p.network).\(p.station).\(p.location)", default: []].append(p.timeNs)
    }
    for key in others.keys { others[key]?.sort() }
    var count = 0
    for (p, trigger) in zip(picks, isTrigger) where trigger {
      guard let times = others["\(p.network).\(p.station).\(p.location)"] else { continue }
      // The first other pick at or after p - reach, by binary search.
      var low = 0
      var high = times.count
      while low < high {
        let mid = (low + high) / 2
        if times[mid] < p.timeNs && apart(p.timeNs, times[mid]) >= reach {
          low = mid + 1
        } else {
          high = mid
        }
      }
      if low < times.count && apart(times[low], p.timeNs) < reach { count += 1 }
    }
    return count
  }

  /// The message of `cluster` and `sweep` without a current window set: the command that
  /// comes next.
  static func noCurrentSet(in store: SeisStore) -> String {
    guard let missing = missingInput(in: store) else {
      return "no current window set: run `seiscluster windows build` or give window options"
    }
    return
      "no current window set: \(missing) (or `seiscluster windows import FILE.npy` for windows cut elsewhere)"
  }

  /// Why no pick was selected, for a message: what the options ask for that no stored pick
  /// matches, and what the store still lacks (`missingInput`).
  static func whySelectedNone(in store: SeisStore, options: WindowSetOptions) -> String {
    let selection = describe(options)
    guard let missing = missingInput(in: store) else { return selection }
    return options.phase == nil && options.stations == nil && options.start == nil
      && options.end == nil ? missing : "\(selection); \(missing)"
  }

  /// What the options select, for a message: `phase 'P', stations XH.*, from ... before ...`.
  static func describe(_ options: WindowSetOptions) -> String {
    var parts: [String] = []
    if let phase = options.phase { parts.append("phase '\(phase)'") }
    if let stations = options.stations {
      parts.append("stations " + stations.joined(separator: ","))
    }
    if let start = options.start { parts.append("from \(start.iso8601)") }
    if let end = options.end { parts.append("before \(end.iso8601)") }
    return parts.isEmpty
      ? "the store holds no pick" : "no stored pick matches " + parts.joined(separator: ", ")
  }
}
