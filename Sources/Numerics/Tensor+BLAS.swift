extension Tensor {
  /// The matrix product `op(self) * op(other)` of two rank-2 tensors through SGEMM, where `op`
  /// transposes when asked. For example `z.matrixProduct(centroids, transposeOther: true)` gives
  /// the `[n, k]` dot products of `n` codes with `k` centroids.
  public func matrixProduct(
    _ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false
  ) -> Tensor {
    precondition(rank == 2 && other.rank == 2, "matrixProduct needs two matrices")
    let (m, k) = transposeSelf ? (shape[1], shape[0]) : (shape[0], shape[1])
    let (k2, n) =
      transposeOther ? (other.shape[1], other.shape[0]) : (other.shape[0], other.shape[1])
    precondition(k == k2, "inner dimensions differ: \(shape) x \(other.shape)")
    var result = Tensor(shape: [m, n])
    values.withUnsafeBufferPointer { a in
      other.values.withUnsafeBufferPointer { b in
        result.values.withUnsafeMutableBufferPointer { c in
          guard let a = a.baseAddress, let b = b.baseAddress, let c = c.baseAddress else { return }
          BLAS.gemm(
            transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k, a: a,
            lda: shape[1], b: b, ldb: other.shape[1], beta: 0, c: c, ldc: n)
        }
      }
    }
    return result
  }
}
