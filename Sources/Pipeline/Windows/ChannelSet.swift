import Seismic
import Store

/// The channels one window is cut from: one channel per requested component, all sharing band
/// and instrument codes (`HHZ`, `HHN`, `HHE`), at one station and location.
public struct ChannelSet: Sendable, Equatable, Hashable {
  /// One channel per component, in window order.
  public var channels: [SourceIdentifier]
  /// The highest sampling rate stored for the set's first channel.
  public var samplingRate: Double

  /// `HHZ,HHN,HHE`.
  public var channelList: String { channels.map(\.channel).joined(separator: ",") }

  /// `NET.STA.LOC`.
  public var stationID: String {
    guard let first = channels.first else { return "" }
    return "\(first.network).\(first.station).\(first.location)"
  }
}

/// Chooses the channel set of a pick from the stored channels (contract, "Window options").
///
/// Channels are grouped by station, location and band + instrument codes (the channel code
/// without its last letter); the last letter is the orientation (in either case), with `1` and
/// `2` standing for `N` and `E` (a group holding both `N` and `1` uses `N`). A pick naming a channel uses the
/// group of that channel's band and instrument codes; otherwise the group with the highest
/// sampling rate that has every requested component (ties: the group codes in alphabetical
/// order).
public struct ChannelSetChooser: Sendable {
  struct Group {
    var code: String
    var byOrientation: [Character: ChannelRecord] = [:]
  }

  /// Why a pick has no channel set.
  public enum Failure: Error, Equatable, Sendable {
    /// No stored channel at the station and location (or of the pick's band and instrument).
    case noData
    /// Channels exist, but no set has every requested component; names what is missing.
    case missingComponent(String)
  }

  private var groups: [String: [Group]] = [:]  // key: NET.STA.LOC

  /// The group a stored channel belongs to: its band and instrument codes (`BH` of BHZ).
  static func groupCode(stored channel: String) -> String { String(channel.dropLast()) }

  /// The group a pick's channel selects: band and instrument of a code of three letters or
  /// more (`HHZ` names band H, instrument H), a two-letter `HH` whole.
  static func groupCode(pick channel: String) -> String {
    channel.count >= 3 ? String(channel.dropLast()) : channel
  }

  public init(channels: [ChannelRecord]) {
    var byStation: [String: [String: Group]] = [:]
    for channel in channels where !channel.channel.isEmpty {
      let key = "\(channel.network).\(channel.station).\(channel.location)"
      let code = Self.groupCode(stored: channel.channel)
      // Orientation codes in any case (`hhz` is Z), as ObsPy's `select(component=)` matches.
      guard let last = channel.channel.last, var orientation = last.uppercased().first else {
        continue
      }
      if orientation == "1" { orientation = "N" }
      if orientation == "2" { orientation = "E" }
      var group = byStation[key]?[code] ?? Group(code: code)
      // A true N/E channel wins over 1/2.
      let isNative = last != "1" && last != "2"
      if group.byOrientation[orientation] == nil || isNative {
        group.byOrientation[orientation] = channel
      }
      byStation[key, default: [:]][code] = group
    }
    for (key, codes) in byStation {
      groups[key] = codes.values.sorted { $0.code < $1.code }
    }
  }

  /// Whether any channel is stored at the station and location.
  public func hasStation(network: String, station: String, location: String) -> Bool {
    groups["\(network).\(station).\(location)"] != nil
  }

  /// The set for a pick at `network.station.location`, with `components` (orientation codes in
  /// window order) and the pick's channel, if any.
  public func choose(
    network: String, station: String, location: String, channel: String?,
    components: [Character]
  ) -> Result<ChannelSet, Failure> {
    guard let candidates = groups["\(network).\(station).\(location)"] else {
      return .failure(.noData)
    }
    func set(of group: Group) -> ChannelSet? {
      var chosen: [SourceIdentifier] = []
      for c in components {
        guard let record = group.byOrientation[c] else { return nil }
        chosen.append(record.source)
      }
      let rate = group.byOrientation[components[0]]?.samplingRates.max() ?? 0
      return ChannelSet(channels: chosen, samplingRate: rate)
    }
    func missing(in group: Group) -> String {
      let absent = components.filter { group.byOrientation[$0] == nil }
      return "no \(String(absent)) component for \(group.code)? at "
        + "\(network).\(station).\(location)"
    }
    if let channel, channel.count >= 2 {
      let code = Self.groupCode(pick: channel)
      guard
        let group = candidates.first(where: { $0.code == code })
          ?? candidates.first(where: { $0.code.uppercased() == code.uppercased() })
      else {
        return .failure(.noData)
      }
      guard let found = set(of: group) else {
        return .failure(.missingComponent(missing(in: group)))
      }
      return .success(found)
    }
    var best: ChannelSet?
    for group in candidates {
      guard let found = set(of: group) else { continue }
      if let current = best, found.samplingRate <= current.samplingRate { continue }
      best = found
    }
    if let best { return .success(best) }
    let codes = candidates.map { "\($0.code)?" }.joined(separator: ", ")
    return .failure(
      .missingComponent(
        "no channel set with every component of \(String(components)) at "
          + "\(network).\(station).\(location) (have \(codes))"))
  }
}
