import Foundation

/// Adam (Kingma & Ba) with bias correction, over one flat parameter buffer.
///
/// `m` and `v` share the parameters' layout, so the update is one flat loop:
/// `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`,
/// `p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + epsilon)`.
public struct Adam: Sendable, Equatable {
  /// First-moment decay.
  public var beta1: Float
  /// Second-moment decay.
  public var beta2: Float
  /// Added to the denominator.
  public var epsilon: Float
  /// Updates taken so far (`t`).
  public private(set) var step: Int
  /// First moments, one per parameter.
  public private(set) var m: [Float]
  /// Second moments, one per parameter.
  public private(set) var v: [Float]

  /// A fresh optimizer for `parameterCount` parameters (PyTorch's defaults).
  public init(
    parameterCount: Int, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
  ) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    step = 0
    m = [Float](repeating: 0, count: parameterCount)
    v = [Float](repeating: 0, count: parameterCount)
  }

  /// The number of parameters this state covers.
  public var parameterCount: Int { m.count }

  /// One update of `parameters` from `gradients` (both `parameterCount` long).
  public mutating func update(
    parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
    learningRate: Float
  ) {
    update(
      parameters: parameters, gradients: gradients, learningRate: learningRate,
      penalty: WeightPenalty(), penalized: nil)
  }

  /// One update of `parameters` from `gradients` plus the gradient of the weight penalties,
  /// `l1 * sign(p) + 2 * l2 * p`, for every parameter whose `penalized` entry is 1 (none when
  /// `penalized` is nil). Still one flat loop over every parameter.
  public mutating func update(
    parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
    learningRate: Float, penalty: WeightPenalty, penalized: UnsafePointer<Float>?
  ) {
    guard let penalized, !penalty.isZero else {
      plainUpdate(parameters: parameters, gradients: gradients, learningRate: learningRate)
      return
    }
    step += 1
    let correction1 = Float(1 - pow(Double(beta1), Double(step)))
    let correction2 = Float(1 - pow(Double(beta2), Double(step)))
    let (b1, b2, eps) = (beta1, beta2, epsilon)
    let stepSize = learningRate / correction1
    let inverseCorrection2 = 1 / correction2
    let (l1, twiceL2) = (Float(penalty.l1), Float(2 * penalty.l2))
    let count = m.count
    m.withUnsafeMutableBufferPointer { m in
      v.withUnsafeMutableBufferPointer { v in
        for i in 0..<count {
          let p = parameters[i]
          let sign: Float = p > 0 ? 1 : (p < 0 ? -1 : 0)
          let g = gradients[i] + penalized[i] * (l1 * sign + twiceL2 * p)
          let mi = b1 * m[i] + (1 - b1) * g
          let vi = b2 * v[i] + (1 - b2) * g * g
          m[i] = mi
          v[i] = vi
          parameters[i] = p - stepSize * mi / ((vi * inverseCorrection2).squareRoot() + eps)
        }
      }
    }
  }

  private mutating func plainUpdate(
    parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
    learningRate: Float
  ) {
    step += 1
    let correction1 = Float(1 - pow(Double(beta1), Double(step)))
    let correction2 = Float(1 - pow(Double(beta2), Double(step)))
    let (b1, b2, eps) = (beta1, beta2, epsilon)
    let stepSize = learningRate / correction1
    let inverseCorrection2 = 1 / correction2
    let count = m.count
    m.withUnsafeMutableBufferPointer { m in
      v.withUnsafeMutableBufferPointer { v in
        for i in 0..<count {
          let g = gradients[i]
          let mi = b1 * m[i] + (1 - b1) * g
          let vi = b2 * v[i] + (1 - b2) * g * g
          m[i] = mi
          v[i] = vi
          parameters[i] -= stepSize * mi / ((vi * inverseCorrection2).squareRoot() + eps)
        }
      }
    }
  }
}

/// Weight penalties added to the training loss: `l1 * sum|w| + l2 * sum w^2` over the weights
/// (Keras's `regularizers.l1_l2`; biases are not penalised). Their gradient enters the update,
/// not the reported loss.
public struct WeightPenalty: Codable, Sendable, Equatable {
  public var l1: Double
  public var l2: Double

  public init(l1: Double = 0, l2: Double = 0) {
    self.l1 = l1
    self.l2 = l2
  }

  public var isZero: Bool { l1 == 0 && l2 == 0 }
}

extension Adam {
  /// The state as bytes: magic `ADAM`, version 1 (UInt32), step (Int64), beta1, beta2, epsilon
  /// (Float32), parameter count (Int64), then `m` and `v` (Float32); all little-endian.
  public var serialized: Data {
    var data = Data()
    data.append(contentsOf: Array("ADAM".utf8))
    appendLittleEndian(&data, UInt32(1))
    appendLittleEndian(&data, Int64(step))
    for value in [beta1, beta2, epsilon] { appendLittleEndian(&data, value.bitPattern) }
    appendLittleEndian(&data, Int64(m.count))
    for value in m { appendLittleEndian(&data, value.bitPattern) }
    for value in v { appendLittleEndian(&data, value.bitPattern) }
    return data
  }

  /// Restores a state written by `serialized`.
  public init(serialized data: Data) throws {
    var reader = LittleEndianReader(data: data)
    guard reader.readMagic("ADAM") else {
      throw NeuralNetworkError.corruptData("optimizer state does not start with ADAM")
    }
    guard let version: UInt32 = reader.read(), version == 1 else {
      throw NeuralNetworkError.corruptData("unsupported optimizer state version")
    }
    guard let step: Int64 = reader.read(), step >= 0,
      let b1: UInt32 = reader.read(), let b2: UInt32 = reader.read(),
      let eps: UInt32 = reader.read(), let count: Int64 = reader.read(), count >= 0,
      reader.remaining == Int(count) * 8
    else {
      throw NeuralNetworkError.corruptData("optimizer state header or length is wrong")
    }
    self.init(
      parameterCount: Int(count), beta1: Float(bitPattern: b1), beta2: Float(bitPattern: b2),
      epsilon: Float(bitPattern: eps))
    self.step = Int(step)
    for i in 0..<Int(count) { m[i] = Float(bitPattern: reader.read()!) }
    for i in 0..<Int(count) { v[i] = Float(bitPattern: reader.read()!) }
  }
}

func appendLittleEndian<T: FixedWidthInteger>(_ data: inout Data, _ value: T) {
  withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
}

/// Reads little-endian integers from `Data`, returning nil past the end.
struct LittleEndianReader {
  let bytes: [UInt8]
  var position = 0

  init(data: Data) { bytes = [UInt8](data) }

  var remaining: Int { bytes.count - position }

  mutating func readMagic(_ magic: String) -> Bool {
    let expected = Array(magic.utf8)
    guard remaining >= expected.count,
      Array(bytes[position..<(position + expected.count)]) == expected
    else { return false }
    position += expected.count
    return true
  }

  mutating func read<T: FixedWidthInteger>() -> T? {
    let size = MemoryLayout<T>.size
    guard remaining >= size else { return nil }
    var value: T = 0
    for i in 0..<size { value |= T(bytes[position + i]) << (8 * i) }
    position += size
    return value
  }
}
