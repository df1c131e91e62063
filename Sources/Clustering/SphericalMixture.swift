import Foundation

/// A Gaussian mixture with one variance per component (scikit-learn's
/// `GaussianMixture(covariance_type="spherical")`), fitted by expectation-maximisation from a
/// hard partition. DEC's centroids start at its means, and its target P comes from its
/// responsibilities (decision 0022): k-means and the Student-t q assume clusters of equal
/// spread and cut a broad cluster through where it meets a compact one; the mixture lets each
/// cluster keep its own spread.
///
/// Points are a flat row-major `[Float]` of `count x dimension` values; every sum is in
/// `Double`. The fit has no randomness: it depends only on the points and the start.
public struct SphericalMixture: Sendable, Equatable {
  /// Component means, `clusterCount x dimension`, row-major.
  public var means: [Double]
  /// One variance per component (per coordinate), `regularization` included.
  public var variances: [Double]
  /// Mixing weights, summing to 1.
  public var weights: [Double]
  /// The last E step's responsibilities, `count x clusterCount`, row-major.
  public var responsibilities: [Double]
  /// Mean log-likelihood per point at the last E step.
  public var logLikelihood: Double
  /// EM iterations run (one M step and one E step each).
  public var iterations: Int

  /// Fits the mixture, starting with an M step on the hard partition `start`.
  ///
  /// - Parameters:
  ///   - points: `count x dimension`, row-major.
  ///   - start: each point's component in `0..<clusterCount`.
  ///   - maximumIterations: EM iterations at most.
  ///   - tolerance: stop when the mean log-likelihood per point changes by less (scikit-learn's
  ///     `tol` on the same quantity).
  ///   - regularization: added to every variance (scikit-learn's `reg_covar`).
  /// - Throws: `.shapeMismatch` for a ragged matrix or a start of the wrong length,
  ///   `.invalidArgument` for a component out of range or one the start leaves empty,
  ///   `.nonFinite` when the points or the fit are not finite.
  public static func fit(
    points: [Float], dimension: Int, start: [Int], clusterCount: Int,
    maximumIterations: Int = 300, tolerance: Double = 1e-7, regularization: Double = 1e-6
  ) throws -> SphericalMixture {
    let n = try rowCount(of: points, dimension: dimension, name: "points")
    let d = dimension
    let k = clusterCount
    guard k >= 1, maximumIterations >= 1, tolerance >= 0, regularization > 0 else {
      throw ClusteringError.invalidArgument(
        "mixture of \(k) components, \(maximumIterations) iterations, tolerance \(tolerance),"
          + " regularization \(regularization)")
    }
    guard start.count == n else {
      throw ClusteringError.shapeMismatch("\(start.count) start components for \(n) points")
    }
    var r = [Double](repeating: 0, count: n * k)
    var members = [Int](repeating: 0, count: k)
    for i in 0..<n {
      guard start[i] >= 0, start[i] < k else {
        throw ClusteringError.invalidArgument("start component \(start[i]) is outside 0..<\(k)")
      }
      r[i * k + start[i]] = 1
      members[start[i]] += 1
    }
    if let empty = members.firstIndex(of: 0) {
      throw ClusteringError.invalidArgument("start component \(empty) has no point")
    }
    guard points.allSatisfy({ $0.isFinite }) else { throw ClusteringError.nonFinite("points") }

    var means = [Double](repeating: 0, count: k * d)
    var variances = [Double](repeating: 1, count: k)
    var weights = [Double](repeating: 1 / Double(k), count: k)
    var previous = -Double.infinity
    var logLikelihood = -Double.infinity
    var iteration = 0
    var row = [Double](repeating: 0, count: k)
    var constant = [Double](repeating: 0, count: k)
    try points.withUnsafeBufferPointer { points in
      while iteration < maximumIterations {
        // M step: weighted means, then the mean squared distance per coordinate.
        for j in 0..<k {
          var total = 0.0
          for t in 0..<d { means[j * d + t] = 0 }
          for i in 0..<n {
            let w = r[i * k + j]
            total += w
            for t in 0..<d { means[j * d + t] += w * Double(points[i * d + t]) }
          }
          let safe = max(total, 1e-12)
          for t in 0..<d { means[j * d + t] /= safe }
          var spread = 0.0
          for i in 0..<n {
            var distance = 0.0
            for t in 0..<d {
              let e = Double(points[i * d + t]) - means[j * d + t]
              distance += e * e
            }
            spread += r[i * k + j] * distance
          }
          variances[j] = spread / (Double(d) * safe) + regularization
          weights[j] = total / Double(n)
        }
        // E step: log-responsibilities, normalised by log-sum-exp; each component's log weight
        // and log normaliser once per iteration.
        for j in 0..<k {
          constant[j] =
            log(max(weights[j], 1e-300)) - 0.5 * Double(d) * log(2 * Double.pi * variances[j])
        }
        logLikelihood = 0
        for i in 0..<n {
          var top = -Double.infinity
          for j in 0..<k {
            var distance = 0.0
            for t in 0..<d {
              let e = Double(points[i * d + t]) - means[j * d + t]
              distance += e * e
            }
            row[j] = constant[j] - 0.5 * distance / variances[j]
            top = max(top, row[j])
          }
          var total = 0.0
          for j in 0..<k { total += exp(row[j] - top) }
          let normaliser = top + log(total)
          logLikelihood += normaliser
          for j in 0..<k { r[i * k + j] = exp(row[j] - normaliser) }
        }
        logLikelihood /= Double(n)
        iteration += 1
        guard logLikelihood.isFinite else { throw ClusteringError.nonFinite("the mixture's fit") }
        if abs(logLikelihood - previous) < tolerance { break }
        previous = logLikelihood
      }
    }
    return SphericalMixture(
      means: means, variances: variances, weights: weights, responsibilities: r,
      logLikelihood: logLikelihood, iterations: iteration)
  }

