import CMiniSEED
import Foundation

/// Captures libmseed 2's process-wide log output (which would otherwise go to stderr) for the
/// duration of one read or write. libmseed's logging is global, so every libmseed call of this
/// module runs inside `capture`, one at a time.
final class MiniSEEDLog: @unchecked Sendable {
  static let shared = MiniSEEDLog()

  private let lock = NSLock()
  /// Messages at level 0 and 1 (libmseed's log and diagnostics).
  private var warnings: [String] = []
  /// Messages at level 2 and above (libmseed's errors).
  private var errors: [String] = []

  // libmseed keeps the prefix pointers, so they live as long as the process.
  nonisolated(unsafe) private static let infoPrefix = UnsafePointer(strdup("INFO: ")!)
  nonisolated(unsafe) private static let errorPrefix = UnsafePointer(strdup("ERROR: ")!)

  private init() {
    ms_loginit(
      { message in MiniSEEDLog.shared.receive(message) }, MiniSEEDLog.infoPrefix,
      { message in MiniSEEDLog.shared.receive(message) }, MiniSEEDLog.errorPrefix)
  }

  /// Called by libmseed, on the thread that holds the lock.
  private func receive(_ message: UnsafeMutablePointer<CChar>?) {
    guard let message else { return }
    let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    if text.hasPrefix("ERROR: ") {
      errors.append(String(text.dropFirst(7)))
    } else if text.hasPrefix("INFO: ") {
      warnings.append(String(text.dropFirst(6)))
    } else {
      warnings.append(text)
    }
  }

  /// Runs `body` with libmseed's messages collected; returns them alongside the result.
  func capture<T>(_ body: () throws -> T) rethrows -> (
    result: T, warnings: [String], errors: [String]
  ) {
    lock.lock()
    defer {
      warnings = []
      errors = []
      lock.unlock()
    }
    warnings = []
    errors = []
    let result = try body()
    return (result, warnings, errors)
  }
}
