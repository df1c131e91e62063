import Foundation

/// The maths of deep embedded clustering (Xie, Girshick & Farhadi 2016), as used by Mousavi et
/// al. (2019): Student-t soft assignment, the sharpened target distribution, KL(P || Q) and its
/// exact gradients. Matrices are flat row-major `[Float]`: embeddings `N x D`, centroids `K x D`,
/// soft assignments and targets `N x K`. Everything accumulates in `Double`.
///
/// **Loss scale.** `loss` is the KL divergence *averaged over the rows of the batch*:
/// `KL = (1/N) sum_i sum_j p_ij log(p_ij / q_ij)`, i.e. the per-window KL, mean over windows
/// (Keras' `kld` as in the DEC reference code). This matches a reconstruction loss that is a mean
/// over the batch, so `L = (1 - lambda) L_r + lambda KL` weighs both per window and does not
/// change with the batch size. The gradients are of this mean (they carry the `1/N`).
public enum DEC {
  /// Student-t similarity of every embedding to every centroid, normalised per row:
  /// `q_ij = (1 + |z_i - mu_j|^2 / alpha)^(-(alpha + 1) / 2) / sum_j' (...)`.
  ///
  /// - Parameters:
  ///   - embeddings: `N x dimension`, row-major.
  ///   - centroids: `K x dimension`, row-major.
  ///   - alpha: degrees of freedom of the Student-t kernel (1 in DEC).
  /// - Returns: `N x K`; every row sums to 1.
  public static func softAssignment(
    embeddings: [Float], centroids: [Float], dimension: Int, alpha: Double = 1
  ) throws -> [Float] {
    let shape = try checkedShape(embeddings: embeddings, centroids: centroids, dimension: dimension)
    try checkAlpha(alpha)
    let z = embeddings.map(Double.init)
    let mu = centroids.map(Double.init)
    var q = [Double](repeating: 0, count: shape.count * shape.clusters)
    _ = logSoftAssignment(
      z: z, mu: mu, count: shape.count, clusterCount: shape.clusters, dimension: dimension,
      alpha: alpha, logQ: &q)
    return q.map { Float(exp($0)) }
  }

  /// The DEC target `p_ij = (q_ij^2 / f_j) / sum_j' (q_ij'^2 / f_j')`, `f_j = sum_i q_ij`:
  /// sharper than `q`, and it divides by the cluster frequency so large clusters do not swallow
  /// the others. Compute it on all windows, then hold it fixed between updates.
  ///
  /// - Parameter softAssignment: `q`, `N x clusterCount`.
  /// - Returns: `N x clusterCount`; every row sums to 1.
  public static func targetDistribution(softAssignment q: [Float], clusterCount: Int) throws
    -> [Float]
  {
    try constrainedTargetDistribution(
      softAssignment: q, clusterCount: clusterCount,
      fixedClasses: [Int?](repeating: nil, count: q.count / max(clusterCount, 1)))
  }

  /// The semi-supervised target: rows with a known class are the one-hot vector of that class;
  /// the other rows follow the sharpened `p` of `targetDistribution`. The cluster frequencies
  /// `f_j = sum_i q_ij` run over *all* rows, labelled ones included, so that the unlabelled rows
  /// see the same `p` they would without labels.
  ///
  /// - Parameters:
  ///   - softAssignment: `q`, `N x clusterCount`.
  ///   - fixedClasses: `N` entries; `nil` for an unlabelled row, else its class in
  ///     `0..<clusterCount`.
  /// - Throws: `.shapeMismatch` when the counts disagree, `.invalidArgument` for a class out of
  ///   range.
  public static func constrainedTargetDistribution(
    softAssignment q: [Float], clusterCount: Int, fixedClasses: [Int?]
  ) throws -> [Float] {
    guard clusterCount >= 1 else {
      throw ClusteringError.invalidArgument("cluster count \(clusterCount) must be at least 1")
    }
    let n = try rowCount(of: q, dimension: clusterCount, name: "soft assignment")
    guard fixedClasses.count == n else {
      throw ClusteringError.shapeMismatch(
        "\(fixedClasses.count) fixed classes for \(n) rows of soft assignment")
    }
    for case let c? in fixedClasses where c < 0 || c >= clusterCount {
      throw ClusteringError.invalidArgument("class \(c) is outside 0..<\(clusterCount)")
    }
    let k = clusterCount
    var frequency = [Double](repeating: 0, count: k)
    for i in 0..<n {
      for j in 0..<k { frequency[j] += Double(q[i * k + j]) }
    }
    var p = [Float](repeating: 0, count: n * k)
    var row = [Double](repeating: 0, count: k)
    for i in 0..<n {
      if let c = fixedClasses[i] {
        p[i * k + c] = 1
        continue
      }
      var total = 0.0
      for j in 0..<k {
        let v = Double(q[i * k + j])
        row[j] = frequency[j] > 0 ? v * v / frequency[j] : 0
        total += row[j]
      }
      for j in 0..<k { p[i * k + j] = Float(total > 0 ? row[j] / total : 1 / Double(k)) }
    }
    return p
  }

