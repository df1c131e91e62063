/// Checks that stations did not become the clusters (real networks mix instruments, rates and
/// site responses, and a network can learn those instead of the event type).
///
/// Measures, on the contingency of cluster against station:
/// - `clusterStationV`: Cramér's V of cluster against station (0 independent, 1 one determines
///   the other as far as the table's shape allows), and `clusterStationNMI`.
/// - With the truth: `stationShareBeyondTruth = I(C; S | T) / H(C)`, the part of the clusters'
///   entropy that the station explains once the true class is known. It is 0 when clusters follow
///   the truth (even if the truth itself differs by station, e.g. a station that only recorded
///   teleseisms) and 1 when clusters are a function of station alone, independent of the truth.
///
/// Verdict:
/// - `.notApplicable` with one station or one cluster.
/// - With the truth: `.confounded` when `stationShareBeyondTruth >= confoundedShare`, else
///   `.independent`.
/// - Without it: `.suspected` when `clusterStationV >= suspectedV`, else `.independent` — a strong
///   association may still be real (stations in different source regions), so it is only a
///   suspicion.
public struct StationConfoundCheck: Sendable {
  /// Cramér's V at or above which, without truth, clusters are suspected to follow stations.
  public var suspectedV: Double
  /// Share of cluster entropy explained by station beyond the truth at or above which the
  /// clustering is called confounded.
  public var confoundedShare: Double

  public init(suspectedV: Double = 0.3, confoundedShare: Double = 0.2) {
    self.suspectedV = suspectedV
    self.confoundedShare = confoundedShare
  }

  /// Assesses one clustering.
  /// - Parameters:
  ///   - clusters: cluster of each window.
  ///   - stations: station of each window (any hashable key, e.g. `NET.STA`).
  ///   - truth: true class of each window, when known.
  /// - Throws: `.shapeMismatch` when lengths differ, `.invalidArgument` when empty.
  public func assess<Station: Hashable>(
    clusters: [Int], stations: [Station], truth: [Int]? = nil
  ) throws -> StationConfoundReport {
    guard clusters.count == stations.count, truth.map({ $0.count == clusters.count }) ?? true
    else {
      throw ClusteringError.shapeMismatch(
        "\(clusters.count) clusters, \(stations.count) stations, \(truth?.count ?? 0) truth labels"
      )
    }
    guard !clusters.isEmpty else {
      throw ClusteringError.invalidArgument("no windows to check")
    }
    var stationIndex: [Station: Int] = [:]
    let stationCodes = stations.map { station -> Int in
      if let index = stationIndex[station] { return index }
      let index = stationIndex.count
      stationIndex[station] = index
      return index
    }
    let table = try ContingencyTable(rows: clusters, columns: stationCodes)
    let clusterEntropy = table.rowEntropy
    var report = StationConfoundReport(
      stationCount: table.columnLabels.count, clusterCount: table.rowLabels.count,
      clusterStationV: table.cramersV,
      clusterStationNMI: try ClusteringMetrics.normalizedMutualInformation(
        truth: stationCodes, predicted: clusters),
      truthStationV: nil, stationShareBeyondTruth: nil, verdict: .notApplicable)
    guard report.stationCount > 1, report.clusterCount > 1 else { return report }

    if let truth {
      report.truthStationV = try ContingencyTable(rows: truth, columns: stationCodes).cramersV
      // I(C; S | T) = sum_t P(t) I(C; S | T = t).
      var byClass: [Int: ([Int], [Int])] = [:]
      for i in truth.indices {
        byClass[truth[i], default: ([], [])].0.append(clusters[i])
        byClass[truth[i], default: ([], [])].1.append(stationCodes[i])
      }
      var conditional = 0.0
      for (_, members) in byClass {
        let sub = try ContingencyTable(rows: members.0, columns: members.1)
        conditional += Double(sub.total) / Double(truth.count) * sub.mutualInformation
      }
      let share = clusterEntropy > 0 ? min(1, conditional / clusterEntropy) : 0
      report.stationShareBeyondTruth = share
      report.verdict = share >= confoundedShare ? .confounded : .independent
    } else {
      report.verdict = report.clusterStationV >= suspectedV ? .suspected : .independent
    }
    return report
  }
}

