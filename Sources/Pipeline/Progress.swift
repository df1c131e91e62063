import Foundation

/// Progress on stderr: a self-overwriting line on a terminal, a line every few seconds
/// otherwise (log-friendly), nothing when quiet. With a total, lines give the share done and,
/// after the first seconds, an estimate of the time left (`windows: 900/2000 (45 %, 6 s left)`).
public final class Progress: @unchecked Sendable {
  public let label: String
  public let total: Int?
  private let quiet: Bool
  private let isTerminal: Bool
  private var lastPrint = Date.distantPast
  private let lock = NSLock()
  private var drewLine = false
  private let started = Date()

  public init(label: String, total: Int?, quiet: Bool) {
    self.label = label
    self.total = total
    self.quiet = quiet
    self.isTerminal = isatty(STDERR_FILENO) == 1
  }

  /// Reports `done` items with an optional detail (such as a loss).
  public func update(_ done: Int, detail: String = "") {
    guard !quiet else { return }
    lock.lock()
    defer { lock.unlock() }
    let now = Date()
    let interval: TimeInterval = isTerminal ? 0.1 : 5
    let finished = total.map { done >= $0 } ?? false
    guard finished || now.timeIntervalSince(lastPrint) >= interval else { return }
    lastPrint = now
    var line = "\(label): \(done)"
    if let total {
      line += "/\(total)"
      if total > 0 && !finished {
        line += " (\(100 * done / total) %"
        let elapsed = now.timeIntervalSince(started)
        if done > 0 && elapsed >= 2 {
          line += ", " + Self.duration(elapsed * Double(total - done) / Double(done)) + " left"
        }
        line += ")"
      }
    }
    if !detail.isEmpty { line += " \(detail)" }
    if isTerminal {
      FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
      drewLine = true
    } else {
      FileHandle.standardError.write(Data((line + "\n").utf8))
    }
  }

  /// `45 s`, `3 min 20 s`, `2 h 5 min`.
  static func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s) s" }
    if s < 3600 { return "\(s / 60) min \(s % 60) s" }
    return "\(s / 3600) h \(s % 3600 / 60) min"
  }

  /// Ends the progress line on a terminal.
  public func finish() {
    guard !quiet else { return }
    lock.lock()
    defer { lock.unlock() }
    if isTerminal && drewLine {
      FileHandle.standardError.write(Data("\n".utf8))
      drewLine = false
    }
  }
}
