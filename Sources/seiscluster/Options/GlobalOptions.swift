import ArgumentParser
import Foundation
import Logging
import Pipeline

/// Options every subcommand accepts, before or after the subcommand's name.
struct GlobalOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The SQLite store (default: $SEISCLUSTER_DB, else seiscluster.sqlite here).",
      valueName: "path"))
  var db: String?

  @Flag(name: [.short, .long], help: "Silence progress and summaries (warnings and errors stay).")
  var quiet = false

  /// The store: `--db`, else `$SEISCLUSTER_DB`, else `seiscluster.sqlite` here.
  var store: StoreLocation { StoreLocation(option: db) }

  /// The store path after the environment and default are applied.
  var storePath: String { store.path }

  /// The logger commands hand to the pipeline.
  func makeLogger() -> Logger {
    Console.bootstrap(quiet: quiet)
    return Logger(label: "seiscluster")
  }
}

/// A subcommand: it has the global options, and its errors name its store when they name no
/// file of their own (`ErrorPath`).
protocol SeisclusterCommand: ParsableCommand {
  var global: GlobalOptions { get }
}
