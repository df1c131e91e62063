import Foundation
import TestSupport
import Testing

@testable import Seismic

/// Swift DSP against ObsPy 1.5.1 / SciPy 1.17 on real traces (fixtures/dsp, made by
/// tools/make_dsp_fixtures.py). The acceptance bar is normalised RMS below 1e-4; the same
/// algorithms agree far closer (about 1e-14 measured), so most checks are tighter. No edge
/// convention differs: resampling interpolates the spectrum exactly as ObsPy, and the STFT pads
/// as scipy (boundary zeros, padded).
@Suite struct DSPReferenceTests {
  static let tolerance = 1e-4

  struct Case {
    let entry: [String: Any]
    var key: String { entry["key"] as? String ?? "?" }
    var rate: Double { entry["sampling_rate"] as? Double ?? 0 }
    func array(_ name: String) throws -> [Double] { try DSPFixtures.array(entry[name]) }
    func sub(_ name: String) throws -> [String: Any] {
      try #require(entry[name] as? [String: Any])
    }
  }

  static func cases() throws -> [Case] { try DSPFixtures.traces().map(Case.init) }

  @Test func fixturesCoverSeveralRates() throws {
    let rates = Set(try Self.cases().map(\.rate))
    #expect(rates.count >= 3)
  }

  @Test func demeanAndLinearDetrendMatchObsPy() throws {
    for c in try Self.cases() {
      let input = try c.array("input")
      let demeaned = DSP.demeaned(input)
      let detrended = DSP.linearDetrended(input)
      #expect(normalizedRMS(demeaned, try c.array("demean")) < 1e-12, "\(c.key)")
      #expect(normalizedRMS(detrended, try c.array("detrend_linear")) < 1e-10, "\(c.key)")
    }
  }

  @Test func cosineTaperWindowMatchesObsPyExactly() throws {
    for c in try Self.cases() {
      let reference = try c.array("taper_window")
      let window = DSP.cosineTaperWindow(count: reference.count, maxPercentage: 0.05)
      #expect(maxAbsoluteDifference(window, reference) < 1e-14, "\(c.key)")
      let tapered = DSP.cosineTapered(try c.array("detrend_linear"), maxPercentage: 0.05)
      #expect(normalizedRMS(tapered, try c.array("taper_cosine_0.05")) < 1e-12, "\(c.key)")
    }
  }

  @Test func shortTaperWindowsFollowObsPyIndexRules() {
    // Values printed by ObsPy 1.5.1 (Trace of ones, taper(max_percentage, type='cosine')):
    // npts=2, p=0.5 -> [1, 0]; npts=3, p=0.5 -> [0, 1, 0]; npts=5, p=0.3 -> [0, 1, 1, 1, 0];
    // npts=10, p=0.05 -> all ones.
    #expect(DSP.cosineTaperWindow(count: 2, maxPercentage: 0.5) == [1, 0])
    #expect(DSP.cosineTaperWindow(count: 3, maxPercentage: 0.5) == [0, 1, 0])
    #expect(DSP.cosineTaperWindow(count: 5, maxPercentage: 0.3) == [0, 1, 1, 1, 0])
    #expect(DSP.cosineTaperWindow(count: 10, maxPercentage: 0.05) == Array(repeating: 1, count: 10))
  }

