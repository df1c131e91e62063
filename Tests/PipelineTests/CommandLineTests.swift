import Foundation
import Numerics
import Pipeline
import Seismic
import Store
import TestSupport
import Testing

/// The command line as users drive it: the `seiscluster` binary `swift test` builds, run in a
/// folder of its own. Issue 17: one error path (items 14, 15), `--force` and `--output -` (6),
/// FIFOs (7), unreadable folders (8), live runs and kill -9 (12), and the CLI's imports
/// (issue 13, item 5).
@Suite(
  .serialized,
  .enabled(
    if: SeisclusterProcess.binary != nil,
    "needs .build/debug/seiscluster: run `swift build` first (swift test builds it)"))
struct CommandLineTests {
  typealias Outcome = SeisclusterProcess.Outcome

  func folder() throws -> URL { try TestPaths.temporaryDirectory("cli") }

  func run(_ arguments: [String], in dir: URL, shell: String? = nil) throws -> Outcome {
    try SeisclusterProcess.run(arguments, in: dir, shell: shell)
  }

  /// The contract's shape of every stderr line: `error: ...`, `warning: ...` or a summary; never
  /// `Error:` or a trap.
  func expectNoTrapOrCapitalError(_ outcome: Outcome, _ context: String) {
    #expect(!outcome.errors.contains("Error: "), "\(context): \(outcome.errors)")
    #expect(!outcome.errors.contains("Fatal error"), "\(context): \(outcome.errors)")
  }

  /// A store holding 4 windows (fixtures/npy) and one complete run of 2 clusters.
  func storeWithARun(in dir: URL) throws {
    let npy = TestPaths.fixtures.appendingPathComponent("npy/windows_f4_4x3x100.npy").path
    #expect(try run(["-q", "windows", "import", npy], in: dir).status == 0)
    let cluster = try run(
      ["-q", "cluster", "--clusters", "2", "--epochs", "1", "--max-iterations", "2"], in: dir)
    #expect(cluster.status == 0, "\(cluster.errors)")
  }

  // MARK: One error path (items 14, 15)

