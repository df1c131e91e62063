import Foundation
import Testing

@testable import Numerics

@Suite struct RealFFTTests {
  /// Direct O(n^2) DFT as the independent reference.
  static func naiveDFT(_ x: [Double]) -> [Double] {
    let n = x.count
    var out = [Double](repeating: 0, count: 2 * (n / 2 + 1))
    for k in 0...(n / 2) {
      var re = 0.0, im = 0.0
      for (j, v) in x.enumerated() {
        let angle = -2 * Double.pi * Double(k * j % n) / Double(n)
        re += v * cos(angle)
        im += v * sin(angle)
      }
      out[2 * k] = re
      out[2 * k + 1] = im
    }
    return out
  }

  @Test(arguments: [1, 2, 7, 16, 45, 100, 257])
  func forwardMatchesDirectDFT(count: Int) {
    var g = SeededGenerator(seed: UInt64(count))
    let x = (0..<count).map { _ in g.nextGaussian() }
    let fft = RealFFT.plan(count: count)
    let mine = fft.forward(x)
    let reference = Self.naiveDFT(x)
    for (a, b) in zip(mine, reference) { #expect(abs(a - b) < 1e-9 * Double(count)) }
  }

  @Test(arguments: [2, 9, 64, 1001])
  func inverseUndoesForwardUpToCount(count: Int) {
    var g = SeededGenerator(seed: 7)
    let x = (0..<count).map { _ in g.nextUniform() - 0.5 }
    let fft = RealFFT.plan(count: count)
    let back = fft.inverse(fft.forward(x)).map { $0 / Double(count) }
    for (a, b) in zip(back, x) { #expect(abs(a - b) < 1e-12) }
  }

  @Test func plansAreCachedPerLengthAndSafeToCreateConcurrently() {
    let lengths = Array(300..<340)
    DispatchQueue.concurrentPerform(iterations: lengths.count * 2) { i in
      let n = lengths[i % lengths.count]
      let x = (0..<n).map { Double($0 % 5) }
      let spectrum = RealFFT.plan(count: n).forward(x)
      precondition(abs(spectrum[0] - x.reduce(0, +)) < 1e-9)
    }
    #expect(RealFFT.plan(count: 301) === RealFFT.plan(count: 301))
  }
}
