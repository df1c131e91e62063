import Foundation
import Numerics

extension DemoDataset {
  /// Three components (Z, N, E) of a local earthquake in ground velocity (unit peak), its P onset
  /// at sample `onset`; also returns the corner frequency and the S-P time.
  static func localEvent(
    count: Int, onset: Int, rate: Double, using g: inout SeededGenerator
  ) -> ([[Double]], Double, Double) {
    let magnitude = DemoSynthesis.uniform(0.5...5.0, using: &g)
    let distance = DemoSynthesis.logUniform(5...300, using: &g)
    let corner = min(
      pow(10, 1.35 - 0.3 * (magnitude - 1)) * DemoSynthesis.uniform(0.7...1.4, using: &g),
      0.4 * rate)
    let q = DemoSynthesis.uniform(150...600, using: &g)
    let kappa = DemoSynthesis.uniform(0.005...0.04, using: &g)
    let tStarP = distance / (q * 6) + kappa
    let tStarS = distance / (q * 0.8 * 3.5) + kappa
    let sMinusP = distance * (1 / 3.5 - 1 / 6.0) * DemoSynthesis.uniform(0.9...1.1, using: &g)
    let riseP = DemoSynthesis.uniform(0.01...0.08, using: &g) + 0.002 * distance
    let decayP = DemoSynthesis.uniform(0.5...3, using: &g) + 0.02 * distance
    let decayS = DemoSynthesis.uniform(2...8, using: &g) + magnitude + 0.03 * distance
    let backAzimuth = DemoSynthesis.uniform(0...(2 * Double.pi), using: &g)
    let incidence = DemoSynthesis.uniform(0.2...0.7, using: &g)

    var p = [Double](repeating: 0, count: count)
    let carrierP = DemoSynthesis.sourceNoise(
      count: count, rate: rate, corner: corner, attenuation: tStarP, using: &g)
    DemoSynthesis.addBurst(
      to: &p, carrier: carrierP, onset: onset, rise: riseP, decay: decayP,
      amplitude: DemoSynthesis.uniform(0.4...0.8, using: &g), rate: rate)
    // Impulsive first motion: a half sine of width 1 / (2 fc) + t*.
    let width = max(1 / (2 * corner) + tStarP, 2 / rate)
    let sign: Double = g.nextUniform() < 0.5 ? -1 : 1
    let pulseAmplitude = sign * DemoSynthesis.uniform(1...2, using: &g)
    for i in onset..<min(count, onset + Int(width * rate) + 1) {
      let t = Double(i - onset) / rate
      if t < width { p[i] += pulseAmplitude * sin(Double.pi * t / width) }
    }
    var wave = [
      p, p.map { $0 * incidence * cos(backAzimuth) }, p.map { $0 * incidence * sin(backAzimuth) },
    ]

    let sOnset = onset + Int((sMinusP * rate).rounded())
    if sOnset < count {
      let amplitudeS = DemoSynthesis.uniform(1.5...5, using: &g)
      let riseS = DemoSynthesis.uniform(0.05...0.3, using: &g) + 0.003 * distance
      var shear: [[Double]] = []
      for _ in 0..<2 {
        var burst = [Double](repeating: 0, count: count)
        let carrier = DemoSynthesis.sourceNoise(
          count: count, rate: rate, corner: corner * 0.8, attenuation: tStarS, using: &g)
        DemoSynthesis.addBurst(
          to: &burst, carrier: carrier, onset: sOnset, rise: riseS, decay: decayS,
          amplitude: amplitudeS, rate: rate)
        shear.append(burst)
      }
      let (sh, sv) = (shear[0], shear[1])
      for i in 0..<count {
        wave[0][i] += 0.35 * sv[i]
        wave[1][i] += sh[i] * sin(backAzimuth) + 0.5 * sv[i] * cos(backAzimuth)
        wave[2][i] += -sh[i] * cos(backAzimuth) + 0.5 * sv[i] * sin(backAzimuth)
      }
    }
    let codaAmplitude = DemoSynthesis.uniform(0.1...0.4, using: &g)
    for c in 0..<3 {
      let carrier = DemoSynthesis.sourceNoise(
        count: count, rate: rate, corner: corner * 0.7, attenuation: tStarS, using: &g)
      DemoSynthesis.addBurst(
        to: &wave[c], carrier: carrier, onset: min(sOnset, count - 1), rise: 1,
        decay: decayS * 1.5, amplitude: codaAmplitude, rate: rate)
    }
    normalizePeak(&wave)
    return (wave, corner, sMinusP)
  }