  /// A long value echoed in an error line is shortened to its ends and its length (a
  /// 100,000-character `--stations` was echoed whole: an adversarial sweep); quoted prose and
  /// short values are whole.
  @Test func longValuesInErrorLinesAreShortenedToTheirEnds() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let long = String(repeating: "A", count: 4_000) + "Z"
    for (arguments, code) in [
      (["cluster", "--stations", long], Int32(64)), (["cluster", "--clusters", long], 64),
      (["export", "--format", long], 64), (["windows", "build", "--phase", long], 1),
    ] {
      let refused = try run(arguments, in: dir)
      #expect(refused.status == code, "\(arguments[1]): \(refused.errors)")
      #expect(refused.errorLines.count == 1, "\(refused.errors)")
      let line = refused.errorLines.first ?? ""
      #expect(
        line.contains(
          "'\(String(repeating: "A", count: 60))...\(String(repeating: "A", count: 19))Z' (4001 characters)"
        ),
        "\(line.prefix(300))")
      #expect(line.count < 500, "\(arguments[1]): \(line.count) characters")
    }
    // An apostrophe inside the value does not end it; a long value with spaces is kept to the
    // line's start and end (a review: 3,086 bytes; 30,000 quoted words took 5 minutes).
    let inner = try run(["windows", "build", "--phase", "it's" + long], in: dir)
    #expect(
      inner.errorLines.first?.contains("(4005 characters)") == true, "\(inner.errors.prefix(300))")
    let spaced = try run(
      ["windows", "build", "--phase", String(repeating: "'A ", count: 30_000)], in: dir)
    #expect(spaced.errorLines.count == 1)
    #expect((spaced.errorLines.first?.count ?? 0) < 5_200)
    #expect(spaced.errorLines.first?.contains("characters left out) ...") == true)
    let short = try run(["export", "--format", "xml"], in: dir)
    #expect(short.errors.contains("The value 'xml' is invalid for '--format <format>'"))
    // Apostrophes inside a path are no quotes: the path the user needs stays whole (a review
    // found `it's/AAA...'s.csv` shortened in the middle).
    let path = dir.path + "/it's/" + String(repeating: "A", count: 150) + "'s.csv"
    let missing = try run(["picks", "import", path], in: dir)
    #expect(missing.status == 1)
    #expect(missing.errorLines.first?.hasPrefix("error: \(path): ") == true, "\(missing.errors)")
  }

  @Test func badUsageIsOneLineWithTheParsersExitCode() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let negative = try run(["cluster", "--clusters", "-1"], in: dir)
    #expect(negative.status == 64)
    #expect(
      negative.errorLines == [
        "error: --clusters must be at least 1 (see 'seiscluster cluster --help')"
      ])
    let before = try run(["windows", "build", "--before", "-2"], in: dir)
    #expect(before.status == 64)
    #expect(before.errorLines.count == 1)
    #expect(before.errors.contains("--before must be a finite number of seconds >= 0"))
    // Infinite values were refused as "must be >= 0" (an adversarial review): said as what
    // they are not.
    for (arguments, message) in [
      (
        ["windows", "build", "--before", "inf"], "--before must be a finite number of seconds >= 0"
      ),
      (["windows", "build", "--rate", "inf"], "--rate must be a finite number > 0"),
      (["cluster", "--l2", "inf"], "--l2 must be a finite number >= 0"),
      (["cluster", "--learning-rate", "inf"], "--learning-rate must be a finite number > 0"),
      (["detect", "--sta", "inf"], "--sta must be a finite number of seconds > 0"),
      (["detect", "--on", "inf"], "--on must be a finite number > 0"),
    ] {
      let refused = try run(arguments, in: dir)
      #expect(refused.status == 64, "\(arguments)")
      #expect(refused.errors.contains(message), "\(arguments): \(refused.errors)")
    }
    // --clusters auto's range and the window budget: 0, negative, huge and NaN are refused.
    for (arguments, message) in [
      (["cluster", "--clusters", "auto", "--max-clusters", "1"], "--max-clusters takes 2 to 100"),
      (
        ["cluster", "--clusters", "auto", "--max-clusters", "1000000000"],
        "--max-clusters takes 2 to 100"
      ),
      (
        [
          "sweep", "--latent", "2", "--output", "s.csv", "--clusters", "auto", "--max-clusters",
          "0",
        ], "--max-clusters takes 2 to 100"
      ),
      (
        ["cluster", "--clusters", "2", "--window-memory", "-5"],
        "--window-memory takes 1 to 1048576"
      ),
      (
        ["cluster", "--clusters", "2", "--window-memory", "9223372036854775807"],
        "--window-memory takes 1 to 1048576"
      ),
      (["cluster", "--clusters", "nan"], "The value 'nan' is invalid for '--clusters <k|auto>'"),
      // A negative corner was "Missing value for '--bandpass <low,high>'".
      (
        ["windows", "build", "--bandpass", "-1,20"],
        "--bandpass takes LOW,HIGH in Hz with 0 < LOW < HIGH"
      ),
      // Were exit 1 after opening the store (an adversarial sweep): the options contradict.
      (
        ["cluster", "--clusters", "3", "--init", "polarity"],
        "--init polarity splits up from down: use --clusters 2"
      ),
      (
        ["cluster", "--clusters", "auto", "--init", "polarity"],
        "--init polarity splits up from down: use --clusters 2"
      ),
      (
        ["traces", "export", "--format", "sac", "--output", "-"],
        "SAC files cannot be concatenated: --output - writes MiniSEED"
      ),
      (["cluster", "--clusters", "2", "--orphans", "0"], "--orphans takes a correlation above 0"),
      (
        ["cluster", "--clusters", "2", "--orphans", "-0.5"], "--orphans takes a correlation above 0"
      ),
      (
        ["cluster", "--clusters", "2", "--orphans", "nan"], "--orphans takes a correlation above 0"
      ),
      (
        ["cluster", "--clusters", "2", "--orphans", "1e9"], "--orphans takes a correlation above 0"
      ),
      (
        ["cluster", "--resume", "--orphans", "0.7"],
        "--resume continues a run with its own --orphans"
      ),
      // --resume takes the run's own options: one given would be ignored.
      (
        ["cluster", "--resume", "--clusters", "5"],
        "--resume continues a run with its own --clusters, model options"
      ),
      (
        ["cluster", "--resume", "--seed", "9", "--architecture", "dense"],
        "--resume continues a run with its own --clusters, model options"
      ),
      (
        ["cluster", "--resume", "--window-memory", "10"],
        "--resume continues a run with its own --clusters, model options and --window-memory"
      ),
      (
        ["cluster", "--clusters", "3", "--max-clusters", "5"],
        "--max-clusters applies to --clusters auto"
      ),
      (
        ["sweep", "--clusters", "2", "--max-clusters", "7", "--latent", "2", "--output", "s.csv"],
        "--max-clusters applies to --clusters auto"
      ),
      // A sweep's runs are keyed by size and type: each once.
      (
        ["sweep", "--clusters", "2", "--latent", "2,2,4", "--output", "s.csv"],
        "--latent lists 2 more than once: give each size once"
      ),
      (
        [
          "sweep", "--clusters", "2", "--latent", "2", "--architecture", "conv,dense,conv",
          "--output", "s.csv",
        ],
        "--architecture lists conv more than once: give each type once"
      ),
      (["demo", "--db", "x.sqlite", "--output", "d"], "--db does not apply"),
      // Lengths that would overflow an integer are refused, not trapped on.
      (["detect", "--lta", "1e308"], "--lta is at most 864000 s"),
      (["detect", "--sta", "1e30", "--lta", "1e31"], "--lta is at most 864000 s"),
      // Two stores: the parser kept the last one, so a command meant for one wrote to the other.
      (
        ["--db", "a.sqlite", "picks", "import", "p.csv", "--db", "b.sqlite"],
        "--db is given 2 times (a.sqlite, b.sqlite): give one store"
      ),
      (
        ["traces", "list", "--db=a.sqlite", "--db", "b.sqlite"],
        "--db is given 2 times (a.sqlite, b.sqlite): give one store"
      ),
    ] {
      let outcome = try run(arguments, in: dir)
      #expect(outcome.status == 64, "\(arguments)")
      #expect(outcome.errorLines.count == 1, "\(arguments): \(outcome.errors)")
      #expect(outcome.errors.contains(message), "\(arguments): \(outcome.errors)")
    }
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("b.sqlite").path))
    #expect(
      try run(["--db", "a.sqlite", "traces", "list", "--db", "b.sqlite"], in: dir).errorLines == [
        "error: --db is given 2 times (a.sqlite, b.sqlite): give one store (see 'seiscluster --help')"
      ])
    // The same store twice is one store, however spelt.
    for second in ["a.sqlite", "./a.sqlite", "\(dir.path)/a.sqlite"] {
      let same = try run(["--db", "a.sqlite", "traces", "list", "--db", second], in: dir)
      #expect(!same.errors.contains("given 2 times"), "\(second): \(same.errors)")
    }
    // An option where a path should be is not taken for a second store.
    let option = try run(["--db", "a.sqlite", "traces", "list", "--db", "--quiet"], in: dir)
    #expect(!option.errors.contains("given 2 times"), "\(option.errors)")
    let unknown = try run(["ingest", "--bogus", "x"], in: dir)
    #expect(unknown.status == 64)
    #expect(
      unknown.errorLines == ["error: Unknown option '--bogus' (see 'seiscluster ingest --help')"])
  }

  /// Four labels that all match the clusters cannot show significance (p > 0.05 even when
  /// perfect): `relabel` says so on the contract's warning line, not that they match no better
  /// than chance.
  @Test func relabelSaysTooFewLabelsToRuleOutDisagreementWhenAllMatch() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    try storeWithARun(in: dir)
    let csv = try run(["-q", "export", "--format", "csv", "--output", "-"], in: dir)
    let rows = csv.output.split(separator: "\n").dropFirst().map {
      $0.split(separator: ",", omittingEmptySubsequences: false)
    }
    let header = csv.output.split(separator: "\n").first!.split(separator: ",")
    let id = try #require(header.firstIndex(of: "window_id"))
    let cluster = try #require(header.firstIndex(of: "cluster"))
    #expect(Set(rows.map { $0[cluster] }).count == 2, "the fixture's run uses both clusters")
    let labels =
      "window_id,label\n" + rows.map { "\($0[id]),c\($0[cluster])" }.joined(separator: "\n")
    try labels.write(to: dir.appendingPathComponent("l.csv"), atomically: true, encoding: .utf8)
    let outcome = try run(["relabel", "--labels", "l.csv"], in: dir)
    #expect(outcome.status == 0, "\(outcome.errors)")
    #expect(
      outcome.errors.contains(
        "warning: labels disagree with the data cannot be ruled out: all 4 match"))
    #expect(!outcome.errors.contains("no better than chance"))
  }

  /// Standard output or standard error that cannot be written (a full disk, a closed stream):
  /// stop 40's sweep found `traces list` and `traces export --output -` dying with a Swift
  /// fatal error (exit 132) on a full stdout, and every command on a full stderr.
  @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "needs /dev/full"))
  func aFullStandardOutputIsAnErrorAndAFullStandardErrorIsNoCrash() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    try "network,station,location,time,phase\nXX,AAA,,2024-01-01T00:00:00Z,P\n".write(
      to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
    // A warning (no stored data) goes to a full stderr: dropped, and the import stands.
    let quietly = try SeisclusterProcess.run(
      ["picks", "import", "--db", "s.sqlite", "p.csv"], in: dir, shell: "exec 2>/dev/full;")
    #expect(quietly.status == 0)
    // The listing (its header, no segment being stored) goes to a full stdout: an error.
    let full = try SeisclusterProcess.run(
      ["traces", "list", "--db", "s.sqlite"], in: dir, shell: "exec >/dev/full;")
    #expect(full.status == 1, "\(full.status): \(full.errors)")
    #expect(full.errors.contains("error: -: cannot write: No space left on device"))
    // `evaluate`'s scores are its result: lost, they were exit 0 (a sweep of stop 41).
    try storeWithARun(in: dir)
    try "window_id,label\n0,a\n1,b\n2,a\n3,b\n".write(
      to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
    let scores = try SeisclusterProcess.run(
      ["evaluate", "--truth", "t.csv", "-q"], in: dir, shell: "exec >/dev/full;")
    #expect(scores.status == 1, "\(scores.status): \(scores.errors)")
    #expect(scores.errors.contains("error: -: cannot write: No space left on device"))
    let shown = try run(["evaluate", "--truth", "t.csv", "-q"], in: dir)
    #expect(shown.status == 0 && shown.output.hasPrefix("ACC="), "\(shown.errors)")
  }

  @Test func aDemoFolderThatIsAFileIsRefusedInOneLine() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(
      FileManager.default.createFile(atPath: dir.appendingPathComponent("f").path, contents: nil))
    let outcome = try run(["demo", "--output", "f"], in: dir)
    #expect(outcome.status == 1)
    #expect(outcome.errorLines.count == 1)
    #expect(outcome.errors.contains("is a file, not a folder"))
  }

  /// `demo --force` replaces the demo's own files only: a project folder's waveforms are never
  /// removed (the adversarial sweep of stop 38 lost a user's waveforms/ tree this way).
  @Test func demoForceReplacesTheDemosOwnFilesAndNeverTheUsers() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    let mine = dir.appendingPathComponent("proj/waveforms/2026/XP/XP.P001..HHZ.2026.060")
    try fm.createDirectory(at: mine.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data("user data".utf8).write(to: mine)
    try Data("my labels\n".utf8).write(to: dir.appendingPathComponent("proj/truth.csv"))
    let arguments = ["demo", "--output", "proj", "--events", "12", "--stations", "2"]
    let refused = try run(arguments, in: dir)
    #expect(refused.status == 1)
    #expect(
      refused.errors.contains(
        "proj: already holds files the demo writes (waveforms, truth.csv); use --force"))
    let forced = try run(arguments + ["--force"], in: dir)
    #expect(forced.status == 1)
    #expect(
      forced.errors.contains(
        "holds 1 file the demo did not write (2026/XP/XP.P001..HHZ.2026.060); --force replaces only the demo's own files"
      ))
    #expect(fm.fileExists(atPath: mine.path))
    #expect(
      try String(contentsOf: dir.appendingPathComponent("proj/truth.csv"), encoding: .utf8)
        == "my labels\n")
  }

  /// A store path through a file (`f/s.sqlite`, `f` a file): no command can make a store there,
  /// so the error says why instead of suggesting `ingest`.
  @Test func aStorePathThroughAFileSaysSo() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data("x".utf8).write(to: dir.appendingPathComponent("f"))
    let outcome = try run(
      ["export", "--format", "csv", "--output", "-", "--db", "f/s.sqlite"], in: dir)
    #expect(outcome.status == 1)
    #expect(
      outcome.errorLines == [
        "error: f/s.sqlite: no store here: a part of the path is a file, not a folder"
      ], "\(outcome.errors)")
  }

  /// A review's `demo --events 99999999999999` was accepted and grew past 3 GB in ten seconds:
  /// the demo generates its data in memory, so its size is bounded before any work.
  @Test func demoEventCountsOutsideTheirRangeAreRefusedBeforeAnyWork() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    for count in ["3", "10001", "99999999999999"] {
      let outcome = try run(["demo", "--output", "d", "--events", count], in: dir)
      #expect(outcome.status == 64, "\(count)")
      #expect(outcome.errorLines.count == 1, "\(count): \(outcome.errors)")
      #expect(outcome.errors.contains("--events takes 4 to 10000"), "\(count): \(outcome.errors)")
      #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("d").path))
    }
    // Within the range, but more than the memory there is: refused before the folder is made.
    let limited = try run(
      ["demo", "--output", "d", "--events", "5000"], in: dir, shell: "ulimit -v 3000000; exec")
    #expect(limited.status == 1)
    #expect(
      limited.errorLines.count == 1
        && limited.errors.contains(
          "error: --events 5000: the demo generates its data in memory, about 5.5 GB, and"),
      "\(limited.errors)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("d").path))
  }

  @Test func absurdWindowLengthsAreOneLineErrorsNotTraps() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    for arguments in [
      ["windows", "build", "--before", "1e308"],
      ["windows", "build", "--after", "1e308"],
      ["windows", "build", "--before", "1.7e308", "--after", "1.7e308"],
      ["cluster", "--clusters", "2", "--before", "1e308"],
    ] {
      let outcome = try run(arguments, in: dir)
      // Bad usage, like a negative --before: the parser's code.
      #expect(outcome.status == 64, "\(arguments)")
      #expect(outcome.errorLines.count == 1, "\(arguments): \(outcome.errors)")
      #expect(
        outcome.errors.contains("--before and --after are at most 1e9 s each"), "\(arguments)")
      expectNoTrapOrCapitalError(outcome, "\(arguments)")
    }
  }

  /// Decision 0020: the spectrogram reference means nothing to waveform or correlation input,
  /// and the noise reference needs an STFT segment before the pick.
  @Test func aSpectrogramReferenceForWindowsThatAreNotSpectrogramsIsRefused() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    for (arguments, expected) in [
      (
        ["windows", "build", "--input", "waveform", "--spectrogram-reference", "frequency"],
        "these windows go in as waveform"
      ),
      (
        [
          "cluster", "--clusters", "2", "--input", "correlation", "--spectrogram-reference",
          "window",
        ],
        "these windows go in as correlation"
      ),
      (
        [
          "windows", "build", "--before", "1", "--after", "3", "--spectrogram-reference",
          "frequency",
        ],
        "add --input spectrogram"
      ),
      (
        [
          "cluster", "--clusters", "2", "--before", "1", "--after", "30", "--spectrogram-reference",
          "noise",
        ],
        "no segment of 1.28 s at 100 Hz fits in --before 1 s: give --before 1.28 or more"
      ),
      (
        [
          "windows", "build", "--before", "2", "--after", "0", "--input", "spectrogram",
          "--spectrogram-reference", "noise",
        ],
        "every frame of these windows ends before the pick: give a longer --after than 0 s"
      ),
    ] {
      let outcome = try run(arguments, in: dir)
      #expect(outcome.status == 64, "\(arguments)")
      #expect(outcome.errorLines.count == 1, "\(arguments): \(outcome.errors)")
      #expect(outcome.errors.contains(expected), "\(arguments): \(outcome.errors)")
    }
  }

  @Test func modelAndClusteringErrorsAreOneLineNamingTheStore() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let empty = try run(["cluster", "--clusters", "2"], in: dir)
    #expect(empty.status == 1)
    #expect(empty.errorLines.count == 1)
    #expect(empty.errors.hasPrefix("error: seiscluster.sqlite: no current window set"))
    // A new store says what to run first (it said `windows build`, which said "no pick").
    #expect(
      empty.errors.contains("the store holds no traces and no picks: `seiscluster ingest DIR`"))
    let build = try run(["windows", "build"], in: dir)
    #expect(build.status == 1)
    #expect(build.errors.contains("no pick selected (the store holds no traces and no picks"))
    let npy = TestPaths.fixtures.appendingPathComponent("npy/windows_f4_4x3x100.npy").path
    #expect(try run(["-q", "windows", "import", npy], in: dir).status == 0)
    let tooMany = try run(["-q", "cluster", "--clusters", "5"], in: dir)
    #expect(tooMany.status == 1)
    #expect(tooMany.errorLines.count == 1)
    #expect(tooMany.errors.contains("error: seiscluster.sqlite: the window set holds 4 windows"))
    // A clustering error (the loss diverges): was `Error: the reconstruction loss ...`.
    let diverging = try run(
      ["-q", "cluster", "--clusters", "2", "--epochs", "3", "--learning-rate", "1e30"], in: dir)
    #expect(diverging.status == 1)
    #expect(
      diverging.errorLines == [
        "error: seiscluster.sqlite: the reconstruction loss at pretraining epoch 2 contains NaN or infinity: training diverged (a smaller --learning-rate, or smaller --l1, --l2 or --sparsity penalties, keep it finite)"
      ])
    // Penalties too large make it diverge as well: the line says which options to lower.
    let penalised = try run(
      ["-q", "cluster", "--clusters", "2", "--epochs", "3", "--l2", "1e300"], in: dir)
    #expect(penalised.status == 1)
    #expect(
      penalised.errors.contains("training diverged (a smaller --learning-rate, or smaller --l1"),
      "\(penalised.errors)")
    for outcome in [empty, tooMany, diverging] { expectNoTrapOrCapitalError(outcome, "cluster") }
  }

  /// Commands that only read never make a store: a path with no file, or an empty file, is
  /// one line and exit 1 (a sweep found `check` creating a 2 MB store and calling it sound,
  /// and calling a store truncated to 0 bytes sound).
  @Test func commandsThatReadRefuseAMissingOrEmptyStore() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(
      FileManager.default.createFile(
        atPath: dir.appendingPathComponent("empty.sqlite").path, contents: nil))
    #expect(mkfifo(dir.appendingPathComponent("fifo.sqlite").path, 0o600) == 0)
    for (db, message) in [
      ("missing.sqlite", "no store here"), ("empty.sqlite", "an empty file, not a store"),
      ("fifo.sqlite", "not a regular file"),
    ] {
      for command in [
        ["check"], ["export", "--format", "csv", "--output", "-"], ["traces", "list"],
      ] {
        let outcome = try run(command + ["--db", db], in: dir)
        #expect(outcome.status == 1, "\(command) \(db)")
        #expect(outcome.errorLines.count == 1, "\(outcome.errors)")
        #expect(outcome.errors.contains(message), "\(outcome.errors)")
      }
    }
    #expect(
      !FileManager.default.fileExists(atPath: dir.appendingPathComponent("missing.sqlite").path))
    let size =
      try FileManager.default.attributesOfItem(
        atPath: dir.appendingPathComponent("empty.sqlite").path)[.size] as? Int
    #expect(size == 0)
    // An empty file that another process fills a moment later (a store being created, as
    // six commands started at once on a new path make it) is read, not refused.
    let growing = dir.appendingPathComponent("growing.sqlite")
    let made = dir.appendingPathComponent("made.sqlite")
    _ = try SeisStore(path: made.path)
    let bytes = try Data(contentsOf: made)
    #expect(FileManager.default.createFile(atPath: growing.path, contents: nil))
    let filled = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
      Thread.sleep(forTimeInterval: 0.2)
      // In one step: a plain write can be watched half done ("database disk image is
      // malformed", seen on a loaded machine), where SQLite making a store holds its locks.
      try? bytes.write(to: growing, options: .atomic)
      filled.signal()
    }
    // (Watched for 10 s here, not the 1 s users get, so a loaded machine cannot fail it.)
    #expect(throws: Never.self) {
      try StoreLocation(path: growing.path).openForReading(emptyFileWait: 10)
    }
    filled.wait()
  }

  @Test func storePathsThatAreNotStoresAreRefusedInOneLine() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let text = dir.appendingPathComponent("notes.txt")
    try "field notes\n".write(to: text, atomically: true, encoding: .utf8)
    let cases: [(String, String)] = [
      (dir.path, "is a folder, not a store"),
      ("", "--db '': an empty path names no store"),
      (text.path, "is not a SQLite database"),
    ]
    for (path, expected) in cases {
      for command in [["check"], ["ingest", "x.mseed"], ["traces", "list"]] {
        let outcome = try run(["--db", path] + command, in: dir)
        #expect(outcome.status == 1, "\(path) \(command)")
        #expect(outcome.errorLines.count == 1, "\(path) \(command): \(outcome.errors)")
        #expect(outcome.errors.contains(expected), "\(path) \(command): \(outcome.errors)")
      }
    }
    #expect(try String(contentsOf: text, encoding: .utf8) == "field notes\n")
  }

  /// An empty path used to resolve to the working folder ("/tmp/x: a folder, not a file") or
  /// to fall back to naming the store ("seiscluster.sqlite: a folder, not a file").
  @Test func emptyFileArgumentsAreRefusedNamingThemselves() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    try storeWithARun(in: dir)
    let cases: [([String], String)] = [
      (["ingest", ""], "'': an empty path names no file or folder"),
      (["picks", "import", ""], "'': an empty path names no file"),
      (["windows", "import", ""], "'': an empty path names no file"),
      (["windows", "import", "w.npy", "--index", ""], "'': an empty path names no file"),
      (["evaluate", "--truth", ""], "'': an empty path names no file"),
      (["relabel", "--labels", ""], "'': an empty path names no file"),
      (
        ["sweep", "--latent", "4", "--truth", "", "--output", "s.csv"],
        "'': an empty path names no file"
      ),
      (["evaluate", "--truth", "missing.csv"], "missing.csv: no such file"),
    ]
    for (arguments, expected) in cases {
      let outcome = try run(arguments, in: dir)
      #expect(outcome.status == 1, "\(arguments)")
      #expect(outcome.errors.contains("error: \(expected)\n"), "\(arguments): \(outcome.errors)")
    }
    let demo = try run(["demo", "--output", ""], in: dir)
    #expect(demo.status == 1)
    #expect(demo.errors == "error: --output '': an empty path names no folder\n")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("demo.sqlite").path))
  }

  @Test(
    .enabled(
      if: SeisclusterProcess.unprivileged != nil, "needs setpriv to drop root, or a non-root user"))
  func aReadOnlyStoreIsReadWithoutLeavingFilesBehind() throws {
    let dir = try folder()
    let store = dir.appendingPathComponent("seiscluster.sqlite").path
    defer {
      chmod(dir.path, 0o755)
      try? FileManager.default.removeItem(at: dir)
    }
    try storeWithARun(in: dir)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [
        "seiscluster.sqlite"
      ])
    // A copy of the store in a folder the user cannot search (a review: it was called "no store
    // here", and `ingest` was suggested, which fails too).
    let hidden = dir.appendingPathComponent("hidden")
    try FileManager.default.createDirectory(at: hidden, withIntermediateDirectories: false)
    try FileManager.default.copyItem(
      atPath: store, toPath: hidden.appendingPathComponent("seiscluster.sqlite").path)
    chmod(hidden.path, 0o000)
    defer { chmod(hidden.path, 0o755) }
    // Root owns the store: `nobody` cannot write it. Unprivileged, take the write bits away.
    chmod(store, 0o444)
    chmod(dir.path, 0o555)
    let user = try #require(SeisclusterProcess.unprivileged)
    for command in [
      ["export", "--format", "csv", "--output", "-"], ["picks", "list"], ["check"],
    ] {
      let outcome = try run(
        command + ["--db", "hidden/seiscluster.sqlite"], in: dir, shell: user)
      #expect(outcome.status == 1, "\(command)")
      #expect(
        outcome.errorLines == [
          "error: hidden/seiscluster.sqlite: cannot read the store: Permission denied (a folder on its path cannot be searched)"
        ], "\(command): \(outcome.errors)")
    }
    for command in [
      ["check"], ["traces", "list", "--format", "csv"],
      ["export", "--format", "csv", "--output", "-"],
      ["report", "--output", "-"], ["windows", "export", "--output", "-"],
    ] {
      let outcome = try run(command, in: dir, shell: user)
      #expect(outcome.status == 0, "\(command): \(outcome.errors)")
      #expect(!outcome.errors.contains("grdb_issue_102"), "\(command)")
    }
    // An output in a folder the user cannot write to is refused before any work (`sweep`
    // trained every run first, then failed).
    let traces = try run(
      ["traces", "export", "--format", "sac", "--output", "."], in: dir, shell: user)
    #expect(traces.status == 1)
    #expect(
      traces.errorLines == ["error: .: cannot write in the folder: Permission denied"],
      "\(traces.errors)")
    // The demo's folder under one the user cannot write to (Foundation's words named neither).
    let demo = try run(["demo", "--output", "sub/d"], in: dir, shell: user)
    #expect(demo.status == 1)
    #expect(
      demo.errorLines.count == 1
        && demo.errors.contains("cannot create the folder: \(dir.path) is not writable here"),
      "\(demo.errors)")
    for command in [
      ["export", "--format", "csv", "--output", "out.csv"],
      ["sweep", "--latent", "2", "--clusters", "2", "--output", "out.csv"],
    ] {
      let refused = try run(command, in: dir, shell: user)
      #expect(refused.status == 1, "\(command): \(refused.errors)")
      #expect(
        refused.errorLines == ["error: out.csv: cannot write in \(dir.path): Permission denied"],
        "\(command): \(refused.errors)")
    }
    let ingest = try run(["ingest", "x.mseed"], in: dir, shell: user)
    #expect(ingest.status == 1)
    #expect(
      ingest.errorLines == [
        "error: seiscluster.sqlite: the store is read-only here (no write permission on it or its folder)"
      ])
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [
        "hidden", "seiscluster.sqlite",
      ])
  }

  /// A daily re-ingest of an archive printed a line per unchanged file (a review: thousands a
  /// day for a year's archive). Files found in folders are counted in the summary; a file
  /// named on the command line still gets its line.
  @Test func aReIngestedFolderCountsItsUnchangedFilesInTheSummary() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = dir.appendingPathComponent("in")
    try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
    for i in 0..<3 {
      let segment = Segment(
        source: SourceIdentifier(network: "XX", station: "R\(i)", location: "", channel: "HHZ"),
        startTime: Timestamp(nanoseconds: 0), samplingRate: 100,
        samples: .float32((0..<500).map { Float($0 % 17) }))
      try SACWriter.encode(segment).write(to: input.appendingPathComponent("f\(i).sac"))
    }
    #expect(try run(["ingest", "in"], in: dir).status == 0)
    let again = try run(["ingest", "in"], in: dir)
    #expect(again.status == 0)
    #expect(!again.errors.contains("already stored (same content"), "\(again.errors)")
    #expect(again.errors.contains("skipped 3 already stored"), "\(again.errors)")
    let named = try run(["ingest", "in/f0.sac"], in: dir)
    #expect(
      named.errors.contains("in/f0.sac: already stored (same content as in/f0.sac), skipped"),
      "\(named.errors)")
  }

  /// A file is compared with the versions stored under the path it resolves to: given from
  /// inside its folder or through a link, a grown file replaces its stored version (it was
  /// stored beside it, and `--replace-changed` replaced nothing; a review), and the same
  /// relative name in another folder is another file (its row was replaced).
  @Test func versionsAreFoundByThePathAFileResolvesTo() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    try fm.createDirectory(at: dir.appendingPathComponent("d"), withIntermediateDirectories: true)
    try fm.createDirectory(
      at: dir.appendingPathComponent("other"), withIntermediateDirectories: true)
    try fm.createSymbolicLink(
      atPath: dir.appendingPathComponent("link").path, withDestinationPath: "d")
    func write(_ count: Int, to name: String) throws {
      try SACWriter.encode(
        Segment(
          source: SourceIdentifier(network: "XX", station: "PATH", location: "", channel: "HHZ"),
          startTime: Timestamp(nanoseconds: 0), samplingRate: 100,
          samples: .float32((0..<count).map { Float($0 % 23) }))
      ).write(to: dir.appendingPathComponent(name))
    }
    try write(1000, to: "d/day.sac")
    #expect(try run(["ingest", "d/day.sac", "--db", "s.sqlite"], in: dir).status == 0)
    try write(2000, to: "d/day.sac")
    let inside = try run(
      ["ingest", "./day.sac", "--db", "../s.sqlite"], in: dir.appendingPathComponent("d"))
    #expect(inside.errors.contains("; replaced 1 earlier version"), "\(inside.errors)")
    try write(3000, to: "d/day.sac")
    let linked = try run(["ingest", "link/day.sac", "--db", "s.sqlite"], in: dir)
    #expect(linked.errors.contains("; replaced 1 earlier version"), "\(linked.errors)")
    // `day.sac` in another folder holds every sample of d/day.sac, but is another file.
    try write(4000, to: "other/day.sac")
    let other = try run(
      ["ingest", "day.sac", "--db", "../s.sqlite"], in: dir.appendingPathComponent("other"))
    #expect(other.status == 0)
    #expect(!other.errors.contains("replaced"), "\(other.errors)")
    let store = try SeisStore(path: dir.appendingPathComponent("s.sqlite").path)
    #expect(try store.sourceFiles().map(\.size).count == 2)
  }

  @Test func aFullDiskStopsAtTheFirstFailureInOneLineAndLeavesTheStoreSound() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = dir.appendingPathComponent("in")
    try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
    var generator = SeededGenerator(seed: 17)
    for i in 0..<30 {
      let samples = (0..<50_000).map { _ in Float(generator.nextGaussian()) }
      let segment = Segment(
        source: SourceIdentifier(network: "XX", station: "S\(i)", location: "", channel: "HHZ"),
        startTime: Timestamp(nanoseconds: Int64(i) * 3_600_000_000_000), samplingRate: 100,
        samples: .float32(samples))
      try SACWriter.encode(segment).write(to: input.appendingPathComponent("f\(i).sac"))
    }
    // At most 8 MB per file (dash counts 512-byte blocks): the tool ignores SIGXFSZ, so writes
    // fail with EFBIG, as on a full disk (SIGXFSZ killed it in silence, exit 153).
    let full = try run(["ingest", "in"], in: dir, shell: "ulimit -f 16000; exec")
    #expect(full.status == 1)
    let errors = full.errorLines.filter { $0.hasPrefix("error:") }
    #expect(errors.count == 1, "\(full.errors)")
    #expect(errors.first?.contains("ingest stopped") == true)
    expectNoTrapOrCapitalError(full, "full disk")
    let check = try run(["check"], in: dir)
    #expect(check.status == 0, "\(check.errors)")
    let listed = try run(["traces", "list", "--format", "csv"], in: dir)
    let stored = listed.output.split(separator: "\n").count - 1
    // Files are committed in groups (decision 0012): a group that does not fit is not stored
    // at all, so anything from none to all but the last group may be there.
    #expect(stored < 30, "stored \(stored) of 30 before the limit")
    #expect(full.errors.contains("stored \(stored) files"))
    // Every file is accounted for: the group the failure rolled back was counted nowhere (the
    // line named its first file only), nor were the files after it.
    let accounted = full.errors.split(separator: "; ").compactMap { part -> Int? in
      let words = part.split(separator: " ")
      guard words.count > 6, words[1] == "read", words[2] == "but", words[4] == "stored" else {
        return nil
      }
      return Int(words[0]).flatMap { lost in Int(words[6]).map { lost + $0 } }
    }
    #expect(accounted == [30 - stored], "\(full.errors)")
    if 30 - stored > 1 { #expect(full.errors.contains("more files of its group)")) }
    // Nothing is lost: once there is room, the same command stores the rest.
    let again = try run(["ingest", "in"], in: dir)
    #expect(again.status == 0, "\(again.errors)")
    #expect(again.errors.contains("stored \(30 - stored) files"), "\(again.errors)")
    #expect(again.errors.contains("skipped \(stored) already stored"), "\(again.errors)")
    // A limit of 1 MB, below the store's size: closing the store writes back to it, and
    // SIGXFSZ killed even `traces list` (exit 153, no word) when started from a shell. (Started
    // from this process the signal is blocked, so these pass either way: see
    // `exceedingTheFileSizeLimitIsAnErrorNotASignal`.)
    let listing = try run(["traces", "list"], in: dir, shell: "ulimit -f 2000; exec")
    #expect(listing.status == 0, "\(listing.status) \(listing.errors) \(listing.output)")
    // 6 MB of MiniSEED to standard output (a file of the harness's, under the same limit).
    let export = try run(
      ["traces", "export", "--format", "mseed", "--output", "-"], in: dir,
      shell: "ulimit -f 2000; exec")
    #expect(export.status == 1, "\(export.status) \(export.errors)")
    #expect(
      export.errorLines == ["error: -: cannot write: File too large"], "\(export.errors)")
  }

  /// `windows export --index`: both files appear or neither. An index that could not be
  /// written (a full disk, a file-size limit) left the new `.npy` in place, and with --force
  /// beside the older index (a resource-failure sweep, stop 43).
  @Test func aWindowsExportWhoseIndexFailsLeavesNeitherFile() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    // 30,000 windows of one value: a 120 KB `.npy` and an index of about 360 KB.
    var npy = NPYArray.float32Header(shape: [30_000, 1, 1])
    npy.append(contentsOf: [UInt8](repeating: 0x3F, count: 30_000 * 4))
    try npy.write(to: dir.appendingPathComponent("in.npy"))
    #expect(try run(["-q", "windows", "import", "in.npy"], in: dir).status == 0)
    // 250 KB per file (dash counts 512-byte blocks): the `.npy` fits, the index does not.
    let limited = "ulimit -f 500; exec"
    let failed = try run(
      ["windows", "export", "--output", "w.npy", "--index", "w.csv"], in: dir, shell: limited)
    #expect(failed.status == 1, "\(failed.errors)")
    #expect(failed.errorLines.last == "error: w.csv: cannot write: File too large")
    var left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
    #expect(!left.contains { $0.hasPrefix("w.") || $0.hasPrefix(".w.") }, "\(left)")
    // With --force over an older pair, the pair stays the older one.
    try Data("old".utf8).write(to: dir.appendingPathComponent("w.npy"))
    try Data("old".utf8).write(to: dir.appendingPathComponent("w.csv"))
    let forced = try run(
      ["windows", "export", "--output", "w.npy", "--index", "w.csv", "--force"], in: dir,
      shell: limited)
    #expect(forced.status == 1, "\(forced.errors)")
    for name in ["w.npy", "w.csv"] {
      #expect(try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) == "old")
    }
    left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
    #expect(!left.contains { $0.hasPrefix(".w.") }, "\(left)")
    // Without the limit both are written.
    let whole = try run(
      ["-q", "windows", "export", "--output", "w.npy", "--index", "w.csv", "--force"], in: dir)
    #expect(whole.status == 0, "\(whole.errors)")
    #expect(try Data(contentsOf: dir.appendingPathComponent("w.npy")).count == npy.count)
  }

  /// A store that cannot take a checkpoint (a full disk, here a file-size limit) stops
  /// `cluster` with the run left interrupted, and the line says how to finish it: the run was
  /// marked failed, its checkpoints kept but unusable, and `--resume` found nothing to resume
  /// (a resource-failure sweep, stop 43).
  @Test func aCheckpointTheStoreCannotTakeLeavesTheRunResumable() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let npy = TestPaths.fixtures.appendingPathComponent("npy/windows_f4_4x3x100.npy").path
    #expect(try run(["-q", "windows", "import", npy], in: dir).status == 0)
    let options = ["--clusters", "2", "--epochs", "4", "--max-iterations", "2", "--restarts", "1"]
    // 2 MB per file: the run's row fits, the checkpoints of the network and its optimiser do
    // not (at 300 KB the run is never stored: that failure says nothing of a run).
    let stopped = try SeisclusterProcess.run(
      ["cluster"] + options, in: dir, environment: ["SEISCLUSTER_CHECKPOINT_SECONDS": "0"],
      shell: "ulimit -f 4000; exec")
    #expect(stopped.status == 1, "\(stopped.errors)")
    let line = stopped.errorLines.last ?? ""
    #expect(line.hasPrefix("error: "), "\(stopped.errors)")
    #expect(
      line.hasSuffix(
        "; run 1 is left interrupted: `seiscluster cluster --resume` continues it from its last checkpoint once the store can be written"
      ), "\(stopped.errors)")
    let resumed = try run(["-q", "cluster", "--resume"], in: dir)
    #expect(resumed.status == 0, "\(resumed.errors)")
    let check = try run(["check"], in: dir)
    #expect(check.status == 0, "\(check.errors)")
    // A sweep stopped so names its own resume, which finishes it (it named nothing).
    let sweep = ["sweep", "--latent", "2,4,8", "--output", "s.csv"] + options.dropFirst(2)
    let partial = try SeisclusterProcess.run(
      Array(sweep), in: dir, environment: ["SEISCLUSTER_CHECKPOINT_SECONDS": "0"],
      shell: "ulimit -f 8000; exec")
    #expect(partial.status == 1, "\(partial.errors)")
    #expect(
      partial.errorLines.last?.hasSuffix(
        "; sweep 1 is left unfinished: `seiscluster sweep --resume --sweep 1 --output s.csv` continues it"
      ) == true, "\(partial.errors)")
    let finished = try run(
      ["-q", "sweep", "--resume", "--sweep", "1", "--output", "s.csv"], in: dir)
    #expect(finished.status == 0, "\(finished.errors)")
    #expect(
      try String(contentsOf: dir.appendingPathComponent("s.csv"), encoding: .utf8)
        .split(separator: "\n").count == 4)
    // A resume of a sweep the store does not hold names no other sweep (it named finished
    // sweep 1 "left unfinished"; an adversarial review).
    let missing = try run(["sweep", "--resume", "--sweep", "99", "--output", "c.csv"], in: dir)
    #expect(missing.status == 1)
    #expect(
      missing.errorLines.last?.hasSuffix("no sweep 99 in the store") == true, "\(missing.errors)")
  }

  /// An unusable SEISCLUSTER_READ_AHEAD_MB was ignored without a word (an adversarial sweep).
  @Test func anUnusableReadAheadIsSaidAndTheDefaultUsed() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    try SACWriter.encode(
      Segment(
        source: SourceIdentifier(network: "XX", station: "RA", location: "", channel: "HHZ"),
        startTime: Timestamp(nanoseconds: 0), samplingRate: 100,
        samples: .float32((0..<100).map(Float.init)))
    ).write(to: dir.appendingPathComponent("a.sac"))
    for value in ["lots", "-5", "0"] {
      let ingest = try SeisclusterProcess.run(
        ["-q", "ingest", "a.sac"], in: dir, environment: ["SEISCLUSTER_READ_AHEAD_MB": value])
      #expect(ingest.status == 0, "\(ingest.errors)")
      #expect(
        ingest.errorLines.contains(
          "warning: SEISCLUSTER_READ_AHEAD_MB=\(value) is not a whole number of MB from 1 to 1048576: the default, 64 MB, is used"
        ), "\(ingest.errors)")
    }
    let quiet = try SeisclusterProcess.run(
      ["-q", "ingest", "a.sac"], in: dir, environment: ["SEISCLUSTER_READ_AHEAD_MB": "16"])
    #expect(quiet.status == 0 && quiet.errorLines.isEmpty, "\(quiet.errors)")
  }

  /// A sweep's runs warn as `cluster` runs do, with --quiet too: a run whose clusters came out
  /// empty said so only in its stored summary and the report (an adversarial review).
  /// `picks list` shows what is stored (a usability review found no way to see `detect`'s
  /// triggers or an import's picks); its CSV imports into another store as the same picks.
  @Test func picksListShowsTheStoredPicksAndItsCSVImportsAsTheSame() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    try """
    network,station,location,channel,time,phase,label
    XX,B,00,HHZ,2026-03-01T00:00:10.5Z,P,"local, quiet"
    XX,A,,,2026-03-01T00:00:02Z,S,
    XX,A,,,2026-03-01T00:00:01.123456Z,P,tele
    """.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
    #expect(try run(["-q", "picks", "import", "p.csv"], in: dir).status == 0)
    let listed = try run(["picks", "list", "--format", "csv"], in: dir)
    #expect(listed.status == 0, "\(listed.errors)")
    #expect(
      listed.output == """
        network,station,location,channel,time,phase,label,origin
        XX,A,,,2026-03-01T00:00:01.123456Z,P,tele,p.csv
        XX,A,,,2026-03-01T00:00:02.000000Z,S,,p.csv
        XX,B,00,HHZ,2026-03-01T00:00:10.500000Z,P,"local, quiet",p.csv

        """)
    let phaseS = try run(["picks", "list", "--phase", "S"], in: dir)
    #expect(phaseS.output.split(separator: "\n").count == 2, "\(phaseS.output)")
    #expect(phaseS.output.contains("2026-03-01T00:00:02.000000Z  S"))
    try listed.output.write(
      to: dir.appendingPathComponent("listed.csv"), atomically: true, encoding: .utf8)
    #expect(
      try run(["-q", "--db", "other.sqlite", "picks", "import", "listed.csv"], in: dir).status == 0)
    let again = try run(["--db", "other.sqlite", "picks", "list", "--format", "csv"], in: dir)
    // The same picks; only the origin names the file they came from.
    #expect(
      again.output.replacingOccurrences(of: ",listed.csv", with: ",p.csv") == listed.output)
  }

  /// `picks delete` removes what a filter names, and nothing without one (a newcomer's review:
  /// a pick file imported with wrong times stayed for ever).
  @Test func picksDeleteRemovesThePicksItsFiltersName() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    for (name, rows) in [
      ("a.csv", ["XX,A,,2026-03-01T00:00:01Z,P", "XX,A,,2026-03-01T00:00:02Z,S"]),
      ("b.csv", ["XX,B,,2026-03-01T00:00:03Z,P"]),
    ] {
      try (["network,station,location,time,phase"] + rows).joined(separator: "\n").write(
        to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
      #expect(try run(["-q", "picks", "import", name], in: dir).status == 0)
    }
    func stored() throws -> [String] {
      try run(["picks", "list", "--format", "csv"], in: dir).output.split(separator: "\n")
        .dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[4] }
        .map(String.init)
    }
    let none = try run(["picks", "delete"], in: dir)
    #expect(none.status == 64 && none.errors.contains("give --phase, --origin or --all"))
    #expect(try run(["picks", "delete", "--all", "--phase", "P"], in: dir).status == 64)
    #expect(try stored().count == 3)
    let both = try run(["picks", "delete", "--origin", "a.csv", "--phase", "P"], in: dir)
    #expect(
      both.status == 0 && both.errors.contains("picks: deleted 1; 2 stored"), "\(both.errors)")
    #expect(try stored() == ["2026-03-01T00:00:02.000000Z", "2026-03-01T00:00:03.000000Z"])
    #expect(
      try run(["picks", "delete", "--phase", "p"], in: dir).errors.contains("deleted 0; 2 stored"))
    #expect(try run(["-q", "picks", "delete", "--all"], in: dir).status == 0)
    #expect(try stored().isEmpty)
  }

  @Test func aSweepPrintsItsRunsWarnings() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    // 30 windows alike but for 0.001 in one sample of one: the network does not split them
    // (identical windows are refused before training).
    let (count, length) = (30, 200)
    var npy = NPYArray.float32Header(shape: [count, 1, length])
    for i in 0..<count {
      for t in 0..<length {
        let value = sin(Float(t) / 10) + (i == 0 && t == 5 ? 0.001 : 0)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { npy += $0 }
      }
    }
    try npy.write(to: dir.appendingPathComponent("same.npy"))
    #expect(try run(["-q", "windows", "import", "same.npy"], in: dir).status == 0)
    let sweep = try run(
      [
        "-q", "sweep", "--latent", "2", "--clusters", "2", "--restarts", "1", "--epochs", "1",
        "--max-iterations", "2", "--output", "s.csv",
      ], in: dir)
    #expect(sweep.status == 0, "\(sweep.errors)")
    #expect(
      sweep.errorLines.contains {
        $0.hasPrefix("warning: 1 of 2 clusters hold no window, so the run has 1")
      }, "\(sweep.errors)")
    // The CSV says it too: K 2 asked, one cluster filled (the clusters column alone gave 2).
    let csv = try String(contentsOf: dir.appendingPathComponent("s.csv"), encoding: .utf8)
      .split(separator: "\n")
    #expect(csv.first?.hasSuffix(",clusters,clusters_filled") == true, "\(csv)")
    #expect(csv.dropFirst().first?.hasSuffix(",2,1") == true, "\(csv)")
  }

  /// Ctrl-C (SIGINT) or SIGTERM while an output is written: the hidden temporary file goes,
  /// the command says why in one line and exits 128 + the signal. Both signals ended the process
  /// in silence, leaving an 8 MB `.w.npy.UUID.tmp` behind each time (a resource-failure sweep).
  @Test func anInterruptedExportLeavesNoTemporaryFileAndSaysWhy() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    // 6,000 windows of 3 x 500: a 36 MB `.npy`, written for a second or more.
    let count = 6_000, size = 3 * 500
    var npy = NPYArray.float32Header(shape: [count, 3, 500])
    npy.append(contentsOf: [UInt8](repeating: 0x3F, count: count * size * 4))
    try npy.write(to: dir.appendingPathComponent("in.npy"))
    #expect(try run(["-q", "windows", "import", "in.npy"], in: dir).status == 0)
    // A signal this process ignores, its children inherit ignored (a test run started in the
    // background of a script ignores SIGINT), and the tool then rightly leaves it so.
    func ignoredHere(_ signalNumber: Int32) -> Bool {
      var action = sigaction()
      guard sigaction(signalNumber, nil, &action) == 0 else { return false }
      return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
        == unsafeBitCast(SIG_IGN, to: Int.self)
    }
    for (signalNumber, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")]
    where !ignoredHere(signalNumber) {
      // Through the shell: processes this one starts inherit its blocked signals.
      let export = try SeisclusterProcess.start(
        ["windows", "export", "--output", "w.npy"], in: dir, shell: "exec")
      // Interrupted once its temporary file exists.
      let deadline = Date().addingTimeInterval(60)
      var seen = false
      while !seen, export.process.isRunning, Date() < deadline {
        seen = try FileManager.default.contentsOfDirectory(atPath: dir.path)
          .contains { $0.hasPrefix(".w.npy.") }
        if !seen { Thread.sleep(forTimeInterval: 0.005) }
      }
      kill(export.process.processIdentifier, signalNumber)
      let outcome = export.wait()
      #expect(seen, "the export ended before its temporary file was seen")
      #expect(outcome.status == 128 + signalNumber, "\(name): \(outcome.errors)")
      #expect(
        outcome.errorLines.last
          == "error: interrupted by \(name): outputs not yet written are removed")
      let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
      #expect(!left.contains { $0.hasPrefix(".w.npy.") || $0 == "w.npy" }, "\(left)")
    }
    // A SIGINT its parent ignores (a script's `seiscluster ... &`) stays ignored: the export
    // goes on (the handler took it over, and Ctrl-C in the terminal stopped background jobs).
    let background = try SeisclusterProcess.start(
      ["-q", "windows", "export", "--output", "w.npy"], in: dir, shell: "trap '' INT; exec")
    while background.process.isRunning,
      try !FileManager.default.contentsOfDirectory(atPath: dir.path)
        .contains(where: { $0.hasPrefix(".w.npy.") })
    {
      Thread.sleep(forTimeInterval: 0.005)
    }
    kill(background.process.processIdentifier, SIGINT)
    let finished = background.wait()
    #expect(finished.status == 0, "\(finished.errors)")
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("w.npy").path))
  }

  /// An interrupted `demo` removes the folders it made while they are still empty (a review: it
  /// said "outputs not yet written are removed" and left its empty folder behind).
  @Test func anInterruptedDemoRemovesTheEmptyFoldersItMade() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    var action = sigaction()
    guard sigaction(SIGTERM, nil, &action) == 0,
      unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
        != unsafeBitCast(SIG_IGN, to: Int.self)
    else { return }
    let made = dir.appendingPathComponent("new/demo")
    let demo = try SeisclusterProcess.start(
      ["demo", "--output", "new/demo", "--events", "400", "--stations", "1"], in: dir,
      shell: "exec")
    let deadline = Date().addingTimeInterval(60)
    while !FileManager.default.fileExists(atPath: made.path), demo.process.isRunning,
      Date() < deadline
    {
      Thread.sleep(forTimeInterval: 0.002)
    }
    // Interrupted while it generates (400 events take about a second), once its folder exists.
    let seen = FileManager.default.fileExists(atPath: made.path) && demo.process.isRunning
    kill(demo.process.processIdentifier, SIGTERM)
    let outcome = demo.wait()
    #expect(seen, "the demo's folder was not seen while it ran: \(outcome.errors)")
    #expect(outcome.status == 128 + SIGTERM, "\(outcome.errors)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
  }

  // MARK: Outputs (item 6)

  /// `--db` and `--quiet` before the subcommand, after it, and between a command group and
  /// its action (`windows --db S export`: the parser refused it as an unknown option).
  @Test func globalOptionsGoBeforeAfterOrBetweenAGroupAndItsAction() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let npy = TestPaths.fixtures.appendingPathComponent("npy/windows_f4_4x3x100.npy").path
    #expect(try run(["windows", "--db", "s.sqlite", "-q", "import", npy], in: dir).status == 0)
    for arguments in [
      ["--db", "s.sqlite", "windows", "export", "--output", "-"],
      ["windows", "--db", "s.sqlite", "export", "--output", "-"],
      ["windows", "--db=s.sqlite", "-q", "export", "--output", "-"],
      ["windows", "export", "--output", "-", "--db", "s.sqlite"],
    ] {
      let outcome = try run(arguments, in: dir)
      #expect(outcome.status == 0, "\(arguments): \(outcome.errors)")
      #expect(outcome.outputData.count > 4 * 3 * 100 * 4, "\(arguments)")
    }
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["s.sqlite"],
      "no default store was made")
    // A value the group cannot take is still the parser's error, and an action it does not
    // have is named (it said `Unknown option '--db'`).
    #expect(try run(["windows", "--db"], in: dir).status == 64)
    let unknown = try run(["windows", "--db", "s.sqlite", "lst"], in: dir)
    #expect(unknown.status == 64)
    #expect(
      unknown.errorLines == ["error: Unexpected argument 'lst' (see 'seiscluster windows --help')"])
  }

  @Test func outputDashWritesToStandardOutput() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    try storeWithARun(in: dir)
    let csv = try run(["-q", "export", "--format", "csv", "--output", "-"], in: dir)
    #expect(csv.status == 0)
    #expect(csv.output.hasPrefix("window_id,"))
    #expect(csv.output.split(separator: "\n").count == 5)
    let npy = try run(["-q", "windows", "export", "--output", "-"], in: dir)
    #expect(npy.status == 0)
    #expect([UInt8](npy.outputData.prefix(6)) == [0x93] + Array("NUMPY".utf8))
    #expect(npy.outputData.count > 4 * 3 * 100 * 4)
    let html = try run(["-q", "report", "--output", "-"], in: dir)
    #expect(html.output.contains("<html"))
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [
        "seiscluster.sqlite"
      ])
  }

  @Test func forceNeverWritesOverTheStoreReadOrTheCommandsOtherOutput() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    try storeWithARun(in: dir)
    let store = dir.appendingPathComponent("seiscluster.sqlite").path
    let size = try FileManager.default.attributesOfItem(atPath: store)[.size] as? Int
    #expect(symlink("seiscluster.sqlite", dir.appendingPathComponent("link.sqlite").path) == 0)
    for arguments in [
      ["export", "--format", "csv", "--force", "--output", "seiscluster.sqlite"],
      ["report", "--force", "--output", "link.sqlite"],
      ["export", "--format", "json", "--force", "--output", "seiscluster.sqlite-wal"],
      ["windows", "export", "--force", "--output", "w.npy", "--index", "seiscluster.sqlite"],
      // Through a linked store, SQLite's -wal is named after the real file.
      [
        "--db", "link.sqlite", "export", "--format", "csv", "--force", "--output",
        "seiscluster.sqlite-wal",
      ],
    ] {
      let outcome = try run(arguments, in: dir)
      #expect(outcome.status == 1, "\(arguments)")
      #expect(outcome.errorLines.count == 1, "\(arguments): \(outcome.errors)")
      #expect(outcome.errors.contains("this command reads: refused, even with --force"))
    }
    #expect(try FileManager.default.attributesOfItem(atPath: store)[.size] as? Int == size)
    #expect(try run(["check"], in: dir).status == 0)
    // The index and the windows in one file, by name or through a link: refused up front.
    #expect(symlink("w.npy", dir.appendingPathComponent("w2.npy").path) == 0)
    for index in ["w.npy", "./w.npy", "w2.npy"] {
      let outcome = try run(
        ["windows", "export", "--force", "--output", "w.npy", "--index", index], in: dir)
      #expect(outcome.status == 1, "\(index)")
      #expect(outcome.errors.contains("is also the command's other output w.npy"), "\(index)")
    }
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("w.npy").path))
  }

  @Test func forceLeavesFIFOsDevicesAndLinksInPlace() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    try storeWithARun(in: dir)
    let fifo = dir.appendingPathComponent("fifo.csv").path
    #expect(mkfifo(fifo, 0o644) == 0)
    let started = Date()
    for target in [fifo, "/dev/full"] {
      let outcome = try run(["export", "--format", "json", "--force", "--output", target], in: dir)
      #expect(outcome.status == 1)
      #expect(
        outcome.errorLines.count == 1 && outcome.errors.contains("not a regular file"),
        "\(outcome.errors)")
    }
    #expect(Date().timeIntervalSince(started) < 30)
    var info = stat()
    #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
    #expect(stat("/dev/full", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    try "old".write(to: dir.appendingPathComponent("target.csv"), atomically: true, encoding: .utf8)
    let link = dir.appendingPathComponent("catalog.csv").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.csv")
    let forced = try run(["-q", "export", "--format", "csv", "--force", "--output", link], in: dir)
    #expect(forced.status == 0, "\(forced.errors)")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.csv")
    #expect(
      try String(contentsOf: dir.appendingPathComponent("target.csv"), encoding: .utf8)
        .hasPrefix("window_id") == true)
  }

  // MARK: Inputs (items 7, 8)

  @Test func ingestOfAFIFOIsRefusedByNameWithinSeconds() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(mkfifo(dir.appendingPathComponent("fifo.mseed").path, 0o644) == 0)
    let started = Date()
    let outcome = try SeisclusterProcess.run(["ingest", "fifo.mseed"], in: dir, timeout: 20)
    #expect(Date().timeIntervalSince(started) < 10)
    #expect(outcome.status == 1)
    #expect(outcome.errors.contains("error: fifo.mseed: a FIFO (named pipe), not a regular file"))
    let picks = try SeisclusterProcess.run(["picks", "import", "fifo.mseed"], in: dir, timeout: 20)
    #expect(picks.status == 1)
    #expect(picks.errors.contains("a FIFO"))
  }

  /// Picks in other case than the stored codes match nothing (codes are matched as written);
  /// the warning names the station the store has (stop 38's sweep: `dm,dem03` never matched).
  @Test func picksInAnotherCaseNameTheStoredStation() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let segment = Segment(
      source: SourceIdentifier(network: "XX", station: "ABC", location: "", channel: "HHZ"),
      startTime: Timestamp(nanoseconds: 0), samplingRate: 100, samples: .int32([1, 2, 3]))
    try MiniSEEDWriter.encode(segment).write(to: dir.appendingPathComponent("a.mseed"))
    try Data(
      """
      network,station,location,channel,time
      xx,abc,,,1970-01-01T00:00:00.01Z
      XX,ABC,,hhz,1970-01-01T00:00:00.02Z
      XX,ABC,,HHZ,1970-01-01T00:00:00.03Z
      XX,ABC,,HHz,1970-01-01T00:00:00.04Z
      XX,ABC,,hh,1970-01-01T00:00:00.05Z
      XX,ABC,,hhN,1970-01-01T00:00:00.06Z

      """.utf8
    ).write(to: dir.appendingPathComponent("p.csv"))
    #expect(try SeisclusterProcess.run(["ingest", "a.mseed"], in: dir, timeout: 60).status == 0)
    let picks = try SeisclusterProcess.run(["picks", "import", "p.csv"], in: dir, timeout: 60)
    #expect(picks.status == 0)
    #expect(
      picks.errors.contains(
        "p.csv: 1 pick at xx.abc., which has no stored data (kept); the store has XX.ABC. (codes are matched as written, case included)"
      ), "\(picks.errors)")
    // A channel in other case at a stored station is named too (it was imported in silence,
    // then skipped as "no stored channels hh?"; stop 39's sweep).
    // Windows choose channels by band and instrument (`HH` of HHZ), in either case when none
    // matches as written: `hhz`, `hh` and `hhN` take HH? (the warning said they were skipped;
    // stop 42's sweep).
    #expect(
      picks.errors.contains(
        "p.csv: 3 picks at XX.ABC. name channels hh?, which the station has as HH? (kept; windows use the station's HH? channels, matched in either case)"
      ), "\(picks.errors)")
    #expect(!picks.errors.contains("channels HH?,"))
  }

  /// Help that teaches what the tool does (stop 42's review of every --help): defaults are
  /// given, `demo` lists no --db it refuses, and `sweep` says --latent is a required list.
  @Test func helpGivesTheDefaultsAndListsOnlyOptionsThatApply() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    func help(_ command: [String]) throws -> String {
      let outcome = try run(command + ["--help"], in: dir)
      #expect(outcome.status == 0, "\(command)")
      // Folded as the terminal width allows: one line of text.
      return outcome.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
    let cluster = try help(["cluster"])
    for text in [
      "(default 32)", "(default 0.001)", "(default 20)", "(default 1000)", "default ZNE",
      "default max", "Default: conv and tcn 16,16,16",
    ] {
      #expect(cluster.contains(text), "cluster --help lacks \(text)")
    }
    #expect(try help(["sweep"]).contains("sweep: required, a list such as 2,5,10,16"))
    let demo = try help(["demo"])
    #expect(!demo.contains("--db <path>"))
    #expect(demo.contains("--output <dir>"))
    #expect(try help(["windows", "build"]).contains("`windows build` and `windows export` hold"))
    // Refused by name all the same.
    let db = try run(["demo", "--db", "x.sqlite"], in: dir)
    #expect(db.status == 64 && db.errors.contains("--db does not apply"), "\(db.errors)")
  }

  @Test func ingestOfTheFolderThatHoldsTheStoreSkipsTheStoresOwnFiles() throws {
    // The default store is seiscluster.sqlite in the working directory, so `ingest .` in the
    // archive finds the store (and its -wal and -shm) beside the waveforms.
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let segment = Segment(
      source: SourceIdentifier(network: "XX", station: "A", location: "", channel: "HHZ"),
      startTime: Timestamp(nanoseconds: 0), samplingRate: 100, samples: .int32([1, 2, 3]))
    try MiniSEEDWriter.encode(segment).write(to: dir.appendingPathComponent("a.mseed"))
    let first = try SeisclusterProcess.run(["ingest", "."], in: dir, timeout: 60)
    #expect(first.status == 0, "\(first.errors)")
    #expect(first.errors.contains("stored 1 file"))
    // A second ingest certainly finds the store's files in the folder.
    let second = try SeisclusterProcess.run(["ingest", "."], in: dir, timeout: 60)
    #expect(second.status == 0, "\(second.errors)")
    #expect(second.errors.contains("skipped 1 already stored and the store's own"))
    #expect(!second.errors.contains("unknown format"))
    // Named, the store is an error, and the waveforms are still there.
    let named = try SeisclusterProcess.run(["ingest", "seiscluster.sqlite"], in: dir, timeout: 60)
    #expect(named.status == 1)
    #expect(
      named.errors.contains(
        "error: seiscluster.sqlite: the store itself (or its journal or a run lease), not a waveform file"
      ))
    let store = try SeisStore(path: dir.appendingPathComponent("seiscluster.sqlite").path)
    #expect(try store.segmentSummaries().count == 1)
    // A run lease a killed run left behind is the store's too; through a symbolic link to the
    // store, so are the -wal and -shm SQLite keeps beside the link's target.
    #expect(
      FileManager.default.createFile(
        atPath: dir.appendingPathComponent("seiscluster.sqlite-run9.lock").path, contents: Data()))
    let lease = try SeisclusterProcess.run(["ingest", "."], in: dir, timeout: 60)
    #expect(lease.status == 0, "\(lease.errors)")
    let outside = try folder()
    defer { try? FileManager.default.removeItem(at: outside) }
    let link = outside.appendingPathComponent("link.sqlite").path
    try FileManager.default.createSymbolicLink(
      atPath: link, withDestinationPath: dir.appendingPathComponent("seiscluster.sqlite").path)
    let linked = try SeisclusterProcess.run(
      ["--db", link, "ingest", dir.path], in: outside, timeout: 60)
    #expect(linked.status == 0, "\(linked.errors)")
    #expect(!linked.errors.contains("unknown format"))
  }

  @Test(
    .needsSharedData,
    .enabled(
      if: SeisclusterProcess.unprivileged != nil, "needs setpriv to drop root, or a non-root user"))
  func anUnreadableFolderNestedOrNotIsReportedWithExit1() throws {
    let dir = try folder()
    let data = dir.appendingPathComponent("data")
    let inner = data.appendingPathComponent("ok/locked")
    defer {
      chmod(inner.path, 0o755)
      try? FileManager.default.removeItem(at: dir)
    }
    try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
    let mseed = TestPaths.sharedData.appendingPathComponent("mseed/Int32-512byte.mseed")
    let readable = data.appendingPathComponent("ok/IU.mseed")
    let segment = Segment(
      source: SourceIdentifier(network: "XX", station: "A", location: "", channel: "HHZ"),
      startTime: Timestamp(nanoseconds: 0), samplingRate: 100, samples: .int32([1, 2, 3]))
    try MiniSEEDWriter.encode(segment).write(to: readable)
    if FileManager.default.fileExists(atPath: mseed.path) {
      try FileManager.default.copyItem(at: mseed, to: inner.appendingPathComponent("x.mseed"))
    }
    chmod(inner.path, 0)
    chmod(dir.path, 0o777)  // the unprivileged user writes the store here
    let user = try #require(SeisclusterProcess.unprivileged)
    let outcome = try run(["ingest", "data"], in: dir, shell: user)
    #expect(outcome.status == 1)
    #expect(
      outcome.errors.contains("error: data/ok/locked: cannot read the folder: Permission denied"))
    #expect(outcome.errors.contains("stored 1 file"), "the readable file is stored anyway")
  }

  // MARK: Live runs (item 12)

  @Test func aLiveRunIsNotResumedByASecondProcessAndAKilledOneIs() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let npy = TestPaths.fixtures.appendingPathComponent("npy/windows_f4_4x3x100.npy").path
    #expect(try run(["-q", "windows", "import", npy], in: dir).status == 0)
    let live = try SeisclusterProcess.start(
      [
        "-q", "cluster", "--clusters", "2", "--epochs", "100000", "--max-iterations", "10000000",
        "--tol", "0",
      ], in: dir)
    defer { if live.process.isRunning { kill(live.process.processIdentifier, SIGKILL) } }
    let store = try SeisStore(path: dir.appendingPathComponent("seiscluster.sqlite").path)
    let deadline = Date().addingTimeInterval(60)
    var runID: Int64?
    while runID == nil && Date() < deadline {
      runID = try store.writer.read { db in
        try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE status = 'running'")
      }
      if runID == nil { Thread.sleep(forTimeInterval: 0.05) }
    }
    let id = try #require(runID)
    #expect(store.isLive(runID: id))
    let resume = try run(["cluster", "--resume"], in: dir)
    #expect(resume.status == 1)
    // One line that says the run is live elsewhere (it said no run was interrupted, and that a
    // command stopped before its run was stored is run again in full).
    #expect(resume.errorLines.count == 1, "\(resume.errors)")
    #expect(
      resume.errors.contains(
        "seiscluster.sqlite: run \(id) is still running in another process: wait for it to finish (`cluster --resume` continues a run once nothing runs it)"
      ), "\(resume.errors)")
    let beside = try run(
      ["cluster", "--clusters", "2", "--epochs", "1", "--max-iterations", "1"], in: dir)
    #expect(beside.status == 0)
    #expect(!beside.errors.contains("was interrupted"), "\(beside.errors)")

    kill(live.process.processIdentifier, SIGKILL)
    live.process.waitUntilExit()
    #expect(!store.isLive(runID: id))
    #expect(try store.interruptedRun()?.id == id)
    let check = try run(["check"], in: dir)
    #expect(check.status == 0, "\(check.errors)")
  }

  // MARK: Module boundaries (issue 13, item 5)

  @Test func theCLIImportsNoModuleBelowPipeline() throws {
    let folder = TestPaths.repositoryRoot.appendingPathComponent("Sources/seiscluster")
    let below = [
      "Store", "Seismic", "Numerics", "NeuralNetwork", "Clustering", "GRDB", "CMalloc",
      "CCBLAS", "CFFTW3", "CMiniSEED", "CCrypto",
    ]
    let files =
      FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }
      .filter { $0.hasSuffix(".swift") } ?? []
    #expect(files.count >= 15)
    for file in files {
      let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
      for line in text.split(separator: "\n") where line.hasPrefix("import ") {
        let module = line.split(separator: " ").last.map(String.init) ?? ""
        #expect(!below.contains(module), "\(file): \(line)")
      }
    }
  }
}
