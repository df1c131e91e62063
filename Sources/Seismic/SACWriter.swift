import Foundation

/// Writes a segment as a little-endian binary SAC file (header version 6, float32 samples).
///
/// The reference time (NZ*) is the start time truncated to the millisecond and B holds the
/// rest, so `SACReader` gives back the start time to well under a microsecond. Samples are
/// rounded to float32, as SAC holds them; a float64 sample beyond float32's range is refused.
/// A rate of 0 has no DELTA and is refused.
public enum SACWriter {
  /// The file's bytes.
  public static func encode(_ segment: Segment) throws -> Data {
    guard segment.samplingRate > 0, segment.samplingRate.isFinite else {
      throw WaveformFileError(
        path: segment.source.id,
        reason: "SAC needs a positive sampling rate (got \(segment.samplingRate))")
    }
    let samples: [Float]
    switch segment.samples {
    case .float32(let v): samples = v
    case .int32(let v): samples = v.map(Float.init)
    case .float64(let v):
      // Beyond float32 a value would become infinite: refused, not written as `inf`.
      if let big = v.first(where: { $0.isFinite && abs($0) > Double(Float.greatestFiniteMagnitude) }
      ) {
        throw WaveformFileError(
          path: segment.source.id,
          reason:
            "sample \(big) is beyond float32, which SAC holds: export this trace as MiniSEED (float64)"
        )
      }
      samples = v.map(Float.init)
    }
    var h = SACHeader()
    let delta = Float(1.0 / segment.samplingRate)
    h[.delta] = delta
    h[.npts] = Int32(samples.count)
    h[.nvhdr] = 6
    h[.iftype] = 1  // ITIME
    h[.iztype] = 9  // IB: reference time is the start
    h[.leven] = 1
    h[.lpspol] = 1
    h[.lovrok] = 1
    h[.lcalda] = 1

    let (ms, rest) = segment.startTime.nanoseconds.floorDivided(by: 1_000_000)
    let (seconds, milli) = ms.floorDivided(by: 1000)
    let (days, secondOfDay) = seconds.floorDivided(by: 86_400)
    let (year, _, _) = Timestamp.civil(fromDays: days)
    let dayOfYear = days - Timestamp.days(fromCivil: year, m: 1, d: 1) + 1
    h[.nzyear] = Int32(year)
    h[.nzjday] = Int32(dayOfYear)
    h[.nzhour] = Int32(secondOfDay / 3600)
    h[.nzmin] = Int32((secondOfDay % 3600) / 60)
    h[.nzsec] = Int32(secondOfDay % 60)
    h[.nzmsec] = Int32(milli)
    let b = Float(Double(rest) / 1e9)
    h[.b] = b
    h[.e] = b + Float(Double(max(samples.count - 1, 0)) / segment.samplingRate)
    if let lo = samples.min(), let hi = samples.max() {
      h[.depmin] = lo
      h[.depmax] = hi
      h[.depmen] = Float(samples.reduce(0.0) { $0 + Double($1) } / Double(samples.count))
    }
    h[.knetwk] = segment.source.network
    h[.kstnm] = segment.source.station
    h[.khole] = segment.source.location
    h[.kcmpnm] = segment.source.channel

    var data = Data(h.littleEndianBytes)
    samples.withUnsafeBufferPointer { buffer in
      var le = [UInt32](repeating: 0, count: buffer.count)
      for i in buffer.indices { le[i] = buffer[i].bitPattern.littleEndian }
      le.withUnsafeBytes { data.append(contentsOf: $0) }
    }
    return data
  }
}
