import ArgumentParser
import Foundation
import Pipeline

@main
struct Seiscluster: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "seiscluster",
    abstract: "Find families of seismic signals without labels.",
    discussion: """
      A typical session:
        seiscluster ingest archive/                 # MiniSEED and SAC into the store
        seiscluster picks import picks.csv          # or: seiscluster detect
        seiscluster cluster --clusters 2 --before 5 --after 55
        seiscluster export --format csv --output catalog.csv

      The store is seiscluster.sqlite in the working directory unless --db or \
      SEISCLUSTER_DB names another.
      """,
    version: SeisclusterVersion.string,
    subcommands: [
      IngestCommand.self, TracesCommand.self, PicksCommand.self, DetectCommand.self,
      WindowsCommand.self, ClusterCommand.self, AssignCommand.self, RelabelCommand.self,
      EvaluateCommand.self, Export.self, Report.self, CheckCommand.self, DemoCommand.self,
    ]
  )

  /// Accepts the global options (`--db`, `--quiet`) before the subcommand too, by moving them
  /// after it, where every subcommand's `GlobalOptions` group parses them.
  static func main() async {
    var arguments = Array(CommandLine.arguments.dropFirst())
    var leading: [String] = []
    while let first = arguments.first, first.hasPrefix("-"), first != "--" {
      if first == "--db", arguments.count >= 2 {
        leading += arguments.prefix(2)
        arguments.removeFirst(2)
      } else if first.hasPrefix("--db=") || first == "--quiet" || first == "-q" {
        leading.append(first)
        arguments.removeFirst()
      } else {
        break
      }
    }
    if !leading.isEmpty && !arguments.isEmpty {
      if let terminator = arguments.firstIndex(of: "--") {
        arguments.insert(contentsOf: leading, at: terminator)
      } else {
        arguments += leading
      }
    } else {
      arguments = leading + arguments
    }
    await Self.main(arguments)
  }
}
