import Testing

@testable import Numerics

@Suite struct SeededGeneratorTests {
  @Test func sameSeedGivesSameStream() {
    var a = SeededGenerator(seed: 42)
    var b = SeededGenerator(seed: 42)
    var c = SeededGenerator(seed: 43)
    let xa = (0..<8).map { _ in a.next() }
    #expect(xa == (0..<8).map { _ in b.next() })
    #expect(xa != (0..<8).map { _ in c.next() })
  }

  @Test func gaussianHasUnitMoments() {
    var g = SeededGenerator(seed: 1)
    let n = 200_000
    var sum = 0.0, sumSq = 0.0
    for _ in 0..<n {
      let x = g.nextGaussian()
      sum += x
      sumSq += x * x
    }
    let mean = sum / Double(n)
    #expect(abs(mean) < 0.01)
    #expect(abs(sumSq / Double(n) - mean * mean - 1) < 0.01)
  }
}
