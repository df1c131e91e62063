import Foundation
import Testing

@testable import Pipeline

/// Progress on a terminal: every live progress shares one line (two restarts side by side used
/// to overwrite each other in turn), log lines go above it, and a finished progress leaves its
/// last text as a line of its own.
@Suite struct ProgressTests {
  /// What the progress wrote, in order.
  final class Screen: @unchecked Sendable {
    private let lock = NSLock()
    private var writes: [String] = []
    func write(_ text: String) {
      lock.lock()
      defer { lock.unlock() }
      writes.append(text)
    }
    var all: [String] {
      lock.lock()
      defer { lock.unlock() }
      return writes
    }
  }

  /// A clock the test moves: each update comes past the 0.1 s throttle.
  final class Clock: @unchecked Sendable {
    var now = Date(timeIntervalSince1970: 0)
    func tick() { now += 1 }
  }

  static let clear = "\r\u{1B}[K"

  func progress(
    _ label: String, total: Int?, line: ProgressLine, screen: Screen, clock: Clock,
    terminal: Bool = true
  ) -> Pipeline.Progress {
    Pipeline.Progress(
      label: label, total: total, quiet: false, isTerminal: terminal, line: line,
      output: { screen.write($0) }, clock: { clock.now })
  }

  @Test func twoProgressesShareOneLineInLabelOrder() {
    let line = ProgressLine(width: { nil })
    let screen = Screen()
    let clock = Clock()
    // Restart 2 starts drawing first; restart 1 still comes first on the line.
    let second = progress("restart 2/5: epoch", total: 30, line: line, screen: screen, clock: clock)
    let first = progress("restart 1/5: epoch", total: 30, line: line, screen: screen, clock: clock)
    clock.tick()
    second.update(1)
    first.update(1)
    clock.tick()
    second.update(2)
    #expect(
      screen.all == [
        Self.clear + "restart 2/5: epoch: 1/30 (3 %)",
        Self.clear + "restart 1/5: epoch: 1/30 (3 %) | restart 2/5: epoch: 1/30 (3 %)",
        Self.clear + "restart 1/5: epoch: 1/30 (3 %) | restart 2/5: epoch: 2/30 (6 %, 28 s left)",
      ])
  }

  @Test func labelsCompareNumbers() {
    let line = ProgressLine(width: { nil })
    let screen = Screen()
    let clock = Clock()
    let tenth = progress("restart 10/12", total: nil, line: line, screen: screen, clock: clock)
    let ninth = progress("restart 9/12", total: nil, line: line, screen: screen, clock: clock)
    clock.tick()
    tenth.update(3)
    ninth.update(4)
    #expect(screen.all.last == Self.clear + "restart 9/12: 4 | restart 10/12: 3")
  }

  @Test func finishingOneLeavesItsLineAndRedrawsTheOther() {
    let line = ProgressLine(width: { nil })
    let screen = Screen()
    let clock = Clock()
    let a = progress("a", total: 2, line: line, screen: screen, clock: clock)
    let b = progress("b", total: nil, line: line, screen: screen, clock: clock)
    clock.tick()
    a.update(1)
    b.update(7)
    clock.tick()
    a.update(2)
    a.finish()
    #expect(screen.all.last == Self.clear + "a: 2/2\n" + "b: 7")
    // Finishing again writes nothing; the last one ends the line.
    a.finish()
    b.finish()
    #expect(screen.all.suffix(1) == [Self.clear + "b: 7\n"])
  }

  @Test func logLinesGoAboveTheProgress() {
    let line = ProgressLine(width: { nil })
    let screen = Screen()
    let clock = Clock()
    let a = progress("a", total: nil, line: line, screen: screen, clock: clock)
    line.write("no progress yet\n") { screen.write($0) }
    clock.tick()
    a.update(5)
    line.write("warning: something\n") { screen.write($0) }
    #expect(
      screen.all == [
        "no progress yet\n", Self.clear + "a: 5",
        Self.clear + "warning: something\n" + "a: 5",
      ])
  }

  @Test func theLineIsCutToTheTerminalWidth() {
    let line = ProgressLine(width: { 40 })
    let screen = Screen()
    let clock = Clock()
    let a = progress("first lane", total: nil, line: line, screen: screen, clock: clock)
    let b = progress("second lane", total: nil, line: line, screen: screen, clock: clock)
    clock.tick()
    a.update(1, detail: String(repeating: "x", count: 50))
    b.update(2, detail: "short")
    let drawn = screen.all.last!.dropFirst(Self.clear.count)
    #expect(drawn.count <= 39)
    #expect(drawn == "first lane: 1 xxx… | second lane: 2 sh…")
    // A finished progress keeps its whole text: that line is never overwritten.
    a.finish()
    #expect(
      screen.all.last!.hasPrefix(
        Self.clear + "first lane: 1 " + String(repeating: "x", count: 50) + "\n"))
  }

  @Test func offATerminalEachUpdateIsALineAndNothingIsShared() {
    let line = ProgressLine(width: { nil })
    let screen = Screen()
    let clock = Clock()
    let a = progress("a", total: 4, line: line, screen: screen, clock: clock, terminal: false)
    clock.now += 10
    a.update(1)
    a.update(2)  // within 5 s: dropped
    a.update(4)  // done: always written
    a.update(4)  // but once
    a.finish()
    line.write("summary\n") { screen.write($0) }
    #expect(screen.all == ["a: 1/4 (25 %, 30 s left)\n", "a: 4/4\n", "summary\n"])
  }

  @Test func aProgressDroppedUnfinishedLeavesTheLineAndTheNextMessageClearsIt() {
    let line = ProgressLine(width: { nil })
    let screen = Screen()
    let clock = Clock()
    do {
      let a = progress("a", total: nil, line: line, screen: screen, clock: clock)
      clock.tick()
      a.update(1)
    }
    line.write("error: x\n") { screen.write($0) }
    // Its text is cleared, not glued to the message; the next message is plain.
    #expect(screen.all.last == Self.clear + "error: x\n")
    line.write("summary\n") { screen.write($0) }
    #expect(screen.all.last == "summary\n")
  }
}
