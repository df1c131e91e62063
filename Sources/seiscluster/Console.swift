import Foundation
import Logging
import Pipeline

/// One-line messages on stderr: `error: ...`, `warning: ...`, and plain summaries.
enum Console {
  nonisolated(unsafe) private static var bootstrapped = false

  static func bootstrap(quiet: Bool) {
    guard !bootstrapped else { return }
    bootstrapped = true
    let level: Logger.Level =
      ProcessInfo.processInfo.environment["SEISCLUSTER_LOG"] == "debug"
      ? .debug : (quiet ? .warning : .info)
    LoggingSystem.bootstrap { _ in StderrLogHandler(logLevel: level) }
  }

  static func error(_ message: String) { write("error: " + shortened(message)) }
  static func warning(_ message: String) { write("warning: " + shortened(message)) }

  /// Values quoted longer than `longest` characters without a space (an option value echoed
  /// back, a pattern), shortened to their start and end and their length: a 100,000-character
  /// `--stations` was echoed whole in its error line (an adversarial sweep). A quote opens only
  /// at the start or after a space, `(` or `=`, and closes at the first quote after it that is
  /// followed by the end, a space or punctuation, so apostrophes inside a path
  /// (`/data/it's/...'s.csv`), a value (`it's`) or prose are no quotes. A line still longer than
  /// `widest` (a long value with spaces) keeps its start and end. Linear in the message: a
  /// value of 30,000 quoted words took 5 minutes with a search per quote (a review).
  static func shortened(_ message: String, longest: Int = 100, widest: Int = 5_000) -> String {
    guard message.count > longest else { return message }
    let text = Array(message)
    let n = text.count
    // The first index at or after each that may close a quote (n for none), and the spaces
    // before each index.
    var nextClose = [Int](repeating: n, count: n + 1)
    for c in stride(from: n - 1, through: 0, by: -1) {
      let closes =
        text[c] == "'"
        && (c + 1 == n || text[c + 1].isWhitespace || ",.;:)".contains(text[c + 1]))
      nextClose[c] = closes ? c : nextClose[c + 1]
    }
    var spaces = [Int](repeating: 0, count: n + 1)
    for c in 0..<n { spaces[c + 1] = spaces[c] + (text[c].isWhitespace ? 1 : 0) }
    var result = ""
    var i = 0
    while i < n {
      let opens =
        text[i] == "'" && (i == 0 || text[i - 1].isWhitespace || "(=".contains(text[i - 1]))
      let close = nextClose[i + 1]
      if opens, close < n, close - i - 1 > longest, spaces[close] == spaces[i + 1] {
        let value = text[(i + 1)..<close]
        result +=
          "'" + String(value.prefix(60)) + "..." + String(value.suffix(20))
          + "' (\(value.count) characters)"
        i = close + 1
        continue
      }
      result.append(text[i])
      i += 1
    }
    guard result.count > widest else { return result }
    let head = widest * 3 / 5
    let tail = widest / 5
    return String(result.prefix(head))
      + " ... (\(result.count - head - tail) characters left out) ... "
      + String(result.suffix(tail))
  }

  /// Writes `line` to standard output, throwing when it cannot be written (a full disk, a
  /// closed pipe): for a command whose output is its result (`evaluate`'s scores), where
  /// `print` dropped the line and exited 0.
  static func output(_ line: String) throws {
    try OutputFile.Sink.standardOutput.write(Data((line + "\n").utf8))
  }

  static func write(_ line: String) {
    let oneLine = line.replacingOccurrences(of: "\n", with: " ")
    // Above any progress line, which is drawn again below it.
    ProgressLine.standardError.write(oneLine + "\n") { OutputFile.Sink.writeStandardError($0) }
  }
}

/// Prints each log record as one line on stderr: warnings and errors prefixed by their level,
/// info as is.
struct StderrLogHandler: LogHandler {
  var logLevel: Logger.Level
  var metadata: Logger.Metadata = [:]

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    let text = "\(event.message)"
    switch event.level {
    case .critical, .error: Console.write("error: " + text)
    case .warning: Console.write("warning: " + text)
    case .info, .notice: Console.write(text)
    case .debug, .trace: Console.write("debug: " + text)
    }
  }
}
