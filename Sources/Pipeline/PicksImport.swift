import Foundation
import Logging
import Seismic
import Store

/// What `picks import` did with a file.
public struct PicksImportReport: Sendable {
  /// Picks read from the file.
  public var read = 0
  /// Newly stored picks.
  public var new = 0
  /// Picks already in the store (same station, location, time and phase).
  public var alreadyStored = 0
  /// Rows that repeat an earlier row of the same file (same station, location, time, phase).
  public var repeatedInFile = 0
  /// Rows or elements that could not be read (with line numbers).
  public var problems: [PickProblem] = []
  /// `NET.STA.LOC` of picks whose station and location have no stored data (kept anyway).
  public var stationsWithoutData: [String: Int] = [:]

  /// `picks: 12 read, 10 new, 2 already stored; 1 row unreadable; 3 picks at 1 station without data`
  public var summary: String {
    var text = "picks: \(read) read, \(new) new, \(alreadyStored) already stored"
    if repeatedInFile > 0 {
      text += ", \(repeatedInFile) repeating an earlier row of the file"
    }
    text += "; skipped \(problems.count) unreadable row\(problems.count == 1 ? "" : "s")"
    let without = stationsWithoutData.values.reduce(0, +)
    if without > 0 {
      text +=
        "; \(without) pick\(without == 1 ? "" : "s") at \(stationsWithoutData.count) "
        + "station\(stationsWithoutData.count == 1 ? "" : "s") without stored data (kept)"
    }
    return text
  }
}

/// Imports a CSV or QuakeML pick file into the store (`picks import`).
public struct PicksImport: Sendable {
  public let store: SeisStore
  public let logger: Logger

  public init(store: SeisStore, logger: Logger) {
    self.store = store
    self.logger = logger
  }

  /// Warning lines of one kind printed before the rest are summed up in one line.
  public static let warningsShown = 20

  /// The origin stored with a file's picks: its path, except that a file named exactly like
  /// `detect`'s own origin gets `./` in front (else the next `detect` would take its picks for
  /// its own and replace them).
  public static func origin(ofPath path: String) -> String {
    path == TriggerDetection.origin ? "./" + path : path
  }

