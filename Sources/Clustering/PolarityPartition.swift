import Foundation
import Numerics

/// First-motion polarity without labels: splits one-component windows around their picks into
/// "up" and "down" (decision 0019).
///
/// Per station, every pair of windows is compared by the signed correlation of a short segment
/// around the pick, at the lag (within `maxLag`) where the correlation is largest in magnitude:
/// the sign says whether the two have the same polarity, the lag absorbs pick jitter. The
/// leading eigenvector of that symmetric matrix splits the station's windows by its signs
/// (a spectral partition). One vote per station then says which side is up: the side whose
/// windows' first motion (the sum of the first samples after the pick minus those before) is
/// mostly positive. Deterministic; stations are never mixed, since waveform shapes differ
/// between stations more than polarities do.
public struct PolarityPartition: Sendable {
  /// Sample offset of the segment's start from the pick (negative: before it).
  public var segmentStart: Int
  /// Samples in the segment.
  public var segmentLength: Int
  /// Largest lag tried, in samples, each way.
  public var maxLag: Int
  /// Samples after (and before) the pick in the first-motion vote.
  public var voteSamples: Int
  /// Stations with more windows are partitioned on a seeded sample of this many references;
  /// every other window takes the side it correlates with (memory: references squared).
  public var maxReferences: Int

  /// Segment, lags and vote in seconds, turned into samples at `samplingRate`: by default
  /// 0.16 s centred on the pick, lags of up to 0.04 s, a vote over 0.03 s (at 100 Hz: 16
  /// samples, 4, 3).
  public init(
    samplingRate: Double, segment: Double = 0.16, maxLag: Double = 0.04, vote: Double = 0.03,
    maxReferences: Int = 2048
  ) {
    let half = max(1, Int((segment / 2 * samplingRate).rounded()))
    segmentStart = -half
    segmentLength = 2 * half
    self.maxLag = max(0, Int((maxLag * samplingRate).rounded()))
    voteSamples = max(1, Int((vote * samplingRate).rounded()))
    self.maxReferences = maxReferences
  }

  /// The samples a window needs before and after its pick.
  public var samplesBefore: Int { max(maxLag - segmentStart, voteSamples) }
  public var samplesAfter: Int { max(segmentStart + segmentLength + maxLag, voteSamples) }

  /// The side of every window: 0 up, 1 down. `windows` holds `count` windows of `length`
  /// samples (one component), the pick at sample `pick`; `stations` gives each window's
  /// station (any integer id).
  ///
  /// The correlations are split over `workers` threads (the labels do not depend on how many);
  /// `progress` hears the windows partitioned so far, station by station and, at stations of
  /// more than `maxReferences` windows, as the others take their sides.
  public func labels(
    windows: [Float], count: Int, length: Int, pick: Int, stations: [Int], seed: UInt64 = 0,
    workers: Int = ProcessInfo.processInfo.activeProcessorCount,
    progress: (@Sendable (_ done: Int) -> Void)? = nil
  ) throws -> [Int] {
    guard windows.count == count * length, stations.count == count else {
      throw ClusteringError.shapeMismatch(
        "\(windows.count) samples for \(count) windows of \(length); \(stations.count) stations")
    }
    guard pick - samplesBefore >= 0, pick + samplesAfter <= length else {
      throw ClusteringError.invalidArgument(
        "polarity needs \(samplesBefore) samples before the pick and \(samplesAfter) after; the windows have \(pick) and \(length - pick)"
      )
    }
    var labels = [Int](repeating: 0, count: count)
    var members: [Int: [Int]] = [:]
    for (i, s) in stations.enumerated() { members[s, default: []].append(i) }
    var done = 0
    for station in members.keys.sorted() {
      let indices = members[station]!
      let before = done
      var stationProgress: (@Sendable (Int) -> Void)? = nil
      if let progress { stationProgress = { progress(before + $0) } }
      let sides = try partition(
        indices, windows: windows, length: length, pick: pick, seed: seed, workers: workers,
        progress: stationProgress)
      done += indices.count
      progress?(done)
      // One vote per station: the side whose first motions are mostly positive is up.
      var vote = 0.0
      for (k, i) in indices.enumerated() {
        vote += sides[k] * firstMotion(windows, window: i, length: length, pick: pick)
      }
      let up: Double = vote >= 0 ? 1 : -1
      for (k, i) in indices.enumerated() { labels[i] = sides[k] * up > 0 ? 0 : 1 }
    }
    return labels
  }

  /// The first motion of one window: the sum of `voteSamples` samples from the pick on, minus
  /// the sum of as many before it.
  func firstMotion(_ windows: [Float], window i: Int, length: Int, pick: Int) -> Double {
    var s = 0.0
    for k in 0..<voteSamples {
      s += Double(windows[i * length + pick + k]) - Double(windows[i * length + pick - 1 - k])
    }
    return s
  }

  /// Unit-norm segments of every window in `indices`, at every lag: `[lag][window][sample]`
  /// flattened, lags `-maxLag...maxLag`.
  func segments(_ indices: [Int], windows: [Float], length: Int, pick: Int) -> [Double] {
    let n = indices.count
    let w = segmentLength
    let lags = 2 * maxLag + 1
    var out = [Double](repeating: 0, count: lags * n * w)
    for l in 0..<lags {
      let start = pick + segmentStart + l - maxLag
      for (k, i) in indices.enumerated() {
        let base = (l * n + k) * w
        var norm = 0.0
        for t in 0..<w {
          let v = Double(windows[i * length + start + t])
          out[base + t] = v
          norm += v * v
        }
        let scale = norm > 0 ? 1 / norm.squareRoot() : 0
        for t in 0..<w { out[base + t] *= scale }
      }
    }
    return out
  }

