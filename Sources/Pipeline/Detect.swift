import Foundation
import Logging
import Seismic
import Store

/// STA/LTA trigger detection on the stored vertical channels (`detect`), for users without a
/// catalog. Triggers are stored as picks of phase `trigger` at the trigger-on time, to the
/// microsecond as every pick is (exports write microseconds).
///
/// Each vertical channel (orientation code `Z`) is read whole and joined into contiguous runs
/// (across files, as windows are). Each run is demeaned and linearly detrended (so a DC offset or
/// drift does not swamp the ratio), then the classic or recursive STA/LTA characteristic
/// function and ObsPy's `trigger_onset` give on/off pairs. Runs shorter than the LTA window are
/// skipped and counted.
public struct TriggerDetection: Sendable {
  /// The origin of the picks `detect` stores (imported picks carry their file's path, never
  /// this: see `PicksImport.origin(ofPath:)`).
  public static let origin = "detect"

  public enum Method: String, Sendable, CaseIterable, Codable {
    case classic, recursive
  }

  /// Detection settings. The defaults suit local and regional events at 20-200 Hz: a 1 s short
  /// window, a 10 s long window, on at a ratio of 3.5, off at 1.5.
  public struct Settings: Sendable, Equatable {
    public var shortWindow: Double = 1
    public var longWindow: Double = 10
    public var onThreshold: Double = 3.5
    public var offThreshold: Double = 1.5
    public var method: Method = .classic
    public init() {}

    /// The longest `--lta`, in seconds.
    public static let longestWindow = 864_000.0

    /// The settings as a trigger's note records them (`classic --sta 1 --lta 10 --on 3.5 --off
    /// 1.5`): a re-run pairs a trigger moved by new data only with stored triggers of the same
    /// settings.
    public var signature: String {
      func n(_ x: Double) -> String { String(format: "%g", x) }
      return
        "\(method.rawValue) --sta \(n(shortWindow)) --lta \(n(longWindow)) --on \(n(onThreshold)) --off \(n(offThreshold))"
    }

    /// Checks the settings; returns why they are unusable, or nil.
    public var problem: String? {
      guard shortWindow > 0, shortWindow.isFinite else {
        return "--sta must be a finite number of seconds > 0"
      }
      guard longWindow.isFinite else { return "--lta must be a finite number of seconds" }
      guard longWindow > shortWindow else {
        return "--lta must be longer than --sta"
      }
      guard longWindow <= Self.longestWindow else {
        return "--lta is at most \(Int(Self.longestWindow)) s (10 days)"
      }
      guard onThreshold > 0, onThreshold.isFinite else { return "--on must be a finite number > 0" }
      guard offThreshold > 0, offThreshold <= onThreshold else {
        return "--off must be > 0 and at most --on"
      }
      return nil
    }
  }

  /// What a detection run did.
  public struct Report: Sendable {
    public var channels = 0
    public var runs = 0
    public var shortRuns = 0
    public var triggers: [PickRecord] = []
    /// Triggers of a co-located vertical channel at the same time as a kept one (the picks
    /// table holds one pick per station, location, time and phase): merged into it.
    public var merged = 0
    /// Triggers a channel's lower-rate run found within `--sta` of one its higher-rate run
    /// found, where the two runs overlap: the same event, kept once at the higher rate.
    public var mergedAcrossRates = 0
    /// Runs where `--sta` and `--lta` round to the same number of samples, and their rates.
    public var coarseRuns = 0
    public var coarseRates: Set<Double> = []
    /// Triggers not stored because an imported pick of phase `trigger` holds their time.
    public var heldByImported = 0
    /// Trigger picks stored before this run that it did not find again, removed.
    public var replaced = 0
    /// Triggers this run found that were not stored before, added.
    public var added = 0
    /// Stored triggers this run found again: kept as they were, ids included.
    public var kept = 0
    /// Channels (NET.STA.LOC.CHA) where stored triggers were removed inside runs this run
    /// skipped (shorter than the LTA, or too coarse for it), and how many.
    public var removedWhereSkipped: [String: Int] = [:]
    /// True when the stored triggers already were exactly these (nothing written).
    public var unchanged = false
    /// Rates at which `--sta` is shorter than half a sample, so it was taken as one sample.
    public var shortWindowRates: Set<Double> = []
    public var settings = Settings()