  /// Reads `path` and stores its picks (origin: the path). Unreadable rows and picks at stations
  /// without stored data are logged as warnings, one line each. Throws `InputError` when the file
  /// cannot be used at all.
  public func run(path: String) throws -> PicksImportReport {
    var contents: PickFileContents
    do {
      contents = try PickReader.read(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw InputError(path: path, reason: error.description)
    }
    var report = PicksImportReport()
    report.read = contents.picks.count
    report.problems = contents.problems
    // One line per row up to a point: a file of 200,000 bad rows must not print 200,000 lines.
    for problem in contents.problems.prefix(Self.warningsShown) {
      logger.warning("\(path): \(problem.description), row skipped")
    }
    if contents.problems.count > Self.warningsShown {
      let rest = contents.problems.dropFirst(Self.warningsShown)
      let lines = rest.prefix(5).map { String($0.line) }.joined(separator: ", ")
      logger.warning(
        "\(path): and \(rest.count) more unreadable row\(rest.count == 1 ? "" : "s") skipped (lines \(lines)\(rest.count > 5 ? ", ..." : ""))"
      )
    }
    for note in contents.notes.prefix(Self.warningsShown) {
      logger.warning("\(path): \(note.description)")
    }
    if contents.notes.count > Self.warningsShown {
      logger.warning(
        "\(path): and \(contents.notes.count - Self.warningsShown) more picks kept without the phase of their arrival"
      )
    }
    if contents.picks.isEmpty && !contents.problems.isEmpty {
      throw InputError(
        path: path, reason: "no readable pick (\(contents.problems.count) rows unreadable)")
    }
    let origin = Self.origin(ofPath: path)
    let now = storeNow()  // one import, one time
    // Times are kept to the microsecond, as every export writes them: a pick given to the
    // nanosecond and read back from an export is the same pick, not a second one (and not a
    // second window at the same printed time).
    let records = contents.picks.map {
      PickRecord(
        network: $0.network, station: $0.station, location: $0.location, channel: $0.channel,
        time: $0.time.roundedToMicrosecond, phase: $0.phase ?? "", note: $0.note, origin: origin,
        createdAt: now)
    }
    contents.picks = []  // the records hold them now
    /// What makes a pick the same pick in the store (station, location, phase, time).
    struct Key: Hashable {
      var network, station, location, phase: String
      var time: Int64
      init(_ p: PickRecord, time: Int64? = nil) {
        (network, station, location, phase) = (p.network, p.station, p.location, p.phase)
        self.time = time ?? p.timeNs
      }
    }
    do {
      // Triggers an earlier `detect` stored to the nanosecond are the picks an export of them
      // gives back to the microsecond (a review: a re-import stored each again, and windows
      // were cut twice).
      let offGrid = Set(
        try store.picksOffTheMicrosecond().map {
          Key($0, time: $0.time.roundedToMicrosecond.nanoseconds)
        })
      report.new = try store.insertPicks(
        offGrid.isEmpty ? records : records.filter { !offGrid.contains(Key($0)) })
    } catch {
      throw InputError(path: path, reason: "cannot store the picks: \(error)")
    }
    let distinct = Set(records.map { Key($0) }).count
    report.repeatedInFile = records.count - distinct
    report.alreadyStored = distinct - report.new
    // Per station, its channel groups (band and instrument: `BH` of BHZ), as stored and by
    // their upper case.
    var groupsAt: [String: (exact: Set<String>, folded: [String: String])] = [:]
    for channel in try store.channels() {
      let key = "\(channel.network).\(channel.station).\(channel.location)"
      let group = ChannelSetChooser.groupCode(stored: channel.channel)
      groupsAt[key, default: ([], [:])].exact.insert(group)
      groupsAt[key, default: ([], [:])].folded[group.uppercased()] = group
    }
    // Picks naming a channel group their station has only in other case (`bhz` for BHZ):
    // windows take the station's group in either case when none matches as written
    // (`ChannelSetChooser`), as ObsPy's `select` matches codes; said, since the codes differ.
    struct Mismatch: Hashable { var station, given, stored: String }
    var caseOnly: [Mismatch: Int] = [:]
    for pick in records {
      let key = "\(pick.network).\(pick.station).\(pick.location)"
      guard let groups = groupsAt[key] else {
        report.stationsWithoutData[key, default: 0] += 1
        continue
      }
      guard let channel = pick.channel, channel.count >= 2 else { continue }
      let group = ChannelSetChooser.groupCode(pick: channel)
      // The common case, a group as stored, costs one lookup.
      if !groups.exact.contains(group), let stored = groups.folded[group.uppercased()] {
        caseOnly[Mismatch(station: key, given: group, stored: stored), default: 0] += 1
      }
    }
    let mismatches = caseOnly.sorted {
      ($0.key.station, $0.key.given) < ($1.key.station, $1.key.given)
    }
    for (mismatch, count) in mismatches.prefix(Self.warningsShown) {
      logger.warning(
        "\(path): \(count) pick\(count == 1 ? "" : "s") at \(mismatch.station) name\(count == 1 ? "s" : "") channels \(mismatch.given)?, which the station has as \(mismatch.stored)? (kept; windows use the station's \(mismatch.stored)? channels, matched in either case)"
      )
    }
    if mismatches.count > Self.warningsShown {
      let rest = mismatches.dropFirst(Self.warningsShown)
      let picks = rest.map(\.value).reduce(0, +)
      logger.warning(
        "\(path): and \(picks) pick\(picks == 1 ? "" : "s") naming channels in other case than their station's, at \(rest.count) more place\(rest.count == 1 ? "" : "s") (kept)"
      )
    }
    let without = report.stationsWithoutData.sorted(by: { $0.key < $1.key })
    // Codes are matched as written: a station stored in other case is named.
    var byFolded: [String: String] = [:]
    for key in groupsAt.keys { byFolded[key.uppercased()] = key }
    for (key, count) in without.prefix(Self.warningsShown) {
      let other = byFolded[key.uppercased()].map {
        "; the store has \($0) (codes are matched as written, case included)"
      }
      logger.warning(
        "\(path): \(count) pick\(count == 1 ? "" : "s") at \(key), which has no stored data (kept)\(other ?? "")"
      )
    }
    if without.count > Self.warningsShown {
      let rest = without.dropFirst(Self.warningsShown)
      let picks = rest.map(\.value).reduce(0, +)
      logger.warning(
        "\(path): and \(picks) pick\(picks == 1 ? "" : "s") at \(rest.count) more station\(rest.count == 1 ? "" : "s") with no stored data (kept)"
      )
    }
    return report
  }
}
