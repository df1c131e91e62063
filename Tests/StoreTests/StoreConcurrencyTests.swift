import Foundation
import Seismic
import TestSupport
import Testing

@testable import Store

/// Two connections (as two processes would hold) on one store file: creation, migration and
/// the same file stored at once.
@Suite struct StoreConcurrencyTests {
  final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
  }

  /// Runs `body(0)` and `body(1)` on two threads at once and returns both results.
  func race<T: Sendable>(_ body: @escaping @Sendable (Int) -> T) -> [T] {
    let results = Box<[T?]>([nil, nil])
    let lock = NSLock()
    DispatchQueue.concurrentPerform(iterations: 2) { i in
      let r = body(i)
      lock.lock()
      results.value[i] = r
      lock.unlock()
    }
    return results.value.compactMap { $0 }
  }

  @Test func twoOpeningsOfTheSameNewStoreAtOnceBothSucceed() throws {
    let dir = try TestPaths.temporaryDirectory("open-race")
    defer { try? FileManager.default.removeItem(at: dir) }
    for round in 0..<20 {
      let path = dir.appendingPathComponent("s\(round).sqlite").path
      let errors = race { _ -> String in
        do {
          _ = try SeisStore(path: path)
          return ""
        } catch {
          return "\(error)"
        }
      }
      #expect(errors == ["", ""], "round \(round)")
      #expect(try SeisStore(path: path).check().isEmpty)
    }
  }

  @Test func theSameContentStoredFromTwoConnectionsAtOnceIsStoredOnceAndTheOtherSaysSo() throws {
    let dir = try TestPaths.temporaryDirectory("store-race")
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("s.sqlite").path
    let stores = [try SeisStore(path: path), try SeisStore(path: path)]
    let segment = Segment(
      source: SourceIdentifier(network: "XX", station: "S", location: "", channel: "HHZ"),
      startTime: Timestamp(nanoseconds: 0), samplingRate: 100, samples: .int32([1, 2, 3]))
    for round in 0..<20 {
      let sha = String(repeating: "\(round % 10)", count: 64) + "\(round)"
      let outcomes = race { i -> String in
        do {
          let outcome = try stores[i].storeFile(
            path: "copy\(i).mseed", size: 3, sha256: sha, format: .miniSEED,
            segments: [segment])
          if case .stored = outcome { return "stored" }
          return "already"
        } catch {
          return "error: \(error)"
        }
      }
      #expect(outcomes.sorted() == ["already", "stored"], "round \(round)")
    }
    #expect(try stores[0].sourceFiles().count == 20)
    #expect(try stores[0].check().isEmpty)
  }
}