  /// +1 or -1 for every window of one station. `progress` hears how many of the station's
  /// windows have taken their side, while the others follow the references.
  func partition(
    _ indices: [Int], windows: [Float], length: Int, pick: Int, seed: UInt64, workers: Int = 1,
    progress: (@Sendable (Int) -> Void)? = nil
  ) throws -> [Double] {
    let n = indices.count
    guard n > 1 else { return Array(repeating: 1, count: n) }
    let segs = segments(indices, windows: windows, length: length, pick: pick)
    let w = segmentLength
    let lags = 2 * maxLag + 1
    // References: all windows, or a seeded sample of `maxReferences` (kept in order).
    var sample = Array(0..<n)
    if n > maxReferences {
      var generator = SeededGenerator(seed: seed)
      sample = Array(sample.shuffled(using: &generator).prefix(maxReferences)).sorted()
    }
    let references = sample
    let m = references.count
    // Signed correlation at the lag of largest magnitude: window i at lag 0 against window j
    // at every lag.
    let maxLag = maxLag
    @Sendable func correlation(_ i: Int, _ j: Int) -> Double {
      var best = 0.0
      segs.withUnsafeBufferPointer { s in
        let a = s.baseAddress! + (maxLag * n + i) * w
        for l in 0..<lags {
          let b = s.baseAddress! + (l * n + j) * w
          var c = 0.0
          for t in 0..<w { c += a[t] * b[t] }
          if abs(c) > abs(best) { best = c }
        }
      }
      return best
    }
    // Row a holds m - a entries: rows are dealt out round-robin, so each worker gets long and
    // short ones. Every entry is computed alone, so the matrix does not depend on the workers.
    var matrix = [Double](repeating: 0, count: m * m)
    matrix.withUnsafeMutableBufferPointer { out in
      let shared = UncheckedSendable(out)
      DeterministicParallel.run(taskCount: m, workerCount: workers) { a, _ in
        let out = shared.value
        for b in a..<m {
          let c =
            a == b
            ? correlation(references[a], references[a])
            : 0.5
              * (correlation(references[a], references[b])
                + correlation(references[b], references[a]))
          out[a * m + b] = c
          out[b * m + a] = c
        }
      }
    }
    let vector = Self.leadingEigenvector(matrix, size: m)
    var sides = [Double](repeating: 0, count: n)
    if m == n {
      for k in 0..<n { sides[k] = vector[k] >= 0 ? 1 : -1 }
    } else {
      // Every window takes the side of its correlation with the references, weighted by their
      // eigenvector entries (one power step from the references' partition); in chunks, each
      // window alone, with progress after every chunk.
      let chunks = DeterministicParallel.ranges(count: n, parts: max(1, n / 256))
      let counter = ProgressCounter()
      sides.withUnsafeMutableBufferPointer { out in
        let shared = UncheckedSendable(out)
        DeterministicParallel.run(taskCount: chunks.count, workerCount: workers) { task, _ in
          let out = shared.value
          for k in chunks[task] {
            var s = 0.0
            for (r, ref) in references.enumerated() { s += vector[r] * correlation(k, ref) }
            out[k] = s >= 0 ? 1 : -1
          }
          if let progress { counter.add(chunks[task].count, then: progress) }
        }
      }
    }
    return sides
  }

  /// The eigenvector of the symmetric `matrix` (`size` x `size`) with the largest eigenvalue,
  /// by power iteration on the matrix shifted to be positive semi-definite (Gershgorin), from a
  /// fixed start, until it settles or its signs have settled; its sign is fixed so that its
  /// first nonzero entry is positive.
  static func leadingEigenvector(_ matrix: [Double], size n: Int, iterations: Int = 5000)
    -> [Double]
  {
    var shift = 0.0
    for i in 0..<n {
      var off = 0.0
      for j in 0..<n where j != i { off += abs(matrix[i * n + j]) }
      shift = max(shift, off - matrix[i * n + i])
    }
    var v = [Double](repeating: 1 / Double(n).squareRoot(), count: n)
    // A start orthogonal to the leading vector is unlikely but possible: perturb it
    // deterministically.
    for i in 0..<n { v[i] += 1e-3 * Double(i % 7) / Double(n) }
    var next = [Double](repeating: 0, count: n)
    // Only the signs are used: once they have held for 200 iterations while the vector still
    // moves by less than 1e-5, it stops (a station with no clear polarity converges slowly).
    var stable = 0
    for _ in 0..<iterations {
      matrix.withUnsafeBufferPointer { a in
        v.withUnsafeBufferPointer { x in
          next.withUnsafeMutableBufferPointer { y in
            BLAS.gemv(m: n, n: n, a: a.baseAddress!, x: x.baseAddress!, y: y.baseAddress!)
          }
        }
      }
      for i in 0..<n { next[i] += shift * v[i] }
      let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
      guard norm > 0 else { break }
      var change = 0.0
      var flipped = false
      for i in 0..<n {
        let value = next[i] / norm
        change = max(change, abs(value - v[i]))
        if (value >= 0) != (v[i] >= 0) { flipped = true }
        v[i] = value
      }
      stable = flipped ? 0 : stable + 1
      if change < 1e-10 || (stable >= 200 && change < 1e-5) { break }
    }
    if let first = v.first(where: { $0 != 0 }), first < 0 { v = v.map { -$0 } }
    return v
  }
}

/// Windows done so far, added to from several workers.
private final class ProgressCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var total = 0

  /// Adds `count` and hands the new total to `report`, under the lock: reports never go
  /// backwards.
  func add(_ count: Int, then report: (Int) -> Void) {
    lock.lock()
    defer { lock.unlock() }
    total += count
    report(total)
  }
}
