import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster check`
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Verify the store: SQLite integrity, orphans, blobs that disagree with sample counts."
  )

  @OptionGroup var global: GlobalOptions

  func run() throws {
    _ = global.makeLogger()
    let store = try global.openStore()
    let problems: [String]
    do {
      problems = try store.check()
    } catch {
      Console.error("\(global.storePath): \(Console.describe(error))")
      throw ExitCode(1)
    }
    for problem in problems { Console.error("\(global.storePath): \(problem)") }
    if !problems.isEmpty { throw ExitCode(1) }
    if !global.quiet { Console.write("check: \(global.storePath) is sound") }
  }
}
