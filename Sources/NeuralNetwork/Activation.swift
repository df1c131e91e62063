/// An elementwise activation. Backward uses the forward *output*, so the pre-activation
/// values need not be kept.
public enum Activation: String, Codable, Sendable, CaseIterable {
  /// Hyperbolic tangent (a rational approximation accurate to a few float ulps).
  case tanh
  /// `max(0, x)`; the gradient at 0 is taken as 0.
  case relu
  /// `x`.
  case identity
  /// `1 / (1 + exp(-x))`, computed as `(1 + tanh(x / 2)) / 2`: the output layer for binary
  /// cross-entropy, whose targets lie in [0, 1].
  case sigmoid

  /// The half-width of the uniform initialisation: Glorot `sqrt(6 / (fanIn + fanOut))` for
  /// `tanh` and `identity`, He `sqrt(6 / fanIn)` for `relu`.
  public func initializationLimit(fanIn: Int, fanOut: Int) -> Double {
    switch self {
    case .relu: (6.0 / Double(fanIn)).squareRoot()
    case .tanh, .identity, .sigmoid: (6.0 / Double(fanIn + fanOut)).squareRoot()
    }
  }

  /// `output[i] = f(input[i])` for `count` values (`output` may equal `input`).
  public func forward(
    input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch self {
    case .identity:
      if UnsafePointer(output) != input { output.update(from: input, count: count) }
    case .relu:
      for i in 0..<count { output[i] = max(input[i], 0) }
    case .tanh:
      for i in 0..<count { output[i] = fastTanh(input[i]) }
    case .sigmoid:
      for i in 0..<count { output[i] = fastSigmoid(input[i]) }
    }
  }

  /// `inputGradient[i] = outputGradient[i] * f'(.)`, with `f'` computed from `output`
  /// (`inputGradient` may equal `outputGradient`).
  public func backward(
    output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
    inputGradient: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch self {
    case .identity:
      if UnsafePointer(inputGradient) != outputGradient {
        inputGradient.update(from: outputGradient, count: count)
      }
    case .relu:
      for i in 0..<count { inputGradient[i] = output[i] > 0 ? outputGradient[i] : 0 }
    case .tanh:
      for i in 0..<count {
        let y = output[i]
        inputGradient[i] = outputGradient[i] * (1 - y * y)
      }
    case .sigmoid:
      for i in 0..<count {
        let y = output[i]
        inputGradient[i] = outputGradient[i] * (y * (1 - y))
      }
    }
  }
}

/// The logistic sigmoid as `0.5 + 0.5 tanh(x / 2)` with `fastTanh`: within a few float ulps of
/// `1 / (1 + exp(-x))`, in [0, 1], and vectorisable.
@inline(__always)
func fastSigmoid(_ x: Float) -> Float {
  0.5 + 0.5 * fastTanh(0.5 * x)
}

/// tanh by the rational (13/6) approximation used in Eigen: clamped to |x| <= 7.9053 (where it
/// reaches +-1 in float), and `x` itself for |x| < 4e-4. Written with selects only, so loops over
/// it vectorise.
@inline(__always)
func fastTanh(_ x: Float) -> Float {
  let clamp: Float = 7.905_311_107_635_498_05
  let xc = x < -clamp ? -clamp : (x > clamp ? clamp : x)
  let x2 = xc * xc
  var p: Float = -2.760_768_477_423_55e-16
  p = p * x2 + 2.000_187_904_824_77e-13
  p = p * x2 + -8.604_671_522_137_35e-11
  p = p * x2 + 5.122_297_090_371_14e-08
  p = p * x2 + 1.485_722_357_179_79e-05
  p = p * x2 + 6.372_619_288_754_36e-04
  p = p * x2 + 4.893_524_558_917_86e-03
  p = p * xc
  var q: Float = 1.198_258_394_667_02e-06
  q = q * x2 + 1.185_347_056_866_54e-04
  q = q * x2 + 2.268_434_632_439_00e-03
  q = q * x2 + 4.893_525_185_543_85e-03
  let small = x < 0.0004 && x > -0.0004
  return small ? x : p / q
}

/// An activation is a layer of its own: elementwise, no parameters, any shape.
extension Activation: Layer {
  public var description: String { rawValue }

  public func outputShape(for input: LayerShape) -> LayerShape? { input }

  public func forward(_ pass: LayerForward) {
    forward(input: pass.input, output: pass.output, count: pass.batch * pass.inputShape.size)
  }

  public func backward(_ pass: LayerBackward) {
    guard let inputGradient = pass.inputGradient else { return }
    backward(
      output: pass.output, outputGradient: pass.outputGradient, inputGradient: inputGradient,
      count: pass.batch * pass.inputShape.size)
  }
}