    /// Rates as a message gives them (`%g`), each once: 49.99999 and 50 Hz both read `50`.
    static func spelled(_ rates: Set<Double>) -> [String] {
      var seen: Set<String> = []
      return rates.sorted().map { String(format: "%g", $0) }.filter { seen.insert($0).inserted }
    }

    /// What the user should know beyond the summary, one line each (without `warning: `).
    public var warnings: [String] {
      var lines: [String] = []
      if !shortWindowRates.isEmpty {
        let rates = Self.spelled(shortWindowRates)
        lines.append(
          "--sta \(settings.shortWindow) s is shorter than half a sample at "
            + "\(rates.joined(separator: ", ")) Hz, so it was taken as one sample there")
      }
      if !removedWhereSkipped.isEmpty {
        let count = removedWhereSkipped.values.reduce(0, +)
        let names = removedWhereSkipped.keys.sorted()
        let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", ..." : "")
        lines.append(
          "removed \(count) stored trigger\(count == 1 ? "" : "s") at \(names.count) channel\(names.count == 1 ? "" : "s") whose runs this run skipped (\(shown)): they were found with other settings; run `detect` with settings those runs can take to detect there again (a shorter --lta, or, where --sta and --lta round alike, one longer by a sample)"
        )
      }
      if triggers.isEmpty, replaced > 0 {
        lines.append(
          "this run found no trigger and removed the \(replaced) trigger"
            + "\(replaced == 1 ? "" : "s") stored before; run `detect` with the earlier "
            + "settings to get them back")
      }
      return lines
    }

