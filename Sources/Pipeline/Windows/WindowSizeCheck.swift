import Foundation
import Seismic

#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// Refuses window options whose buffers could never be allocated (`--rate 1e9`), in one line and
/// before anything is allocated, instead of a trap deep in the DSP ("failed to allocate 80 GB").
enum WindowSizeCheck {
  /// Throws `BuildError` when preprocessing one window per core, plus a wave of finished windows,
  /// would need more than half of what this process may use: physical memory, or the
  /// address-space limit (`ulimit -v`, `RLIMIT_AS`) when lower. `inputRate` is the highest
  /// sampling rate of the stored data to cut from, once known.
  static func check(options o: WindowSetOptions, inputRate: Double?) throws {
    let need = bytesNeeded(options: o, inputRate: inputRate)
    let (limit, what) = memoryLimit()
    guard need > limit / 2 else { return }
    let window = o.before + o.after
    let rates =
      inputRate.map { "data at \(format($0)) Hz resampled to \(format(o.rate)) Hz" }
      ?? "\(format(o.rate)) Hz"
    // The band's low corner sets the margin when it is low (10 periods each side): then it is
    // what to change (a sweep's `--bandpass 1e-6,5` was told to lower --rate).
    let lowCornerMargin = o.bandpass.map { $0.low > 0 ? 10 / $0.low : 0 } ?? 0
    let withoutLowCorner = bytesNeeded(options: o, inputRate: inputRate, lowCorner: false)
    // The low corner is worth naming too where its margins more than double the need.
    let lowCornerSetsMargin = need > 2 * withoutLowCorner
    let margins =
      "the band's low corner \(format(o.bandpass?.low ?? 0)) Hz asks for margins of 10 periods, \(format(lowCornerMargin)) s, on each side of every window"
    // The options alone fit: the stored rate is what needs the memory (a header with a wrong
    // DELTA or rate, 1e30 Hz), and no option can help.
    let rateIsTheCause =
      inputRate != nil && bytesNeeded(options: o, inputRate: nil) <= limit / 2
      && bytesNeeded(options: o, inputRate: max(o.rate, 1000)) <= limit / 2
    let advice =
      rateIsTheCause
      ? "the stored sampling rate is what needs it (a header with a wrong rate or DELTA?): leave those stations out with --stations"
      : withoutLowCorner <= limit / 2
        ? "\(margins): raise the low corner of --bandpass"
        // Both are too large: the rate alone, or the band alone, would still not fit.
        : lowCornerSetsMargin
          ? "\(margins): raise the low corner of --bandpass, and lower --rate"
          : "lower --rate or shorten --before/--after"
    throw WindowSetBuilder.BuildError(
      reason:
        "window options need about \(bytes(need)) to preprocess (\(format(window)) s windows "
        + "with their margins, \(rates)), more than half of what this process can use "
        + "(\(bytes(limit)) of \(what)): \(advice)")
  }

  /// The bytes a build of windows cut from data at `inputRate` needs, when more than this
  /// process can use (half its limit), with that limit; nil when they fit.
  static func excess(options o: WindowSetOptions, inputRate: Double)
    -> (need: Double, limit: Double, what: String)?
  {
    let need = bytesNeeded(options: o, inputRate: inputRate)
    let (limit, what) = memoryLimit()
    return need > limit / 2 ? (need, limit, what) : nil
  }

  /// Bytes of the buffers of one build: per core, one window's channels at the input and output
  /// rates (the slice, the chain's copies, the FFT spectra, the resampled trace) and the window
  /// itself; plus the finished windows of a wave waiting to be stored.
  /// `lowCorner` false leaves out the margin the band's low corner asks for.
  static func bytesNeeded(options o: WindowSetOptions, inputRate: Double?, lowCorner: Bool = true)
    -> Double
  {
    let window = o.before + o.after
    var margin = max(5, 0.5 * window)
    if lowCorner, let low = o.bandpass?.low, low > 0 { margin = max(margin, 10 / low) }
    let span = (window + 2 * margin) * 1.07
    let output = span * o.rate
    let input = span * (inputRate ?? 0)
    let components = Double(o.components.orientations.count)
    let windowValues = window * o.rate * components
    let perCore = components * 8 * 6 * (input + output) + 4 * 4 * windowValues
    let cores = Double(max(1, ProcessInfo.processInfo.activeProcessorCount))
    return cores * perCore + 64 * 4 * windowValues
  }

  /// What this process may allocate at most, and what sets that limit.
  static func memoryLimit() -> (bytes: Double, what: String) {
    let physical = Double(ProcessInfo.processInfo.physicalMemory)
    var limit = rlimit()
    #if os(Linux)
      let status = getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit)
    #else
      let status = getrlimit(RLIMIT_AS, &limit)
    #endif
    if status == 0, limit.rlim_cur != rlim_t.max, Double(limit.rlim_cur) < physical {
      return (Double(limit.rlim_cur), "the address-space limit, ulimit -v")
    }
    return (physical, "physical memory")
  }

  static func bytes(_ value: Double) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
    var v = value
    var unit = 0
    while v >= 1000 && unit < units.count - 1 {
      v /= 1000
      unit += 1
    }
    if !v.isFinite || v >= 1000 { return String(format: "%.1e bytes", value) }
    return String(format: v < 10 ? "%.1f %@" : "%.0f %@", v, units[unit])
  }

  static func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%g", value)
  }
}
