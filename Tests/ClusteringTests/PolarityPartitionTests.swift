import Foundation
import Numerics
import TestSupport
import Testing

@testable import Clustering

/// `PolarityPartition` (decision 0019) against the same method computed independently in
/// float64 with numpy's eigensolver (tools/make_polarity_partition_fixtures.py): three stations
/// of differently shaped pulses with random polarity, pick jitter and noise.
@Suite struct PolarityPartitionTests {
  struct File: Decodable {
    let count, length, pick: Int
    let samplingRate: Double
    let windows: [Double]
    let stations, labels, truth: [Int]
    let margins: [Double]
  }

  static func fixture() throws -> File {
    let url = TestPaths.fixtures.appendingPathComponent("polarity/partition.json")
    return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
  }

  func labels(_ f: File, maxReferences: Int = 2048, stations: [Int]? = nil) throws -> [Int] {
    var partition = PolarityPartition(samplingRate: f.samplingRate)
    partition.maxReferences = maxReferences
    return try partition.labels(
      windows: f.windows.map { Float($0) }, count: f.count, length: f.length, pick: f.pick,
      stations: stations ?? f.stations)
  }

  @Test func theSamplesFollowTheSecondsAtTheSetsRate() {
    let p = PolarityPartition(samplingRate: 100)
    #expect(p.segmentStart == -8 && p.segmentLength == 16 && p.maxLag == 4 && p.voteSamples == 3)
    #expect(p.samplesBefore == 12 && p.samplesAfter == 12)
    let slow = PolarityPartition(samplingRate: 40)
    #expect(slow.segmentLength == 6 && slow.maxLag == 2 && slow.voteSamples == 1)
  }

  @Test func labelsMatchNumpysEigenvectorAndUpIsAPositiveFirstMotion() throws {
    let f = try Self.fixture()
    let swift = try labels(f)
    // Same labels as the reference (no window there sits near the eigenvector's zero).
    #expect(f.margins.min()! > 0.01)
    #expect(swift == f.labels)
    // Cluster 0 is up: agreement with the drawn polarity, not with its mirror image.
    let agree = zip(swift, f.truth).filter { $0 == $1 }.count
    #expect(Double(agree) / Double(f.count) >= 0.9)
  }

  @Test func eachStationIsPartitionedAndOrientedOnItsOwn() throws {
    let f = try Self.fixture()
    // Station 1 with its sensor wired backwards: its windows, and only those, change sides.
    var flipped = f.windows
    for i in 0..<f.count where f.stations[i] == 1 {
      for t in 0..<f.length { flipped[i * f.length + t] *= -1 }
    }
    var partition = PolarityPartition(samplingRate: f.samplingRate)
    partition.maxReferences = 2048
    let labels = try partition.labels(
      windows: flipped.map { Float($0) }, count: f.count, length: f.length, pick: f.pick,
      stations: f.stations)
    for i in 0..<f.count {
      #expect(labels[i] == (f.stations[i] == 1 ? 1 - f.labels[i] : f.labels[i]))
    }
  }

  @Test func aSampleOfReferencesGivesTheSameSides() throws {
    let f = try Self.fixture()
    // 40 windows per station, 30 references each: the others take the side they correlate with.
    let sampled = try labels(f, maxReferences: 30)
    let same = zip(sampled, f.labels).filter { $0 == $1 }.count
    #expect(Double(same) / Double(f.count) >= 0.95)
  }

  /// The correlations are split over workers; the labels never depend on how many. Progress
  /// reaches every window, station by station, and counts up.
  @Test func labelsDoNotDependOnTheWorkersAndProgressCountsEveryWindow() throws {
    let f = try Self.fixture()
    final class Seen: @unchecked Sendable {
      let lock = NSLock()
      var counts: [Int] = []
      func add(_ n: Int) {
        lock.lock()
        counts.append(n)
        lock.unlock()
      }
    }
    for maxReferences in [2048, 30] {
      var partition = PolarityPartition(samplingRate: f.samplingRate)
      partition.maxReferences = maxReferences
      var results: [[Int]] = []
      for workers in [1, 2, 3] {
        let seen = Seen()
        results.append(
          try partition.labels(
            windows: f.windows.map { Float($0) }, count: f.count, length: f.length, pick: f.pick,
            stations: f.stations, workers: workers, progress: { seen.add($0) }))
        #expect(seen.counts.last == f.count)
        #expect(seen.counts == seen.counts.sorted(), "counts never go backwards")
      }
      #expect(results.allSatisfy { $0 == results[0] }, "maxReferences \(maxReferences)")
    }
  }

  @Test func windowsTooShortForTheSegmentAreRefusedInOneLine() throws {
    let f = try Self.fixture()
    #expect(throws: ClusteringError.self) {
      try PolarityPartition(samplingRate: 100).labels(
        windows: f.windows.map { Float($0) }, count: f.count, length: f.length, pick: 5,
        stations: f.stations)
    }
  }

  @Test func theLeadingEigenvectorOfAKnownMatrix() {
    // Eigenvalues 3 (vector (1, 1) / sqrt 2) and -5 (vector (1, -1) / sqrt 2): the largest
    // algebraic, not the largest in magnitude.
    let v = PolarityPartition.leadingEigenvector([-1, 4, 4, -1], size: 2)
    #expect(abs(v[0] - 0.5.squareRoot()) < 1e-6 && abs(v[1] - 0.5.squareRoot()) < 1e-6)
  }
}
