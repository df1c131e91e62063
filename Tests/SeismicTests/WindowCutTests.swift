import Testing

@testable import Seismic

@Suite struct WindowCutTests {
  let grid = Timestamp(nanoseconds: 1_000_000_000_000)

  @Test func windowStartsAtTheGridSampleNearestToPickMinusBefore() throws {
    let cut = try WindowCut(before: 1, after: 2)
    #expect(cut.sampleCount(rate: 100) == 300)
    #expect(cut.sampleCount(rate: 40.3) == 121)  // round(120.9)
    // Pick 10.004 s after grid start, before 1 s: 9.004 s -> sample 900.4 -> 900.
    let pick = grid.adding(nanoseconds: 10_004_000_000)
    #expect(cut.firstIndex(pick: pick, gridStart: grid, rate: 100) == 900)
    // Ties take the later sample, also half a sample before the grid (it was -1 there).
    let tie = try WindowCut(before: 0.005, after: 1)
    #expect(tie.firstIndex(pick: grid, gridStart: grid, rate: 100) == 0)  // -0.5
    #expect(tie.firstIndex(pick: grid.adding(nanoseconds: -1), gridStart: grid, rate: 100) == -1)
    // 0.5, then -1.5:
    #expect(
      tie.firstIndex(pick: grid.adding(nanoseconds: 10_000_000), gridStart: grid, rate: 100) == 1)
    #expect(
      tie.firstIndex(pick: grid.adding(nanoseconds: -10_000_000), gridStart: grid, rate: 100) == -1)
    // 10.006 s -> 900.6 -> 901.
    #expect(
      cut.firstIndex(pick: grid.adding(nanoseconds: 10_006_000_000), gridStart: grid, rate: 100)
        == 901)
    let samples = (0..<2000).map(Double.init)
    let window = try #require(cut.cut(samples, gridStart: grid, rate: 100, pick: pick))
    #expect(window.count == 300)
    #expect(window.first == 900 && window.last == 1199)
  }

  /// The contract's `round((before + after) * rate)` is Python's and NumPy's round: half a
  /// sample goes to the even count, where Swift's `rounded()` goes away from zero.
  @Test func halfASampleRoundsToTheEvenCountAsPythonsRound() throws {
    #expect(try WindowCut(before: 0.125, after: 0).sampleCount(rate: 100) == 12)  // 12.5
    #expect(try WindowCut(before: 0.375, after: 0).sampleCount(rate: 100) == 38)  // 37.5
    #expect(try WindowCut(before: 0.25, after: 0.0625).sampleCount(rate: 40) == 12)  // 12.5
    #expect(try WindowCut(before: 0.005, after: 0).sampleCount(rate: 100) == 0)  // 0.5
    #expect(WindowCut.samples(seconds: 0.015, rate: 100) == 2)  // 1.5 (0.015 * 100 is 1.5)
    #expect(WindowCut.samples(seconds: 1.26, rate: 100) == 126)
  }

  @Test func windowsOutsideTheGridAreNotCut() throws {
    let cut = try WindowCut(before: 1, after: 2)
    let samples = [Double](repeating: 1, count: 1000)
    #expect(cut.cut(samples, gridStart: grid, rate: 100, pick: grid.adding(seconds: 0.5)) == nil)
    #expect(cut.cut(samples, gridStart: grid, rate: 100, pick: grid.adding(seconds: 8.5)) == nil)
    #expect(cut.cut(samples, gridStart: grid, rate: 100, pick: grid.adding(seconds: 8)) != nil)
    #expect(throws: ProcessingSettingsError.self) { try WindowCut(before: -1, after: 2) }
    #expect(throws: ProcessingSettingsError.self) { try WindowCut(before: 0, after: 0) }
  }

  @Test func marginCoversTaperAndFilterStartUp() throws {
    let cut = try WindowCut(before: 10, after: 50)
    #expect(cut.recommendedMargin(lowCorner: 1) == 30)
    #expect(cut.recommendedMargin(lowCorner: 0.1) == 100)
    #expect(try WindowCut(before: 1, after: 2).recommendedMargin(lowCorner: nil) == 5)
  }
}
