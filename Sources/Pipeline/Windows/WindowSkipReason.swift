import Foundation

/// Why a pick got no window. Each skipped pick is named in a one-line warning; the build's
/// summary counts them by reason.
public enum WindowSkipReason: String, Sendable, CaseIterable, Comparable, CustomStringConvertible {
  /// No stored data for the station, location or channel around the window.
  case noData = "no data"
  /// The stored data stops or starts inside the window (partly covered, no gap).
  case incompleteData = "data does not cover the window"
  /// A gap between stored runs falls inside the window and its margin.
  case gap = "gap"
  /// Stored runs meet inside the window but at different sampling rates.
  case rateChange = "sampling rate change"
  /// The station has no channel set with every requested component.
  case missingComponent = "missing component"
  /// Stored segments overlap with different samples.
  case conflictingOverlap = "conflicting overlap"
  /// The station's Nyquist frequency is at or below the band's upper corner.
  case nyquist = "Nyquist at or below the band"
  /// The station's stored rate is too high to preprocess a window in this process's memory
  /// (a SAC DELTA of 1e-30: 1e30 Hz), while the other stations' rates are not.
  case rateTooHigh = "sampling rate too high to preprocess"
  /// The data holds NaN or infinite samples, or preprocessing leaves samples beyond float32.
  case notFinite = "NaN or beyond float32"
  /// Preprocessing failed for another reason (said in the warning).
  case processing = "processing failed"

  public var description: String { rawValue }

  public static func < (a: WindowSkipReason, b: WindowSkipReason) -> Bool {
    (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
  }
}

/// One pick that got no window, and why (one line, naming the pick).
public struct WindowSkip: Sendable, Equatable, CustomStringConvertible {
  public var reason: WindowSkipReason
  public var message: String
  /// `NET.STA.LOC` of the pick (empty when unknown): skips are grouped by station and reason.
  public var station: String
  /// For skips that say the same for every pick of a station (a Nyquist frequency, a missing
  /// component), that text, without the pick; empty otherwise.
  public var common: String
  /// The Nyquist frequency of the station's data, for a `.nyquist` skip.
  public var nyquist: Double?
  public var description: String { message }

  public init(
    reason: WindowSkipReason, message: String, station: String = "", common: String = "",
    nyquist: Double? = nil
  ) {
    self.reason = reason
    self.message = message
    self.station = station
    self.common = common
    self.nyquist = nyquist
  }
}

/// Skipped picks grouped by station, reason and common text, for a few warning lines instead of one per pick
/// (250 picks of a 40 Hz station that cannot carry a 1-20 Hz band make one line).
public struct WindowSkipSummary: Sendable {
  public struct Group: Sendable, Equatable {
    public var station: String
    public var reason: WindowSkipReason
    public var count: Int
    /// The first skip of the group (its message is the example shown).
    public var first: WindowSkip
  }

  /// Groups by decreasing size (then station and reason).
  public private(set) var groups: [Group] = []
  /// At most this many groups get a line of their own; the rest share one.
  public static let linesShown = 5

  public init(_ skips: [WindowSkip]) {
    var index: [String: Int] = [:]
    for skip in skips {
      // Skips whose common text differs (no HH? channels for some picks, no BH? for others)
      // are groups of their own: a line speaks for every pick it counts.
      let key = "\(skip.station)\u{0}\(skip.reason.rawValue)\u{0}\(skip.common)"
      if let i = index[key] {
        groups[i].count += 1
      } else {
        index[key] = groups.count
        groups.append(Group(station: skip.station, reason: skip.reason, count: 1, first: skip))
      }
    }
    groups.sort {
      ($0.count, $1.station, $1.reason) > ($1.count, $0.station, $0.reason)
    }
  }

  /// The warning lines (without the `warning: ` prefix): one per group up to `linesShown`, each
  /// with its count and, for a band the station cannot carry, the option that would include
  /// it; then one line for the rest.
  public func lines(band: (low: Double, high: Double)?) -> [String] {
    var lines: [String] = []
    for group in groups.prefix(Self.linesShown) {
      let picks = "\(group.count) pick\(group.count == 1 ? "" : "s")"
      let station = group.station.isEmpty ? "" : "\(group.station): "
      if !group.first.common.isEmpty {
        var line = "\(station)\(picks) skipped: \(group.first.common)"
        if group.reason == .nyquist, let hint = Self.bandHint(group.first, band: band) {
          line += "; \(hint) would include it"
        }
        lines.append(line)
      } else if group.count == 1 {
        lines.append(group.first.message)
      } else {
        lines.append(
          "\(station)\(picks) skipped (\(group.reason.rawValue)), the first: \(group.first.message)"
        )
      }
    }
    let rest = groups.dropFirst(Self.linesShown)
    if !rest.isEmpty {
      let picks = rest.reduce(0) { $0 + $1.count }
      let named = rest.prefix(8).map {
        "\($0.station.isEmpty ? "?" : $0.station) \($0.reason.rawValue) (\($0.count))"
      }
      lines.append(
        "and \(picks) more skipped pick\(picks == 1 ? "" : "s") in \(rest.count) more group\(rest.count == 1 ? "" : "s"): "
          + named.joined(separator: ", ") + (rest.count > 8 ? ", ..." : ""))
    }
    return lines
  }

  /// `--bandpass LOW,HIGH` with HIGH below the station's Nyquist frequency (a round value at
  /// about three quarters of it), or `--bandpass none` when no such band is above LOW.
  static func bandHint(_ skip: WindowSkip, band: (low: Double, high: Double)?) -> String? {
    guard let band, let nyquist = skip.nyquist else { return nil }
    var high = (nyquist * 0.75).rounded(.down)
    if high < 1 { high = (nyquist * 0.75 * 100).rounded(.down) / 100 }
    guard high > band.low else { return "--bandpass none" }
    return "--bandpass \(Self.format(band.low)),\(Self.format(high))"
  }

  static func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
  }
}
