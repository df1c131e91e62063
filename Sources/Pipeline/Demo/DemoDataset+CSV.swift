extension DemoDataset {
  /// `picks.csv` text: `network,station,location,channel,time,phase`, one row per pick, times
  /// ISO 8601 UTC with microseconds.
  public func picksCSV() -> String {
    var text = "network,station,location,channel,time,phase\n"
    for pick in picks {
      text +=
        "\(pick.network),\(pick.station),\(pick.location),\(pick.channel),"
        + "\(pick.time.iso8601),\(pick.phase)\n"
    }
    return text
  }

  /// `truth.csv` text: `network,station,location,time,label` with labels `local` and
  /// `teleseismic`, in the order of `picks`.
  public func truthCSV() -> String {
    var text = "network,station,location,time,label\n"
    for event in events {
      let pick = event.pick
      text +=
        "\(pick.network),\(pick.station),\(pick.location),\(pick.time.iso8601),"
        + "\(event.kind.rawValue)\n"
    }
    return text
  }
}
