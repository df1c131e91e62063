import Numerics

#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// A short-time Fourier transform magnitude, laid out as `scipy.signal.stft` returns `|Zxx|`:
/// `frequencyCount` rows (0 Hz up to Nyquist) of `frameCount` values each, row-major.
public struct Spectrogram: Sendable, Equatable {
  /// Number of frequency bins: `segmentLength / 2 + 1`.
  public let frequencyCount: Int
  /// Number of frames (segments).
  public let frameCount: Int
  /// `|Zxx|`, row-major `[frequency][frame]`.
  public var magnitudes: [Double]
  /// Frequency of row `k` in Hz: `k * samplingRate / segmentLength`.
  public let frequencyStep: Double
  /// Time of frame `j` relative to the first sample, in seconds: `j * step / samplingRate` (scipy's
  /// `t` with `boundary='zeros'` starts at 0 at the first sample, the window centred on it).
  public let frameStep: Double

  /// Magnitude at a frequency row and frame column.
  public subscript(frequency k: Int, frame j: Int) -> Double { magnitudes[k * frameCount + j] }

  /// `log(|Zxx| + floor)`, natural logarithm, same layout. The floor keeps silent bins finite.
  public func logMagnitudes(floor: Double = 1e-10) -> [Double] {
    magnitudes.map { log($0 + floor) }
  }
}

extension DSP {
  /// Why a spectrogram cannot be computed.
  public enum SpectrogramError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidSegment(length: Int, overlap: Int)
    case tooShort(count: Int, segmentLength: Int)

    public var description: String {
      switch self {
      case .invalidSegment(let length, let overlap):
        "STFT needs segment length >= 2 and 0 <= overlap < length, got \(length) and \(overlap)"
      case .tooShort(let count, let length):
        "STFT segment length \(length) is longer than the \(count) samples"
      }
    }
  }

  /// The STFT magnitude as `scipy.signal.stft(x, fs, window='hann', nperseg=segmentLength,
  /// noverlap=overlap, nfft=None, detrend=False, return_onesided=True, boundary='zeros',
  /// padded=True, scaling='spectrum')`, through FFTW.
  ///
  /// Conventions (SciPy's defaults): periodic Hann window; `segmentLength / 2` zeros added at both
  /// ends (`boundary='zeros'`), then zeros at the end so the last segment is complete
  /// (`padded=True`); each segment's spectrum scaled by `1 / sum(window)`. `overlap` defaults to
  /// `segmentLength / 2` as in SciPy. Unlike SciPy, a segment longer than the samples is refused
  /// rather than shortened. With `padded: false` the call is SciPy's `boundary=None,
  /// padded=False`: frames cover the samples only, and a tail shorter than a step is left out.
  public static func spectrogram(
    _ samples: [Double], samplingRate: Double, segmentLength: Int, overlap: Int? = nil,
    padded pad: Bool = true
  ) throws(SpectrogramError) -> Spectrogram {
    let overlap = overlap ?? segmentLength / 2
    guard segmentLength >= 2, overlap >= 0, overlap < segmentLength else {
      throw .invalidSegment(length: segmentLength, overlap: overlap)
    }
    guard samples.count >= segmentLength else {
      throw .tooShort(count: samples.count, segmentLength: segmentLength)
    }
    let step = segmentLength - overlap
    let edge = pad ? segmentLength / 2 : 0
    var length = samples.count + 2 * edge
    if pad {
      length += ((-(length - segmentLength)) % step + step) % step % segmentLength
    }
    var padded = [Double](repeating: 0, count: length)
    for (i, x) in samples.enumerated() { padded[edge + i] = x }

    var window = [Double](repeating: 0, count: segmentLength)
    var windowSum = 0.0
    for i in 0..<segmentLength {
      window[i] = 0.5 - 0.5 * cos(2 * Double.pi * Double(i) / Double(segmentLength))
      windowSum += window[i]
    }
    let scale = 1.0 / windowSum

    let frames = (length - segmentLength) / step + 1
    let fft = RealFFT.plan(count: segmentLength)
    let bins = fft.binCount
    var magnitudes = [Double](repeating: 0, count: bins * frames)
    var segment = [Double](repeating: 0, count: segmentLength)
    var spectrum = [Double](repeating: 0, count: 2 * bins)
    segment.withUnsafeMutableBufferPointer { seg in
      spectrum.withUnsafeMutableBufferPointer { spec in
        for j in 0..<frames {
          let start = j * step
          for i in 0..<segmentLength { seg[i] = padded[start + i] * window[i] }
          fft.forward(UnsafeBufferPointer(seg), into: spec)
          // |X| as sqrt(re^2 + im^2): within an ulp of `hypot`, which cost 12 % of building
          // spectrogram windows. Where the squares overflow or underflow (|X| beyond about
          // 1e154 or below 1e-154, possible with --normalize none), `hypot` as before.
          for k in 0..<bins {
            let re = spec[2 * k]
            let im = spec[2 * k + 1]
            let squares = re * re + im * im
            let magnitude =
              squares.isFinite && squares >= .leastNormalMagnitude
              ? squares.squareRoot() : hypot(re, im)
            magnitudes[k * frames + j] = magnitude * scale
          }
        }
      }
    }
    return Spectrogram(
      frequencyCount: bins, frameCount: frames, magnitudes: magnitudes,
      frequencyStep: samplingRate / Double(segmentLength),
      frameStep: Double(step) / samplingRate)
  }
}
