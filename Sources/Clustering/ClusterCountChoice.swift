import Foundation
import Numerics

/// `--clusters auto`: the number of clusters K chosen from the pretrained embeddings of several
/// independently trained networks (decision 0015).
///
/// For every K in the range, k-means partitions each network's embedding of the same windows.
/// Clusters the data holds come out the same whichever network embedded them; splitting a real
/// cluster, or merging two, is arbitrary and comes out differently. So a K scores its
/// **stability** (how well each network's partition finds a partner that agrees: the median
/// over networks of their best ARI with another, `RestartComparison.partnerAgreement`; a
/// network that landed in a wrong optimum, as one in eight does, no longer drags every K down
/// with it) plus its mean **silhouette** (tighter, better separated clusters), and the highest
/// sum wins; a tie goes to the smaller K. Stability alone prefers reproducible over-splits
/// (station groups inside an event type), silhouette alone compact ones (decision 0015, "Both
/// criteria at once"). With one network there is no stability and the silhouette alone
/// decides, a weaker criterion.
public struct ClusterCountChoice: Codable, Sendable, Equatable {
  /// The evidence for one K.
  public struct Candidate: Codable, Sendable, Equatable {
    public var clusters: Int
    /// The networks' partner agreement (`RestartComparison.partnerAgreement`) at this K; nil
    /// with one network. Runs stored before stop 29 hold the mean ARI over pairs here.
    public var stability: Double?
    /// Mean silhouette of the partitions (Euclidean, on at most `silhouetteSample` windows).
    public var silhouette: Double

    public init(clusters: Int, stability: Double?, silhouette: Double) {
      self.clusters = clusters
      self.stability = stability
      self.silhouette = silhouette
    }
  }

  /// Windows the silhouette is computed on (a seeded sample when there are more).
  public static let silhouetteSample = 1000
  /// Windows k-means fits on when there are more (every window is then assigned).
  public static let kmeansSample = 20_000

  public var candidates: [Candidate]
  /// The K chosen.
  public var chosen: Int
  /// Networks compared.
  public var networks: Int
  /// The K tried before `chosen`, in order, whose first restarts (one per pretrained network)
  /// had no two that agree once clustered (decision 0015, "K whose restarts agree (stop 38)");
  /// nil in runs stored before.
  public var unsettled: [Int]? = nil

  /// Evidence computed elsewhere (or stored).
  public init(candidates: [Candidate], chosen: Int, networks: Int) {
    self.candidates = candidates
    self.chosen = chosen
    self.networks = networks
  }

  /// Scans `range` over the embeddings (`[windows x dimension]`, one per network, same windows
  /// in the same order).
  public init(
    embeddings: [[Float]], dimension: Int, range: ClosedRange<Int>, seed: UInt64
  ) throws {
    guard let first = embeddings.first, dimension > 0 else {
      throw ClusteringError.invalidArgument("no embedding to choose the number of clusters on")
    }
    let count = first.count / dimension
    guard embeddings.allSatisfy({ $0.count == count * dimension }) else {
      throw ClusteringError.shapeMismatch("embeddings of different sizes")
    }
    guard range.lowerBound >= 2, range.upperBound < count else {
      throw ClusteringError.invalidArgument(
        "cannot choose between \(range.lowerBound) and \(range.upperBound) clusters for \(count) windows"
      )
    }
    let sample = Self.sample(count: count, size: Self.silhouetteSample, seed: seed)
    var candidates: [Candidate] = []
    for k in range {
      var partitions: [[Int]] = []
      var silhouettes = 0.0
      for embedding in embeddings {
        // Above 20 k windows on a seeded sample, every window then assigned (as DEC's own
        // k-means does); identical to the full fit below that.
        let labels = try KMeans(clusterCount: k, restarts: 10, seed: seed).fit(
          embedding, dimension: dimension, sampleSize: Self.kmeansSample
        ).assignments
        partitions.append(labels)
        silhouettes += Self.silhouette(
          embedding, dimension: dimension, labels: labels, sample: sample)
      }
      candidates.append(
        Candidate(
          clusters: k, stability: try RestartComparison(labels: partitions).partnerAgreement,
          silhouette: silhouettes / Double(embeddings.count)))
    }
    self.candidates = candidates
    self.networks = embeddings.count
    self.chosen = Self.choose(candidates)
  }

  /// The rule: the highest stability plus silhouette, then the smallest K. A scan has
  /// stability for every K or (one network) for none, and then the silhouette alone decides.
  /// 0 for no candidates.
  static func choose(_ candidates: [Candidate]) -> Int {
    func score(_ candidate: Candidate) -> Double {
      (candidate.stability ?? 0) + candidate.silhouette
    }
    guard var chosen = candidates.first else { return 0 }
    for candidate in candidates.dropFirst() where score(candidate) > score(chosen) + 1e-12 {
      chosen = candidate
    }
    return chosen.clusters
  }

