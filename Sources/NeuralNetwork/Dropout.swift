import Numerics

/// Inverted dropout: in training, each value is zeroed with probability `rate` and the others
/// are scaled by `1 / (1 - rate)`; in inference the layer passes its input through.
///
/// **Deterministic.** The mask is a pure function of (`seed`, the training step, the sample's
/// index within the batch, the value's index within the sample): a counter-based hash, not a
/// generator shared by the workers. So a seed gives the same masks, and the same training, on
/// any number of threads, and a run resumed from a checkpoint (whose optimizer holds the step)
/// draws the masks it would have drawn.
///
/// Any shape; the forward pass keeps one byte per value (kept or dropped) for the backward pass.
public struct Dropout: Sendable, Equatable {
  /// The probability of dropping a value, in [0, 1).
  public let rate: Double
  /// The layer's own seed (the builders derive one per dropout layer from the model seed).
  public let seed: UInt64

  /// A dropout of `rate` (in [0, 1)) drawing its masks from `seed`.
  public init(rate: Double, seed: UInt64) {
    precondition(rate >= 0 && rate < 1, "a dropout rate lies in [0, 1)")
    self.rate = rate
    self.seed = seed
  }

  /// The scale of the kept values.
  public var scale: Float { Float(1 / (1 - rate)) }

  /// Values whose 24-bit draw falls below this are dropped.
  var threshold: UInt32 { UInt32((rate * Double(1 << 24)).rounded()) }

  /// The key of one sample's mask at one step.
  static func key(seed: UInt64, step: Int, sample: Int) -> UInt64 {
    mix(seed ^ mix(UInt64(truncatingIfNeeded: step) &+ mix(UInt64(truncatingIfNeeded: sample))))
  }

  /// SplitMix64's finaliser: a bijective mix of 64 bits (also how the builders derive each
  /// dropout layer's seed).
  @inline(__always)
  public static func mix(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Writes the keep (1) / drop (0) mask of value `0..<count` of one sample.
  public func mask(
    step: Int, sample: Int, count: Int, into mask: UnsafeMutablePointer<UInt8>
  ) {
    let key = Self.key(seed: seed, step: step, sample: sample)
    let limit = threshold
    for e in 0..<count {
      let draw = UInt32(truncatingIfNeeded: Self.mix(key &+ UInt64(e)) >> 40)
      mask[e] = draw >= limit ? 1 : 0
    }
  }
}

extension Dropout: Layer {
  public var description: String { "Dropout(\(rate))" }

  public func outputShape(for input: LayerShape) -> LayerShape? { input }

  public func cacheBytesPerSample(input: LayerShape) -> Int { input.size }

  /// Blocks are channel-major: value (c, t) of sample b sits at `c * batch * length + b * length
  /// + t`; its mask entry is `cache[b * size + c * length + t]`.
  public func forward(_ pass: LayerForward) {
    let count = pass.batch * pass.inputShape.size
    guard pass.isTraining, rate > 0 else {
      pass.output.update(from: pass.input, count: count)
      return
    }
    let (c, l, n) = (pass.inputShape.channels, pass.inputShape.length, pass.batch)
    let mask = pass.cache.bindMemory(to: UInt8.self, capacity: count)
    let s = scale
    for b in 0..<n {
      let sampleMask = mask + b * pass.inputShape.size
      self.mask(step: pass.step, sample: pass.firstSample + b, count: c * l, into: sampleMask)
      for channel in 0..<c {
        let row = channel * n * l + b * l
        let m = sampleMask + channel * l
        for t in 0..<l { pass.output[row + t] = m[t] != 0 ? pass.input[row + t] * s : 0 }
      }
    }
  }

  public func backward(_ pass: LayerBackward) {
    guard let inputGradient = pass.inputGradient else { return }
    let count = pass.batch * pass.inputShape.size
    // As the forward pass: no mask was drawn in inference (the clustering stage), and the cache
    // holds an earlier training pass's (a run resumed in a new process held another).
    guard pass.isTraining, rate > 0 else {
      inputGradient.update(from: pass.outputGradient, count: count)
      return
    }
    let (c, l, n) = (pass.inputShape.channels, pass.inputShape.length, pass.batch)
    let mask = pass.cache.bindMemory(to: UInt8.self, capacity: count)
    let s = scale
    for b in 0..<n {
      for channel in 0..<c {
        let row = channel * n * l + b * l
        let m = mask + b * pass.inputShape.size + channel * l
        for t in 0..<l { inputGradient[row + t] = m[t] != 0 ? pass.outputGradient[row + t] * s : 0 }
      }
    }
  }
}