  /// DEC's target from the embedding (decision 0022): the spherical mixture fitted on the
  /// current `embeddings` from the hard labels of `q`, its responsibilities sharpened as DEC
  /// sharpens `q` (`DEC.targetDistribution`). Where the mixture cannot stand for K clusters (a
  /// label held by fewer than two rows, a component left with less than two rows' weight, a
  /// fit that is not finite), the target is DEC's own, from `q`.
  ///
  /// - Parameters:
  ///   - embeddings: `N x dimension`, row-major.
  ///   - softAssignment: `q`, `N x clusterCount`.
  public static func targetDistribution(
    embeddings: [Float], softAssignment q: [Float], dimension: Int, clusterCount: Int
  ) throws -> [Float] {
    let n = try rowCount(of: embeddings, dimension: dimension, name: "embeddings")
    let labels = try DEC.assignments(softAssignment: q, clusterCount: clusterCount)
    guard labels.count == n else {
      throw ClusteringError.shapeMismatch("\(labels.count) rows of q for \(n) embeddings")
    }
    var members = [Int](repeating: 0, count: clusterCount)
    for label in labels { members[label] += 1 }
    if members.allSatisfy({ $0 >= 2 }),
      let mixture = try? fit(
        points: embeddings, dimension: dimension, start: labels, clusterCount: clusterCount),
      mixture.weights.allSatisfy({ $0 * Double(n) >= 2 })
    {
      return try DEC.targetDistribution(
        softAssignment: mixture.responsibilities.map { Float($0) }, clusterCount: clusterCount)
    }
    return try DEC.targetDistribution(softAssignment: q, clusterCount: clusterCount)
  }

  /// DEC's starting centroids (`clusterCount x dimension`, row-major): the means of the
  /// mixture fitted from the nearest-centroid partition of `centroids`. Where the mixture
  /// cannot stand for K clusters (a start or fitted component with fewer than two points'
  /// weight, or a fit that is not finite), `centroids` come back unchanged.
  public static func refinedCentroids(
    points: [Float], dimension: Int, centroids: [Float], clusterCount: Int
  ) throws -> [Float] {
    let n = try rowCount(of: points, dimension: dimension, name: "points")
    let d = dimension
    let k = clusterCount
    guard centroids.count == k * d else {
      throw ClusteringError.shapeMismatch("\(centroids.count) centroid values for \(k) x \(d)")
    }
    var start = [Int](repeating: 0, count: n)
    var members = [Int](repeating: 0, count: k)
    for i in 0..<n {
      var best = (distance: Float.infinity, cluster: 0)
      for j in 0..<k {
        var distance: Float = 0
        for t in 0..<d {
          let e = points[i * d + t] - centroids[j * d + t]
          distance += e * e
        }
        if distance < best.distance { best = (distance, j) }
      }
      start[i] = best.cluster
      members[best.cluster] += 1
    }
    guard members.allSatisfy({ $0 >= 2 }) else { return centroids }
    let mixture: SphericalMixture
    do {
      mixture = try fit(points: points, dimension: d, start: start, clusterCount: k)
    } catch ClusteringError.nonFinite {
      return centroids
    }
    guard mixture.weights.allSatisfy({ $0 * Double(n) >= 2 }) else { return centroids }
    return mixture.means.map { Float($0) }
  }
}
