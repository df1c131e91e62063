import Numerics

/// Waveform similarity as REDPy measures it, turned into a network input: each window becomes
/// its *correlation profile*, the peak normalised cross-correlation (over every lag) between the
/// window and each of a fixed list of reference windows, averaged over the components.
///
/// Members of one repeating-earthquake family correlate highly with the same references and
/// weakly with the rest, so their profiles are nearly the same vector; spectrograms cannot tell
/// such families apart when their spectra agree (docs/decisions/0018-correlation-input.md).
/// The references are ordered by average-linkage (UPGMA) leaf order, so that similar references
/// are neighbours and a profile is a smooth, blocky sequence a convolution can read.
///
/// The correlation of windows `x` and `y` is
/// `max over lags l of (1/C') * sum_c sum_t x_c[t] y_c[t + l] / (|x_c| |y_c|)`, with linear (not
/// circular) lags `-(L - 1) ... L - 1`, the sum and `C'` over the components live (with energy)
/// in both windows, so a dead channel at a station does not cap every correlation; 0 when no
/// component is live in both. Computed with FFTs of at least `2L - 1` points in Double.
public struct CorrelationProfiles {
  /// Components per window.
  public let channels: Int
  /// Samples per component.
  public let length: Int
  /// The FFT length: the smallest 5-smooth number (2^a 3^b 5^c, fast in FFTW) at least
  /// `2 * length - 1`, so every linear lag fits without wrapping.
  public let transformLength: Int
  /// Normalised spectra of the references, `references x channels x 2 * bins` interleaved.
  private let referenceSpectra: [Double]
  /// Number of references (the profile's length).
  public let referenceCount: Int
  /// Whether each component of each reference has energy (`references x channels`).
  private let referenceLive: [Bool]

  /// Prepares correlation against `referenceCount` windows held in `references`
  /// (`referenceCount x channels x length` float32, C order).
  public init(
    references: UnsafeBufferPointer<Float>, referenceCount: Int, channels: Int, length: Int
  ) throws {
    guard referenceCount > 0, channels > 0, length > 0,
      references.count >= referenceCount * channels * length
    else {
      throw ClusteringError.shapeMismatch(
        "\(references.count) values for \(referenceCount) references of \(channels) x \(length)")
    }
    self.channels = channels
    self.length = length
    self.referenceCount = referenceCount
    let n = Self.smoothLength(atLeast: 2 * length - 1)
    transformLength = n
    let fft = RealFFT.plan(count: n)
    let stride = channels * 2 * fft.binCount
    var spectra = [Double](repeating: 0, count: referenceCount * stride)
    var live: [Bool] = []
    let input = AlignedDoubles(count: n)
    let output = AlignedDoubles(count: 2 * fft.binCount)
    spectra.withUnsafeMutableBufferPointer { out in
      for r in 0..<referenceCount {
        live += Self.normalisedSpectra(
          of: UnsafeBufferPointer(rebasing: references[(r * channels * length)...]),
          channels: channels, length: length, fft: fft, input: input, output: output,
          into: UnsafeMutableBufferPointer(rebasing: out[(r * stride)..<((r + 1) * stride)]))
      }
    }
    referenceSpectra = spectra
    referenceLive = live
  }

  /// Writes the spectrum of each component of one window, divided by the component's norm
  /// (zero for a silent component), into `into` (`channels x 2 * bins`); returns which
  /// components have energy.
  @discardableResult
  private static func normalisedSpectra(
    of window: UnsafeBufferPointer<Float>, channels: Int, length: Int, fft: RealFFT,
    input: AlignedDoubles, output: AlignedDoubles, into: UnsafeMutableBufferPointer<Double>
  ) -> [Bool] {
    let bins2 = 2 * fft.binCount
    var live = [Bool](repeating: false, count: channels)
    for c in 0..<channels {
      var energy = 0.0
      for t in 0..<length {
        let v = Double(window[c * length + t])
        input.base[t] = v
        energy += v * v
      }
      for t in length..<fft.count { input.base[t] = 0 }
      let target = into.baseAddress! + c * bins2
      guard energy > 0, energy.isFinite else {
        target.update(repeating: 0, count: bins2)
        continue
      }
      live[c] = true
      fft.forward(input, into: output)
      let scale = 1 / energy.squareRoot()
      for k in 0..<bins2 { target[k] = output.base[k] * scale }
    }
    return live
  }