  @Test func butterworthSectionsMatchSciPy() throws {
    for c in try Self.cases() {
      let band = try c.sub("bandpass")
      let reference = try #require(band["sos"] as? [[Double]])
      let filter = try ButterworthBandpass(
        lowCorner: try #require(band["freqmin"] as? Double),
        highCorner: try #require(band["freqmax"] as? Double), corners: 4, samplingRate: c.rate)
      #expect(filter.sections.count == reference.count)
      for (mine, theirs) in zip(filter.sections, reference) {
        for (a, b) in zip(mine, theirs) {
          #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "\(c.key): \(mine) vs \(theirs)")
        }
      }
    }
  }

  @Test func bandpassMatchesObsPyCausalAndZeroPhase() throws {
    for c in try Self.cases() {
      let band = try c.sub("bandpass")
      let filter = try ButterworthBandpass(
        lowCorner: try #require(band["freqmin"] as? Double),
        highCorner: try #require(band["freqmax"] as? Double), corners: 4, samplingRate: c.rate)
      let tapered = try c.array("taper_cosine_0.05")
      let causal = try DSPFixtures.array(band["causal"])
      let zeroPhase = try DSPFixtures.array(band["zerophase"])
      #expect(normalizedRMS(filter.filtered(tapered), causal) < 1e-10, "\(c.key)")
      #expect(normalizedRMS(filter.zeroPhaseFiltered(tapered), zeroPhase) < 1e-10, "\(c.key)")
    }
  }

  @Test func bandpassAtOrAboveNyquistIsRefusedNotHighPassed() throws {
    #expect(throws: ButterworthBandpass.DesignError.self) {
      try ButterworthBandpass(lowCorner: 1, highCorner: 20, samplingRate: 40)
    }
    #expect(throws: ButterworthBandpass.DesignError.self) {
      try ButterworthBandpass(lowCorner: 1, highCorner: 25, samplingRate: 40)
    }
    #expect(throws: ButterworthBandpass.DesignError.self) {
      try ButterworthBandpass(lowCorner: 5, highCorner: 2, samplingRate: 100)
    }
    let step = try BandpassStep(lowCorner: 1, highCorner: 20)
    #expect(throws: ButterworthBandpass.DesignError.self) {
      try step.applied(to: SampledSignal(samples: [0, 1, 2, 3], samplingRate: 40))
    }
    _ = try ButterworthBandpass(lowCorner: 1, highCorner: 19.99, samplingRate: 40)
  }

  @Test func resampleMatchesObsPyUpAndDownIncludingNonIntegerRatios() throws {
    var checked = 0
    for c in try Self.cases() {
      let band = try c.sub("bandpass")
      let source = try DSPFixtures.array(band["zerophase"])
      let input = try c.array("input")
      let resamples = try #require(c.entry["resample"] as? [[String: Any]])
      for r in resamples {
        let rate = try #require(r["rate"] as? Double)
        let reference = try DSPFixtures.array(r["from_bandpass"])
        let mine = try DSP.resampled(source, from: c.rate, to: rate)
        #expect(mine.count == reference.count, "\(c.key) -> \(rate)")
        #expect(DSP.resampledCount(count: source.count, from: c.rate, to: rate) == reference.count)
        if mine.count == reference.count {
          #expect(normalizedRMS(mine, reference) < 1e-10, "\(c.key) -> \(rate)")
        }
        if r["from_input"] != nil {
          let raw = try DSPFixtures.array(r["from_input"])
          let mineRaw = try DSP.resampled(input, from: c.rate, to: rate)
          #expect(mineRaw.count == raw.count)
          if mineRaw.count == raw.count {
            #expect(normalizedRMS(mineRaw, raw) < 1e-10, "\(c.key) raw -> \(rate)")
          }
        }
        checked += 1
      }
    }
    #expect(checked >= 10)
  }

  @Test func stftMagnitudeMatchesSciPy() throws {
    for c in try Self.cases() {
      let band = try c.sub("bandpass")
      let source = try DSPFixtures.array(band["zerophase"])
      let stfts = try #require(c.entry["stft"] as? [[String: Any]])
      for s in stfts {
        let nperseg = try #require(s["nperseg"] as? Int)
        let noverlap = s["noverlap"] as? Int
        let spectrogram = try DSP.spectrogram(
          source, samplingRate: c.rate, segmentLength: nperseg, overlap: noverlap)
        #expect(spectrogram.frequencyCount == s["frequencies"] as? Int, "\(c.key) \(nperseg)")
        #expect(spectrogram.frameCount == s["frames"] as? Int, "\(c.key) \(nperseg)")
        let step = try #require(s["frame_step"] as? Double)
        #expect(abs(spectrogram.frameStep - step) < 1e-12)
        let df = try #require(s["frequency_step"] as? Double)
        #expect(abs(spectrogram.frequencyStep - df) < 1e-12)
        let reference = try DSPFixtures.array(s["magnitude"])
        if spectrogram.magnitudes.count == reference.count {
          #expect(normalizedRMS(spectrogram.magnitudes, reference) < 1e-10, "\(c.key) \(nperseg)")
          let logs = spectrogram.logMagnitudes(floor: 1e-10)
          #expect(normalizedRMS(logs, reference.map { log($0 + 1e-10) }) < Self.tolerance)
        }
      }
    }
  }

  @Test func staLtaMatchesObsPy() throws {
    for c in try Self.cases() {
      let band = try c.sub("bandpass")
      let source = try DSPFixtures.array(band["zerophase"])
      let s = try c.sub("stalta")
      let nsta = try #require(s["nsta"] as? Int)
      let nlta = try #require(s["nlta"] as? Int)
      let classic = try DSP.classicSTALTA(source, short: nsta, long: nlta)
      let recursive = try DSP.recursiveSTALTA(source, short: nsta, long: nlta)
      let classicReference = try DSPFixtures.array(s["classic"])
      let recursiveReference = try DSPFixtures.array(s["recursive"])
      #expect(normalizedRMS(classic, classicReference) < 1e-8, "\(c.key)")
      #expect(normalizedRMS(recursive, recursiveReference) < 1e-8, "\(c.key)")
    }
  }

  @Test func triggerOnsetsMatchObsPy() throws {
    for c in try Self.cases() {
      let s = try c.sub("stalta")
      let on = try #require(s["on"] as? Double)
      let off = try #require(s["off"] as? Double)
      let classic = try DSPFixtures.array(s["classic"])
      let recursive = try DSPFixtures.array(s["recursive"])
      func pairs(_ triggers: [DSP.Trigger]) -> [[Int]] {
        triggers.map { [$0.onIndex, $0.offIndex] }
      }
      #expect(
        pairs(DSP.triggerOnsets(classic, on: on, off: off)) == s["classic_triggers"] as? [[Int]])
      #expect(
        pairs(DSP.triggerOnsets(recursive, on: on, off: off)) == s["recursive_triggers"] as? [[Int]]
      )
      #expect(
        pairs(DSP.triggerOnsets(classic, on: on, off: off, maxLength: 50))
          == s["classic_triggers_max_len_50"] as? [[Int]])
      #expect(
        pairs(DSP.triggerOnsets(classic, on: on, off: off, maxLength: 50, deleteLongTriggers: true))
          == s["classic_triggers_max_len_50_delete"] as? [[Int]])
    }
  }

  @Test func triggerOnsetsMatchObsPyOnSyntheticEdgeCases() throws {
    let cases = try #require(DSPFixtures.manifest()["trigger_onset_synthetic"] as? [[String: Any]])
    #expect(cases.count == 40)
    func pairs(_ triggers: [DSP.Trigger]) -> [[Int]] { triggers.map { [$0.onIndex, $0.offIndex] } }
    for (i, c) in cases.enumerated() {
      let cf = try #require(c["cf"] as? [Double])
      let on = try #require(c["on"] as? Double)
      let off = try #require(c["off"] as? Double)
      let maxLength = try #require(c["max_len"] as? Int)
      #expect(pairs(DSP.triggerOnsets(cf, on: on, off: off)) == c["triggers"] as? [[Int]], "\(i)")
      #expect(
        pairs(DSP.triggerOnsets(cf, on: on, off: off, maxLength: maxLength))
          == c["triggers_max_len"] as? [[Int]], "\(i)")
      #expect(
        pairs(
          DSP.triggerOnsets(cf, on: on, off: off, maxLength: maxLength, deleteLongTriggers: true))
          == c["triggers_max_len_delete"] as? [[Int]], "\(i)")
    }
  }

  @Test func standardChainMatchesObsPyChainAndRecordsHistory() throws {
    for c in try Self.cases() {
      let band = try c.sub("bandpass")
      let chain = try ProcessingChain.standard(
        band: (try #require(band["freqmin"] as? Double), try #require(band["freqmax"] as? Double)),
        samplingRate: 50)
      let out = try chain.applied(
        to: SampledSignal(samples: try c.array("input"), samplingRate: c.rate))
      let reference = try c.sub("chain_50hz")
      let expected = try DSPFixtures.array(reference["output"])
      #expect(out.samplingRate == 50)
      #expect(out.samples.count == expected.count)
      if out.samples.count == expected.count {
        #expect(normalizedRMS(out.samples, expected) < Self.tolerance, "\(c.key)")
      }
      let history = chain.history(version: "0.1.0")
      #expect(history.count == (reference["processing"] as? [String])?.count)
      #expect(history[3].hasPrefix("seiscluster 0.1.0: bandpass(freqmin="))
    }
  }
}
