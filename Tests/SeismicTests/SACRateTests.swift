import Foundation
import Testing

@testable import Seismic

/// The sampling rate a SAC file's float32 DELTA stands for (`SACReader.samplingRate(delta:)`).
@Suite struct SACRateTests {
  @Test func commonRatesReadBackExactly() {
    for rate in [1.0, 10, 20, 25, 40, 50, 60, 100, 125, 150, 200, 250, 500, 1000, 0.1] {
      let delta = Float(1.0 / rate)
      #expect(SACReader.samplingRate(delta: delta) == rate, "\(rate) Hz")
      // 1 / DELTA in Double is what the reader took before: off for most of these.
      if rate == 125 { #expect(1.0 / Double(delta) != 125) }
    }
  }

  @Test func aNeighbouringFloat32IntervalStandsForTheRoundRate() {
    // Some writers truncate: 0.04 s stored as the float32 just above it (ObsPy issue 3408).
    #expect(SACReader.samplingRate(delta: Float(0.04).nextUp) == 25)
    #expect(SACReader.samplingRate(delta: Float(0.008).nextDown) == 125)
    // Two steps off is not a neighbour: not 25 Hz, and a rate whose interval reads back as it.
    let two = Float(0.04).nextUp.nextUp
    let rate = SACReader.samplingRate(delta: two)
    #expect(rate != 25 && abs(rate - 25) < 1e-5)
    #expect([two.nextDown, two, two.nextUp].contains(Float(1.0 / rate)))
  }

  @Test func intervalsWrittenAsShortDecimalsAreTakenAsWritten() {
    // 0.077 s and 0.003 s: the rate has no short decimal, DELTA has.
    #expect(SACReader.samplingRate(delta: 0.077) == 1.0 / 0.077)
    #expect(SACReader.samplingRate(delta: 0.003) == 1.0 / 0.003)
    #expect(SACReader.samplingRate(delta: 3600) == 1.0 / 3600)
    #expect(SACReader.samplingRate(delta: 1e-5) == 100_000)
    // No rate of fewer digits fits: DELTA's own shortest decimal (a file in ../shared/data).
    #expect(SACReader.samplingRate(delta: 0.05000016) == 1.0 / 0.05000016)
    // Whatever is chosen reads back as the header's float32, or a neighbour of it.
    for delta: Float in [0.077, 0.003, 0.05000016, 0.0066666667, 0.0166666675, 7.3e-4, 13.7] {
      let back = Float(1.0 / SACReader.samplingRate(delta: delta))
      #expect([delta.nextDown, delta, delta.nextUp].contains(back), "\(delta)")
    }
  }

  @Test func aSubnormalIntervalIsTakenAsItIs() {
    // Its neighbours are far apart (below 1e-45 lies 0): 1e45 Hz would "fit".
    let tiny = Float.leastNonzeroMagnitude
    #expect(SACReader.samplingRate(delta: tiny) == 1.0 / Double(tiny))
    #expect(SACReader.samplingRate(delta: Float.leastNormalMagnitude).isFinite)
  }

  @Test func significantDigitsIgnoreZerosThePointAndTheExponent() {
    #expect(SACReader.significantDigits("0.077") == 2)
    #expect(SACReader.significantDigits("125") == 3)
    #expect(SACReader.significantDigits("100") == 1)
    #expect(SACReader.significantDigits("1e-05") == 1)
    #expect(SACReader.significantDigits("24.999998") == 8)
  }
}
