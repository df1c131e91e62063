#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// A fast, seedable random number generator (xoshiro256**, seeded through SplitMix64), so the
/// same seed gives the same weights, centroids and data on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var s: (UInt64, UInt64, UInt64, UInt64)

  public init(seed: UInt64) {
    var x = seed
    func splitMix() -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s = (splitMix(), splitMix(), splitMix(), splitMix())
  }

  public mutating func next() -> UInt64 {
    let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
    let t = s.1 << 17
    s.2 ^= s.0
    s.3 ^= s.1
    s.1 ^= s.2
    s.0 ^= s.3
    s.2 ^= t
    s.3 = (s.3 << 45) | (s.3 >> 19)
    return result
  }

  /// Uniform in [0, 1) with 53 random bits.
  public mutating func nextUniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Standard normal (Box-Muller; one value per call, deterministic).
  public mutating func nextGaussian() -> Double {
    var u = nextUniform()
    while u <= .leastNonzeroMagnitude { u = nextUniform() }
    let v = nextUniform()
    return (-2 * _log(u)).squareRoot() * _cos(2 * .pi * v)
  }

  /// The generator's state, to save and restore (for checkpoints).
  public var state: [UInt64] {
    get { [s.0, s.1, s.2, s.3] }
    set {
      precondition(newValue.count == 4, "a generator state has four words")
      s = (newValue[0], newValue[1], newValue[2], newValue[3])
    }
  }

  /// An independent generator derived from this one's seed stream (for per-thread or
  /// per-restart streams that do not depend on scheduling).
  public mutating func split() -> SeededGenerator { SeededGenerator(seed: next()) }
}

@inline(__always) private func _log(_ x: Double) -> Double { log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { cos(x) }
