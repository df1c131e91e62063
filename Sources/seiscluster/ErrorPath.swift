import ArgumentParser
import Foundation
import Pipeline

/// The one error path of the CLI: every error a command throws ends here and becomes one line
/// on stderr and an exit status.
///
/// - Bad usage (the argument parser's errors, `ValidationError` from `validate()`): one line,
///   `error: MESSAGE (see 'seiscluster COMMAND --help')`, with the parser's exit code (64).
/// - `--help` and `--version`: printed as the parser prints them, exit 0.
/// - `ExitCode`: that status (the command has already said why).
/// - Anything else: `error: PATH: why` (`FailureLine`: the file the error names, else the
///   store), exit 1.
enum ErrorPath {
  static func exit(with error: any Error, command: (any ParsableCommand)?) -> Never {
    if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
    let parserCode = Seiscluster.exitCode(for: error)
    if parserCode == .success {
      Seiscluster.exit(withError: error)  // --help, --version
    }
    if parserCode == .validationFailure {
      Console.error(usageLine(for: error))
      Foundation.exit(parserCode.rawValue)
    }
    let context = (command as? any SeisclusterCommand)?.global.storePath ?? "seiscluster"
    Console.error(FailureLine.text(for: error, context: context))
    Foundation.exit(1)
  }

  /// The parser's message for a usage error, in one line, with where to find the usage.
  static func usageLine(for error: any Error) -> String {
    let lines = Seiscluster.fullMessage(for: error).split(separator: "\n").map(String.init)
    var message = lines.first ?? "bad usage"
    if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
    let hints = lines.map { $0.trimmingCharacters(in: .whitespaces) }
    if let hint = hints.first(where: { $0.hasPrefix("See '") }),
      let end = hint.dropFirst(5).firstIndex(of: "'")
    {
      message += " (see '\(hint.dropFirst(5)[..<end])')"
    }
    return message
  }
}
