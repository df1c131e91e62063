import ArgumentParser
import Foundation
import Numerics
import Pipeline

#if canImport(CMalloc)
  import CMalloc
#endif

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
    BLAS.useCallingThreadOnly()
    keepFreedMemoryForReuse()
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

  /// Lets glibc keep freed buffers of up to 256 MB for reuse instead of handing them back to
  /// the kernel, and serve buffers below 32 MB from its heap. Ingest and window building free
  /// and allocate megabyte buffers per file; with glibc's defaults each was mapped, zeroed and
  /// faulted in anew, a fifth of ingest's time (docs/benchmarks.md). Peak memory is unchanged.
  static func keepFreedMemoryForReuse() {
    #if canImport(CMalloc)
      _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
      _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
    #endif
  }
}