  /// Three components of a teleseismic P arrival (unit peak), onset at sample `onset`; also
  /// returns the corner frequency.
  static func teleseismicEvent(
    count: Int, onset: Int, rate: Double, using g: inout SeededGenerator
  ) -> ([[Double]], Double) {
    let corner = DemoSynthesis.logUniform(0.1...1.0, using: &g)
    let tStar = DemoSynthesis.uniform(0.3...1.0, using: &g)
    let rise =
      g.nextUniform() > 0.15
      ? DemoSynthesis.uniform(0.5...4, using: &g) : DemoSynthesis.uniform(0.15...0.5, using: &g)
    let decay = DemoSynthesis.uniform(15...60, using: &g)
    let depthPhaseLag = DemoSynthesis.uniform(5...50, using: &g)
    let depthPhaseAmplitude = DemoSynthesis.uniform(0.2...0.8, using: &g)
    let backAzimuth = DemoSynthesis.uniform(0...(2 * Double.pi), using: &g)
    let incidence = DemoSynthesis.uniform(0.05...0.3, using: &g)
    var z = [Double](repeating: 0, count: count)
    let carrier = DemoSynthesis.sourceNoise(
      count: count, rate: rate, corner: corner, attenuation: tStar, using: &g)
    DemoSynthesis.addBurst(
      to: &z, carrier: carrier, onset: onset, rise: rise, decay: decay, amplitude: 1, rate: rate)
    let depthCarrier = DemoSynthesis.sourceNoise(
      count: count, rate: rate, corner: corner, attenuation: tStar, using: &g)
    DemoSynthesis.addBurst(
      to: &z, carrier: depthCarrier, onset: onset + Int(depthPhaseLag * rate), rise: rise,
      decay: decay * 0.7, amplitude: depthPhaseAmplitude, rate: rate)
    var wave = [
      z, z.map { $0 * incidence * cos(backAzimuth) }, z.map { $0 * incidence * sin(backAzimuth) },
    ]
    for c in 1..<3 {
      let scattered = DemoSynthesis.sourceNoise(
        count: count, rate: rate, corner: corner, attenuation: tStar, using: &g)
      DemoSynthesis.addBurst(
        to: &wave[c], carrier: scattered, onset: onset, rise: rise, decay: decay, amplitude: 0.1,
        rate: rate)
    }
    normalizePeak(&wave)
    return (wave, corner)
  }

  /// Station noise after the instrument, three components, in m/s.
  static func noise(station: DemoStation, count: Int, using g: inout SeededGenerator) -> [[Double]]
  {
    let rate = station.samplingRate
    let microseismRatio =
      DemoSynthesis.logUniform(2...30, using: &g) * (station.instrument == .shortPeriod ? 0.1 : 1)
    let cultural = DemoSynthesis.uniform(0.2...1.0, using: &g)
    let phase = DemoSynthesis.uniform(0...(2 * Double.pi), using: &g)
    let burstCount = Int(Double(count) / rate / 300)
    let bursts = (0..<burstCount).map { _ in
      (
        Int(g.next() % UInt64(max(count, 1))), DemoSynthesis.uniform(2...6, using: &g),
        DemoSynthesis.uniform(1...6, using: &g)
      )
    }
    let shortPeriodScale = station.noiseLevel / (1 + cultural * cultural).squareRoot()
    return (0..<3).map { _ in
      let shortPeriod = DemoSynthesis.noise(count: count, using: &g) { x in
        DemoSynthesis.highPass(&x, corner: 0.5, rate: rate)
        DemoSynthesis.lowPass(&x, corner: 20, rate: rate)
      }
      let culture = DemoSynthesis.noise(count: count, using: &g) { x in
        DemoSynthesis.highPass(&x, corner: 2, rate: rate)
        DemoSynthesis.highPass(&x, corner: 2, rate: rate)
        DemoSynthesis.lowPass(&x, corner: 15, rate: rate)
        DemoSynthesis.lowPass(&x, corner: 15, rate: rate)
      }
      let microseism = DemoSynthesis.noise(count: count, using: &g) { x in
        DemoSynthesis.highPass(&x, corner: 0.1, rate: rate)
        DemoSynthesis.lowPass(&x, corner: 0.3, rate: rate)
        DemoSynthesis.lowPass(&x, corner: 0.3, rate: rate)
      }
      var out = [Double](repeating: 0, count: count)
      for i in 0..<count {
        let daily = 1 + 0.8 * sin(2 * Double.pi * Double(i) / rate / 86_400 + phase)
        out[i] =
          shortPeriodScale * (shortPeriod[i] + cultural * daily * culture[i])
          + station.noiseLevel * microseismRatio * microseism[i]
      }
      var traffic = [Double](repeating: 0, count: count)
      for (start, seconds, amplitude) in bursts {
        let length = min(Int(seconds * rate), count - start)
        guard length > 8 else { continue }
        let carrier = DemoSynthesis.noise(count: length, using: &g) { x in
          DemoSynthesis.highPass(&x, corner: 5, rate: rate)
          DemoSynthesis.lowPass(&x, corner: 20, rate: rate)
        }
        for i in 0..<length {
          let hann = 0.5 - 0.5 * cos(2 * Double.pi * Double(i) / Double(length - 1))
          traffic[start + i] += shortPeriodScale * amplitude * hann * carrier[i]
        }
      }
      for i in 0..<count { out[i] += traffic[i] }
      return out
    }
  }

  /// Scales the three components together so that the largest absolute sample is 1.
  static func normalizePeak(_ wave: inout [[Double]]) {
    let peak = wave.reduce(0) { m, c in c.reduce(m) { max($0, abs($1)) } }
    guard peak > 0 else { return }
    for c in wave.indices { for i in wave[c].indices { wave[c][i] /= peak } }
  }
}
