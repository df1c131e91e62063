import Foundation

/// Progress on stderr: a self-overwriting line on a terminal, a line every few seconds
/// otherwise (log-friendly), nothing when quiet.
public final class Progress: @unchecked Sendable {
  public let label: String
  public let total: Int?
  private let quiet: Bool
  private let isTerminal: Bool
  private var lastPrint = Date.distantPast
  private let lock = NSLock()
  private var drewLine = false

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
    if let total { line += "/\(total)" }
    if !detail.isEmpty { line += " \(detail)" }
    if isTerminal {
      FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
      drewLine = true
    } else {
      FileHandle.standardError.write(Data((line + "\n").utf8))
    }
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