  /// `KL(P || Q)` averaged over rows: `(1/N) sum_i sum_j p_ij log(p_ij / q_ij)`, with
  /// `0 log 0 = 0` and `q` floored at `Float.leastNormalMagnitude`.
  public static func klDivergence(target p: [Float], softAssignment q: [Float], clusterCount: Int)
    throws -> Double
  {
    guard p.count == q.count else {
      throw ClusteringError.shapeMismatch(
        "target has \(p.count) values, soft assignment \(q.count)")
    }
    let n = try rowCount(of: q, dimension: clusterCount, name: "soft assignment")
    guard n > 0 else { return 0 }
    var total = 0.0
    for index in p.indices where p[index] > 0 {
      let pv = Double(p[index])
      let qv = Double(max(q[index], .leastNormalMagnitude))
      total += pv * (log(pv) - log(qv))
    }
    return total / Double(n)
  }

  /// The clustering loss of a batch and its exact gradients, the target `P` held constant.
  ///
  /// With `w_ij = (1 + |z_i - mu_j|^2 / alpha)^-1` and `s_i = sum_j p_ij` (1 for any target
  /// made here):
  /// - `dL/dz_i  =  (alpha + 1) / (alpha N) sum_j w_ij (p_ij - s_i q_ij) (z_i - mu_j)`
  /// - `dL/dmu_j = -(alpha + 1) / (alpha N) sum_i w_ij (p_ij - s_i q_ij) (z_i - mu_j)`
  ///
  /// - Parameters:
  ///   - embeddings: the batch's `z`, `N x dimension`.
  ///   - centroids: `mu`, `K x dimension`.
  ///   - target: the batch's rows of `P`, `N x K`.
  ///   - alpha: Student-t degrees of freedom (1 in DEC).
  public static func loss(
    embeddings: [Float], centroids: [Float], target: [Float], dimension: Int, alpha: Double = 1
  ) throws -> DECLoss {
    let shape = try checkedShape(embeddings: embeddings, centroids: centroids, dimension: dimension)
    try checkAlpha(alpha)
    guard target.count == shape.count * shape.clusters else {
      throw ClusteringError.shapeMismatch(
        "target has \(target.count) values, expected \(shape.count) x \(shape.clusters)")
    }
    let result = lossAndGradients(
      z: embeddings.map(Double.init), mu: centroids.map(Double.init),
      p: target.map(Double.init), dimension: dimension, alpha: alpha)
    return DECLoss(
      value: result.loss, softAssignment: result.q.map { Float($0) },
      embeddingGradient: result.gradZ.map { Float($0) },
      centroidGradient: result.gradMu.map { Float($0) })
  }

  /// Hard labels: the column of the largest `q` in each row (ties: the lowest index).
  public static func assignments(softAssignment q: [Float], clusterCount: Int) throws -> [Int] {
    let n = try rowCount(of: q, dimension: clusterCount, name: "soft assignment")
    var labels = [Int](repeating: 0, count: n)
    for i in 0..<n {
      var best = 0
      for j in 1..<clusterCount where q[i * clusterCount + j] > q[i * clusterCount + best] {
        best = j
      }
      labels[i] = best
    }
    return labels
  }

  /// Share of rows whose label differs between two updates (DEC's stopping criterion `tol`).
  /// Zero for empty label vectors.
  public static func labelChangeFraction(previous: [Int], current: [Int]) throws -> Double {
    guard previous.count == current.count else {
      throw ClusteringError.shapeMismatch(
        "\(previous.count) previous labels, \(current.count) current labels")
    }
    guard !current.isEmpty else { return 0 }
    var changed = 0
    for i in current.indices where current[i] != previous[i] { changed += 1 }
    return Double(changed) / Double(current.count)
  }

  /// Euclidean distance of every embedding to every centroid, `N x K` row-major (for storing each
  /// window's distance to its centroid).
  public static func distances(embeddings: [Float], centroids: [Float], dimension: Int) throws
    -> [Float]
  {
    let shape = try checkedShape(embeddings: embeddings, centroids: centroids, dimension: dimension)
    let z = embeddings.map(Double.init)
    let mu = centroids.map(Double.init)
    var result = [Float](repeating: 0, count: shape.count * shape.clusters)
    var d2 = [Double](repeating: 0, count: shape.count * shape.clusters)
    squaredDistances(
      z: z, mu: mu, count: shape.count, clusterCount: shape.clusters, dimension: dimension,
      into: &d2)
    for index in d2.indices { result[index] = Float(d2[index].squareRoot()) }
    return result
  }
}

