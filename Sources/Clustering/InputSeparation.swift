import Numerics

/// How well a partition separates the windows *as they are*, against k-means on them: the
/// Calinski-Harabasz index of the partition in the leading principal subspace of the network's
/// input, divided by that of k-means (K clusters) in the same subspace. It needs no labels and
/// no network, so it is the same yardstick for every restart of a run.
///
/// A restart that landed in a bad optimum can agree with another bad one (the same wrong split
/// in two networks), so agreement alone cannot reject both. The bad optima met so far split one
/// class along a minor direction of the input: their index is at most 0.59 of k-means's on the
/// 2,000-window sets, where every good restart reaches 0.78 or more (decision 0014, "Restarts
/// set aside"). A restart below `credibleShare` is set aside while another is not.
///
/// The subspace comes from block power iteration (`blockSize` vectors from a seeded Gaussian
/// start, `powerIterations` passes, then Rayleigh-Ritz in Double) on at most `sampleLimit`
/// windows drawn with the seed; the index does not depend on the basis chosen inside the
/// subspace. Products run through SGEMM on the calling thread; everything else is Double.
public struct InputSeparation: Sendable {
  /// Principal components kept.
  public static let dimension = 8
  /// Vectors iterated (oversampled, so the leading `dimension` converge quickly).
  public static let blockSize = 16
  /// Power-iteration passes: on the 2,000-window sets the index comes within 1.4e-4 of its
  /// value in scikit-learn's exact PCA subspace after 8 (2.3e-3 after 4).
  public static let powerIterations = 8
  /// Windows at most in the sample.
  public static let sampleLimit = 2000
  /// Bytes of window values at most in the sample (wide windows get a smaller sample).
  public static let sampleBytes = 64 << 20
  /// A restart whose share is below this is set aside while another is not: k-means on the
  /// input separates it at least 1.5 times better.
  public static let credibleShare = 2.0 / 3.0

  /// The windows of the source in the sample, ascending.
  public let sample: [Int]
  /// The windows in the source.
  public let windowCount: Int
  /// Sample rows x `components` coordinates in the leading principal subspace.
  let coordinates: [Double]
  /// Columns of `coordinates` (`dimension`, fewer for narrow or small inputs).
  public let components: Int
  /// The Calinski-Harabasz index of k-means in the subspace.
  public let reference: Double
  /// k-means's cluster of each sample row (empty when nothing was clustered): the input's own
  /// clusters, which `cluster` checks against the stations before training (decision 0020).
  public let sampleClusters: [Int]

  /// Projects a sample of `source` and runs k-means with `clusters` clusters on it.
  /// - Parameter maximumBytes: the sample's values at most (at least `clusters` windows are
  ///   read); a streamed set passes a share of its memory budget.
  /// - Throws: errors of reading the source, or `.tooFewPoints` when the source holds fewer
  ///   windows than clusters.
  public init(
    source: any WindowSource, clusters: Int, seed: UInt64, maximumBytes: Int = Self.sampleBytes
  ) throws {
    let width = source.windowSize
    let limit = max(clusters, min(Self.sampleLimit, maximumBytes / max(4 * width, 1)))
    var sample = Array(0..<source.count)
    if sample.count > limit {
      var generator = SeededGenerator(seed: seed ^ 0x5345_5041_5241_5445)
      sample.shuffle(using: &generator)
      sample = Array(sample[..<limit]).sorted()
    }
    // Read in runs of consecutive windows: a streamed source reads each run as one range,
    // without filling its block cache.
    var rows = [Float](repeating: 0, count: sample.count * width)
    try rows.withUnsafeMutableBufferPointer { buffer in
      var start = 0
      while start < sample.count {
        var end = start + 1
        while end < sample.count, sample[end] == sample[end - 1] + 1 { end += 1 }
        try source.copyWindows(
          at: sample[start..<end],
          into: UnsafeMutableBufferPointer(
            rebasing: buffer[(start * width)..<(end * width)]))
        start = end
      }
    }
    try self.init(
      centring: &rows, width: width, sample: sample, windowCount: source.count,
      clusters: clusters, seed: seed)
  }

  /// The same from rows already read: `rows` holds `sample.count x width` values, the windows
  /// `sample` of a source of `windowCount`.
  public init(
    rows: [Float], width: Int, sample: [Int], windowCount: Int, clusters: Int, seed: UInt64
  ) throws {
    var copy = rows
    try self.init(
      centring: &copy, width: width, sample: sample, windowCount: windowCount,
      clusters: clusters, seed: seed)
  }

