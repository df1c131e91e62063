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
    let projected = InputSeparation.principalCoordinates(
      f.rows.map { Float($0) }, count: f.count, width: f.width, dimension: 8, seed: 3,
      iterations: iterations)
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
}
