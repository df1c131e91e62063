import Foundation
import TestSupport

/// Reference values made by tools/make_clustering_fixtures.py.
enum ClusteringFixtures {
  struct DECCase: Decodable {
    let count: Int
    let clusters: Int
    let dimension: Int
    let alpha: Double
    let embeddings: [Double]
    let centroids: [Double]
    let q: [Double]
    let p: [Double]
    let kl: Double
    let gradEmbeddings: [Double]
    let gradCentroids: [Double]
    let targetFromQ: [Double]
  }
  struct ConstrainedCase: Decodable {
    let count: Int
    let clusters: Int
    let q: [Double]
    let fixed: [Int]
    let p: [Double]
  }
  struct DECFile: Decodable {
    let cases: [DECCase]
    let constrained: ConstrainedCase
  }
  struct PointSet: Decodable {
    let name: String
    let count: Int
    let dimension: Int
    let clusters: Int
    let points: [Double]
    let labels: [Int]
    let sklearnInertia: Double
  }
  struct KMeansFile: Decodable { let sets: [PointSet] }
  struct MetricCase: Decodable {
    let truth: [Int]
    let predicted: [Int]
    let stations: [String]
    let acc: Double
    let nmi: Double
    let ari: Double
    let cramersVPredictedStation: Double
    let conditionalMI: Double
    let clusterEntropy: Double
  }
  struct MetricsFile: Decodable { let cases: [MetricCase] }
  /// tools/make_mixture_fixtures.py: scikit-learn's spherical Gaussian mixture.
  struct MixtureCase: Decodable {
    let name: String
    let dimension: Int
    let clusterCount: Int
    let points: [Double]
    let truth: [Int]
    let start: [Int]
    let kmeansCentroids: [Double]
    let means: [Double]
    let variances: [Double]
    let weights: [Double]
    let logLikelihood: Double
    let kmeansAccuracy: Double
    let mixtureAccuracy: Double
  }
  struct MixtureFile: Decodable { let cases: [MixtureCase] }

  static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    let url = TestPaths.fixtures.appendingPathComponent("clustering/\(name).json")
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
  }

  static func dec() throws -> DECFile { try load("dec", as: DECFile.self) }
  static func kmeans() throws -> KMeansFile { try load("kmeans", as: KMeansFile.self) }
  static func mixture() throws -> MixtureFile { try load("mixture", as: MixtureFile.self) }
  static func metrics() throws -> MetricsFile { try load("metrics", as: MetricsFile.self) }

  /// Indices for parameterised tests; a missing fixture yields one index so the test runs and
  /// fails on loading rather than silently running nothing.
  static func indices(_ count: () throws -> Int) -> [Int] { Array(0..<((try? count()) ?? 1)) }
}

extension Array where Element == Double {
  var floats: [Float] { map { Float($0) } }
}

extension Array where Element == Float {
  var doubles: [Double] { map { Double($0) } }
}