  /// Centres `rows` in place (no second copy of the sample) and projects them.
  private init(
    centring rows: inout [Float], width: Int, sample: [Int], windowCount: Int, clusters: Int,
    seed: UInt64
  ) throws {
    guard width > 0, rows.count == sample.count * width else {
      throw ClusteringError.shapeMismatch(
        "\(rows.count) values for \(sample.count) windows of \(width)")
    }
    guard sample.count >= clusters else {
      throw ClusteringError.tooFewPoints(points: sample.count, clusters: clusters)
    }
    self.sample = sample
    self.windowCount = windowCount
    let projected = Self.principalCoordinates(
      &rows, count: sample.count, width: width, dimension: Self.dimension, seed: seed)
    coordinates = projected.coordinates
    components = projected.components
    if clusters < 2 || components == 0 {
      reference = 0
      sampleClusters = []
      return
    }
    let kmeans = try KMeans(clusterCount: clusters, seed: seed).fit(
      coordinates.map { Float($0) }, dimension: components)
    sampleClusters = kmeans.assignments
    reference = Self.calinskiHarabasz(
      coordinates, dimension: components, labels: kmeans.assignments)
  }

  /// The partition's index over k-means's, for `labels` of every window of the source (the
  /// sample's are read). 1 when there is nothing to compare (k-means finds no spread).
  public func share(of labels: [Int]) -> Double {
    precondition(labels.count == windowCount, "one label per window")
    guard reference > 0, reference.isFinite else { return 1 }
    let index = Self.calinskiHarabasz(
      coordinates, dimension: components, labels: sample.map { labels[$0] })
    return index / reference
  }

  // MARK: Stations within clusters

  /// Windows a station needs in a cluster to be compared there.
  public static let stationMinimumWindows = 10

  /// How much the stations' windows differ *within* a cluster, in the sample's principal
  /// coordinates: the share of station in the input's variance there, with every station
  /// weighing the same. When clusters follow stations, this tells the two causes apart. If
  /// the stations hold different mixes of event types, a cluster's windows look alike at
  /// every station (share near 0). If the stations differ in sensor or site response, the
  /// windows differ by station even inside a cluster (decision 0020).
  ///
  /// Per cluster, over its stations with at least `stationMinimumWindows` windows in the
  /// sample: B = the variance of the station means (over stations, each once) less its
  /// expected value from sampling alone (the mean of each station's variance over its count),
  /// W = the mean within-station variance; the cluster's share is max(B, 0) / (max(B, 0) + W).
  /// The clusters' shares are averaged, weighted by their windows in the sample. Negative
  /// labels (orphans) are left out. Computed in Double.
  /// - Returns: nil when no cluster has two stations to compare, or when the stations compared
  ///   hold fewer than half the sample's windows (many stations and clusters on a small set:
  ///   the few stations left would speak for all).
  ///   With 20 windows a station, generator B 300 clustered into K = 3 compared three stations
  ///   of one cluster, a third of the windows, and found them alike (0.0); with 10, 86 % of the
  ///   windows and 0.31.
  public func stationShare<Station: Hashable>(clusters: [Int], stations: [Station]) -> Double? {
    precondition(
      clusters.count == windowCount && stations.count == windowCount, "one label per window")
    let d = components
    guard d > 0 else { return nil }
    // Sample rows of each (cluster, station).
    // Stations numbered in order of appearance, so that sums run in the same order every time.
    var codes: [Station: Int] = [:]
    var groups: [Int: [Int: [Int]]] = [:]
    for (row, window) in sample.enumerated() where clusters[window] >= 0 {
      let code = codes[stations[window]] ?? codes.count
      codes[stations[window]] = code
      groups[clusters[window], default: [:]][code, default: []].append(row)
    }
    var weighted = 0.0
    var weight = 0.0
    var compared = 0
    var total = 0
    for cluster in groups.keys.sorted() {
      let byStation = groups[cluster]!
      var means: [[Double]] = []
      var variances: [Double] = []
      var sampling: [Double] = []
      var members = 0
      var qualifying = 0
      for code in byStation.keys.sorted() {
        let rows = byStation[code]!
        members += rows.count
        guard rows.count >= Self.stationMinimumWindows else { continue }
        qualifying += rows.count
        var mean = [Double](repeating: 0, count: d)
        for row in rows { for j in 0..<d { mean[j] += coordinates[row * d + j] } }
        for j in 0..<d { mean[j] /= Double(rows.count) }
        var squares = 0.0
        for row in rows {
          for j in 0..<d {
            let e = coordinates[row * d + j] - mean[j]
            squares += e * e
          }
        }
        let variance = squares / Double(rows.count - 1)
        means.append(mean)
        variances.append(variance)
        sampling.append(variance / Double(rows.count))
      }
      total += members
      let s = means.count
      guard s >= 2 else { continue }
      compared += qualifying
      var centre = [Double](repeating: 0, count: d)
      for mean in means { for j in 0..<d { centre[j] += mean[j] / Double(s) } }
      var between = 0.0
      for mean in means {
        for j in 0..<d {
          let e = mean[j] - centre[j]
          between += e * e
        }
      }
      between = max(0, between / Double(s - 1) - sampling.reduce(0, +) / Double(s))
      let within = variances.reduce(0, +) / Double(s)
      let share = between + within > 0 ? between / (between + within) : 0
      weighted += share * Double(members)
      weight += Double(members)
    }
    return weight > 0 && 2 * compared >= total ? weighted / weight : nil
  }

