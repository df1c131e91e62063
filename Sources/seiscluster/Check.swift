import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster check`
struct CheckCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract:
      "Verify the store: SQLite integrity, orphans, blobs that disagree with sample counts.",
    discussion: """
      Reads only: a store that cannot be written (read-only file or folder) is checked without \
      creating -wal or -shm files.
      """
  )

  @OptionGroup var global: GlobalOptions

  func run() throws {
    _ = global.makeLogger()
    let store = try global.store.openForReading()
    let problems = try StoreCheck.problems(in: store)
    for problem in problems { Console.error("\(global.storePath): \(problem)") }
    if !problems.isEmpty { throw ExitCode(1) }
    if !global.quiet { Console.write("check: \(global.storePath) is sound") }
  }
}
