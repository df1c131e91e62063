import Testing

@testable import Clustering

@Suite struct ClusteringMetricsTests {
  static let cases = ClusteringFixtures.indices { try ClusteringFixtures.metrics().cases.count }

  @Test(arguments: cases) func scoresMatchScikitLearn(index: Int) throws {
    let c = try ClusteringFixtures.metrics().cases[index]
    let scores = try ClusteringMetrics.scores(truth: c.truth, predicted: c.predicted)
    #expect(abs(scores.accuracy - c.acc) < 1e-12)
    #expect(abs(scores.normalizedMutualInformation - c.nmi) < 1e-10)
    #expect(abs(scores.adjustedRandIndex - c.ari) < 1e-10)
    #expect(scores.count == c.truth.count)
  }

  @Test func relabellingClustersChangesNoScore() throws {
    let truth = [0, 0, 0, 1, 1, 1, 2, 2]
    let predicted = [7, 7, 3, 3, 3, 3, -1, -1]
    let renamed = predicted.map { $0 == 7 ? 100 : $0 == 3 ? 5 : 42 }
    #expect(
      try ClusteringMetrics.scores(truth: truth, predicted: predicted)
        == ClusteringMetrics.scores(truth: truth, predicted: renamed))
    // Hand count: 7 -> class 0 (2), 3 -> class 1 (3), -1 -> class 2 (2): 7 of 8.
    #expect(try ClusteringMetrics.accuracy(truth: truth, predicted: predicted) == 7.0 / 8.0)
    #expect(
      try ClusteringMetrics.clusterToClass(truth: truth, predicted: predicted)
        == [7: 0, 3: 1, -1: 2])
  }

  @Test func perfectAndDegenerateLabelingsFollowScikitLearnConventions() throws {
    let truth = [0, 0, 1, 1]
    #expect(
      try ClusteringMetrics.normalizedMutualInformation(truth: truth, predicted: [1, 1, 0, 0]) == 1)
    #expect(try ClusteringMetrics.adjustedRandIndex(truth: truth, predicted: [1, 1, 0, 0]) == 1)
    // Single class and single cluster: sklearn returns 1 for both.
    #expect(
      try ClusteringMetrics.normalizedMutualInformation(truth: [3, 3, 3], predicted: [1, 1, 1]) == 1
    )
    #expect(try ClusteringMetrics.adjustedRandIndex(truth: [3, 3, 3], predicted: [1, 1, 1]) == 1)
    // Everything split: NMI 0 (sklearn's docstring example).
    #expect(
      try ClusteringMetrics.normalizedMutualInformation(
        truth: [0, 0, 0, 0], predicted: [0, 1, 2, 3]) == 0)
    // One cluster for two balanced classes: ACC 0.5.
    #expect(try ClusteringMetrics.accuracy(truth: truth, predicted: [9, 9, 9, 9]) == 0.5)
  }

  @Test func machineReadableLineHasFourDecimals() {
    let scores = ClusteringScores(
      accuracy: 0.98406, normalizedMutualInformation: 0.89014, adjustedRandIndex: 0.93716,
      count: 9200)
    #expect(scores.description == "ACC=0.9841 NMI=0.8901 ARI=0.9372 N=9200")
    #expect(fixed4(1) == "1.0000")
    #expect(fixed4(-0.01234) == "-0.0123")
    #expect(fixed4(0.00004) == "0.0000")
  }

  @Test func emptyAndMismatchedLabelingsAreErrors() {
    #expect(throws: ClusteringError.self) {
      try ClusteringMetrics.accuracy(truth: [], predicted: [])
    }
    #expect(throws: ClusteringError.self) {
      try ClusteringMetrics.adjustedRandIndex(truth: [1], predicted: [1, 2])
    }
  }

  @Test func contingencyTableSortsAnyIntegerLabels() throws {
    let table = try ContingencyTable(rows: [5, -2, 5, 9], columns: [1, 1, 0, 0])
    #expect(table.rowLabels == [-2, 5, 9])
    #expect(table.columnLabels == [0, 1])
    #expect(table.counts == [0, 1, 1, 1, 1, 0])
    #expect(table.rowSums == [1, 2, 1])
    #expect(table.columnSums == [2, 2])
  }

  @Test(arguments: cases) func cramersVMatchesSciPy(index: Int) throws {
    let c = try ClusteringFixtures.metrics().cases[index]
    // Station names to integer codes (any distinct integers will do).
    let names = Array(Set(c.stations)).sorted()
    let stations = c.stations.map { names.firstIndex(of: $0) ?? -1 }
    let table = try ContingencyTable(rows: c.predicted, columns: stations)
    #expect(abs(table.cramersV - c.cramersVPredictedStation) < 1e-10)
  }
}

@Suite struct RestartComparisonTests {
  @Test func agreementIsThePairwiseAdjustedRandIndexAndConsensusItsMeanOverTheOthers() throws {
    let a = [0, 0, 0, 1, 1, 1]
    let b = [1, 1, 1, 0, 0, 0]  // a with the names swapped: the same partition
    let c = [0, 1, 0, 1, 0, 1]
    let comparison = try RestartComparison(labels: [a, b, c])
    let ac = try ClusteringMetrics.adjustedRandIndex(truth: a, predicted: c)
    #expect(comparison.agreement[0][1] == 1)
    #expect(comparison.agreement[0][2] == ac && comparison.agreement[2][0] == ac)
    #expect(comparison.consensus[0] == (1 + ac) / 2)
    #expect(comparison.consensus[2] == ac)
    #expect(comparison.stability == (1 + 2 * ac) / 3)
    #expect(comparison.weakestAgreement == ac)
  }

  @Test func oneRestartHasNoStability() throws {
    let comparison = try RestartComparison(labels: [[0, 1, 1]])
    #expect(comparison.stability == nil)
    #expect(comparison.consensus == [1])
  }
}
