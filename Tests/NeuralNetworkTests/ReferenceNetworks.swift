import Foundation
import NeuralNetwork
import Numerics

/// Double references of the layers added for the autoencoder family, and of a whole layer list,
/// written as naive loops over the public **batch x channels x length** layout (a flat feature
/// vector is `batch x features`). They share no code with the library.
extension Reference {
  static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

  /// One LSTM layer, PyTorch's equations and parameter layout (`weight_ih`, `weight_hh`,
  /// `bias_ih`, `bias_hh`; gates i, f, g, o), zero initial state.
  static func lstm(
    _ x: [Double], n: Int, inputSize: Int, hiddenSize h: Int, length: Int, parameters p: [Double]
  ) -> [Double] {
    let rows = 4 * h
    let wHH = rows * inputSize
    let bIH = wHH + rows * h
    let bHH = bIH + rows
    var y = [Double](repeating: 0, count: n * h * length)
    for b in 0..<n {
      var hidden = [Double](repeating: 0, count: h)
      var cell = [Double](repeating: 0, count: h)
      for t in 0..<length {
        var gates = [Double](repeating: 0, count: rows)
        for r in 0..<rows {
          var s = p[bIH + r] + p[bHH + r]
          for i in 0..<inputSize { s += p[r * inputSize + i] * x[(b * inputSize + i) * length + t] }
          for j in 0..<h { s += p[wHH + r * h + j] * hidden[j] }
          gates[r] = s
        }
        for j in 0..<h {
          let i = sigmoid(gates[j])
          let f = sigmoid(gates[h + j])
          let g = tanh(gates[2 * h + j])
          let o = sigmoid(gates[3 * h + j])
          cell[j] = f * cell[j] + i * g
          hidden[j] = o * tanh(cell[j])
          y[(b * h + j) * length + t] = hidden[j]
        }
      }
    }
    return y
  }

  /// Dilated causal convolution: `y[o, t] = b[o] + sum w[o, i, k] x[i, t - (K - 1 - k) d]`.
  static func causalConv(
    _ x: [Double], n: Int, inChannels: Int, outChannels: Int, kernel: Int, dilation: Int,
    length: Int, weight: [Double], bias: [Double]
  ) -> [Double] {
    var y = [Double](repeating: 0, count: n * outChannels * length)
    for b in 0..<n {
      for o in 0..<outChannels {
        for t in 0..<length {
          var s = bias[o]
          for i in 0..<inChannels {
            for k in 0..<kernel {
              let u = t - (kernel - 1 - k) * dilation
              if u >= 0 {
                s +=
                  weight[(o * inChannels + i) * kernel + k] * x[(b * inChannels + i) * length + u]
              }
            }
          }
          y[(b * outChannels + o) * length + t] = s
        }
      }
    }
    return y
  }

  /// `y[:, t] = W x[:, t] + b` per sample.
  static func timeDistributed(
    _ x: [Double], n: Int, inFeatures: Int, outFeatures: Int, length: Int, weight: [Double],
    bias: [Double]
  ) -> [Double] {
    var y = [Double](repeating: 0, count: n * outFeatures * length)
    for b in 0..<n {
      for o in 0..<outFeatures {
        for t in 0..<length {
          var s = bias[o]
          for i in 0..<inFeatures {
            s += weight[o * inFeatures + i] * x[(b * inFeatures + i) * length + t]
          }
          y[(b * outFeatures + o) * length + t] = s
        }
      }
    }
    return y
  }

  /// Dropout with the layer's own mask (so the reference is the same function of x and p).
  static func dropout(
    _ x: [Double], layer: Dropout, n: Int, size: Int, step: Int, training: Bool
  ) -> [Double] {
    guard training, layer.rate > 0 else { return x }
    var y = x
    var mask = [UInt8](repeating: 0, count: size)
    for b in 0..<n {
      mask.withUnsafeMutableBufferPointer {
        layer.mask(step: step, sample: b, count: size, into: $0.baseAddress!)
      }
      for e in 0..<size {
        y[b * size + e] = mask[e] != 0 ? x[b * size + e] / (1 - layer.rate) : 0
      }
    }
    return y
  }

