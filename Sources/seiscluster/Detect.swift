import ArgumentParser
import Foundation
import Pipeline

extension TriggerDetection.Method: ExpressibleByArgument {}

/// `seiscluster detect [--sta SEC] [--lta SEC] [--on RATIO] [--off RATIO] [--method ...]`
struct DetectCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "detect",
    abstract: "STA/LTA triggers on the stored vertical channels, stored as picks (phase trigger).",
    discussion: """
      Every stored channel with orientation code Z is joined into contiguous runs (across \
      files); each run is demeaned and linearly detrended, and ObsPy's classic or recursive \
      STA/LTA with trigger_onset gives triggers; the pick time is the trigger-on time. A re-run \
      replaces the stored triggers: those it finds again (on the same channel, less than --sta \
      from the stored time and stored with the same settings, which each trigger's note \
      records: new data that extends a run moves its triggers by a few samples) \
      stay as they are, ids included, so windows built from them keep their window_id and \
      `assign` does not list them twice; stored triggers it removes inside runs it \
      had to skip (shorter than --lta) are named; settings under which every run is skipped are \
      refused, and the stored triggers stay.
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("Short-term window in seconds.", valueName: "sec"))
  var sta: Double = 1

  @Option(help: ArgumentHelp("Long-term window in seconds.", valueName: "sec"))
  var lta: Double = 10

  @Option(help: ArgumentHelp("Trigger-on STA/LTA ratio.", valueName: "ratio"))
  var on: Double = 3.5

  @Option(help: ArgumentHelp("Trigger-off STA/LTA ratio.", valueName: "ratio"))
  var off: Double = 1.5

  @Option(help: "classic or recursive.")
  var method: TriggerDetection.Method = .classic

  var settings: TriggerDetection.Settings {
    var s = TriggerDetection.Settings()
    s.shortWindow = sta
    s.longWindow = lta
    s.onThreshold = on
    s.offThreshold = off
    s.method = method
    return s
  }

  func validate() throws {
    if let problem = settings.problem { throw ValidationError(problem) }
  }

  func run() throws {
    let logger = global.makeLogger()
    let store = try global.store.openForWriting()
    let report = try TriggerDetection(store: store, logger: logger, quiet: global.quiet)
      .run(settings: settings)
    for line in report.warnings { Console.warning(line) }
    if !global.quiet { Console.write(report.summary) }
  }
}
