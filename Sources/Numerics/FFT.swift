import CFFTW3
import Foundation

/// A real-to-complex / complex-to-real FFT of one length, in Double, through FFTW.
///
/// Spectra are interleaved `re, im` pairs for the `count / 2 + 1` non-negative frequencies
/// (FFTW's r2c layout), so a spectrum buffer holds `2 * (count / 2 + 1)` Doubles.
/// The forward transform is unnormalised; so is the inverse (divide by `count` yourself),
/// as in FFTW and `numpy.fft.rfft` / `irfft * n`.
///
/// FFTW's planner is not thread-safe: plans are created once per length under a lock and cached
/// (`RealFFT.plan(count:)`); executing a cached plan on new arrays is thread-safe. Plans are made
/// with `FFTW_ESTIMATE | FFTW_UNALIGNED` so any Swift buffer may be passed.
public final class RealFFT: @unchecked Sendable {
  /// Number of real samples.
  public let count: Int
  /// Number of complex bins: `count / 2 + 1`.
  public var binCount: Int { count / 2 + 1 }

  private let forwardPlan: fftw_plan
  private let inversePlan: fftw_plan
  /// Plans for arrays aligned as FFTW allocates them (`AlignedDoubles`): FFTW's SIMD codelets
  /// run only on such arrays, 2-5x faster for the even lengths windows use.
  private let alignedForwardPlan: fftw_plan
  private let alignedInversePlan: fftw_plan

  private static let lock = NSLock()
  nonisolated(unsafe) private static var cache: [Int: RealFFT] = [:]

  /// The cached transform for `count` samples (created on first use). `count` must be positive.
  public static func plan(count: Int) -> RealFFT {
    precondition(count > 0, "FFT length must be positive")
    lock.lock()
    defer { lock.unlock() }
    if let existing = cache[count] { return existing }
    let made = RealFFT(planning: count)
    cache[count] = made
    return made
  }

  /// Called with the lock held.
  private init(planning n: Int) {
    count = n
    let real = fftw_alloc_real(n)!
    let complex = fftw_alloc_complex(n / 2 + 1)!
    defer {
      fftw_free(real)
      fftw_free(complex)
    }
    let flags = UInt32(FFTW_ESTIMATE) | UInt32(FFTW_UNALIGNED)
    forwardPlan = fftw_plan_dft_r2c_1d(Int32(n), real, complex, flags)
    inversePlan = fftw_plan_dft_c2r_1d(Int32(n), complex, real, flags)
    alignedForwardPlan = fftw_plan_dft_r2c_1d(Int32(n), real, complex, UInt32(FFTW_ESTIMATE))
    alignedInversePlan = fftw_plan_dft_c2r_1d(Int32(n), complex, real, UInt32(FFTW_ESTIMATE))
  }

  /// Forward transform of aligned buffers: `input` holds `count` samples, `spectrum` receives
  /// `2 * binCount` interleaved values. The same transform as `forward(_:into:)`, through FFTW's
  /// SIMD codelets (results may differ from it in the last bits; the same buffers always give
  /// the same results).
  public func forward(_ input: AlignedDoubles, into spectrum: AlignedDoubles) {
    precondition(input.count >= count && spectrum.count >= 2 * binCount)
    spectrum.base.withMemoryRebound(to: fftw_complex.self, capacity: binCount) {
      fftw_execute_dft_r2c(alignedForwardPlan, input.base, $0)
    }
  }

  /// Unnormalised inverse transform of aligned buffers (`spectrum` is overwritten); `output`
  /// receives `count` samples. The imaginary parts of the DC and Nyquist bins are ignored.
  public func inverse(destroying spectrum: AlignedDoubles, into output: AlignedDoubles) {
    precondition(output.count >= count && spectrum.count >= 2 * binCount)
    spectrum.base[1] = 0
    if count % 2 == 0 { spectrum.base[2 * binCount - 1] = 0 }
    spectrum.base.withMemoryRebound(to: fftw_complex.self, capacity: binCount) {
      fftw_execute_dft_c2r(alignedInversePlan, $0, output.base)
    }
  }

  /// Forward transform: `input` holds `count` samples, `spectrum` receives `2 * binCount`
  /// interleaved values. The imaginary parts of the DC (and, for even `count`, Nyquist) bins are 0.
  public func forward(
    _ input: UnsafeBufferPointer<Double>, into spectrum: UnsafeMutableBufferPointer<Double>
  ) {
    precondition(input.count == count && spectrum.count == 2 * binCount)
    let source = UnsafeMutablePointer(mutating: input.baseAddress!)
    spectrum.baseAddress!.withMemoryRebound(to: fftw_complex.self, capacity: binCount) {
      fftw_execute_dft_r2c(forwardPlan, source, $0)
    }
  }

  /// Unnormalised inverse transform. `spectrum` (`2 * binCount` values) is used as scratch and
  /// overwritten; `output` receives `count` samples. The imaginary parts of the DC and Nyquist
  /// bins are ignored.
  public func inverse(
    destroying spectrum: UnsafeMutableBufferPointer<Double>,
    into output: UnsafeMutableBufferPointer<Double>
  ) {
    precondition(output.count == count && spectrum.count == 2 * binCount)
    spectrum[1] = 0
    if count % 2 == 0 { spectrum[2 * binCount - 1] = 0 }
    spectrum.baseAddress!.withMemoryRebound(to: fftw_complex.self, capacity: binCount) {
      fftw_execute_dft_c2r(inversePlan, $0, output.baseAddress!)
    }
  }

  /// Forward transform of an array; returns the interleaved spectrum.
  public func forward(_ input: [Double]) -> [Double] {
    var spectrum = [Double](repeating: 0, count: 2 * binCount)
    input.withUnsafeBufferPointer { source in
      spectrum.withUnsafeMutableBufferPointer { forward(source, into: $0) }
    }
    return spectrum
  }

  /// Unnormalised inverse transform of an interleaved spectrum (left unchanged).
  public func inverse(_ spectrum: [Double]) -> [Double] {
    var scratch = spectrum
    var output = [Double](repeating: 0, count: count)
    scratch.withUnsafeMutableBufferPointer { s in
      output.withUnsafeMutableBufferPointer { inverse(destroying: s, into: $0) }
    }
    return output
  }
}

/// Doubles in memory aligned as FFTW wants for its SIMD codelets (`fftw_alloc_real`), freed with
/// the object. For the aligned transforms of `RealFFT`.
public final class AlignedDoubles {
  public let base: UnsafeMutablePointer<Double>
  public let count: Int

  public init(count: Int) {
    self.count = max(count, 1)
    base = fftw_alloc_real(self.count)!
  }

  deinit { fftw_free(base) }

  /// The values as a buffer.
  public var buffer: UnsafeMutableBufferPointer<Double> {
    UnsafeMutableBufferPointer(start: base, count: count)
  }
}
