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
      WindowsCommand.self, ClusterCommand.self, SweepCommand.self, AssignCommand.self,
      RelabelCommand.self,
      EvaluateCommand.self, Export.self, Report.self, CheckCommand.self, DemoCommand.self,
    ]
  )

  /// Accepts the global options (`--db`, `--quiet`) before the subcommand too, by moving them
  /// after it, where every subcommand's `GlobalOptions` group parses them. Every error ends in
  /// `ErrorPath`.
  static func main() async {
    ProcessSetup.configure()
    let given = Array(CommandLine.arguments.dropFirst())
    if let repeated = repeatedStore(given) {
      Console.error(repeated)
      Foundation.exit(ExitCode.validationFailure.rawValue)
    }
    let arguments = Self.arguments(given)
    var command: (any ParsableCommand)?
    do {
      command = try parseAsRoot(arguments)
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else if var plain = command {
        try plain.run()
      }
    } catch {
      ErrorPath.exit(with: error, command: command)
    }
  }

  /// The arguments as the parser should see them: global options given before the subcommand
  /// moved after it, and a negative number given as an option's value attached to it
  /// (`--clusters -1` becomes `--clusters=-1`), so it reaches the option's check instead of
  /// reading as an unknown flag.
  static func arguments(_ given: [String]) -> [String] {
    var arguments = attachingNegativeNumbers(bareSweepMeaningLatest(given))
    var leading: [String] = []
    // Global options before the subcommand, and between a command group and its action
    // (`windows --db s.sqlite export ...`): both are before the subcommand the parser runs.
    var commands: [String] = []
    while let first = arguments.first, first != "--" {
      if first == "--db", arguments.count >= 2 {
        leading += arguments.prefix(2)
        arguments.removeFirst(2)
      } else if first.hasPrefix("--db=") || first == "--quiet" || first == "-q" {
        leading.append(first)
        arguments.removeFirst()
      } else if !first.hasPrefix("-"), commands.isEmpty, commandGroups[first] != nil {
        commands.append(first)
        arguments.removeFirst()
      } else {
        break
      }
    }
    // A group with no action of its own after the options (`windows --db S`, `windows --db S
    // lst`): the group's own message (its help, or "Unexpected argument 'lst'"), not one about
    // the options moved.
    if let group = commands.first,
      arguments.first.map({ commandGroups[group]?.contains($0) != true }) ?? true
    {
      return commands + arguments
    }
    arguments = commands + arguments
    if !leading.isEmpty && !arguments.isEmpty {
      if let terminator = arguments.firstIndex(of: "--") {
        arguments.insert(contentsOf: leading, at: terminator)
      } else {
        arguments += leading
      }
    } else {
      arguments = leading + arguments
    }
    return arguments
  }

  /// The commands whose actions are subcommands of their own (`windows export`), with the
  /// names of their actions.
  static let commandGroups: [String: Set<String>] = Dictionary(
    uniqueKeysWithValues: configuration.subcommands.filter {
      !$0.configuration.subcommands.isEmpty
    }.compactMap { group in
      group.configuration.commandName.map { name in
        (name, Set(group.configuration.subcommands.compactMap { $0.configuration.commandName }))
      }
    })

  /// The usage error for `--db` given twice with different paths (the parser would keep the
  /// last one silently, and a command meant for one store would write to the other), or nil.
  /// Arguments after `--` are operands, not options.
  static func repeatedStore(_ given: [String]) -> String? {
    var paths: [String] = []
    var index = 0
    while index < given.count, given[index] != "--" {
      let argument = given[index]
      // A value that is an option (`--db --quiet`) is the parser's to refuse, as is an empty one.
      if argument == "--db", index + 1 < given.count, !given[index + 1].hasPrefix("-") {
        paths.append(given[index + 1])
        index += 2
        continue
      }
      if argument.hasPrefix("--db="), argument.count > "--db=".count {
        paths.append(String(argument.dropFirst("--db=".count)))
      }
      index += 1
    }
    // `a.sqlite` and `./a.sqlite` are one store.
    let stores = Set(paths.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
    guard stores.count > 1 else { return nil }
    return "--db is given \(paths.count) times (\(paths.joined(separator: ", "))): "
      + "give one store (see 'seiscluster --help')"
  }

  /// `report --sweep` with no id (at the end, or before another option) means the latest sweep:
  /// the parser wants a value, so one is filled in.
  static func bareSweepMeaningLatest(_ arguments: [String]) -> [String] {
    guard arguments.contains("report") else { return arguments }
    var out: [String] = []
    for (index, argument) in arguments.enumerated() {
      if argument == "--" {
        out += arguments[index...]
        break
      }
      out.append(argument)
      if argument == "--sweep" {
        let next = index + 1 < arguments.count ? arguments[index + 1] : nil
        if next == nil || (next!.hasPrefix("-") && !isNegativeNumber(next!)) {
          out.append(Report.latestSweep)
        }
      }
    }
    return out
  }

  /// `--name -1.5` becomes `--name=-1.5` (before a `--` terminator only).
  static func attachingNegativeNumbers(_ arguments: [String]) -> [String] {
    var out: [String] = []
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      if argument == "--" {
        out += arguments[index...]
        break
      }
      if argument.hasPrefix("--"), argument.count > 2, !argument.contains("="),
        index + 1 < arguments.count, isNegativeNumber(arguments[index + 1])
      {
        out.append(argument + "=" + arguments[index + 1])
        index += 2
        continue
      }
      out.append(argument)
      index += 1
    }
    return out
  }

  /// `-1`, `-0.5`, `-.5`, `-1e3`, `-inf`, `-nan`: text that reads as a negative number.
  static func isNegativeNumber(_ text: String) -> Bool {
    guard text.hasPrefix("-"), text.count > 1 else { return false }
    let rest = text.dropFirst().lowercased()
    if rest == "inf" || rest == "infinity" || rest == "nan" { return true }
    guard let first = rest.first, first.isNumber || first == "." else { return false }
    return Double(rest) != nil
  }
}