    public var summary: String {
      var text =
        "detect: \(triggers.count) trigger\(triggers.count == 1 ? "" : "s") on \(channels) "
        + "vertical channel\(channels == 1 ? "" : "s") (\(runs) contiguous run\(runs == 1 ? "" : "s"))"
      text += "; skipped \(shortRuns) run\(shortRuns == 1 ? "" : "s") shorter than the LTA"
      if coarseRuns > 0 {
        let rates = Self.spelled(coarseRates).joined(separator: ", ")
        text +=
          "; skipped \(coarseRuns) run\(coarseRuns == 1 ? "" : "s") where --sta and --lta round to the same number of samples (at \(rates) Hz)"
      }
      if merged > 0 {
        text +=
          "; merged \(merged) trigger\(merged == 1 ? "" : "s") of co-located vertical channels at the same time (the channel with all three components kept)"
      }
      if mergedAcrossRates > 0 {
        text +=
          "; merged \(mergedAcrossRates) trigger\(mergedAcrossRates == 1 ? "" : "s") found twice where a channel's segments at two rates overlap (the higher rate's kept)"
      }
      if heldByImported > 0 {
        text += "; \(heldByImported) left out where an imported `trigger` pick has the same time"
      }
      text +=
        unchanged
        ? "; stored triggers unchanged"
        : "; kept \(kept) stored trigger\(kept == 1 ? "" : "s"), removed \(replaced), added \(added)"
      return text
    }
  }

  public let store: SeisStore
  public let logger: Logger
  public let quiet: Bool

  public init(store: SeisStore, logger: Logger, quiet: Bool = false) {
    self.store = store
    self.logger = logger
    self.quiet = quiet
  }

  /// Stored triggers a run did not find at their exact time (`gone`) and triggers it found
  /// that were not stored (`new`), less the pairs on one channel less than `tolerance`
  /// nanoseconds apart, nearest first: the same trigger found again a little earlier or
  /// later, kept as stored. New data that extends a run changes its mean and trend, so
  /// triggers throughout the run move by a few samples (a sweep saw 280 of 812 day-1 triggers
  /// replaced by copies 5 ms away when day 2 was ingested, and `assign` then listed both).
  static func pairedWithinShortWindow(gone: [PickRecord], new: [PickRecord], tolerance: Int64)
    -> (gone: [PickRecord], new: [PickRecord])
  {
    func channel(_ p: PickRecord) -> String {
      "\(p.network).\(p.station).\(p.location).\(p.channel ?? "")"
    }
    // Per channel, the stored ones in time order; each new one looks only within the
    // tolerance (a binary search), so a re-run with other settings stays linear.
    var candidates: [String: [Int]] = [:]
    for (i, p) in gone.enumerated() { candidates[channel(p), default: []].append(i) }
    for key in candidates.keys { candidates[key]?.sort { gone[$0].timeNs < gone[$1].timeNs } }
    let reach = UInt64(max(tolerance, 0))
    var pairs: [(distance: UInt64, gone: Int, new: Int)] = []
    for (j, p) in new.enumerated() {
      guard let list = candidates[channel(p)] else { continue }
      var low = 0
      var high = list.count
      while low < high {
        let mid = (low + high) / 2
        if gone[list[mid]].timeNs < p.timeNs
          && (p.timeNs - gone[list[mid]].timeNs).magnitude >= reach
        {
          low = mid + 1
        } else {
          high = mid
        }
      }
      for i in list[low...] {
        let distance = (gone[i].timeNs - p.timeNs).magnitude
        if gone[i].timeNs > p.timeNs && distance >= reach { break }
        if distance < reach { pairs.append((distance, i, j)) }
      }
    }
    // Closest pairs first, so one trigger never takes another's partner.
    var takenGone = Set<Int>()
    var takenNew = Set<Int>()
    for pair in pairs.sorted(by: { ($0.distance, $0.gone, $0.new) < ($1.distance, $1.gone, $1.new) }
    )
    where !takenGone.contains(pair.gone) && !takenNew.contains(pair.new) {
      takenGone.insert(pair.gone)
      takenNew.insert(pair.new)
    }
    return (
      gone.enumerated().filter { !takenGone.contains($0.offset) }.map(\.element),
      new.enumerated().filter { !takenNew.contains($0.offset) }.map(\.element)
    )
  }

  /// One channel's triggers (time in ns, the rate of the run that found it) less those a
  /// lower-rate run found within `within` ns (at least 1) of one a higher-rate run found, in
  /// time order.
  static func mergedAcrossRates(_ triggers: [(Int64, Double)], within: Int64) -> [(Int64, Double)] {
    let reach = max(within, 1)
    let ordered = triggers.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    let times = ordered.map(\.0)
    return ordered.filter { trigger in
      // The first trigger later than `trigger.0 - reach`, then those up to `trigger.0 + reach`.
      var low = 0
      var high = times.count
      while low < high {
        let mid = (low + high) / 2
        if times[mid] <= trigger.0 - reach { low = mid + 1 } else { high = mid }
      }
      var k = low
      while k < times.count, times[k] < trigger.0 + reach {
        if ordered[k].1 > trigger.1 * (1 + 1e-6) { return false }
        k += 1
      }
      return true
    }
  }

  /// Trigger-on sample indices of one run's samples.
  public static func triggers(in samples: [Double], samplingRate: Double, settings: Settings)
    -> [DSP.Trigger]?
  {
    // A trace shorter than the long window has no trigger; checked in Double, before the
    // lengths become integers.
    let longSamples = (settings.longWindow * samplingRate).rounded()
    guard longSamples.isFinite, longSamples <= Double(samples.count) else { return nil }
    let nsta = max(1, Int((settings.shortWindow * samplingRate).rounded()))
    let nlta = Int(longSamples)
    guard nlta > nsta, samples.count >= nlta else { return nil }
    let x = DSP.linearDetrended(DSP.demeaned(samples))
    let function: [Double]
    do {
      switch settings.method {
      case .classic: function = try DSP.classicSTALTA(x, short: nsta, long: nlta)
      case .recursive: function = try DSP.recursiveSTALTA(x, short: nsta, long: nlta)
      }
    } catch {
      return nil
    }
    return DSP.triggerOnsets(function, on: settings.onThreshold, off: settings.offThreshold)
  }

  /// Detects triggers on every stored vertical channel and replaces the stored `trigger` picks
  /// with them (nothing is written when they are the same).
  public func run(settings: Settings) throws -> Report {
    var report = Report()
    report.settings = settings
    // Formatted once: every trigger's note, and the pairing, compare with it.
    let signature = settings.signature
    let verticals = try store.channels().filter { $0.channel.last == "Z" || $0.channel.last == "z" }
    report.channels = verticals.count
    // Nothing to look at is said, not reported as 0 triggers (stop 40's sweep).
    guard !verticals.isEmpty else {
      throw InputError(
        path: store.path,
        reason:
          "no stored vertical channel (orientation code Z) to detect on: ingest waveforms first, or import picks"
      )
    }
    let progress = Progress(label: "detect", total: verticals.count, quiet: quiet)
    let everything = (Timestamp(nanoseconds: Int64.min / 2), Timestamp(nanoseconds: Int64.max / 2))
    var rates: [String: Double] = [:]
    // Runs skipped, per channel: their spans (stored triggers removed there are named).
    var skipped: [String: [ClosedRange<Int64>]] = [:]
    for (n, channel) in verticals.enumerated() {
      let source = channel.source
      let joined = ContiguousRun.join(
        try store.segments(of: source, from: everything.0, to: everything.1))
      rates["\(source.network).\(source.station).\(source.location).\(source.channel)"] =
        joined.runs.map(\.samplingRate).max() ?? 0
      let name = "\(source.network).\(source.station).\(source.location).\(source.channel)"
      // This channel's triggers: time (ns) and the rate of the run that found them.
      var channelTriggers: [(Int64, Double)] = []
      for run in joined.runs {
        report.runs += 1
        let span =
          run.startTime.nanoseconds...run.time(ofSample: max(0, run.samples.count - 1)).nanoseconds
        // Windows that round to the same number of samples at this rate give no STA/LTA.
        let staSamples = (settings.shortWindow * run.samplingRate).rounded()
        if staSamples < 1 { report.shortWindowRates.insert(run.samplingRate) }
        let nsta = max(1, Int(staSamples))
        let lta = (settings.longWindow * run.samplingRate).rounded()
        if lta.isFinite, lta <= Double(nsta) {
          report.coarseRuns += 1
          report.coarseRates.insert(run.samplingRate)
          skipped[name, default: []].append(span)
          continue
        }
        guard
          let found = Self.triggers(
            in: run.samples, samplingRate: run.samplingRate, settings: settings)
        else {
          report.shortRuns += 1
          skipped[name, default: []].append(span)
          continue
        }
        for t in found {
          channelTriggers.append((run.time(ofSample: t.onIndex).nanoseconds, run.samplingRate))
        }
      }
      // Where the channel's runs at two rates overlap, both run over the same events: a trigger
      // the lower rate found within --sta of one the higher rate found is that trigger (they
      // were stored twice, 0.3-0.8 ms apart; stop 46's review).
      if joined.conflicts.contains(where: { $0.otherRate != nil }) {
        let before = channelTriggers.count
        channelTriggers = Self.mergedAcrossRates(
          channelTriggers, within: Int64((settings.shortWindow * 1e9).rounded()))
        report.mergedAcrossRates += before - channelTriggers.count
      }
      for (ns, _) in channelTriggers {
        report.triggers.append(
          PickRecord(
            network: source.network, station: source.station, location: source.location,
            channel: source.channel, time: Timestamp(nanoseconds: ns).roundedToMicrosecond,
            phase: "trigger",
            note: signature, origin: Self.origin))
      }
      progress.update(n + 1, detail: "\(report.triggers.count) triggers")
    }
    progress.finish()
    // Settings that give no STA/LTA at any rate stored are a mistake, not a detection: the
    // stored triggers stay.
    if report.runs > 0, report.coarseRuns == report.runs {
      let rates = Report.spelled(report.coarseRates)
      throw InputError(
        path: store.path,
        reason:
          "--sta \(settings.shortWindow) s and --lta \(settings.longWindow) s round to the same number of samples at \(rates.joined(separator: ", ")) Hz: make --lta longer by at least one sample period"
      )
    }
    // Settings under which every run is too short: nothing was looked at, so nothing is
    // replaced (the stored triggers would all go, with exit 0).
    if report.runs > 0, report.shortRuns + report.coarseRuns == report.runs {
      let lta = String(format: "%g", settings.longWindow)
      let why =
        report.coarseRuns == 0
        ? "--lta \(lta) s is longer than every stored run of a vertical channel (\(report.runs) run\(report.runs == 1 ? "" : "s"))"
        : "no stored run of a vertical channel can take these settings: \(report.shortRuns) shorter than --lta \(lta) s, \(report.coarseRuns) where --sta and --lta round to the same number of samples"
      throw InputError(
        path: store.path,
        reason: "\(why): no trigger can be detected; the stored triggers stay")
    }
    // Times compared to the microsecond: triggers stored to the nanosecond by an earlier
    // version are the ones found again.
    func key(_ p: PickRecord) -> String {
      "\(p.network).\(p.station).\(p.location).\(p.time.roundedToMicrosecond.nanoseconds)"
    }
    // One pick per station, location and time: where co-located vertical channels trigger at
    // once, the channel whose set has both horizontals (windows can be cut from it) is kept,
    // then the higher rate, then the channel name.
    var channelsAt: [String: Set<String>] = [:]
    for c in try store.channels() {
      channelsAt["\(c.network).\(c.station).\(c.location)", default: []].insert(c.channel)
    }
    func hasHorizontals(_ p: PickRecord) -> Bool {
      guard let code = p.channel, code.count >= 2 else { return false }
      let band = code.dropLast()
      let here = channelsAt["\(p.network).\(p.station).\(p.location)"] ?? []
      return (here.contains(band + "N") && here.contains(band + "E"))
        || (here.contains(band + "1") && here.contains(band + "2"))
    }
    var best: [String: PickRecord] = [:]
    for p in report.triggers {
      let k = key(p)
      guard let kept = best[k] else {
        best[k] = p
        continue
      }
      report.merged += 1
      func rate(_ q: PickRecord) -> Double {
        rates["\(q.network).\(q.station).\(q.location).\(q.channel ?? "")"] ?? 0
      }
      // Ties on both go to the channel name that sorts first.
      let a = (hasHorizontals(p) ? 1 : 0, rate(p), kept.channel ?? "")
      let b = (hasHorizontals(kept) ? 1 : 0, rate(kept), p.channel ?? "")
      if a > b { best[k] = p }
    }
    let stored = try store.picks(phase: "trigger")
    let mine = stored.filter { $0.origin == Self.origin }
    let imported = Set(stored.filter { $0.origin != Self.origin }.map(key))
    report.triggers = best.values.filter { !imported.contains(key($0)) }.sorted {
      ($0.timeNs, $0.network, $0.station) < ($1.timeNs, $1.network, $1.station)
    }
    report.heldByImported = best.count - report.triggers.count
    // Unchanged only when the same times sit on the same channels (an older version may have
    // kept another co-located channel).
    func keyWithChannel(_ p: PickRecord) -> String { key(p) + "." + (p.channel ?? "") }
    let storedKeys = mine.map(keyWithChannel)
    let foundKeys = report.triggers.map(keyWithChannel)
    let storedSet = Set(storedKeys)
    let found = Set(foundKeys)
    // Triggers found again at their exact time now belong to these settings.
    let renoted = zip(mine, storedKeys).filter {
      found.contains($0.1) && $0.0.note != signature
    }.compactMap(\.0.id)
    if storedSet == found {
      if !renoted.isEmpty { try store.setPickNotes(ids: renoted, note: signature) }
      report.unchanged = true
      return report
    }
    // Triggers found again keep their picks (and ids: windows built from them keep theirs).
    var gone = zip(mine, storedKeys).filter { !found.contains($0.1) }.map(\.0)
    var new = zip(report.triggers, foundKeys).filter { !storedSet.contains($0.1) }.map(\.0)
    // Only triggers these settings stored can be these settings' triggers, moved: with other
    // settings a re-run gives what a first run would.
    let (unpaired, newAfterPairing) = Self.pairedWithinShortWindow(
      gone: gone.filter { $0.note == signature }, new: new,
      tolerance: Int64((settings.shortWindow * 1e9).rounded()))
    let stays = Set(unpaired.compactMap(\.id))
    gone = gone.filter { $0.note != signature || stays.contains($0.id ?? -1) }
    // A new trigger at the time a stored one keeps (a co-located channel's, where the paired
    // one moved) is that event already.
    let goneIDs = Set(gone.compactMap(\.id))
    let keptTimes = Set(mine.filter { !goneIDs.contains($0.id ?? -1) }.map(key))
    new = newAfterPairing.filter { !keptTimes.contains(key($0)) }
    if gone.isEmpty && new.isEmpty {
      if !renoted.isEmpty { try store.setPickNotes(ids: renoted, note: signature) }
      report.unchanged = true
      return report
    }
    for p in gone {
      let name = "\(p.network).\(p.station).\(p.location).\(p.channel ?? "")"
      if skipped[name]?.contains(where: { $0.contains(p.timeNs) }) == true {
        report.removedWhereSkipped[name, default: 0] += 1
      }
    }
    if !renoted.isEmpty { try store.setPickNotes(ids: renoted, note: signature) }
    let (deleted, inserted) = try store.updatePicks(
      deleting: gone.compactMap(\.id), inserting: new)
    report.replaced = deleted
    report.added = inserted
    report.kept = mine.count - deleted
    return report
  }
}
