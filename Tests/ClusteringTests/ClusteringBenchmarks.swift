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

  /// DEC's seeding after k-means (decision 0022) on every window: 100 k codes, K = 2 and 10,
  /// clusters of unequal spread.
  @Test(arguments: [2, 10]) func sphericalMixtureOnAHundredThousandPoints(k: Int) throws {
    var (points, labels) = Self.blobs(n: 100_000, dimension: 16, k: k, seed: 3)
    for i in labels.indices where labels[i] % 2 == 1 {
      for d in 0..<16 { points[i * 16 + d] *= 1.5 }
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
        + " \(mixture.iterations) iterations")
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
