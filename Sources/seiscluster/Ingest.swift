import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster ingest PATH...`
struct IngestCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "ingest",
    abstract: "Store MiniSEED 2 and SAC files (or folders, recursively) in the store.",
    discussion: """
      Formats are detected from content. Each file is stored whole or not at all (several \
      whole files share a commit), one segment per continuous run of samples; a file already stored (same content) is skipped. A file \
      that cannot be read is named on stderr and stores nothing; the rest are stored (exit 1).

      In folders, hidden entries are skipped, and so are, with a count in the summary: text \
      files not named like waveforms (picks, READMEs, RESP and SAC_PZs response files), NumPy, \
      SQLite and HDF5 files, and the store's own files. Text named like a waveform (.mseed, \
      .sac, an SDS day file) is still an error.

      A file read at a path under which other content is stored (today's day file, grown since \
      the last ingest) replaces the stored version when it holds every stored sample unchanged \
      at its time. A version it contradicts, cuts short or moves in time is kept beside it, with \
      a warning, unless --replace-changed says the new file is right.

      Files are parsed on every core while one writer stores them in order. Memory is bounded \
      by the files read ahead: one per core, and more up to SEISCLUSTER_READ_AHEAD_MB \
      megabytes of files (default 64).
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("Files or folders.", valueName: "path"))
  var paths: [String]

  @Flag(
    help: ArgumentHelp(
      "Let a file replace the versions stored under its path that differ from it (a corrected file, a clock correction); their samples it lacks or changes are removed."
    ))
  var replaceChanged = false

  func run() throws {
    let logger = global.makeLogger()
    let store = try global.store.openForWriting()
    let raw = ProcessInfo.processInfo.environment["SEISCLUSTER_READ_AHEAD_MB"]
    let budget = raw.flatMap(Int.init).flatMap { (1...(1 << 20)).contains($0) ? $0 << 20 : nil }
    if let raw, budget == nil {
      // It was ignored without a word (an adversarial sweep).
      logger.warning(
        "SEISCLUSTER_READ_AHEAD_MB=\(raw) is not a whole number of MB from 1 to 1048576: the default, \(Ingest.defaultReadAheadBytes >> 20) MB, is used"
      )
    }
    var ingest = Ingest(
      store: store, logger: logger, quiet: global.quiet,
      readAheadBytes: budget ?? Ingest.defaultReadAheadBytes)
    ingest.replaceChanged = replaceChanged
    let report = ingest.run(paths: paths)
    if !global.quiet { Console.write(report.summary) }
    if !report.failures.isEmpty { throw ExitCode(1) }
  }
}
