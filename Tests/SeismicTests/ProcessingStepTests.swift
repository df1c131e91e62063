import Foundation
import Numerics
import TestSupport
import Testing

@testable import Seismic

/// Settings checks, self-descriptions and history lines of the processing steps, and the errors of
/// the DSP functions.
@Suite struct ProcessingStepTests {
  @Test func standardChainPrintsItselfOneStepPerLine() throws {
    let chain = try ProcessingChain.standard(band: (1, 20), samplingRate: 100)
    #expect(
      chain.description == """
        demean()
        detrend(type=linear)
        taper(type=cosine, max_percentage=0.05, side=both)
        bandpass(freqmin=1.0, freqmax=20.0, corners=4, zerophase=true)
        resample(sampling_rate=100.0, window=hann, no_filter=true)
        """)
    #expect(
      chain.history(version: "9.9.9").last
        == "seiscluster 9.9.9: resample(sampling_rate=100.0, window=hann, no_filter=true)")
    let noBand = try ProcessingChain.standard(band: nil, samplingRate: 40)
    #expect(noBand.steps.map(\.name) == ["demean", "detrend", "taper", "resample"])
  }

  @Test func invalidSettingsAreRefusedWhenTheStepIsMade() {
    #expect(throws: ProcessingSettingsError.self) { try CosineTaperStep(maxPercentage: 0.6) }
    #expect(throws: ProcessingSettingsError.self) { try CosineTaperStep(maxPercentage: -0.1) }
    #expect(throws: ProcessingSettingsError.self) { try BandpassStep(lowCorner: 0, highCorner: 5) }
    #expect(throws: ProcessingSettingsError.self) { try BandpassStep(lowCorner: 6, highCorner: 5) }
    #expect(throws: ProcessingSettingsError.self) {
      try BandpassStep(lowCorner: 1, highCorner: 5, corners: 0)
    }
    #expect(throws: ProcessingSettingsError.self) { try ResampleStep(samplingRate: 0) }
    #expect(throws: ProcessingSettingsError.self) { try ResampleStep(samplingRate: .nan) }
  }

  @Test func chainStopsAtAStationThatCannotCarryTheBand() throws {
    let chain = try ProcessingChain.standard(band: (1, 20), samplingRate: 100)
    let signal = SampledSignal(samples: (0..<400).map { sin(Double($0)) }, samplingRate: 40)
    do {
      _ = try chain.applied(to: signal)
      Issue.record("a 40 Hz signal was band-passed up to 20 Hz")
    } catch let error as ButterworthBandpass.DesignError {
      #expect(
        error.description
          == "band-pass upper corner 20.0 Hz is at or above the Nyquist frequency 20.0 Hz")
    }
  }

  @Test func tracesFilteredTogetherComeOutBitForBitAsFilteredOneByOne() throws {
    var generator = SeededGenerator(seed: 9)
    func trace(_ n: Int) -> [Double] { (0..<n).map { _ in generator.nextGaussian() * 100 } }
    // Five traces of one length (a group of four and one alone) and two of another.
    let traces = [
      trace(1000), trace(1000), trace(777), trace(1000), trace(1000), trace(777), trace(1000),
    ]
    for corners in [4, 3, 6] {
      let filter = try ButterworthBandpass(
        lowCorner: 1, highCorner: 20, corners: corners, samplingRate: 100)
      let together = filter.zeroPhaseFiltered(traces)
      for (t, alone) in zip(together, traces.map(filter.zeroPhaseFiltered)) {
        #expect(t.map(\.bitPattern) == alone.map(\.bitPattern), "corners \(corners)")
      }
    }
    // The chain does the same through the step, channel by channel outcomes included.
    let chain = try ProcessingChain.standard(band: (1, 20), samplingRate: 100)
    let signals = [
      SampledSignal(samples: traces[0], samplingRate: 100),
      SampledSignal(samples: traces[2], samplingRate: 40),
      SampledSignal(samples: traces[1], samplingRate: 100),
    ]
    let outcomes = chain.run(signals)
    for i in [0, 2] {
      #expect(try outcomes[i].get() == chain.applied(to: signals[i]))
    }
    guard case .failure(let failure) = outcomes[1] else {
      Issue.record("a 40 Hz signal was band-passed up to 20 Hz")
      return
    }
    #expect(failure.step == "bandpass")
  }

  @Test func normalisationByMaximumAndStandardDeviation() {
    let x: [Double] = [1, -4, 2, 3, 0.5]
    let byMax = DSP.normalized(x, .max)
    #expect(byMax == x.map { $0 / 4 })
    let byStd = DSP.normalized(x, .std)
    let mean = byStd.reduce(0, +) / 5
    let variance = byStd.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5
    #expect(abs(mean) < 1e-15)
    #expect(abs(variance - 1) < 1e-14)
    #expect(DSP.normalized([0, 0, 0], .max) == [0, 0, 0])
    #expect(DSP.normalized([2, 2], .std) == [0, 0])
    #expect(DSP.normalized(x, .none) == x)
  }

  @Test func dspFunctionsRefuseImpossibleInputs() {
    #expect(throws: DSP.ResampleError.empty) { try DSP.resampled([], from: 100, to: 50) }
    #expect(throws: DSP.ResampleError.invalidRate(0)) { try DSP.resampled([1], from: 0, to: 50) }
    #expect(throws: DSP.SpectrogramError.tooShort(count: 10, segmentLength: 16)) {
      try DSP.spectrogram(Array(repeating: 0, count: 10), samplingRate: 1, segmentLength: 16)
    }
    #expect(throws: DSP.SpectrogramError.invalidSegment(length: 16, overlap: 16)) {
      try DSP.spectrogram(
        Array(repeating: 0, count: 100), samplingRate: 1, segmentLength: 16, overlap: 16)
    }
    #expect(throws: DSP.TriggerError.tooShort(count: 5, long: 10)) {
      try DSP.classicSTALTA([1, 2, 3, 4, 5], short: 2, long: 10)
    }
    #expect(throws: DSP.TriggerError.invalidWindows(short: 10, long: 10)) {
      try DSP.recursiveSTALTA(Array(repeating: 1, count: 50), short: 10, long: 10)
    }
  }

  @Test func resamplingKeepsALowFrequencySineOnTheNewGrid() throws {
    // Independent of ObsPy: a 1 Hz sine at 100 Hz resampled to 40 Hz stays a 1 Hz sine away from
    // the ends (the frequency-domain Hann window scales 1 Hz by (1 + cos(2 pi / 10)) / 2 here).
    let n = 1000
    let x = (0..<n).map { sin(2 * Double.pi * Double($0) / 100) }
    let y = try DSP.resampled(x, from: 100, to: 40)
    #expect(y.count == 400)
    let gain = 0.5 * (1 + cos(2 * Double.pi * 10 / Double(n)))
    for j in 100..<300 {
      #expect(abs(y[j] - gain * sin(2 * Double.pi * Double(j) / 40)) < 1e-9)
    }
  }

  /// The magnitude is sqrt(re^2 + im^2) where the squares are representable, `hypot` beyond:
  /// a signal scaled by 1e200 (or 1e-200) has its spectrum scaled by exactly that much.
  @Test func spectrogramMagnitudesScaleFromTinyToHugeSignals() throws {
    let x = (0..<256).map { sin(Double($0) * 0.3) + 0.5 * cos(Double($0) * 1.7) }
    let unit = try DSP.spectrogram(x, samplingRate: 100, segmentLength: 64)
    for factor in [1e200, 1e-200] {
      let scaled = try DSP.spectrogram(x.map { $0 * factor }, samplingRate: 100, segmentLength: 64)
      for (a, b) in zip(unit.magnitudes, scaled.magnitudes) {
        #expect(b.isFinite)
        #expect(abs(b / factor - a) <= 1e-12 * max(1, a), "\(factor)")
      }
    }
  }
}
