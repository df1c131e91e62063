import NeuralNetwork
import Numerics

/// Windows given to centroids: the one chain that `cluster`, `assign` and `relabel` share.
/// Encode, Student-t `q`, labels (argmax q), and each window's distance to its centroid.
public struct ClusterAssignment: Sendable {
  /// Clusters K.
  public let clusterCount: Int
  /// Features of an embedding.
  public let dimension: Int
  /// N x D bottleneck features.
  public var embeddings: [Float]
  /// N x K soft assignments.
  public var softAssignment: [Float]
  /// Cluster of every window (argmax q).
  public var labels: [Int]
  /// Distance of every window's embedding to its own cluster's centroid.
  public var distances: [Float]

  /// Windows.
  public var count: Int { labels.count }

  /// The assignment of embeddings (`N x dimension`) to `centroids` (`K x dimension`).
  public init(embeddings: [Float], centroids: [Float], dimension: Int) throws {
    let q = try DEC.softAssignment(
      embeddings: embeddings, centroids: centroids, dimension: dimension)
    let k = centroids.count / dimension
    let labels = try DEC.assignments(softAssignment: q, clusterCount: k)
    let all = try DEC.distances(embeddings: embeddings, centroids: centroids, dimension: dimension)
    self.clusterCount = k
    self.dimension = dimension
    self.embeddings = embeddings
    softAssignment = q
    self.labels = labels
    distances = labels.enumerated().map { all[$0.offset * k + $0.element] }
  }

  /// Encodes `indices` of `windows` with `model` (in chunks of `chunkSize` windows, or all at
  /// once) and assigns them to `centroids`. `progress` hears the windows encoded so far.
  public init(
    model: any AutoencoderModel, windows: any WindowSource, indices: [Int]? = nil,
    centroids: [Float], chunkSize: Int? = nil, progress: ((Int) -> Void)? = nil
  ) throws {
    let d = model.latentDimension
    let rows = indices ?? Array(0..<windows.count)
    var z: [Float] = []
    z.reserveCapacity(rows.count * d)
    if indices == nil && (chunkSize ?? rows.count) >= rows.count {
      z = model.encode(try windows.allWindows()).values
    } else {
      let chunk = max(1, chunkSize ?? rows.count)
      var start = 0
      while start < rows.count {
        let end = min(start + chunk, rows.count)
        z += model.encode(try windows.windows(at: rows[start..<end])).values
        start = end
        progress?(start)
      }
    }
    try self.init(embeddings: z, centroids: centroids, dimension: d)
  }

  /// Row `i` of `q`.
  public func probabilities(ofWindow i: Int) -> [Float] {
    Array(softAssignment[(i * clusterCount)..<((i + 1) * clusterCount)])
  }

  /// The probability of window `i`'s own cluster.
  public func probability(ofWindow i: Int) -> Float { softAssignment[i * clusterCount + labels[i]] }

  /// Window `i`'s embedding.
  public func embedding(ofWindow i: Int) -> [Float] {
    Array(embeddings[(i * dimension)..<((i + 1) * dimension)])
  }

  /// Windows per cluster.
  public var clusterSizes: [Int] {
    var sizes = [Int](repeating: 0, count: clusterCount)
    for label in labels { sizes[label] += 1 }
    return sizes
  }
}