  /// The profiles of `count` windows (`count x channels x length` float32): `count x
  /// referenceCount` values, window after window, each the peak correlation with every
  /// reference in reference order. Windows are split over `workers` threads; the result does
  /// not depend on the number of workers.
  public func profiles(
    of windows: UnsafeBufferPointer<Float>, count: Int, workers: Int = 2
  ) throws -> [Float] {
    guard windows.count >= count * channels * length else {
      throw ClusteringError.shapeMismatch(
        "\(windows.count) values for \(count) windows of \(channels) x \(length)")
    }
    let fft = RealFFT.plan(count: transformLength)
    let bins = fft.binCount
    let stride = channels * 2 * bins
    var result = [Float](repeating: 0, count: count * referenceCount)
    let references = referenceCount
    let channels = self.channels
    let length = self.length
    let transformLength = Double(self.transformLength)
    let tasks = DeterministicParallel.ranges(count: count, parts: max(1, min(count, 64)))
    result.withUnsafeMutableBufferPointer { out in
      referenceSpectra.withUnsafeBufferPointer { refs in
        let liveOfReferences = referenceLive
        let shared = UncheckedSendable((out, refs, windows))
        DeterministicParallel.run(taskCount: tasks.count, workerCount: workers) { task, _ in
          let (out, refs, windows) = shared.value
          let input = AlignedDoubles(count: fft.count)
          let spectrum = AlignedDoubles(count: 2 * bins)
          let cross = AlignedDoubles(count: 2 * bins)
          let lagged = AlignedDoubles(count: fft.count)
          var own = [Double](repeating: 0, count: stride)
          for w in tasks[task] {
            own.withUnsafeMutableBufferPointer { own in
              let live = Self.normalisedSpectra(
                of: UnsafeBufferPointer(rebasing: windows[(w * channels * length)...]),
                channels: channels, length: length, fft: fft, input: input, output: spectrum,
                into: own)
              for r in 0..<references {
                let ref = refs.baseAddress! + r * stride
                var common = 0
                let x = cross.base
                x.update(repeating: 0, count: 2 * bins)
                for c in 0..<channels {
                  guard live[c], liveOfReferences[r * channels + c] else { continue }
                  common += 1
                  let a = own.baseAddress! + c * 2 * bins
                  let b = ref + c * 2 * bins
                  // sum_t x[t] y[t + l] has spectrum conj(X) Y.
                  for k in 0..<bins {
                    let ar = a[2 * k]
                    let ai = a[2 * k + 1]
                    let br = b[2 * k]
                    let bi = b[2 * k + 1]
                    x[2 * k] += ar * br + ai * bi
                    x[2 * k + 1] += ar * bi - ai * br
                  }
                }
                guard common > 0 else {
                  out[w * references + r] = 0
                  continue
                }
                fft.inverse(destroying: cross, into: lagged)
                var peak = -Double.infinity
                for t in 0..<fft.count where lagged.base[t] > peak { peak = lagged.base[t] }
                out[w * references + r] = Float(peak / (Double(common) * transformLength))
              }
            }
          }
        }
      }
    }
    return result
  }

  /// Bytes held while correlating with `references` windows of `channels x length` (their
  /// spectra in Double, and the FFT buffers of each of `workers`): what `init` and `profiles`
  /// allocate besides the profiles themselves.
  public static func workingBytes(references: Int, channels: Int, length: Int, workers: Int)
    -> Int
  {
    let n = smoothLength(atLeast: 2 * max(length, 1) - 1)
    let spectrum = 2 * (n / 2 + 1) * MemoryLayout<Double>.size
    return references * channels * spectrum + workers * (channels + 2) * 2 * spectrum
  }

  /// The smallest number of the form 2^a 3^b 5^c that is at least `count` (and at least 2).
  public static func smoothLength(atLeast count: Int) -> Int {
    var best = Int.max
    var p5 = 1
    while p5 < 2 * max(count, 2) {
      var p35 = p5
      while p35 < 2 * max(count, 2) {
        var n = p35
        while n < max(count, 2) { n *= 2 }
        best = min(best, n)
        p35 *= 3
      }
      p5 *= 5
    }
    return best
  }

  /// The leaf order of average-linkage (UPGMA) clustering of `count` items under the symmetric
  /// distances `distances` (`count x count`, row-major): merging the two closest clusters until
  /// one is left, the earlier-formed cluster's items first. Ties go to the lowest pair of
  /// cluster indices, so the order is deterministic. O(count^3); meant for a few hundred items.
  public static func averageLinkageOrder(distances: [Double], count: Int) -> [Int] {
    precondition(distances.count == count * count, "distances must be count x count")
    guard count > 1 else { return Array(0..<count) }
    var members: [[Int]?] = (0..<count).map { [$0] }
    var d = distances
    for _ in 1..<count {
      var best = Double.infinity
      var pair = (0, 0)
      for i in 0..<count where members[i] != nil {
        for j in (i + 1)..<count where members[j] != nil {
          let v = d[i * count + j]
          if v < best || pair == (0, 0) && best == .infinity {
            best = v
            pair = (i, j)
          }
        }
      }
      let (i, j) = pair
      let ni = Double(members[i]!.count)
      let nj = Double(members[j]!.count)
      for k in 0..<count where members[k] != nil && k != i && k != j {
        let merged = (ni * d[i * count + k] + nj * d[j * count + k]) / (ni + nj)
        d[i * count + k] = merged
        d[k * count + i] = merged
      }
      members[i]! += members[j]!
      members[j] = nil
    }
    return members.compactMap { $0 }.first ?? []
  }
}
