import Foundation
import Numerics
import Seismic
import Store
import TestSupport
import Testing

/// The `seiscluster` binary `swift test` builds beside the tests (the executable is in the
/// package), or nil when it has not been built.
private let seisclusterBinary: URL? = {
  let url = TestPaths.repositoryRoot.appendingPathComponent(".build/debug/seiscluster")
  return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
}()

/// Ingest killed with SIGKILL, a reader beside a writer, and two writers at once, each as real
/// processes of the `seiscluster` binary on one store (the short version of
/// scripts/crash-test.sh).
@Suite(
  .serialized,
  .enabled(
    if: seisclusterBinary != nil,
    "needs .build/debug/seiscluster: run `swift build` first (swift test builds it)"))
struct ProcessSafetyTests {
  struct Outcome {
    var status: Int32
    var output: String
    var errors: String
  }

  /// A started `seiscluster` process whose output goes to files (no pipe to fill up).
  final class Running {
    let process = Process()
    let outURL: URL
    let errURL: URL

    init(_ arguments: [String], in dir: URL) throws {
      let id = UUID().uuidString
      outURL = dir.appendingPathComponent("out-\(id)")
      errURL = dir.appendingPathComponent("err-\(id)")
      _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
      _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
      process.executableURL = seisclusterBinary
      process.arguments = arguments
      process.standardOutput = try FileHandle(forWritingTo: outURL)
      process.standardError = try FileHandle(forWritingTo: errURL)
      try process.run()
    }

    func wait() -> Outcome {
      process.waitUntilExit()
      let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
      let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
      return Outcome(status: process.terminationStatus, output: out, errors: err)
    }
  }

  func run(_ arguments: [String], in dir: URL) throws -> Outcome {
    try Running(arguments, in: dir).wait()
  }

  /// `count` SAC files of distinct content (seeded noise), `samples` samples each.
  func makeFiles(_ count: Int, samples: Int = 20_000, in dir: URL, folder name: String = "in")
    throws -> URL
  {
    let folder = dir.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    var generator = SeededGenerator(seed: 8)
    for i in 0..<count {
      let samples = (0..<samples).map { _ in Float(generator.nextGaussian()) }
      let segment = Segment(
        source: SourceIdentifier(network: "XX", station: "S\(i)", location: "", channel: "HHZ"),
        startTime: Timestamp(nanoseconds: Int64(i) * 3_600_000_000_000), samplingRate: 100,
        samples: .float32(samples))
      try SACWriter.encode(segment).write(
        to: folder.appendingPathComponent(String(format: "f%04d.sac", i)))
    }
    return folder
  }

  func listing(_ db: URL, in dir: URL) throws -> String {
    let listed = try run(["traces", "list", "--db", db.path, "--format", "csv"], in: dir)
    #expect(listed.status == 0, "\(listed.errors)")
    return listed.output
  }

  func sourceFileCount(_ db: URL) throws -> Int {
    try SeisStore(path: db.path).sourceFiles().count
  }

