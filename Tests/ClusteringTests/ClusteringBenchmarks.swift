import Dispatch
import Foundation
import Numerics
import Testing

@testable import Clustering

/// Timings for docs/benchmarks.md. Off by default; run with
/// `SEISCLUSTER_BENCHMARK=1 swift test -c release --filter ClusteringBenchmarks`.
@Suite(
  .serialized, .enabled(if: ProcessInfo.processInfo.environment["SEISCLUSTER_BENCHMARK"] == "1"))
struct ClusteringBenchmarks {
  /// `n` points in `dimension` dimensions around `k` Gaussian centres 6 sigma apart.
  static func blobs(n: Int, dimension: Int, k: Int, seed: UInt64) -> ([Float], [Int]) {
    var generator = SeededGenerator(seed: seed)
    let centres = (0..<(k * dimension)).map { _ in 6 * generator.nextGaussian() }
    var points = [Float](repeating: 0, count: n * dimension)
    var labels = [Int](repeating: 0, count: n)
    for i in 0..<n {
      let c = i % k
      labels[i] = c
      for d in 0..<dimension {
        points[i * dimension + d] = Float(centres[c * dimension + d] + generator.nextGaussian())
      }
    }
    return (points, labels)
  }

  static func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  @Test(arguments: [2, 10]) func kMeansOnTenThousandPoints(k: Int) throws {
    let (points, labels) = Self.blobs(n: 10_000, dimension: 16, k: k, seed: 1)
    var result: KMeansResult?
    let time = try Self.seconds {
      result = try KMeans(clusterCount: k, restarts: 20).fit(points, dimension: 16)
    }
    let acc = try ClusteringMetrics.accuracy(
      truth: labels, predicted: try #require(result).assignments)
    print("benchmark: k-means N=10000 D=16 K=\(k) restarts=20: \(time) s, ACC \(acc)")
    #expect(acc > 0.99)
  }

  /// The mixture of decision 0022 (seeding, and every target update) on 100 k codes, K = 2
  /// and 10: clusters of unequal spread (1 and 2) whose centres are 2 sigma apart per
  /// coordinate on average, so EM needs many iterations.
  @Test(arguments: [2, 10]) func sphericalMixtureOnAHundredThousandPoints(k: Int) throws {
    var generator = SeededGenerator(seed: 3)
    let centres = (0..<(k * 16)).map { _ in 2 * generator.nextGaussian() }
    var points = [Float](repeating: 0, count: 100_000 * 16)
    for i in 0..<100_000 {
      let c = i % k
      let spread = c % 2 == 0 ? 1.0 : 2.0
      for d in 0..<16 {
        points[i * 16 + d] = Float(centres[c * 16 + d] + spread * generator.nextGaussian())
      }
    }
    let kmeans = try KMeans(clusterCount: k, restarts: 20).fit(
      points, dimension: 16, sampleSize: 20_000)
    var fit: SphericalMixture?
    let time = try Self.seconds {
      let start = KMeans.nearest(
        points, dimension: 16, centroids: kmeans.centroids, clusterCount: k
      ).assignments
      fit = try SphericalMixture.fit(points: points, dimension: 16, start: start, clusterCount: k)
    }
    let mixture = try #require(fit)
    print(
      "benchmark: spherical mixture N=100000 D=16 K=\(k): \(time) s,"
        + " \(mixture.iterations) iterations, \(time / Double(mixture.iterations)) s each")
    #expect(mixture.iterations >= 1)
  }

  @Test func decTargetAndBatchLoss() throws {
    let (points, _) = Self.blobs(n: 10_000, dimension: 16, k: 10, seed: 2)
    let centroids = Array(points[0..<(10 * 16)])
    var target: [Float] = []
    let full = try Self.seconds {
      let q = try DEC.softAssignment(embeddings: points, centroids: centroids, dimension: 16)
      target = try DEC.targetDistribution(softAssignment: q, clusterCount: 10)
    }
    let batch = Array(points[0..<(256 * 16)])
    let batchTarget = Array(target[0..<(256 * 10)])
    let repeats = 100
    let step = try Self.seconds {
      for _ in 0..<repeats {
        _ = try DEC.loss(
          embeddings: batch, centroids: centroids, target: batchTarget, dimension: 16)
      }
    }
    print(
      "benchmark: DEC q+P N=10000 D=16 K=10: \(full) s; loss+gradients batch 256: "
        + "\(step / Double(repeats) * 1e3) ms")
    #expect(target.count == 100_000)
  }
}