  /// A temporal block: `act(dropout(act(conv2(dropout(act(conv1(x)))))) + shortcut(x))`.
  static func temporalBlock(
    _ x: [Double], n: Int, block: TemporalBlock, length: Int, parameters p: [Double],
    step: Int = 0, training: Bool = false
  ) -> [Double] {
    let (cin, cout, k, d) = (
      block.inputChannels, block.outputChannels, block.kernelSize, block.dilation
    )
    var offset = 0
    func take(_ count: Int) -> [Double] {
      defer { offset += count }
      return Array(p[offset..<(offset + count)])
    }
    let w1 = take(cout * cin * k)
    let b1 = take(cout)
    let w2 = take(cout * cout * k)
    let b2 = take(cout)
    let size = cout * length
    var h = causalConv(
      x, n: n, inChannels: cin, outChannels: cout, kernel: k, dilation: d, length: length,
      weight: w1, bias: b1)
    h = activate(h, block.activation)
    if let rate = block.dropout {
      h = dropout(
        h, layer: Dropout(rate: rate, seed: Dropout.mix(block.seed ^ 1)), n: n, size: size,
        step: step, training: training)
    }
    h = causalConv(
      h, n: n, inChannels: cout, outChannels: cout, kernel: k, dilation: d, length: length,
      weight: w2, bias: b2)
    h = activate(h, block.activation)
    if let rate = block.dropout {
      h = dropout(
        h, layer: Dropout(rate: rate, seed: Dropout.mix(block.seed ^ 2)), n: n, size: size,
        step: step, training: training)
    }
    var shortcut = x
    if cin != cout {
      let w = take(cout * cin)
      let b = take(cout)
      shortcut = timeDistributed(
        x, n: n, inFeatures: cin, outFeatures: cout, length: length, weight: w, bias: b)
    }
    precondition(offset == p.count)
    return activate(h.indices.map { h[$0] + shortcut[$0] }, block.activation)
  }

  /// Binary cross-entropy summed over values (PyTorch's clamp of the logs at -100).
  static func binaryCrossEntropySum(_ prediction: [Double], _ target: [Double]) -> Double {
    var s = 0.0
    for i in prediction.indices {
      s -=
        target[i] * max(log(prediction[i]), -100)
        + (1 - target[i]) * max(log(1 - prediction[i]), -100)
    }
    return s
  }

