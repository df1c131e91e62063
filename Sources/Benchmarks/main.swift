// Training-throughput benchmark for the autoencoder (windows per second of forward + backward +
// Adam). Run from tools/bench_nn.sh in a release build; prints one JSON object per case.
//
//   swift run -c release Benchmarks [--net a|b|c|family|conv|tcn|lstm|dense|conv-spec|...|all] [--threads N] [--seconds S] [--steps N]
//
// `--steps N` runs exactly N steps per case instead of timing for S seconds: with
// `valgrind --tool=callgrind` that counts the instructions of a step, a figure that does not
// depend on what else the machine is doing.
import Foundation
import NeuralNetwork
import Numerics

struct Case {
  let name: String
  let configuration: Autoencoder.Configuration
  let batches: [Int]
}

let cases = [
  Case(
    name: "a",
    configuration: .init(
      inputChannels: 1, inputLength: 32, filters: [8, 4, 2, 1], kernels: [11, 9, 3, 3],
      activation: .tanh, latent: 0),
    batches: [64, 256]),
  Case(
    name: "b",
    configuration: .init(
      inputChannels: 3, inputLength: 3000, filters: [16, 16, 8], kernels: [7], activation: .tanh,
      latent: 16),
    batches: [32]),
  // The default `cluster` net until stop 30 (kernel 5 at every stage; the default is now 3,5,5,
  // decision 0006) on the default spectrogram input (78 x 92: 26 bins x 3 components). Kept as
  // it was so that its figures in docs/benchmarks.md stay comparable; `cluster` runs are timed
  // with the default itself.
  Case(
    name: "c",
    configuration: .init(
      inputChannels: 78, inputLength: 92, filters: [16, 16, 16], kernels: [5], activation: .relu,
      latent: 16),
    batches: [32]),
]
// The autoencoder family (issue 15) at each type's `cluster` defaults (relu, latent 16), on
// spectrogram windows (78 x 92) and on waveforms (3 x 3000), batch 32: `<type>-spec`,
// `<type>-wave`. `conv-spec` is net c again under the family's name.
let family: [(String, Autoencoder.Architecture, [Int], [Int])] = [
  ("conv", .conv, [16, 16, 16], [5]), ("tcn", .tcn, [16, 16, 16], [3]),
  ("lstm", .lstm, [64], []), ("dense", .dense, [256, 64], []),
]
let familyCases = family.flatMap { name, architecture, filters, kernels in
  [("spec", 78, 92), ("wave", 3, 3000)].map { input, channels, length in
    Case(
      name: "\(name)-\(input)",
      configuration: .init(
        architecture: architecture, inputChannels: channels, inputLength: length,
        filters: filters, kernels: kernels, activation: .relu, latent: 16),
      batches: [32])
  }
}

var selected = "all"
var threads = ProcessInfo.processInfo.activeProcessorCount
var seconds = 3.0
var fixedSteps: Int? = nil
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
  switch argument {
  case "--net": selected = arguments.next() ?? "all"
  case "--threads": threads = Int(arguments.next() ?? "") ?? threads
  case "--seconds": seconds = Double(arguments.next() ?? "") ?? seconds
  case "--steps": fixedSteps = Int(arguments.next() ?? "")
  default:
    FileHandle.standardError.write(Data("error: unknown argument \(argument)\n".utf8))
    exit(2)
  }
}

func now(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
  var t = timespec()
  clock_gettime(clock, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

for benchmark in cases + familyCases
where selected == "all" || selected == benchmark.name
  || (selected == "family" && familyCases.contains { $0.name == benchmark.name })
  || benchmark.name.hasPrefix(selected + "-")
{
  for batch in benchmark.batches {
    let c = benchmark.configuration
    let model = try Autoencoder(configuration: c, seed: 1)
    model.threadCount = threads
    var generator = SeededGenerator(seed: 2)
    let count = 8 * batch * c.inputChannels * c.inputLength
    let data = Tensor(
      shape: [8 * batch, c.inputChannels, c.inputLength],
      values: (0..<count).map { _ in Float(generator.nextGaussian() * 0.5) })
    let batches = (0..<8).map { data.slice(($0 * batch)..<(($0 + 1) * batch)) }
    for i in 0..<5 { model.trainReconstructionStep(batches[i % 8], learningRate: 1e-3) }
    var steps = 0
    var loss: Float = 0
    let start = now()
    let startCPU = now(CLOCK_PROCESS_CPUTIME_ID)
    while fixedSteps.map({ steps < $0 }) ?? (now() - start < seconds) {
      for _ in 0..<(fixedSteps.map { min(10, $0 - steps) } ?? 10) {
        loss = model.trainReconstructionStep(batches[steps % 8], learningRate: 1e-3)
        steps += 1
      }
    }
    let elapsed = now() - start
    let cpu = now(CLOCK_PROCESS_CPUTIME_ID) - startCPU
    let rate = Double(steps * batch) / elapsed
    print(
      """
      {"framework": "swift", "net": "\(benchmark.name)", "batch": \(batch), \
      "threads": \(threads), "parameters": \(model.parameterCount), "steps": \(steps), "ms_per_step": \
      \(String(format: "%.3f", 1000 * elapsed / Double(steps))), "windows_per_s": \
      \(String(format: "%.0f", rate)), "cpu_ms_per_step": \
      \(String(format: "%.3f", 1000 * cpu / Double(steps))), "windows_per_cpu_s": \
      \(String(format: "%.0f", Double(steps * batch) / cpu)), "loss": \(loss), "openblas_core": "\(BLAS.coreName)"}
      """)
  }
}