  // MARK: The index

  /// Calinski-Harabasz index of `labels` over `points` (rows of `dimension`), as scikit-learn's
  /// `calinski_harabasz_score`: between-cluster over within-cluster dispersion, each divided by
  /// its degrees of freedom, over the clusters present. 0 with fewer than two clusters present
  /// (no separation), 1 when every cluster is a single point repeated (scikit-learn's case).
  public static func calinskiHarabasz(_ points: [Double], dimension: Int, labels: [Int]) -> Double {
    let n = labels.count
    guard dimension > 0, points.count == n * dimension else { return 0 }
    var slot: [Int: Int] = [:]
    for label in labels where slot[label] == nil { slot[label] = slot.count }
    let k = slot.count
    guard k >= 2, n > k else { return 0 }
    var sums = [Double](repeating: 0, count: k * dimension)
    var sizes = [Int](repeating: 0, count: k)
    var mean = [Double](repeating: 0, count: dimension)
    for i in 0..<n {
      let c = slot[labels[i]]!
      sizes[c] += 1
      for j in 0..<dimension {
        sums[c * dimension + j] += points[i * dimension + j]
        mean[j] += points[i * dimension + j]
      }
    }
    for j in 0..<dimension { mean[j] /= Double(n) }
    var between = 0.0
    for c in 0..<k {
      for j in 0..<dimension {
        let d = sums[c * dimension + j] / Double(sizes[c]) - mean[j]
        between += Double(sizes[c]) * d * d
      }
    }
    var within = 0.0
    for i in 0..<n {
      let c = slot[labels[i]]!
      for j in 0..<dimension {
        let d = points[i * dimension + j] - sums[c * dimension + j] / Double(sizes[c])
        within += d * d
      }
    }
    guard within > 0 else { return 1 }
    return between * Double(n - k) / (within * Double(k - 1))
  }

  // MARK: The subspace

  /// The rows' coordinates (row-major, `count x components`) in their leading principal
  /// subspace of `components = min(dimension, count - 1, width)` axes; `rows` is centred in
  /// place.
  static func principalCoordinates(
    _ x: inout [Float], count: Int, width: Int, dimension: Int, seed: UInt64,
    iterations: Int = Self.powerIterations
  ) -> (coordinates: [Double], components: Int) {
    let components = max(0, min(dimension, count - 1, width))
    guard components > 0 else { return ([], 0) }
    let block = min(Self.blockSize, max(components, min(count - 1, width)))
    // Centre (the mean in Double).
    var mean = [Double](repeating: 0, count: width)
    for i in 0..<count { for j in 0..<width { mean[j] += Double(x[i * width + j]) } }
    for j in 0..<width { mean[j] /= Double(count) }
    for i in 0..<count { for j in 0..<width { x[i * width + j] -= Float(mean[j]) } }

    var generator = SeededGenerator(seed: seed ^ 0x5043_4120_5355_4253)
    var basis = (0..<(width * block)).map { _ in Float(generator.nextGaussian()) }
    orthonormalizeColumns(&basis, rows: width, columns: block)
    var scores = [Float](repeating: 0, count: count * block)
    for _ in 0..<iterations {
      multiply(x, basis, into: &scores, count: count, width: width, block: block)
      orthonormalizeColumns(&scores, rows: count, columns: block)
      multiply(x, scores, into: &basis, count: count, width: width, block: block, transposed: true)
      orthonormalizeColumns(&basis, rows: width, columns: block)
    }
    multiply(x, basis, into: &scores, count: count, width: width, block: block)
    // Rayleigh-Ritz: the eigenvectors of scores^T scores rotate the block onto the principal
    // axes; keep the leading `components`.
    var gram = [Double](repeating: 0, count: block * block)
    for i in 0..<count {
      for a in 0..<block {
        let sa = Double(scores[i * block + a])
        for b in a..<block { gram[a * block + b] += sa * Double(scores[i * block + b]) }
      }
    }
    for a in 0..<block { for b in 0..<a { gram[a * block + b] = gram[b * block + a] } }
    let vectors = leadingEigenvectors(gram, size: block, count: components)
    var coordinates = [Double](repeating: 0, count: count * components)
    for i in 0..<count {
      for c in 0..<components {
        var s = 0.0
        for a in 0..<block { s += Double(scores[i * block + a]) * vectors[a * components + c] }
        coordinates[i * components + c] = s
      }
    }
    return (coordinates, components)
  }

