import Foundation

/// Progress on stderr: a self-overwriting line on a terminal, a line every few seconds
/// otherwise (log-friendly), nothing when quiet. With a total, lines give the share done and,
/// after the first seconds, an estimate of the time left (`windows: 900/2000 (45 %, 6 s left)`).
///
/// On a terminal every progress of the process shares one line (`ProgressLine`): two restarts
/// trained side by side show as `restart 1/5: ... | restart 2/5: ...` instead of overwriting
/// each other in turn.
public final class Progress: @unchecked Sendable {
  public let label: String
  public let total: Int?
  private let quiet: Bool
  private let isTerminal: Bool
  private let output: @Sendable (String) -> Void
  private let line: ProgressLine
  private var lastPrint = Date.distantPast
  private let lock = NSLock()
  private var drewLine = false
  private var wroteFinished = false
  private let started: Date
  private let clock: @Sendable () -> Date

  public convenience init(label: String, total: Int?, quiet: Bool) {
    self.init(
      label: label, total: total, quiet: quiet, isTerminal: isatty(STDERR_FILENO) == 1,
      line: .standardError, output: { OutputFile.Sink.writeStandardError($0) })
  }

  /// A progress writing to `output` (tests), sharing `line` with the others on a terminal.
  init(
    label: String, total: Int?, quiet: Bool, isTerminal: Bool, line: ProgressLine,
    output: @escaping @Sendable (String) -> Void, clock: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.label = label
    self.total = total
    self.quiet = quiet
    self.isTerminal = isTerminal
    self.line = line
    self.output = output
    self.clock = clock
    started = clock()
  }

  /// Reports `done` items with an optional detail (such as a loss).
  public func update(_ done: Int, detail: String = "") {
    guard !quiet else { return }
    lock.lock()
    defer { lock.unlock() }
    let now = clock()
    let interval: TimeInterval = isTerminal ? 0.1 : 5
    let finished = total.map { done >= $0 } ?? false
    // The last count is written once, however often it is reported.
    guard !(finished && wroteFinished) else { return }
    guard finished || now.timeIntervalSince(lastPrint) >= interval else { return }
    wroteFinished = finished
    lastPrint = now
    var text = "\(label): \(done)"
    if let total {
      text += "/\(total)"
      if total > 0 && !finished {
        text += " (\(100 * done / total) %"
        let elapsed = now.timeIntervalSince(started)
        if done > 0 && elapsed >= 2 {
          text += ", " + Self.duration(elapsed * Double(total - done) / Double(done)) + " left"
        }
        text += ")"
      }
    }
    if !detail.isEmpty { text += " \(detail)" }
    if isTerminal {
      line.show(ObjectIdentifier(self), label: label, text, output: output)
      drewLine = true
    } else {
      output(text + "\n")
    }
  }

  /// `45 s`, `3 min 20 s`, `2 h 5 min`.
  static func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s) s" }
    if s < 3600 { return "\(s / 60) min \(s % 60) s" }
    return "\(s / 3600) h \(s % 3600 / 60) min"
  }

  /// Ends the progress on a terminal: its last line stays on the screen.
  public func finish() {
    guard !quiet else { return }
    lock.lock()
    defer { lock.unlock() }
    if isTerminal && drewLine {
      line.end(ObjectIdentifier(self), output: output)
      drewLine = false
    }
  }

  deinit {
    // A progress dropped without `finish` (an error unwound past it) leaves the shared line.
    if isTerminal && drewLine { line.remove(ObjectIdentifier(self)) }
  }
}

/// The one terminal line that every live progress of the process draws on: their texts, in the
/// order of their labels (numbers compared as numbers: `restart 2/12` before `restart 10/12`),
/// joined by ` | ` and cut to the terminal's width so that the line never
/// wraps (a wrapped line cannot be overwritten). A progress that ends leaves its own last text
/// as a line of its own above the others.
public final class ProgressLine: @unchecked Sendable {
  /// The line on stderr.
  public static let standardError = ProgressLine(width: { ProgressLine.terminalWidth() })

  private let lock = NSLock()
  private var entries: [(id: ObjectIdentifier, label: String, text: String)] = []
  /// Whether the cursor stands after progress text (a line not ended by a newline).
  private var dirty = false
  private let width: @Sendable () -> Int?

  /// `width` gives the terminal's columns (nil: unknown, nothing is cut).
  init(width: @escaping @Sendable () -> Int?) { self.width = width }

  /// Shows `text` as the part of `id` (a progress labelled `label`) of the line.
  func show(_ id: ObjectIdentifier, label: String, _ text: String, output: (String) -> Void) {
    lock.lock()
    defer { lock.unlock() }
    if let index = entries.firstIndex(where: { $0.id == id }) {
      entries[index].text = text
    } else {
      let after = entries.firstIndex {
        label.compare($0.label, options: .numeric) == .orderedAscending
      }
      entries.insert((id, label, text), at: after ?? entries.endIndex)
    }
    output("\r\u{1B}[K" + rendered())
    dirty = true
  }

  /// Ends `id`'s part: its text stays as a line of its own; the others are drawn below it.
  func end(_ id: ObjectIdentifier, output: (String) -> Void) {
    lock.lock()
    defer { lock.unlock() }
    guard let index = entries.firstIndex(where: { $0.id == id }) else { return }
    let text = entries.remove(at: index).text
    var written = "\r\u{1B}[K" + text + "\n"
    if !entries.isEmpty { written += rendered() }
    dirty = !entries.isEmpty
    output(written)
  }

  /// Writes `text` (a message of one line, with its newline) above the progress line, which is
  /// drawn again below it: log lines never run into a progress text. Without live progress,
  /// `text` alone.
  public func write(_ text: String, output: (String) -> Void) {
    lock.lock()
    defer { lock.unlock() }
    guard dirty else { return output(text) }
    // A progress dropped unfinished leaves its text on the line: cleared, never run into.
    output("\r\u{1B}[K" + text + (entries.isEmpty ? "" : rendered()))
    dirty = !entries.isEmpty
  }

  /// Forgets `id` without drawing (its progress was dropped unfinished).
  func remove(_ id: ObjectIdentifier) {
    lock.lock()
    defer { lock.unlock() }
    entries.removeAll { $0.id == id }
  }

  /// The parts joined; with a known width, each part cut to its share of it.
  private func rendered() -> String {
    let separator = " | "
    guard let columns = width(), columns > 0 else {
      return entries.map(\.text).joined(separator: separator)
    }
    // The last column stays free: some terminals wrap on writing it.
    let usable = columns - 1 - separator.count * (entries.count - 1)
    let share = max(8, usable / max(1, entries.count))
    return entries.map { cut($0.text, to: share + 1) }.joined(separator: separator)
  }

  /// `text` in at most `columns - 1` characters, the cut marked by `…`.
  private func cut(_ text: String, to columns: Int?) -> String {
    guard let columns, columns > 1, text.count > columns - 1 else { return text }
    return String(text.prefix(max(0, columns - 2))) + "…"
  }

  /// The terminal's columns on stderr, or nil when it does not say.
  static func terminalWidth() -> Int? {
    var size = winsize()
    guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
  }
}
