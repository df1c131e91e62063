/// The leading principal components of a set of points, found by power iteration with
/// deflation on the D x D covariance matrix (D is the latent size: small).
struct PrincipalComponents {
  /// Unit axes, largest variance first; each made to point so its largest entry is positive.
  var axes: [[Double]]
  /// The variance along each axis (eigenvalues of the covariance, divisor n - 1).
  var variances: [Double]
  /// The mean that is subtracted before projecting.
  var mean: [Double]
  /// The total variance (trace of the covariance).
  var totalVariance: Double

  /// PCA of `points` (n rows of d values), keeping `count` components.
  init(points: [[Double]], count: Int = 2, iterations: Int = 500) {
    let n = points.count
    let d = points.first?.count ?? 0
    mean = [Double](repeating: 0, count: d)
    for p in points { for j in 0..<d { mean[j] += p[j] / Double(max(n, 1)) } }
    var covariance = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
    for p in points {
      for a in 0..<d {
        let da = p[a] - mean[a]
        for b in a..<d { covariance[a][b] += da * (p[b] - mean[b]) }
      }
    }
    let divisor = Double(max(n - 1, 1))
    for a in 0..<d {
      for b in a..<d {
        covariance[a][b] /= divisor
        covariance[b][a] = covariance[a][b]
      }
    }
    totalVariance = (0..<d).reduce(0) { $0 + covariance[$1][$1] }
    axes = []
    variances = []
    for k in 0..<min(count, d) {
      // Start from a fixed vector not orthogonal to most axes; iterate v <- C v / |C v|.
      var v = (0..<d).map { 1.0 + 0.1 * Double(($0 + k) % 7) }
      var lambda = 0.0
      for _ in 0..<iterations {
        var w = [Double](repeating: 0, count: d)
        for a in 0..<d { for b in 0..<d { w[a] += covariance[a][b] * v[b] } }
        let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 1e-300 else {
          lambda = 0
          break
        }
        let next = w.map { $0 / norm }
        let change = zip(next, v).reduce(0) { $0 + abs($1.0 - $1.1) }
        v = next
        lambda = norm
        if change < 1e-12 { break }
      }
      if let biggest = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) }), v[biggest] < 0 {
        v = v.map { -$0 }
      }
      axes.append(v)
      variances.append(lambda)
      // Deflate: C <- C - lambda v v^T.
      for a in 0..<d { for b in 0..<d { covariance[a][b] -= lambda * v[a] * v[b] } }
    }
  }

  /// The coordinates of `point` along the axes.
  func project(_ point: [Double]) -> [Double] {
    axes.map { axis in
      var s = 0.0
      for j in axis.indices { s += (point[j] - mean[j]) * axis[j] }
      return s
    }
  }
}
