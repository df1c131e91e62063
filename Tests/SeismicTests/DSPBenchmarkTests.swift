import Foundation
import Numerics
import Testing

@testable import Seismic

/// Throughput of the window preprocessing chain, the Swift side of
/// tools/bench/obspy_window_chain.py. Runs only with SEISCLUSTER_BENCHMARK=1, in a release build:
///
///     SEISCLUSTER_BENCHMARK=1 swift test -c release --filter DSPBenchmarkTests
@Suite struct DSPBenchmarkTests {
  @Test(.enabled(if: ProcessInfo.processInfo.environment["SEISCLUSTER_BENCHMARK"] == "1"))
  func windowChainThroughput() throws {
    var generator = SeededGenerator(seed: 1)
    let components = (0..<3).map { _ in (0..<12_000).map { _ in generator.nextGaussian() } }
    let chain = try ProcessingChain.standard(band: (1, 20), samplingRate: 100)
    let windows = 1000
    var checksum = 0.0
    let clock = ContinuousClock()
    let elapsed = try clock.measure {
      for _ in 0..<windows {
        for samples in components {
          let out = try chain.applied(to: SampledSignal(samples: samples, samplingRate: 100))
          let cut = DSP.normalized(Array(out.samples[3000..<9000]), .max)
          checksum += cut[0]
        }
      }
    }
    let seconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    print(
      "swift: \(windows) windows in \(String(format: "%.3f", seconds)) s = "
        + "\(String(format: "%.1f", Double(windows) / seconds)) windows/s (checksum \(checksum))")
    #expect(checksum.isFinite)
  }
}
