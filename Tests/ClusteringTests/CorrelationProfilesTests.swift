import Foundation
import Numerics
import TestSupport
import Testing

@testable import Clustering

/// `CorrelationProfiles` against direct cross-correlation in Double by SciPy
/// (tools/make_correlation_fixtures.py), and its leaf order against SciPy's average linkage.
@Suite struct CorrelationProfilesTests {
  struct Case: Decodable {
    let count, references, channels, length: Int
    let windows: [Double]
    let referenceWindows: [Double]
    let profiles: [Double]
  }
  struct Linkage: Decodable {
    let count: Int
    let distances: [Double]
    let groups: [[Int]]
  }
  struct File: Decodable {
    let cases: [Case]
    let linkage: Linkage
  }

  static func fixture() throws -> File {
    let url = TestPaths.fixtures.appendingPathComponent("correlation/profiles.json")
    return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
  }

  func profiles(_ c: Case, workers: Int) throws -> [Float] {
    let references = c.referenceWindows.map { Float($0) }
    let correlation = try references.withUnsafeBufferPointer {
      try CorrelationProfiles(
        references: $0, referenceCount: c.references, channels: c.channels, length: c.length)
    }
    return try c.windows.map { Float($0) }.withUnsafeBufferPointer {
      try correlation.profiles(of: $0, count: c.count, workers: workers)
    }
  }

  @Test(arguments: [0, 1]) func peaksMatchDirectCorrelationInDouble(index: Int) throws {
    let c = try Self.fixture().cases[index]
    let got = try profiles(c, workers: 1)
    #expect(got.count == c.count * c.references)
    let worst = zip(got, c.profiles).map { abs(Double($0) - $1) }.max() ?? 1
    #expect(worst < 1e-5, "largest difference \(worst)")
    // Correlated copies score high, and a window with itself would score 1.
    #expect((c.profiles.max() ?? 0) > 0.8)
  }

  @Test func theResultDoesNotDependOnTheNumberOfWorkers() throws {
    let c = try Self.fixture().cases[0]
    #expect(try profiles(c, workers: 1) == profiles(c, workers: 3))
  }

  @Test func aWindowCorrelatesWithItselfAtOneWhateverItsScale() throws {
    let c = try Self.fixture().cases[0]
    let size = c.channels * c.length
    let window = c.windows[0..<size].map { Float($0) }
    let correlation = try window.withUnsafeBufferPointer {
      try CorrelationProfiles(
        references: $0, referenceCount: 1, channels: c.channels, length: c.length)
    }
    let scaled = window.map { $0 * 1000 }
    let peak = try scaled.withUnsafeBufferPointer {
      try correlation.profiles(of: $0, count: 1, workers: 1)
    }
    #expect(abs(peak[0] - 1) < 1e-6)
  }

  @Test func transformLengthsAreTheSmallest5SmoothNumbersThatHoldEveryLag() {
    func isSmooth(_ n: Int) -> Bool {
      var m = n
      for p in [2, 3, 5] { while m % p == 0 { m /= p } }
      return m == 1
    }
    for count in [1, 2, 3, 7, 11, 63, 127, 7_999, 11_999, 12_001] {
      let n = CorrelationProfiles.smoothLength(atLeast: count)
      #expect(n >= max(count, 2) && isSmooth(n), "\(count) -> \(n)")
      #expect(
        !(max(count, 2)..<n).contains(where: isSmooth), "\(count) -> \(n) is not the smallest")
    }
    #expect(CorrelationProfiles.smoothLength(atLeast: 11_999) == 12_000)
  }

  /// The memory estimate the pipeline checks before correlating (`workingBytes`) counts the
  /// references' spectra at the transform length an instance really uses.
  @Test func theWorkingMemoryEstimateCoversTheReferencesSpectra() throws {
    for (channels, length) in [(3, 4_000), (1, 37), (2, 6_001)] {
      let values = [Float](repeating: 1, count: 2 * channels * length)
      let correlation = try values.withUnsafeBufferPointer {
        try CorrelationProfiles(
          references: $0, referenceCount: 2, channels: channels, length: length)
      }
      let spectra = 2 * channels * 2 * (correlation.transformLength / 2 + 1) * 8
      #expect(
        CorrelationProfiles.workingBytes(
          references: 2, channels: channels, length: length, workers: 0) == spectra)
      #expect(
        CorrelationProfiles.workingBytes(
          references: 2, channels: channels, length: length, workers: 2) > spectra)
    }
  }

  @Test func refusesTooFewValues() {
    let values = [Float](repeating: 1, count: 10)
    #expect(throws: ClusteringError.self) {
      try values.withUnsafeBufferPointer {
        try CorrelationProfiles(references: $0, referenceCount: 2, channels: 1, length: 6)
      }
    }
  }

  @Test func leafOrderKeepsEveryAverageLinkageClusterOfSciPyContiguous() throws {
    let l = try Self.fixture().linkage
    let order = CorrelationProfiles.averageLinkageOrder(distances: l.distances, count: l.count)
    #expect(order.sorted() == Array(0..<l.count))
    var position = [Int](repeating: 0, count: l.count)
    for (p, item) in order.enumerated() { position[item] = p }
    for group in l.groups {
      let places = group.map { position[$0] }
      #expect(
        (places.max() ?? 0) - (places.min() ?? 0) == group.count - 1,
        "cluster \(group) is split in the order \(order)")
    }
  }
}