/// What `StationConfoundCheck` found; `summary` is one line for the run summary.
public struct StationConfoundReport: Sendable, Equatable {
  /// The finding.
  public enum Verdict: String, Sendable, Equatable {
    /// One station or one cluster: nothing to check.
    case notApplicable = "not applicable"
    /// Clusters are not explained by station.
    case independent
    /// No truth given, and clusters are strongly associated with station.
    case suspected
    /// Given the truth, station explains a large part of the clusters.
    case confounded
  }

  /// Distinct stations among the windows.
  public var stationCount: Int
  /// Distinct clusters among the windows.
  public var clusterCount: Int
  /// Cramér's V of cluster against station.
  public var clusterStationV: Double
  /// NMI (arithmetic) of cluster against station.
  public var clusterStationNMI: Double
  /// Cramér's V of truth against station (how much the truth itself differs by station).
  public var truthStationV: Double?
  /// `I(C; S | T) / H(C)`, when the truth is known.
  public var stationShareBeyondTruth: Double?
  public var verdict: Verdict
  /// How much the stations' windows differ within a cluster (`InputSeparation.stationShare`),
  /// when measured: `cluster` measures it for a suspicion, to tell stations that record
  /// different mixes of events from stations whose sensors or sites differ.
  public var stationShareWithinClusters: Double? = nil

  /// A share within clusters at or above which the stations' windows are said to differ even
  /// inside a cluster. Measured by the tool (decision 0020): 0.161-0.514 on generator B, whose
  /// stations mix sensors; at most 0.015 on make_events.py events kept unevenly by station, and
  /// 0.066-0.071 on the demo's (broadband and 1 Hz sensors); in a replay, at most 0.053 on the
  /// uniform sources.
  public static let differingStations = 0.1

  /// A share as a percentage with one decimal, `16.1%` (the summary and `cluster`'s retrain
  /// line both print it so).
  public static func percent(_ share: Double) -> String { "\((share * 1000).rounded() / 10)%" }

  /// Whether the stations' windows differ within clusters (nil when not measured).
  public var stationsDifferWithinClusters: Bool? {
    stationShareWithinClusters.map { $0 >= Self.differingStations }
  }

  /// One line for the run summary (prefix it with `warning: ` when `verdict` is `.confounded`
  /// or `.suspected`).
  public var summary: String {
    let association =
      "Cramér's V \(fixed4(clusterStationV)), NMI \(fixed4(clusterStationNMI))"
    switch verdict {
    case .notApplicable:
      return
        "station check: not applicable (\(stationCount) station(s), \(clusterCount) cluster(s))"
    case .independent:
      let beyond = stationShareBeyondTruth.map {
        ", station explains \(percent($0)) of the clusters beyond the truth"
      }
      return "station check: clusters are not explained by station (\(association)\(beyond ?? ""))"
    case .suspected:
      let head =
        "station check: cluster membership follows station (\(association) over "
        + "\(stationCount) stations)"
      guard let within = stationShareWithinClusters else {
        return head + "; without truth this may be real, check the stations"
      }
      let share = "station explains \(Self.percent(within)) of the input's variance there"
      return within >= Self.differingStations
        ? head + ", and within a cluster the stations' windows differ (\(share)): "
          + "the clusters may follow sensors or sites; check the stations"
        : head + ", but within a cluster the stations' windows look alike (\(share)): "
          + "more likely the stations record different mixes of events; check the stations"
    case .confounded:
      return "station check: clusters follow stations, not the truth: station explains "
        + "\(percent(stationShareBeyondTruth ?? 0)) of the clusters beyond the truth "
        + "(\(association) over \(stationCount) stations)"
    }
  }

  private func percent(_ x: Double) -> String { "\(Int((x * 100).rounded()))%" }
}