/// The DEC clustering loss of a batch with its gradients (see `DEC.loss`).
public struct DECLoss: Sendable, Equatable {
  /// `KL(P || Q)`, mean over the batch's rows.
  public var value: Double
  /// `q`, `N x K`.
  public var softAssignment: [Float]
  /// `dL/dz`, `N x D`: feed it back through the encoder (times lambda).
  public var embeddingGradient: [Float]
  /// `dL/dmu`, `K x D`: the centroids' gradient for the optimiser (times lambda).
  public var centroidGradient: [Float]
}

// MARK: - Implementation (Double)

extension DEC {
  static func checkedShape(embeddings: [Float], centroids: [Float], dimension: Int) throws -> (
    count: Int, clusters: Int
  ) {
    let n = try rowCount(of: embeddings, dimension: dimension, name: "embeddings")
    let k = try rowCount(of: centroids, dimension: dimension, name: "centroids")
    guard k >= 1 else { throw ClusteringError.invalidArgument("no centroids") }
    guard embeddings.allSatisfy({ $0.isFinite }) else {
      throw ClusteringError.nonFinite("embeddings")
    }
    guard centroids.allSatisfy({ $0.isFinite }) else {
      throw ClusteringError.nonFinite("centroids")
    }
    return (n, k)
  }

  static func checkAlpha(_ alpha: Double) throws {
    guard alpha > 0, alpha.isFinite else {
      throw ClusteringError.invalidArgument("alpha \(alpha) must be positive and finite")
    }
  }

  /// `|z_i - mu_j|^2` into `out` (`count x clusterCount`).
  static func squaredDistances(
    z: [Double], mu: [Double], count: Int, clusterCount: Int, dimension: Int,
    into out: inout [Double]
  ) {
    z.withUnsafeBufferPointer { zb in
      mu.withUnsafeBufferPointer { mb in
        out.withUnsafeMutableBufferPointer { ob in
          for i in 0..<count {
            let row = i * dimension
            for j in 0..<clusterCount {
              let centre = j * dimension
              var s = 0.0
              for d in 0..<dimension {
                let e = zb[row + d] - mb[centre + d]
                s += e * e
              }
              ob[i * clusterCount + j] = s
            }
          }
        }
      }
    }
  }

  /// `log q` into `logQ` by a stable log-sum-exp; returns `|z_i - mu_j|^2`.
  static func logSoftAssignment(
    z: [Double], mu: [Double], count: Int, clusterCount k: Int, dimension: Int, alpha: Double,
    logQ: inout [Double]
  ) -> [Double] {
    var d2 = [Double](repeating: 0, count: count * k)
    squaredDistances(z: z, mu: mu, count: count, clusterCount: k, dimension: dimension, into: &d2)
    let exponent = -(alpha + 1) / 2
    for i in 0..<count {
      var largest = -Double.infinity
      for j in 0..<k {
        let v = exponent * log1p(d2[i * k + j] / alpha)
        logQ[i * k + j] = v
        largest = max(largest, v)
      }
      var total = 0.0
      for j in 0..<k { total += exp(logQ[i * k + j] - largest) }
      let logTotal = largest + log(total)
      for j in 0..<k { logQ[i * k + j] -= logTotal }
    }
    return d2
  }

  /// The loss, `q`, and both gradients, all in `Double` (also the reference for the tests'
  /// central differences).
  static func lossAndGradients(
    z: [Double], mu: [Double], p: [Double], dimension: Int, alpha: Double
  ) -> (loss: Double, q: [Double], gradZ: [Double], gradMu: [Double]) {
    let n = z.count / dimension
    let k = mu.count / dimension
    var logQ = [Double](repeating: 0, count: n * k)
    let d2 = logSoftAssignment(
      z: z, mu: mu, count: n, clusterCount: k, dimension: dimension, alpha: alpha, logQ: &logQ)
    var q = [Double](repeating: 0, count: n * k)
    var gradZ = [Double](repeating: 0, count: n * dimension)
    var gradMu = [Double](repeating: 0, count: k * dimension)
    guard n > 0 else { return (0, q, gradZ, gradMu) }
    var loss = 0.0
    let scale = (alpha + 1) / (alpha * Double(n))
    for i in 0..<n {
      var rowSum = 0.0
      for j in 0..<k {
        let index = i * k + j
        q[index] = exp(logQ[index])
        rowSum += p[index]
        if p[index] > 0 { loss += p[index] * (log(p[index]) - logQ[index]) }
      }
      let row = i * dimension
      for j in 0..<k {
        let index = i * k + j
        let w = 1 / (1 + d2[index] / alpha)
        let g = scale * w * (p[index] - rowSum * q[index])
        let centre = j * dimension
        for d in 0..<dimension {
          let diff = g * (z[row + d] - mu[centre + d])
          gradZ[row + d] += diff
          gradMu[centre + d] -= diff
        }
      }
    }
    return (loss / Double(n), q, gradZ, gradMu)
  }
}
