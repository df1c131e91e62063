import Foundation
import NeuralNetwork
import Numerics

/// Independent Double-precision reference implementations, written as naive loops over the
/// public **batch x channels x length** layout. They share no code with the library.
enum Reference {
  /// "same" cross-correlation: left pad (k-1)/2, right pad k-1-left (PyTorch/Keras).
  static func conv1d(
    _ x: [Double], n: Int, inChannels: Int, length: Int, weight: [Double], bias: [Double],
    outChannels: Int, kernel: Int
  ) -> [Double] {
    let left = (kernel - 1) / 2
    var y = [Double](repeating: 0, count: n * outChannels * length)
    for b in 0..<n {
      for o in 0..<outChannels {
        for t in 0..<length {
          var s = bias[o]
          for i in 0..<inChannels {
            for k in 0..<kernel {
              let u = t + k - left
              if u >= 0 && u < length {
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

  /// Max over pairs, floor for odd lengths.
  static func maxPool(_ x: [Double], n: Int, channels: Int, length: Int) -> [Double] {
    let out = length / 2
    var y = [Double](repeating: 0, count: n * channels * out)
    for r in 0..<(n * channels) {
      for j in 0..<out { y[r * out + j] = max(x[r * length + 2 * j], x[r * length + 2 * j + 1]) }
    }
    return y
  }

  static func upsample(_ x: [Double], n: Int, channels: Int, length: Int) -> [Double] {
    var y = [Double](repeating: 0, count: n * channels * length * 2)
    for r in 0..<(n * channels) {
      for t in 0..<(2 * length) { y[r * 2 * length + t] = x[r * length + t / 2] }
    }
    return y
  }

  static func dense(
    _ x: [Double], n: Int, inFeatures: Int, weight: [Double], bias: [Double], outFeatures: Int
  ) -> [Double] {
    var y = [Double](repeating: 0, count: n * outFeatures)
    for b in 0..<n {
      for o in 0..<outFeatures {
        var s = bias[o]
        for f in 0..<inFeatures { s += weight[o * inFeatures + f] * x[b * inFeatures + f] }
        y[b * outFeatures + o] = s
      }
    }
    return y
  }

  static func activate(_ x: [Double], _ activation: Activation) -> [Double] {
    switch activation {
    case .tanh: x.map { Foundation.tanh($0) }
    case .relu: x.map { max($0, 0) }
    case .identity: x
    case .sigmoid: x.map { 1 / (1 + Foundation.exp(-$0)) }
    }
  }

  static func meanSquaredError(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in a.indices { s += (a[i] - b[i]) * (a[i] - b[i]) }
    return s / Double(a.count)
  }

  /// The whole autoencoder, built from the configuration as documented: zero-pad the input at
  /// the end to a multiple of 2^depth; encoder (conv, act, pool) per stage; flatten; optional
  /// linear dense bottleneck; decoder (dense + act), reshape, (conv, act, upsample) per stage in
  /// reverse; linear output conv with the first kernel; crop. Parameters are consumed in that
  /// order, each layer weights then biases.
  static func autoencoder(
    _ config: Autoencoder.Configuration, parameters p: [Double], input x: [Double], n: Int
  ) -> (latent: [Double], reconstruction: [Double]) {
    let depth = config.filters.count
    let unit = 1 << depth
    let padded = (config.inputLength + unit - 1) / unit * unit
    var offset = 0
    func take(_ count: Int) -> [Double] {
      defer { offset += count }
      return Array(p[offset..<(offset + count)])
    }
    func kernel(_ s: Int) -> Int {
      config.kernels.count == 1 ? config.kernels[0] : config.kernels[s]
    }
    var channels = config.inputChannels
    var length = padded
    var h = [Double](repeating: 0, count: n * channels * padded)
    for b in 0..<n {
      for c in 0..<channels {
        for t in 0..<config.inputLength {
          h[(b * channels + c) * padded + t] = x[(b * channels + c) * config.inputLength + t]
        }
      }
    }
    func conv(_ out: Int, _ k: Int) {
      let w = take(out * channels * k)
      let bias = take(out)
      h = conv1d(
        h, n: n, inChannels: channels, length: length, weight: w, bias: bias, outChannels: out,
        kernel: k)
      channels = out
    }
    for s in 0..<depth {
      conv(config.filters[s], kernel(s))
      h = activate(h, config.activation)
      h = maxPool(h, n: n, channels: channels, length: length)
      length /= 2
    }
    let features = channels * length
    var latent = h
    if config.latent > 0 {
      let w = take(config.latent * features)
      let bias = take(config.latent)
      latent = dense(
        h, n: n, inFeatures: features, weight: w, bias: bias, outFeatures: config.latent)
      let w2 = take(features * config.latent)
      let b2 = take(features)
      h = dense(
        latent, n: n, inFeatures: config.latent, weight: w2, bias: b2, outFeatures: features)
      h = activate(h, config.activation)
    }
    for s in (0..<depth).reversed() {
      h = upsample(h, n: n, channels: channels, length: length)
      length *= 2
      conv(s > 0 ? config.filters[s - 1] : config.inputChannels, kernel(s))
      if s > 0 { h = activate(h, config.activation) }
    }
    precondition(offset == p.count, "reference used \(offset) of \(p.count) parameters")
    var y = [Double](repeating: 0, count: n * channels * config.inputLength)
    for b in 0..<n {
      for c in 0..<channels {
        for t in 0..<config.inputLength {
          y[(b * channels + c) * config.inputLength + t] = h[(b * channels + c) * padded + t]
        }
      }
    }
    return (latent, y)
  }

  /// Central differences of `f` at `x` with step `eps`, for the indices listed (all by default).
  static func numericalGradient(
    at x: [Double], eps: Double = 1e-5, indices: [Int]? = nil, _ f: ([Double]) -> Double
  ) -> [Double] {
    var g = [Double](repeating: 0, count: x.count)
    var probe = x
    for i in indices ?? Array(x.indices) {
      probe[i] = x[i] + eps
      let up = f(probe)
      probe[i] = x[i] - eps
      let down = f(probe)
      probe[i] = x[i]
      g[i] = (up - down) / (2 * eps)
    }
    return g
  }
}

/// Random Float values in [-1, 1) from a seeded generator (Float, so Double copies are exact).
func randomValues(_ count: Int, seed: UInt64, scale: Double = 1) -> [Float] {
  var g = SeededGenerator(seed: seed)
  return (0..<count).map { _ in Float((2 * g.nextUniform() - 1) * scale) }
}

/// The worst error of `analytic` against `reference`, each element allowed `relative` of its
/// own size plus `relative` of the largest reference magnitude (so near-zero entries are judged
/// on the overall scale).
func gradientError(_ analytic: [Float], _ reference: [Double], indices: [Int]? = nil) -> Double {
  let scale = max(reference.map(abs).max() ?? 0, 1e-12)
  var worst = 0.0
  for i in indices ?? Array(reference.indices) {
    let error = abs(Double(analytic[i]) - reference[i]) / (abs(reference[i]) + scale)
    worst = max(worst, error)
  }
  return worst
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
  var s = 0.0
  for i in a.indices { s += a[i] * b[i] }
  return s
}
