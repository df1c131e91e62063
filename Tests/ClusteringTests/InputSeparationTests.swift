import Foundation
import Numerics
import TestSupport
import Testing

@testable import Clustering

/// `InputSeparation` against scikit-learn (tools/make_separation_fixtures.py): the
/// Calinski-Harabasz index, the principal subspace (through the index, which a rotation inside
/// the subspace does not change) and the share against k-means.
@Suite struct InputSeparationTests {
  struct Partition: Decodable {
    let name: String
    let labels: [Int]
    let raw: Double
    let pca: Double
  }
  struct Eigen: Decodable {
    let matrix: [Double]
    let values: [Double]
  }
  struct File: Decodable {
    let count, width: Int
    let rows: [Double]
    let pca: [Double]
    let partitions: [Partition]
    let reference: Double
    let referenceMatchesTruth: Bool
    let eigen: Eigen
  }

  static func fixture() throws -> File {
    let url = TestPaths.fixtures.appendingPathComponent("separation/separation.json")
    return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
  }

  func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-12) }

  @Test func theIndexMatchesScikitLearnOnRawRowsAndOnItsPrincipalComponents() throws {
    let f = try Self.fixture()
    for p in f.partitions {
      let raw = InputSeparation.calinskiHarabasz(f.rows, dimension: f.width, labels: p.labels)
      #expect(relative(raw, p.raw) < 1e-9, "\(p.name): \(raw) against \(p.raw)")
      let pca = InputSeparation.calinskiHarabasz(f.pca, dimension: 8, labels: p.labels)
      #expect(relative(pca, p.pca) < 1e-9, "\(p.name): \(pca) against \(p.pca)")
    }
  }

  /// Iterated to convergence, the subspace is scikit-learn's (Float rows and products: to
  /// 1e-4 of the largest index). With the tool's 8 passes it is close: this fixture's trailing
  /// eigenvalues (pure noise) are nearly equal, the slowest case for power iteration.
  @Test(arguments: [(60, 1e-4), (InputSeparation.powerIterations, 1e-3)])
  func theSubspaceIsScikitLearnsPrincipalSubspace(iterations: Int, tolerance: Double) throws {
    let f = try Self.fixture()
    var rows = f.rows.map { Float($0) }
    let projected = InputSeparation.principalCoordinates(
      &rows, count: f.count, width: f.width, dimension: 8, seed: 3, iterations: iterations)
    #expect(projected.components == 8)
    let largest = f.partitions.map(\.pca).max() ?? 1
    for p in f.partitions {
      let index = InputSeparation.calinskiHarabasz(
        projected.coordinates, dimension: 8, labels: p.labels)
      #expect(abs(index - p.pca) < tolerance * largest, "\(p.name): \(index) against \(p.pca)")
    }
  }

  @Test func theShareIsTheIndexOverKMeanssAndMarksTheDecoy() throws {
    let f = try Self.fixture()
    #expect(f.referenceMatchesTruth)
    let separation = try InputSeparation(
      rows: f.rows.map { Float($0) }, width: f.width, sample: Array(0..<f.count),
      windowCount: f.count, clusters: 2, seed: 7)
    #expect(relative(separation.reference, f.reference) < 1e-4)
    let truth = f.partitions.first { $0.name == "truth" }!
    let decoy = f.partitions.first { $0.name == "decoy" }!
    #expect(abs(separation.share(of: truth.labels) - 1) < 1e-4)
    #expect(separation.share(of: decoy.labels) < 0.01)
    #expect(separation.share(of: decoy.labels) < InputSeparation.credibleShare)
  }

  @Test func aSampleIsReadWhenTheSourceIsLargerThanTheLimitAndTheSameSeedGivesTheSameShare()
    throws
  {
    let f = try Self.fixture()
    // Repeat the rows past the sample limit: the sample keeps the structure.
    let copies = InputSeparation.sampleLimit / f.count + 2
    var values: [Float] = []
    var labels: [Int] = []
    let truth = f.partitions.first { $0.name == "truth" }!.labels
    for _ in 0..<copies {
      values += f.rows.map { Float($0) }
      labels += truth
    }
    let source = try WindowArray(values, count: f.count * copies, channels: 1, length: f.width)
    let a = try InputSeparation(source: source, clusters: 2, seed: 11)
    let b = try InputSeparation(source: source, clusters: 2, seed: 11)
    #expect(a.sample.count == InputSeparation.sampleLimit)
    #expect(a.sample == a.sample.sorted())
    #expect(a.share(of: labels) == b.share(of: labels))
    #expect(abs(a.share(of: labels) - 1) < 1e-3)
  }

  @Test func fewerThanTwoClustersPresentSeparateNothing() {
    let points: [Double] = [0, 1, 2, 3, 4, 5]
    #expect(
      InputSeparation.calinskiHarabasz(points, dimension: 1, labels: [0, 0, 0, 0, 0, 0]) == 0)
    // Every cluster one repeated point: scikit-learn returns 1.
    #expect(
      InputSeparation.calinskiHarabasz([1, 1, 2, 2], dimension: 1, labels: [0, 0, 1, 1]) == 1)
  }

  @Test func jacobiFindsTheEigenvaluesOfNumPy() throws {
    let f = try Self.fixture()
    let n = 16
    let vectors = InputSeparation.leadingEigenvectors(f.eigen.matrix, size: n, count: n)
    for c in 0..<n {
      // Rayleigh quotient of each vector (unit length) gives its eigenvalue.
      var value = 0.0
      var norm = 0.0
      for i in 0..<n {
        var row = 0.0
        for j in 0..<n { row += f.eigen.matrix[i * n + j] * vectors[j * n + c] }
        value += vectors[i * n + c] * row
        norm += vectors[i * n + c] * vectors[i * n + c]
      }
      #expect(abs(norm - 1) < 1e-10)
      #expect(abs(value - f.eigen.values[c]) < 1e-9, "eigenvalue \(c): \(value)")
    }
  }

  /// Fewer varying features than the 16 block vectors (a review found the extra vectors blown
  /// up from rounding): zero columns added to the windows change nothing.
  @Test func paddingTheWindowsWithConstantValuesChangesNothing() throws {
    var generator = SeededGenerator(seed: 5)
    let n = 400
    let varying = 12
    var plain: [Float] = []
    var padded: [Float] = []
    var labels: [Int] = []
    for i in 0..<n {
      let row = (0..<varying).map { j in
        Float(generator.nextGaussian() + (j == 0 && i % 2 == 1 ? 4 : 0))
      }
      plain += row
      padded += row + Array(repeating: 0, count: 50)
      labels.append(i % 2)
    }
    let a = try InputSeparation(
      rows: plain, width: varying, sample: Array(0..<n), windowCount: n, clusters: 2, seed: 1)
    let b = try InputSeparation(
      rows: padded, width: varying + 50, sample: Array(0..<n), windowCount: n, clusters: 2,
      seed: 1)
    #expect(relative(b.reference, a.reference) < 1e-5, "\(b.reference) against \(a.reference)")
    #expect(abs(b.share(of: labels) - a.share(of: labels)) < 1e-5)
  }

  /// A source that records what is read.
  final class RecordingSource: WindowSource {
    let inner: WindowArray
    var reads: [[Int]] = []
    init(_ inner: WindowArray) { self.inner = inner }
    var count: Int { inner.count }
    var channels: Int { inner.channels }
    var length: Int { inner.length }
    func copyWindows(at indices: ArraySlice<Int>, into buffer: UnsafeMutableBufferPointer<Float>)
      throws
    {
      reads.append(Array(indices))
      try inner.copyWindows(at: indices, into: buffer)
    }
  }

  /// The sample is read in runs of consecutive windows (one range read each from a store),
  /// never more windows than it holds, and within the bytes it is given.
  @Test func theSampleIsReadInConsecutiveRunsWithinItsBytes() throws {
    let count = 5000
    let width = 10
    var generator = SeededGenerator(seed: 2)
    let values = (0..<(count * width)).map { _ in Float(generator.nextGaussian()) }
    let source = RecordingSource(
      try WindowArray(values, count: count, channels: 2, length: 5))
    let separation = try InputSeparation(
      source: source, clusters: 3, seed: 4, maximumBytes: 4 * width * 700)
    #expect(separation.sample.count == 700)
    #expect(source.reads.flatMap { $0 } == separation.sample)
    #expect(
      source.reads.allSatisfy { run in zip(run, run.dropFirst()).allSatisfy { $1 == $0 + 1 } })
  }

  // MARK: Stations within clusters

  struct StationCase: Decodable {
    let name: String
    let rows: String
    let clusters: [Int]
    let share: Double?
  }
  struct StationFile: Decodable {
    let count, width: Int
    let stations: [String]
    let rows: [String: [Double]]
    let cases: [StationCase]
  }

  static func stationFixture() throws -> StationFile {
    let url = TestPaths.fixtures.appendingPathComponent("separation/station_share.json")
    return try JSONDecoder().decode(StationFile.self, from: Data(contentsOf: url))
  }

  /// Against tools/make_station_share_fixtures.py (float64 on the rows; width 8, so the
  /// principal coordinates are the rows turned): stations with their own response, stations
  /// that differ only in their mix of classes (near 0: the sampling term removes the noise in
  /// the station means), a station with too few windows in a cluster, no cluster with two
  /// stations (nil), and stations compared that hold a third of the windows (nil).
  @Test(arguments: ["responses", "mixes", "few", "alone", "thin"])
  func theStationShareWithinClustersMatchesTheReference(name: String) throws {
    let f = try Self.stationFixture()
    let c = try #require(f.cases.first { $0.name == name })
    let rows = try #require(f.rows[c.rows]).map { Float($0) }
    let separation = try InputSeparation(
      rows: rows, width: f.width, sample: Array(0..<f.count), windowCount: f.count,
      clusters: 2, seed: 5)
    #expect(separation.components == 8)
    let share = separation.stationShare(clusters: c.clusters, stations: f.stations)
    if let expected = c.share {
      let measured = try #require(share)
      #expect(abs(measured - expected) < 1e-5, "\(name): \(measured) against \(expected)")
    } else {
      #expect(share == nil)
    }
  }
}