  /// `out = x * other` (`count x width` times `width x block`), or with `transposed`
  /// `out = x^T * other` (`width x count` times `count x block`).
  private static func multiply(
    _ x: [Float], _ other: [Float], into out: inout [Float], count: Int, width: Int, block: Int,
    transposed: Bool = false
  ) {
    x.withUnsafeBufferPointer { a in
      other.withUnsafeBufferPointer { b in
        out.withUnsafeMutableBufferPointer { c in
          BLAS.gemm(
            transposeA: transposed, transposeB: false, m: transposed ? width : count, n: block,
            k: transposed ? count : width, a: a.baseAddress!, lda: width, b: b.baseAddress!,
            ldb: block, beta: 0, c: c.baseAddress!, ldc: block)
        }
      }
    }
  }

  /// Modified Gram-Schmidt (twice, in Double) on the columns of a row-major `rows x columns`
  /// matrix; a column that loses all but 1e-6 of its length to the earlier ones (rank below
  /// `columns`: narrow or constant inputs) is left at zero.
  static func orthonormalizeColumns(_ m: inout [Float], rows: Int, columns: Int) {
    var q = [Double](repeating: 0, count: rows * columns)
    for i in 0..<(rows * columns) { q[i] = Double(m[i]) }
    for _ in 0..<2 {
      for c in 0..<columns {
        // A column that is (numerically) a combination of the earlier ones keeps only
        // rounding after the projection: zero it rather than blow rounding up to unit length.
        var before = 0.0
        for r in 0..<rows { before += q[r * columns + c] * q[r * columns + c] }
        for p in 0..<c {
          var dot = 0.0
          for r in 0..<rows { dot += q[r * columns + p] * q[r * columns + c] }
          for r in 0..<rows { q[r * columns + c] -= dot * q[r * columns + p] }
        }
        var norm = 0.0
        for r in 0..<rows { norm += q[r * columns + c] * q[r * columns + c] }
        norm = norm.squareRoot()
        let keep = norm > 1e-300 && norm > 1e-6 * before.squareRoot()
        for r in 0..<rows { q[r * columns + c] = keep ? q[r * columns + c] / norm : 0 }
      }
    }
    for i in 0..<(rows * columns) { m[i] = Float(q[i]) }
  }

  /// The eigenvectors of the symmetric `size x size` matrix with the `count` largest
  /// eigenvalues, as the columns of a `size x count` row-major matrix (cyclic Jacobi).
  static func leadingEigenvectors(_ matrix: [Double], size n: Int, count: Int) -> [Double] {
    var a = matrix
    var v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { v[i * n + i] = 1 }
    for _ in 0..<100 {
      var off = 0.0
      var scale = 0.0
      for p in 0..<n {
        scale += a[p * n + p] * a[p * n + p]
        for q in (p + 1)..<n { off += a[p * n + q] * a[p * n + q] }
      }
      if off <= 1e-30 * max(scale, 1e-300) { break }
      for p in 0..<n {
        for q in (p + 1)..<n where a[p * n + q] != 0 {
          let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
          let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
          let c = 1 / (t * t + 1).squareRoot()
          let s = t * c
          for k in 0..<n {
            let akp = a[k * n + p]
            let akq = a[k * n + q]
            a[k * n + p] = c * akp - s * akq
            a[k * n + q] = s * akp + c * akq
          }
          for k in 0..<n {
            let apk = a[p * n + k]
            let aqk = a[q * n + k]
            a[p * n + k] = c * apk - s * aqk
            a[q * n + k] = s * apk + c * aqk
          }
          for k in 0..<n {
            let vkp = v[k * n + p]
            let vkq = v[k * n + q]
            v[k * n + p] = c * vkp - s * vkq
            v[k * n + q] = s * vkp + c * vkq
          }
        }
      }
    }
    let order = (0..<n).sorted {
      a[$0 * n + $0] > a[$1 * n + $1] || (a[$0 * n + $0] == a[$1 * n + $1] && $0 < $1)
    }
    var out = [Double](repeating: 0, count: n * count)
    for (c, e) in order.prefix(count).enumerated() {
      for k in 0..<n { out[k * count + c] = v[k * n + e] }
    }
    return out
  }
}