  /// A layer list in Double: each layer's output for `n` samples of `input` (shape `shape`),
  /// parameters consumed in order. Dropout draws the library's masks for training `step` when
  /// `training` is set.
  static func run(
    _ layers: [any Layer], input: [Double], shape: LayerShape, n: Int, parameters p: [Double],
    step: Int = 0, training: Bool = false
  ) -> [[Double]] {
    var outputs: [[Double]] = []
    var h = input
    var current = shape
    var offset = 0
    for layer in layers {
      let out = layer.outputShape(for: current)!
      let params = Array(p[offset..<(offset + layer.parameterCount)])
      offset += layer.parameterCount
      switch layer {
      case let conv as Conv1D:
        let w = conv.outputChannels * conv.inputChannels * conv.kernelSize
        h = conv1d(
          h, n: n, inChannels: conv.inputChannels, length: current.length,
          weight: Array(params[..<w]), bias: Array(params[w...]), outChannels: conv.outputChannels,
          kernel: conv.kernelSize)
      case is MaxPool1D:
        h = maxPool(h, n: n, channels: current.channels, length: current.length)
      case is Upsample1D:
        h = upsample(h, n: n, channels: current.channels, length: current.length)
      case let dense as Dense:
        let w = dense.outputFeatures * dense.inputFeatures
        h = Reference.dense(
          h, n: n, inFeatures: dense.inputFeatures, weight: Array(params[..<w]),
          bias: Array(params[w...]), outFeatures: dense.outputFeatures)
      case let activation as Activation:
        h = activate(h, activation)
      case is Flatten, is Reshape:
        break  // sample-major: the same values
      case let lstm as LSTM:
        h = Reference.lstm(
          h, n: n, inputSize: lstm.inputSize, hiddenSize: lstm.hiddenSize, length: current.length,
          parameters: params)
      case let conv as DilatedCausalConv1D:
        let w = conv.outputChannels * conv.inputChannels * conv.kernelSize
        h = causalConv(
          h, n: n, inChannels: conv.inputChannels, outChannels: conv.outputChannels,
          kernel: conv.kernelSize, dilation: conv.dilation, length: current.length,
          weight: Array(params[..<w]), bias: Array(params[w...]))
      case let block as TemporalBlock:
        h = temporalBlock(
          h, n: n, block: block, length: current.length, parameters: params, step: step,
          training: training)
      case let dense as TimeDistributedDense:
        let w = dense.outputFeatures * dense.inputFeatures
        h = timeDistributed(
          h, n: n, inFeatures: dense.inputFeatures, outFeatures: dense.outputFeatures,
          length: current.length, weight: Array(params[..<w]), bias: Array(params[w...]))
      case let repeatVector as RepeatVector:
        var y = [Double](repeating: 0, count: n * out.size)
        for b in 0..<n {
          for f in 0..<repeatVector.features {
            for t in 0..<repeatVector.length {
              y[(b * repeatVector.features + f) * repeatVector.length + t] =
                h[b * repeatVector.features + f]
            }
          }
        }
        h = y
      case is LastStep:
        var y = [Double](repeating: 0, count: n * current.channels)
        for b in 0..<n {
          for c in 0..<current.channels {
            y[b * current.channels + c] =
              h[(b * current.channels + c) * current.length + current.length - 1]
          }
        }
        h = y
      case is MeanOverSteps:
        var y = [Double](repeating: 0, count: n * current.channels)
        for b in 0..<n {
          for c in 0..<current.channels {
            let start = (b * current.channels + c) * current.length
            y[b * current.channels + c] =
              h[start..<(start + current.length)].reduce(0, +) / Double(current.length)
          }
        }
        h = y
      case let dropout as Dropout:
        h = Reference.dropout(
          h, layer: dropout, n: n, size: current.size, step: step, training: training)
      default:
        preconditionFailure("no reference for \(layer)")
      }
      precondition(h.count == n * out.size, "\(layer): \(h.count) values for \(n) x \(out)")
      outputs.append(h)
      current = out
    }
    precondition(offset == p.count, "the reference used \(offset) of \(p.count) parameters")
    return outputs
  }

  /// A whole autoencoder in Double: pad, run the model's layers, crop. Returns the code and the
  /// reconstruction.
  static func autoencoder(
    _ model: Autoencoder, parameters p: [Double], input x: [Double], n: Int, step: Int = 0,
    training: Bool = false
  ) -> (latent: [Double], reconstruction: [Double]) {
    let c = model.inputChannels
    let l = model.inputLength
    let padded = model.paddedLength
    var h = [Double](repeating: 0, count: n * c * padded)
    for r in 0..<(n * c) {
      for t in 0..<l { h[r * padded + t] = x[r * l + t] }
    }
    let outputs = run(
      model.network.layers, input: h, shape: LayerShape(channels: c, length: padded), n: n,
      parameters: p, step: step, training: training)
    let latent = outputs[model.latentLayerIndex]
    let out = outputs[outputs.count - 1]
    var y = [Double](repeating: 0, count: n * c * l)
    for r in 0..<(n * c) {
      for t in 0..<l { y[r * l + t] = out[r * padded + t] }
    }
    return (latent, y)
  }
}
