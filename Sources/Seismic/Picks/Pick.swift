import Foundation

/// A phase arrival (or trigger) at one station: what a window is cut around.
public struct Pick: Hashable, Sendable, CustomStringConvertible {
  public var network: String
  public var station: String
  /// Location code; `""` is the blank code.
  public var location: String
  /// Channel code when the pick names one (e.g. `HHZ`): it then chooses the band and instrument.
  public var channel: String?
  /// Pick time (UTC, nanoseconds).
  public var time: Timestamp
  /// Phase name (`P`, `S`, `trigger`), when given.
  public var phase: String?
  /// Free text kept with the pick (a CSV `label` column, a QuakeML seiscluster label); never used
  /// for clustering.
  public var note: String?

  public init(
    network: String, station: String, location: String, channel: String? = nil, time: Timestamp,
    phase: String? = nil, note: String? = nil
  ) {
    self.network = network
    self.station = station
    self.location = location
    self.channel = channel
    self.time = time
    self.phase = phase
    self.note = note
  }

  /// `NET.STA.LOC[.CHA] TIME [PHASE]`.
  public var description: String {
    var s = "\(network).\(station).\(location)"
    if let channel { s += ".\(channel)" }
    s += " \(time.iso8601)"
    if let phase { s += " \(phase)" }
    return s
  }

  /// Text quoted for a message, `'text'`, cut to `limit` characters when longer:
  /// `'2026-999...' (10000005 characters)`.
  public static func quoted(_ text: String, limit: Int = 40) -> String {
    text.count <= limit
      ? "'\(text)'" : "'\(text.prefix(limit))...' (\(text.count) characters)"
  }

  /// The longest code (network, station, location, channel) and phase kept: longer than any
  /// SEED, SAC or FDSN code or IASPEI phase name.
  public static let maximumCodeLength = 16
  public static let maximumPhaseLength = 32

  /// The first character of `text` that no name should hold, in words ("a control character",
  /// "a non-character (U+FFFE)"), or nil: controls, and the non-characters U+FFFE, U+FFFF and
  /// the like, which XML cannot hold and no code or label means.
  public static func unstorableCharacter(in text: String) -> String? {
    for scalar in text.unicodeScalars {
      if scalar.properties.generalCategory == .control { return "a control character" }
      if scalar.properties.isNoncharacterCodePoint {
        return "a non-character (U+\(String(scalar.value, radix: 16, uppercase: true)))"
      }
    }
    return nil
  }

  /// Why a pick's codes, phase or note cannot be stored as read, or nil. Codes and phases are
  /// names: no control character (a NUL would cut them short in the store, where two picks
  /// could then collide), and of bounded length; a note may hold line breaks, but no NUL.
  public static func textProblem(
    network: String, station: String, location: String, channel: String?, phase: String?,
    note: String?
  ) -> String? {
    for (name, value) in [
      ("network", network), ("station", station), ("location", location),
      ("channel", channel ?? ""),
    ] {
      if let what = unstorableCharacter(in: value) { return "\(what) in the \(name) code" }
      if value.count > maximumCodeLength {
        return "a \(name) code of \(value.count) characters (at most \(maximumCodeLength))"
      }
    }
    if let phase {
      if let what = unstorableCharacter(in: phase) { return "\(what) in the phase" }
      if phase.count > maximumPhaseLength {
        return "a phase of \(phase.count) characters (at most \(maximumPhaseLength))"
      }
    }
    if let note, note.unicodeScalars.contains("\u{0}") { return "a NUL character in the label" }
    return nil
  }

  /// `"--"` (a common spelling of the blank location code) and surrounding spaces become `""`.
  public static func normalizedLocation(_ code: String) -> String {
    let trimmed = code.trimmingCharacters(in: .whitespaces)
    return trimmed == "--" ? "" : trimmed
  }
}

/// The picks read from a file, and the rows or elements that could not be used.
public struct PickFileContents: Sendable, Equatable {
  public var picks: [Pick]
  /// One problem per unusable row (CSV) or pick element (QuakeML), in file order.
  public var problems: [PickProblem]
  /// What was read of a kept pick other than as written (an arrival phase that cannot be
  /// stored), one per pick, in file order.
  public var notes: [PickProblem]

  public init(picks: [Pick] = [], problems: [PickProblem] = [], notes: [PickProblem] = []) {
    self.picks = picks
    self.problems = problems
    self.notes = notes
  }
}

/// One unusable pick: where it is in the file (1-based line) and why.
public struct PickProblem: Error, Hashable, Sendable, CustomStringConvertible {
  public var line: Int
  public var reason: String
  public init(line: Int, reason: String) {
    self.line = line
    self.reason = reason
  }
  /// `line 7: reason`.
  public var description: String { "line \(line): \(reason)" }
}

/// A pick file that cannot be used at all (no header, a required column missing, malformed XML).
public struct PickFormatError: Error, Hashable, Sendable, CustomStringConvertible {
  public var line: Int?
  public var reason: String
  public init(line: Int? = nil, reason: String) {
    self.line = line
    self.reason = reason
  }
  public var description: String { line.map { "line \($0): \(reason)" } ?? reason }
}
