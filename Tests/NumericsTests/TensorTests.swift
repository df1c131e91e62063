import Numerics
import Testing

@Suite struct TensorTests {
  @Test func indexingIsRowMajorBatchChannelsLength() {
    var t = Tensor(shape: [2, 3, 4])
    t[1, 2, 3] = 5
    t[0, 1, 0] = 7
    #expect(t.values[(1 * 3 + 2) * 4 + 3] == 5)
    #expect(t.values[(0 * 3 + 1) * 4 + 0] == 7)
    #expect(t.count == 24 && t.rank == 3)
  }

  @Test func sliceTakesWholeItemsAlongTheBatch() {
    let t = Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
    #expect(t.slice(1..<3) == Tensor(shape: [2, 2], values: [3, 4, 5, 6]))
    #expect(t.reshaped([2, 3]).shape == [2, 3])
  }
}

@Suite struct BLASTests {
  /// Naive row-major product of op(A) (m x k) and op(B) (k x n), in Double.
  func reference(
    _ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool
  ) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var s = 0.0
        for p in 0..<k {
          let x = transposeA ? a[p * m + i] : a[i * k + p]
          let y = transposeB ? b[j * k + p] : b[p * n + j]
          s += Double(x) * Double(y)
        }
        c[i * n + j] = s
      }
    }
    return c
  }

  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func gemmMatchesANaiveProduct(transposeA: Bool, transposeB: Bool) {
    let (m, n, k) = (5, 7, 3)
    var g = SeededGenerator(seed: 1)
    let a = (0..<(m * k)).map { _ in Float(g.nextUniform() - 0.5) }
    let b = (0..<(k * n)).map { _ in Float(g.nextUniform() - 0.5) }
    var c = [Float](repeating: 1, count: m * n)
    BLAS.gemm(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 2, a: a,
      lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n, beta: 0.5, c: &c, ldc: n)
    let expected = reference(a, b, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
      .map { 2 * $0 + 0.5 }
    #expect(Approximate.maxRelativeError(c, expected) < 1e-5)
  }

  @Test func openBLASReportsItsKernel() {
    let name = BLAS.coreName
    #expect(!name.isEmpty && name != "unknown")
  }
}

@Suite struct DeterministicParallelTests {
  @Test func everyTaskRunsOnceWhateverTheWorkerCount() {
    for workers in [1, 2, 3, 16] {
      let counts = FloatBuffer(count: 10)
      DeterministicParallel.run(taskCount: 10, workerCount: workers) { task, worker in
        #expect(worker < workers)
        counts.pointer[task] += 1
      }
      #expect(counts.array == [Float](repeating: 1, count: 10))
    }
  }

  @Test func rangesCoverTheCountInOrderWithSizesWithinOne() {
    let r = DeterministicParallel.ranges(count: 10, parts: 4)
    #expect(r == [0..<3, 3..<6, 6..<8, 8..<10])
    #expect(DeterministicParallel.ranges(count: 2, parts: 5) == [0..<1, 1..<2])
    #expect(DeterministicParallel.ranges(count: 0, parts: 3).isEmpty)
  }
}

@Suite struct ApproximateEqualityTests {
  @Test func relativeAndAbsoluteTolerancesBothCount() {
    #expect(Float(1).isApproximatelyEqual(to: 1.0000001, relativeTolerance: 1e-6))
    #expect(!Float(1).isApproximatelyEqual(to: 1.01, relativeTolerance: 1e-3))
    #expect(Double(0).isApproximatelyEqual(to: 1e-9, relativeTolerance: 0, absoluteTolerance: 1e-8))
    #expect(!Double.nan.isApproximatelyEqual(to: .nan))
    #expect(Approximate.isEqual([1.0, 2.0], [1.0, 2.000001], relativeTolerance: 1e-5))
    #expect(!Approximate.isEqual([1.0, 2.0], [1.0, 2.1], relativeTolerance: 1e-5))
    #expect(Approximate.maxRelativeError([Float(2)], [Double(1)]) == 0.5)
  }
}

@Suite struct MatrixProductTests {
  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func matrixProductMatchesTheDefinition(transposeSelf: Bool, transposeOther: Bool) {
    var g = SeededGenerator(seed: 3)
    let a = Tensor(
      shape: transposeSelf ? [3, 4] : [4, 3], values: (0..<12).map { _ in Float(g.nextGaussian()) })
    let b = Tensor(
      shape: transposeOther ? [5, 3] : [3, 5], values: (0..<15).map { _ in Float(g.nextGaussian()) }
    )
    let c = a.matrixProduct(b, transposeSelf: transposeSelf, transposeOther: transposeOther)
    #expect(c.shape == [4, 5])
    for i in 0..<4 {
      for j in 0..<5 {
        var s = 0.0
        for p in 0..<3 {
          let x = transposeSelf ? a[p, i] : a[i, p]
          let y = transposeOther ? b[j, p] : b[p, j]
          s += Double(x) * Double(y)
        }
        #expect(
          Double(c[i, j]).isApproximatelyEqual(
            to: s, relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
      }
    }
  }
}
