import Numerics

/// A long short-term memory layer run over every step of each sample, sequence to sequence
/// (one layer of PyTorch's `nn.LSTM`, zero initial state), with backpropagation through time.
///
/// At step `t`, with `x_t` the input and `h_{t-1}`, `c_{t-1}` the previous state (zero at `t = 0`):
/// ```
/// [i, f, g, o] = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh      (gate rows in PyTorch's order)
/// i, f, o = sigmoid(.),  g = tanh(.)
/// c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)            (the output at step t)
/// ```
///
/// Input `inputSize x (batch * length)`, output `hiddenSize x (batch * length)` (channel-major
/// blocks, see `NeuralNetwork`). Inside, the block is turned time-major (`x[:, t * batch + b]`)
/// so that the input projections of every step are one SGEMM and each step's recurrent
/// projection is one SGEMM over the whole (micro-)batch.
///
/// **Parameters**, PyTorch's layout so that its weights load as they are: `weight_ih[4H][I]`,
/// `weight_hh[4H][H]`, `bias_ih[4H]`, `bias_hh[4H]`, gate rows `i, f, g, o`. The forward pass
/// keeps the activated gates and the cell states (`5 H` floats per step) for the backward pass.
public struct LSTM: Sendable, Equatable {
  /// Features per step in.
  public let inputSize: Int
  /// Features per step out (the hidden and cell state size, H).
  public let hiddenSize: Int

  public init(inputSize: Int, hiddenSize: Int) {
    precondition(inputSize > 0 && hiddenSize > 0)
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
  }

  var gateRows: Int { 4 * hiddenSize }
  var weightCount: Int { gateRows * (inputSize + hiddenSize) }
  /// `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`.
  public var parameterCount: Int { weightCount + 2 * gateRows }

  /// Weights uniform in +-1/sqrt(H) (PyTorch's limit), biases zero except the forget gate's
  /// `bias_ih`, which starts at 1 so that the cell remembers by default (Jozefowicz et al. 2015).
  public func initialize(
    _ parameters: UnsafeMutablePointer<Float>, activation: Activation,
    generator: inout SeededGenerator
  ) {
    let limit = 1 / Double(hiddenSize).squareRoot()
    for i in 0..<weightCount { parameters[i] = Float((2 * generator.nextUniform() - 1) * limit) }
    let biases = parameters + weightCount
    biases.update(repeating: 0, count: 2 * gateRows)
    (biases + hiddenSize).update(repeating: 1, count: hiddenSize)
  }

  /// Scratch floats for `batch` samples of `length` steps: the time-major input and hidden
  /// states, the gates' gradient and two state-gradient vectors.
  public func scratchCount(length: Int, batch: Int) -> Int {
    (inputSize + 5 * hiddenSize) * length * batch + 2 * hiddenSize * batch
  }

  /// Floats the forward pass keeps per sample: activated gates and cell states of every step.
  public func cachedFloats(length: Int) -> Int { 5 * hiddenSize * length }

  /// `destination[r, t * batch + b] = source[r, b * length + t]` for `rows` rows.
  static func toTimeMajor(
    _ source: UnsafePointer<Float>, rows: Int, batch: Int, length: Int,
    into destination: UnsafeMutablePointer<Float>
  ) {
    let n = batch * length
    for r in 0..<rows {
      let s = source + r * n
      let d = destination + r * n
      for b in 0..<batch {
        for t in 0..<length { d[t * batch + b] = s[b * length + t] }
      }
    }
  }

  /// The inverse of `toTimeMajor`.
  static func toBatchMajor(
    _ source: UnsafePointer<Float>, rows: Int, batch: Int, length: Int,
    into destination: UnsafeMutablePointer<Float>
  ) {
    let n = batch * length
    for r in 0..<rows {
      let s = source + r * n
      let d = destination + r * n
      for b in 0..<batch {
        for t in 0..<length { d[b * length + t] = s[t * batch + b] }
      }
    }
  }

