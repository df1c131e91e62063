import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster demo [--output DIR]`
struct DemoCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract:
      "Generate a synthetic network and run the whole pipeline on it, printing the accuracy.",
    discussion: """
      Writes 3-component local earthquakes (P, S, coda) and teleseismic P arrivals in \
      microseism and cultural noise, at stations of 50, 100 and 200 Hz, as MiniSEED (Steim-2, \
      FLOAT32) and SAC files of one hour, with picks.csv and truth.csv. Then it ingests them \
      into DIR/demo.sqlite, imports the picks, builds windows (5 s before to 55 s after each \
      pick), clusters them into 2 clusters with the default model, evaluates against the truth \
      and writes DIR/catalog.csv and DIR/report.html. The last line is the evaluation:
        ACC=0.9833 NMI=0.8822 ARI=0.9342 N=300
      Re-run the steps by hand with --db DIR/demo.sqlite. -q/--quiet leaves only that line \
      (and warnings); the demo's store is always DIR/demo.sqlite, so it takes no --db.
      """)

  // `--db` does not apply (the store is DIR/demo.sqlite): the group is parsed, to refuse it
  // by name, but not listed.
  @OptionGroup(visibility: .hidden) var global: GlobalOptions

  @Option(help: ArgumentHelp("Folder for the demo's files and store.", valueName: "dir"))
  var output = "seiscluster-demo"

  /// The most events a demo makes: its continuous data are generated in memory first, about
  /// 1.1 MB an event at its 200 Hz station (`demo --stations 1`: 4,000 events peaked at 4.4 GB).
  static let mostEvents = 10_000

  @Option(help: ArgumentHelp("Events to generate (4 to 10000).", valueName: "n"))
  var events = 300

  @Option(help: ArgumentHelp("Stations to generate.", valueName: "n"))
  var stations = 5

  @Option(help: "Seed of the generated data.")
  var seed: UInt64 = 0

  @Flag(help: "Replace an earlier demo in the folder (its own files only).")
  var force = false

  func validate() throws {
    if global.db != nil {
      throw ValidationError(
        "demo keeps its store in its folder (--output DIR, then DIR/demo.sqlite): --db does not apply"
      )
    }
    guard (4...Self.mostEvents).contains(events) else {
      throw ValidationError(
        "--events takes 4 to \(Self.mostEvents) (the demo generates its data in memory, up to about 1.1 MB an event)"
      )
    }
    guard (1...60).contains(stations) else { throw ValidationError("--stations takes 1 to 60") }
  }

  func run() throws {
    let logger = global.makeLogger()
    guard !output.isEmpty else {
      throw InputError(path: "--output ''", reason: "an empty path names no folder")
    }
    let run = DemoRun(
      directory: URL(fileURLWithPath: output),
      options: DemoOptions(eventCount: events, stationCount: stations, seed: seed), force: force,
      quiet: global.quiet)
    let outcome = try run.run(logger: logger)
    if !global.quiet {
      for line in outcome.evaluation.lines.dropLast() { Console.write(line) }
      let stages = outcome.stages.map { String(format: "%@ %.1f s", $0.0, $0.1) }
      Console.write("demo: " + stages.joined(separator: ", "))
      Console.write(
        "demo: files, store, catalog.csv and report.html are in \(outcome.directory.path)")
    }
    print(outcome.evaluation.lines.last ?? "")
  }
}