  /// The K of `candidates`, best first: by stability plus silhouette, then the smaller K.
  public var ranked: [Int] {
    func score(_ candidate: Candidate) -> Double {
      (candidate.stability ?? 0) + candidate.silhouette
    }
    guard !candidates.isEmpty else { return [] }
    // The best is `choose`'s; the others by score, then the smaller K.
    let best = Self.choose(candidates)
    return [best]
      + candidates.filter { $0.clusters != best }.sorted {
        score($0) != score($1) ? score($0) > score($1) : $0.clusters < $1.clusters
      }.map(\.clusters)
  }

  /// The K a run with restarts until two agree tries, in order: the best, then the smaller ones
  /// as ranked (decision 0015, "K whose restarts agree (stop 38)").
  public var settlingOrder: [Int] {
    let order = ranked
    guard let best = order.first else { return [] }
    return [best] + order.filter { $0 < best }
  }

  /// Whether `chosen` is what the current rule picks from `candidates`: the first K of
  /// `settlingOrder` not `unsettled`, or the best when every K tried was (a run stored before
  /// stop 33 chose by the most stable K within 0.04, then the silhouette).
  public var followsTheRule: Bool {
    guard !candidates.isEmpty else { return true }
    let skipped = Set(unsettled ?? [])
    let order = settlingOrder
    return chosen == (order.first { !skipped.contains($0) } ?? order.first)
  }

  /// One line per K tried, then the choice.
  public var lines: [String] {
    let skipped = unsettled ?? []
    let settledElsewhere = !skipped.isEmpty && !skipped.contains(chosen)
    return candidates.map { candidate in
      let stability = candidate.stability.map { String(format: "%.3f", $0) } ?? "n/a"
      let mark =
        candidate.clusters == chosen
        ? "  <- chosen" : skipped.contains(candidate.clusters) ? "  (restarts disagree)" : ""
      return String(
        format: "clusters auto: K=%d stability %@ silhouette %.3f%@", candidate.clusters,
        stability, candidate.silhouette, mark)
    } + [
      networks <= 1
        ? "clusters auto: chose K=\(chosen) by silhouette alone (one network: no stability; use --restarts 2 or more)"
        : settledElsewhere
          ? "clusters auto: chose K=\(chosen), the highest stability + silhouette over \(networks) pretrained networks among the K whose restarts agree once clustered (K=\(skipped.map(String.init).joined(separator: ", ")): no two of the first \(networks) did)"
          : skipped.isEmpty
            ? "clusters auto: chose K=\(chosen), the highest stability + silhouette over \(networks) pretrained networks (stability: each network's best ARI with another's k-means partition, the median over networks)"
            : "clusters auto: chose K=\(chosen), the highest stability + silhouette over \(networks) pretrained networks; no two of the first \(networks) restarts agreed once clustered at K=\(skipped.map(String.init).joined(separator: ", ")), so K=\(chosen) trained more restarts"
    ]
  }

  /// Mean silhouette of the windows in `sample`, against all windows of their own and the
  /// nearest other cluster among the sample.
  static func silhouette(
    _ points: [Float], dimension d: Int, labels: [Int], sample: [Int]
  ) -> Double {
    let k = (labels.max() ?? 0) + 1
    guard k > 1 else { return 0 }
    var total = 0.0
    var sums = [Double](repeating: 0, count: k)
    var sizes = [Int](repeating: 0, count: k)
    for i in sample { sizes[labels[i]] += 1 }
    points.withUnsafeBufferPointer { p in
      for i in sample {
        for c in 0..<k { sums[c] = 0 }
        let a = i * d
        for j in sample where j != i {
          let b = j * d
          var squared: Float = 0
          for t in 0..<d {
            let diff = p[a + t] - p[b + t]
            squared += diff * diff
          }
          sums[labels[j]] += Double(squared.squareRoot())
        }
        let own = labels[i]
        guard sizes[own] > 1 else { continue }  // a singleton's silhouette is 0
        let inside = sums[own] / Double(sizes[own] - 1)
        var nearest: Double? = nil
        for c in 0..<k where c != own && sizes[c] > 0 {
          nearest = min(nearest ?? .infinity, sums[c] / Double(sizes[c]))
        }
        guard let nearest else { continue }
        // Distances beyond Float's range (a network whose codes blew up) are infinite: the
        // window is then as far from its own cluster or the nearest other as can be, and
        // inf - inf must not make the whole scan NaN.
        switch (inside.isFinite, nearest.isFinite) {
        case (true, true):
          let spread = max(inside, nearest)
          if spread > 0 { total += (nearest - inside) / spread }
        case (true, false): total += 1
        case (false, true): total -= 1
        case (false, false): break
        }
      }
    }
    return total / Double(sample.count)
  }

  /// `size` distinct indices below `count` (all of them when `count <= size`), sorted.
  static func sample(count: Int, size: Int, seed: UInt64) -> [Int] {
    guard count > size else { return Array(0..<count) }
    var generator = SeededGenerator(seed: seed ^ 0x5EED_C0DE)
    var indices = Array(0..<count)
    for i in 0..<size {
      let j = i + Int(generator.next() % UInt64(count - i))
      indices.swapAt(i, j)
    }
    return indices[0..<size].sorted()
  }
}