  /// Forward pass over a block. `scratch` holds `scratchCount` floats, `cache` `batch *
  /// cachedFloats` floats.
  public func forward(
    input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, length: Int,
    parameters: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
    cache: UnsafeMutablePointer<Float>
  ) {
    let (h4, hs, n) = (gateRows, hiddenSize, batch * length)
    let xTM = scratch
    let hTM = scratch + inputSize * n
    let gates = cache
    let cells = cache + h4 * n
    let weightHH = parameters + h4 * inputSize
    let biasIH = parameters + weightCount
    let biasHH = biasIH + h4
    LSTM.toTimeMajor(input, rows: inputSize, batch: batch, length: length, into: xTM)
    BLAS.gemm(
      transposeA: false, transposeB: false, m: h4, n: n, k: inputSize, a: parameters,
      lda: inputSize, b: UnsafePointer(xTM), ldb: n, beta: 0, c: gates, ldc: n)
    for r in 0..<h4 {
      let row = gates + r * n
      let value = biasIH[r] + biasHH[r]
      for j in 0..<n { row[j] += value }
    }
    for t in 0..<length {
      let column = t * batch
      if t > 0 {
        BLAS.gemm(
          transposeA: false, transposeB: false, m: h4, n: batch, k: hs, a: weightHH, lda: hs,
          b: UnsafePointer(hTM + column - batch), ldb: n, beta: 1, c: gates + column, ldc: n)
      }
      for j in 0..<hs {
        let gi = gates + j * n + column
        let gf = gates + (hs + j) * n + column
        let gg = gates + (2 * hs + j) * n + column
        let go = gates + (3 * hs + j) * n + column
        let c = cells + j * n + column
        let h = hTM + j * n + column
        for b in 0..<batch {
          let i = fastSigmoid(gi[b])
          let f = fastSigmoid(gf[b])
          let g = fastTanh(gg[b])
          let o = fastSigmoid(go[b])
          gi[b] = i
          gf[b] = f
          gg[b] = g
          go[b] = o
          let previous: Float = t > 0 ? c[b - batch] : 0
          let cell = f * previous + i * g
          c[b] = cell
          h[b] = o * fastTanh(cell)
        }
      }
    }
    LSTM.toBatchMajor(hTM, rows: hs, batch: batch, length: length, into: output)
  }

