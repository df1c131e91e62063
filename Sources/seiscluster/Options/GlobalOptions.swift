import ArgumentParser
import Foundation
import Logging
import Pipeline
import Store

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

  /// The store path after the environment and default are applied.
  var storePath: String {
    if let db { return db }
    if let env = ProcessInfo.processInfo.environment["SEISCLUSTER_DB"], !env.isEmpty { return env }
    return "seiscluster.sqlite"
  }

  /// Opens (creating and migrating as needed) the store, or exits with a one-line error.
  func openStore() throws -> SeisStore {
    do {
      return try SeisStore(path: storePath)
    } catch {
      Console.error("\(storePath): cannot open the store: \(Console.describe(error))")
      throw ExitCode(1)
    }
  }

  /// The logger commands hand to the pipeline.
  func makeLogger() -> Logger {
    Console.bootstrap(quiet: quiet)
    return Logger(label: "seiscluster")
  }
}
