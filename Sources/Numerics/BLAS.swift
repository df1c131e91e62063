import CBLASPin
import CCBLAS

/// Thin wrappers over CBLAS (OpenBLAS on Linux) for the matrix products the network needs.
///
/// All matrices are row-major. The network splits work over the batch on its own threads, so
/// OpenBLAS itself should run on one thread (`BLAS.setThreadCount(1)`).
public enum BLAS {
  /// `C = alpha * op(A) * op(B) + beta * C` with `op(A)` of size `m x k` and `op(B)` `k x n`,
  /// row-major, leading dimensions given explicitly.
  @inlinable
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
      // C = beta * C; BLAS would do this too but some versions reject k == 0.
      for i in 0..<m {
        let row = c + i * ldc
        for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
      }
      return
    }
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
      transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// `y = A x` in double precision, `A` row-major `m x n`.
  @inlinable
  public static func gemv(
    m: Int, n: Int, a: UnsafePointer<Double>, x: UnsafePointer<Double>,
    y: UnsafeMutablePointer<Double>
  ) {
    guard m > 0, n > 0 else { return }
    cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), 1, a, Int32(n), x, 1, 0, y, 1)
  }

  /// Sets the number of threads OpenBLAS uses inside one call.
  public static func setThreadCount(_ count: Int) {
    let count = Int32(max(1, count))
    // Setting it anew would start a stopped pool again (`useCallingThreadOnly`).
    if openblas_get_num_threads() != count { openblas_set_num_threads(count) }
  }

  /// Runs BLAS on the calling thread only, and stops the worker threads OpenBLAS starts as the
  /// program loads: idle, they spin (sched_yield) for about 0.1 s before sleeping, CPU taken
  /// from the work on a small machine. The network splits its batches over threads of its
  /// own, so seiscluster never needs them.
  public static func useCallingThreadOnly() {
    setThreadCount(1)
    _ = blas_thread_shutdown_()
  }

  /// The OpenBLAS kernel family in use (for example `Haswell` or `SkylakeX`); set
  /// `OPENBLAS_CORETYPE` before the process starts to choose another.
  public static var coreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }

  /// The kernel family seiscluster runs OpenBLAS on where the CPU allows (decision 0023).
  public static var pinnedCoreName: String { String(cString: seiscluster_blas_pin_kernel()) }

  /// Whether the process was switched to `pinnedCoreName` as it loaded: on Linux x86-64 with
  /// AVX2 and FMA, when `OPENBLAS_CORETYPE` was unset or empty and OpenBLAS can choose again.
  public static var isPinned: Bool { seiscluster_blas_pinned() != 0 }

  /// `OPENBLAS_CORETYPE` as the process found it, before pinning (nil when unset).
  public static var requestedCoreType: String? {
    seiscluster_blas_requested().map { String(cString: $0) }
  }

  /// `OpenBLAS KERNEL kernels`, for the logs of training.
  public static var kernelDescription: String { "OpenBLAS \(coreName) kernels" }

  /// The OpenBLAS build configuration string.
  public static var configuration: String {
    guard let text = openblas_get_config() else { return "unknown" }
    return String(cString: text)
  }
}
