/// Max-pooling over windows of 2 steps with stride 2, per channel and per sample.
///
/// Input `channels x (batch * length)`, output `channels x (batch * (length / 2))` (channel-major
/// blocks, see `NeuralNetwork`). An odd length is **floored**: the last step is dropped and gets a
/// zero gradient. **Ties** go to the first (earlier) element of the pair. The forward pass keeps
/// the index of each maximum (relative to the block) for the backward pass.
public struct MaxPool1D: Sendable, Equatable {
  /// Channels (unchanged).
  public let channels: Int

  /// A pool over `channels` channels.
  public init(channels: Int) {
    precondition(channels > 0)
    // Indices are Int32 relative to the block: callers keep blocks below 2^31 values.
    self.channels = channels
  }

  /// The output length for an input of `length` steps.
  public func outputLength(_ length: Int) -> Int { length / 2 }

  /// Forward pass; `argmax` receives `channels * batch * outputLength` indices.
  public func forward(
    input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
    argmax: UnsafeMutablePointer<Int32>, batch: Int, length: Int
  ) {
    let outLength = length / 2
    for c in 0..<channels {
      for b in 0..<batch {
        let base = c * batch * length + b * length
        let o = c * batch * outLength + b * outLength
        let x = input + base
        let y = output + o
        let index = argmax + o
        let base32 = Int32(truncatingIfNeeded: base)
        // Branch-free so the loop vectorises; `>` sends ties to the first element.
        for j in 0..<outLength {
          let first = x[2 * j]
          let second = x[2 * j + 1]
          let takeSecond = second > first
          y[j] = takeSecond ? second : first
          index[j] = base32 &+ Int32(truncatingIfNeeded: 2 * j) &+ (takeSecond ? 1 : 0)
        }
      }
    }
  }

  /// Backward pass: routes each output gradient to its maximum; other steps get zero.
  public func backward(
    outputGradient: UnsafePointer<Float>, argmax: UnsafePointer<Int32>,
    inputGradient: UnsafeMutablePointer<Float>, batch: Int, length: Int
  ) {
    inputGradient.update(repeating: 0, count: channels * batch * length)
    let count = channels * batch * (length / 2)
    for j in 0..<count { inputGradient[Int(truncatingIfNeeded: argmax[j])] += outputGradient[j] }
  }
}

extension MaxPool1D: Layer {
  public var description: String { "MaxPool1D(2)" }

  public func outputShape(for input: LayerShape) -> LayerShape? {
    input.channels == channels && input.length >= 2
      ? LayerShape(channels: channels, length: outputLength(input.length)) : nil
  }

  /// The index of each maximum (Int32, relative to the block).
  public func cacheBytesPerSample(input: LayerShape) -> Int {
    channels * outputLength(input.length) * MemoryLayout<Int32>.stride
  }

  public func forward(_ pass: LayerForward) {
    let count = pass.batch * channels * outputLength(pass.inputShape.length)
    forward(
      input: pass.input, output: pass.output,
      argmax: pass.cache.bindMemory(to: Int32.self, capacity: count), batch: pass.batch,
      length: pass.inputShape.length)
  }

  public func backward(_ pass: LayerBackward) {
    guard let inputGradient = pass.inputGradient else { return }
    let count = pass.batch * channels * outputLength(pass.inputShape.length)
    backward(
      outputGradient: pass.outputGradient,
      argmax: pass.cache.bindMemory(to: Int32.self, capacity: count),
      inputGradient: inputGradient, batch: pass.batch, length: pass.inputShape.length)
  }
}