  @Test func ingestKilledThreeTimesThenRerunEqualsAnUninterruptedRun() throws {
    let dir = try TestPaths.temporaryDirectory("crash")
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = try makeFiles(150, in: dir)
    let reference = dir.appendingPathComponent("reference.sqlite")
    let started = Date()
    #expect(try run(["ingest", "-q", "--db", reference.path, input.path], in: dir).status == 0)
    let duration = Date().timeIntervalSince(started)
    let expected = try listing(reference, in: dir)
    #expect(expected.split(separator: "\n").count == 151)

    let store = dir.appendingPathComponent("store.sqlite")
    var generator = SeededGenerator(seed: 3)
    var landed = 0
    for _ in 0..<3 {
      let ingest = try Running(["ingest", "-q", "--db", store.path, input.path], in: dir)
      let delay = 0.05 + generator.nextUniform() * max(0.1, duration * 0.6)
      Thread.sleep(forTimeInterval: delay)
      if ingest.process.isRunning {
        kill(ingest.process.processIdentifier, SIGKILL)
        landed += 1
      }
      let outcome = ingest.wait()
      if outcome.status != 0 { #expect(outcome.process(killedBy: SIGKILL, ingest)) }
      // Sound after every kill: SQLite's integrity check, foreign keys, blob sizes.
      #expect(try SeisStore(path: store.path).check().isEmpty)
      #expect(try run(["check", "-q", "--db", store.path], in: dir).status == 0)
    }
    #expect(landed >= 1, "no kill landed while the ingest ran (it took \(duration) s)")
    let rerun = try run(["ingest", "--db", store.path, input.path], in: dir)
    #expect(rerun.status == 0, "\(rerun.errors)")
    #expect(try listing(store, in: dir) == expected)
    #expect(try sourceFileCount(store) == 150)
  }

  @Test func checkExitsNonZeroWithOneLineErrorsOnACorruptedStoreFile() throws {
    let dir = try TestPaths.temporaryDirectory("corrupt")
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = try makeFiles(20, in: dir)
    let store = dir.appendingPathComponent("store.sqlite")
    #expect(try run(["ingest", "-q", "--db", store.path, input.path], in: dir).status == 0)
    #expect(try run(["check", "-q", "--db", store.path], in: dir).status == 0)
    // Overwrite pages 2 and 3 (table b-tree pages) with a pattern: SQLite must notice. The page
    // size is the big-endian UInt16 at offset 16 of the header (1 stands for 65536).
    let header = try Data(contentsOf: store).prefix(100)
    let field = Int(header[16]) << 8 | Int(header[17])
    let pageSize = field == 1 ? 65536 : field
    let handle = try FileHandle(forWritingTo: store)
    try handle.seek(toOffset: UInt64(pageSize))
    handle.write(Data(repeating: 0xA5, count: 2 * pageSize))
    try handle.close()
    let checked = try run(["check", "--db", store.path], in: dir)
    #expect(checked.status == 1)
    let lines = checked.errors.split(separator: "\n")
    #expect(!lines.isEmpty)
    for line in lines { #expect(line.hasPrefix("error: \(store.path)"), "\(line)") }
  }

  @Test func tracesListReadsWhileAnotherProcessIngests() throws {
    let dir = try TestPaths.temporaryDirectory("reader")
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = try makeFiles(150, in: dir)
    let store = dir.appendingPathComponent("store.sqlite")
    // The store exists before the writer starts (`check` reads only: it refuses a missing one).
    _ = try SeisStore(path: store.path)
    #expect(try run(["check", "-q", "--db", store.path], in: dir).status == 0)
    let ingest = try Running(["ingest", "-q", "--db", store.path, input.path], in: dir)
    var counts: [Int] = []
    var duringIngest = 0
    while ingest.process.isRunning {
      let listed = try run(["traces", "list", "--db", store.path, "--format", "csv"], in: dir)
      #expect(listed.status == 0, "\(listed.errors)")
      #expect(!listed.errors.contains("error:"), "\(listed.errors)")
      counts.append(listed.output.split(separator: "\n").count - 1)
      if ingest.process.isRunning { duringIngest += 1 }
    }
    #expect(ingest.wait().status == 0)
    #expect(duringIngest >= 1, "no listing finished while the ingest ran")
    // Each listing sees whole files only, and never fewer than the one before.
    #expect(counts == counts.sorted())
    #expect(try listing(store, in: dir).split(separator: "\n").count == 151)
  }

  @Test func twoIngestsOfTheSameFilesAtOnceStoreEachFileOnceWithoutErrors() throws {
    let dir = try TestPaths.temporaryDirectory("writers")
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = try makeFiles(80, in: dir)
    let store = dir.appendingPathComponent("store.sqlite")
    // Both start on a store that does not exist yet: creation and migration race too.
    let first = try Running(["ingest", "--db", store.path, input.path], in: dir)
    let second = try Running(["ingest", "--db", store.path, input.path], in: dir)
    let outcomes = [first.wait(), second.wait()]
    var stored = 0
    var skipped = 0
    for outcome in outcomes {
      #expect(outcome.status == 0, "\(outcome.errors)")
      #expect(!outcome.errors.contains("error:"), "\(outcome.errors)")
      // The summary goes to stderr, beside any warning or error.
      let summary = try #require(
        outcome.errors.split(separator: "\n").last { $0.hasPrefix("ingest: stored") })
      let numbers = summary.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
      // "ingest: stored N files (S segments, X samples); skipped K already stored; F failed"
      stored += numbers[0]
      skipped += numbers[3]
      #expect(numbers[4] == 0)
    }
    #expect(stored == 80)
    #expect(skipped == 80)
    #expect(try sourceFileCount(store) == 80)
    #expect(try SeisStore(path: store.path).check().isEmpty)
    #expect(try listing(store, in: dir).split(separator: "\n").count == 81)
  }
}

extension ProcessSafetyTests {
  /// Peak resident memory in KiB of one `seiscluster` run (that process alone, from wait4),
  /// with its output thrown away.
  func peakMemoryKiB(_ arguments: [String], environment: [String: String] = [:]) throws -> (
    status: Int32, kib: Int
  ) {
    let path = try #require(seisclusterBinary).path
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { for arg in argv { free(arg) } }
    var pid: pid_t = 0
    var variables = ProcessInfo.processInfo.environment
    variables.merge(environment) { $1 }
    let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for entry in envp { free(entry) } }
    let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
    try #require(spawned == 0, "posix_spawn failed: \(spawned)")
    var status: Int32 = 0
    var usage = rusage()
    _ = wait4(pid, &status, 0, &usage)
    return (status, usage.ru_maxrss)
  }

  /// Memory stays bounded by the largest file, not by the number of files: with a read-ahead
  /// budget of 1 MB (so at most one file per core and one more are in hand, at most 9), 60 files
  /// peak within a few MB of 10 (each file's samples are freed once stored; a retained 0.5 MB
  /// per file would add 25 MB).
  @Test func ingestMemoryDoesNotGrowWithTheNumberOfFiles() throws {
    let dir = try TestPaths.temporaryDirectory("memory")
    defer { try? FileManager.default.removeItem(at: dir) }
    let few = try makeFiles(10, samples: 125_000, in: dir, folder: "few")
    let many = try makeFiles(60, samples: 125_000, in: dir, folder: "many")
    let budget = ["SEISCLUSTER_READ_AHEAD_MB": "1"]
    let small = try peakMemoryKiB(
      ["ingest", "-q", "--db", dir.appendingPathComponent("few.sqlite").path, few.path],
      environment: budget)
    let large = try peakMemoryKiB(
      ["ingest", "-q", "--db", dir.appendingPathComponent("many.sqlite").path, many.path],
      environment: budget)
    #expect(small.status == 0 && large.status == 0)
    #expect(
      large.kib - small.kib < 12_000,
      "peak \(small.kib) KiB for 10 files, \(large.kib) KiB for 60 files of 0.5 MB")
  }
}

extension ProcessSafetyTests.Outcome {
  /// Whether the process ended by `signal` (Foundation reports it as an uncaught signal).
  func process(killedBy signal: Int32, _ running: ProcessSafetyTests.Running) -> Bool {
    running.process.terminationReason == .uncaughtSignal && status == signal
  }
}
