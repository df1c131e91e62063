import Numerics
import Testing

@testable import Clustering

@Suite struct StationConfoundTests {
  /// `n` windows over `stations` stations, two true classes spread over every station.
  static func network(_ n: Int, stations: Int, seed: UInt64) -> (truth: [Int], stations: [String]) {
    var generator = SeededGenerator(seed: seed)
    var truth: [Int] = []
    var names: [String] = []
    for _ in 0..<n {
      truth.append(generator.nextUniform() < 0.5 ? 0 : 1)
      names.append("XX.S\(Int(generator.nextUniform() * Double(stations)))")
    }
    return (truth, names)
  }

  @Test(arguments: ClusteringFixtures.indices { try ClusteringFixtures.metrics().cases.count })
  func stationShareIsConditionalMutualInformationOverClusterEntropy(index: Int) throws {
    let c = try ClusteringFixtures.metrics().cases[index]
    let report = try StationConfoundCheck().assess(
      clusters: c.predicted, stations: c.stations, truth: c.truth)
    let share = try #require(report.stationShareBeyondTruth)
    #expect(abs(share - c.conditionalMI / c.clusterEntropy) < 1e-10)
    #expect(abs(report.clusterStationV - c.cramersVPredictedStation) < 1e-10)
  }

  @Test func clustersThatFollowTheTruthAreNotConfounded() throws {
    let net = Self.network(2000, stations: 6, seed: 1)
    var generator = SeededGenerator(seed: 2)
    // 95 % accurate clusters whose errors are random, not by station.
    let clusters = net.truth.map { generator.nextUniform() < 0.95 ? $0 : 1 - $0 }
    let report = try StationConfoundCheck().assess(
      clusters: clusters, stations: net.stations, truth: net.truth)
    #expect(report.verdict == .independent)
    #expect(try #require(report.stationShareBeyondTruth) < 0.02)
    #expect(report.summary.hasPrefix("station check: clusters are not explained by station"))
    let blind = try StationConfoundCheck().assess(clusters: clusters, stations: net.stations)
    #expect(blind.verdict == .independent)
  }

  @Test func clustersThatAreStationsAreConfounded() throws {
    let net = Self.network(2000, stations: 6, seed: 3)
    // Cluster = first three stations against the last three, whatever the event.
    let clusters = net.stations.map { ["XX.S0", "XX.S1", "XX.S2"].contains($0) ? 0 : 1 }
    let report = try StationConfoundCheck().assess(
      clusters: clusters, stations: net.stations, truth: net.truth)
    #expect(report.verdict == .confounded)
    #expect(try #require(report.stationShareBeyondTruth) > 0.95)
    #expect(report.summary.contains("clusters follow stations, not the truth"))
    let blind = try StationConfoundCheck().assess(clusters: clusters, stations: net.stations)
    #expect(blind.verdict == .suspected)
    #expect(blind.clusterStationV > 0.99)
  }

  @Test func truthThatDiffersByStationDoesNotCountAgainstTheClusters() throws {
    // Station S0 recorded only teleseisms (class 1), the others both; clusters are the truth.
    let net = Self.network(1500, stations: 4, seed: 5)
    let truth = zip(net.truth, net.stations).map { $1 == "XX.S0" ? 1 : $0 }
    let report = try StationConfoundCheck().assess(
      clusters: truth, stations: net.stations, truth: truth)
    #expect(report.verdict == .independent)
    #expect(report.stationShareBeyondTruth == 0)
    #expect(report.clusterStationV > 0.3)
    #expect(report.truthStationV == report.clusterStationV)
  }

  @Test func oneStationIsNotApplicable() throws {
    let report = try StationConfoundCheck().assess(
      clusters: [0, 1, 0, 1], stations: ["A", "A", "A", "A"], truth: [0, 1, 1, 0])
    #expect(report.verdict == .notApplicable)
    #expect(throws: ClusteringError.self) {
      try StationConfoundCheck().assess(clusters: [0, 1], stations: ["A"])
    }
  }
}