  /// Backward pass (backpropagation through time) over a block: adds the parameter gradients
  /// and writes the input gradient when asked. `scratch` and `scratchGradient` hold
  /// `scratchCount` floats each; `cache` is what `forward` kept.
  public func backward(
    input: UnsafePointer<Float>, output: UnsafePointer<Float>,
    outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
    batch: Int, length: Int, parameters: UnsafePointer<Float>,
    parameterGradient: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
    scratchGradient: UnsafeMutablePointer<Float>, cache: UnsafePointer<Float>
  ) {
    let (h4, hs, n) = (gateRows, hiddenSize, batch * length)
    let xTM = scratch
    let hTM = xTM + inputSize * n
    let gateGradient = hTM + hs * n
    let hiddenGradient = gateGradient + h4 * n
    let cellGradient = hiddenGradient + hs * batch
    let gates = cache
    let cells = cache + h4 * n
    let weightHH = parameters + h4 * inputSize
    LSTM.toTimeMajor(input, rows: inputSize, batch: batch, length: length, into: xTM)
    LSTM.toTimeMajor(output, rows: hs, batch: batch, length: length, into: hTM)
    hiddenGradient.update(repeating: 0, count: hs * batch)
    cellGradient.update(repeating: 0, count: hs * batch)
    for t in stride(from: length - 1, through: 0, by: -1) {
      let column = t * batch
      for j in 0..<hs {
        let gi = gates + j * n + column
        let gf = gates + (hs + j) * n + column
        let gg = gates + (2 * hs + j) * n + column
        let go = gates + (3 * hs + j) * n + column
        let di = gateGradient + j * n + column
        let df = gateGradient + (hs + j) * n + column
        let dg = gateGradient + (2 * hs + j) * n + column
        let dOut = gateGradient + (3 * hs + j) * n + column
        let c = cells + j * n + column
        let dy = outputGradient + j * n + t
        let dh = hiddenGradient + j * batch
        let dc = cellGradient + j * batch
        for b in 0..<batch {
          let (i, f, g, o) = (gi[b], gf[b], gg[b], go[b])
          let hiddenTotal = dy[b * length] + dh[b]
          let tanhCell = fastTanh(c[b])
          let cellTotal = hiddenTotal * o * (1 - tanhCell * tanhCell) + dc[b]
          let previous: Float = t > 0 ? c[b - batch] : 0
          di[b] = cellTotal * g * (i * (1 - i))
          df[b] = cellTotal * previous * (f * (1 - f))
          dg[b] = cellTotal * i * (1 - g * g)
          dOut[b] = hiddenTotal * tanhCell * (o * (1 - o))
          dc[b] = cellTotal * f
        }
      }
      if t > 0 {
        // dL/dh_{t-1} = W_hh^T dgates_t
        BLAS.gemm(
          transposeA: true, transposeB: false, m: hs, n: batch, k: h4, a: weightHH, lda: hs,
          b: UnsafePointer(gateGradient + column), ldb: n, beta: 0, c: hiddenGradient, ldc: batch)
      }
    }
    let gradientHH = parameterGradient + h4 * inputSize
    let gradientBiasIH = parameterGradient + weightCount
    let gradientBiasHH = gradientBiasIH + h4
    BLAS.gemm(
      transposeA: false, transposeB: true, m: h4, n: inputSize, k: n,
      a: UnsafePointer(gateGradient), lda: n, b: UnsafePointer(xTM), ldb: n, beta: 1,
      c: parameterGradient, ldc: inputSize)
    if length > 1 {
      // Step t's gates against h_{t-1}: columns batch... of the gradient, 0... of the states.
      BLAS.gemm(
        transposeA: false, transposeB: true, m: h4, n: hs, k: n - batch,
        a: UnsafePointer(gateGradient + batch), lda: n, b: UnsafePointer(hTM), ldb: n, beta: 1,
        c: gradientHH, ldc: hs)
    }
    for r in 0..<h4 {
      let sum = sumOfElements(gateGradient + r * n, count: n)
      gradientBiasIH[r] += sum
      gradientBiasHH[r] += sum
    }
    guard let inputGradient else { return }
    BLAS.gemm(
      transposeA: true, transposeB: false, m: inputSize, n: n, k: h4, a: parameters,
      lda: inputSize, b: UnsafePointer(gateGradient), ldb: n, beta: 0, c: scratchGradient, ldc: n)
    LSTM.toBatchMajor(
      scratchGradient, rows: inputSize, batch: batch, length: length, into: inputGradient)
  }
}

extension LSTM: Layer {
  public var description: String { "LSTM(\(hiddenSize))" }

  public func outputShape(for input: LayerShape) -> LayerShape? {
    input.channels == inputSize ? LayerShape(channels: hiddenSize, length: input.length) : nil
  }

  public func scratchCount(input: LayerShape, batch: Int) -> Int {
    scratchCount(length: input.length, batch: batch)
  }

  public func cacheBytesPerSample(input: LayerShape) -> Int {
    cachedFloats(length: input.length) * MemoryLayout<Float>.stride
  }

  public func markPenalizedParameters(_ mask: UnsafeMutablePointer<Float>) {
    mask.update(repeating: 1, count: weightCount)
  }

  public func forward(_ pass: LayerForward) {
    let count = pass.batch * cachedFloats(length: pass.inputShape.length)
    forward(
      input: pass.input, output: pass.output, batch: pass.batch, length: pass.inputShape.length,
      parameters: pass.parameters, scratch: pass.scratch,
      cache: pass.cache.bindMemory(to: Float.self, capacity: count))
  }

  public func backward(_ pass: LayerBackward) {
    let count = pass.batch * cachedFloats(length: pass.inputShape.length)
    backward(
      input: pass.input, output: pass.output, outputGradient: pass.outputGradient,
      inputGradient: pass.inputGradient, batch: pass.batch, length: pass.inputShape.length,
      parameters: pass.parameters, parameterGradient: pass.parameterGradient,
      scratch: pass.scratch, scratchGradient: pass.scratchGradient,
      cache: pass.cache.bindMemory(to: Float.self, capacity: count))
  }
}
