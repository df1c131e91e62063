import Foundation
import GRDB
import Seismic
import TestSupport
import Testing

@testable import Store

/// Window sets written window by window in one transaction, and read back in batches by ordinal.
@Suite struct WindowStreamTests {
  func windowSet(channels: Int = 2, length: Int = 3) -> WindowSetRecord {
    WindowSetRecord(
      version: "test", inputKind: .imported, channelCount: channels, length: length,
      samplingRate: nil, parametersJson: "{}", processingJson: "[]")
  }

  func window(_ key: Int64, station: String = "A") -> WindowRecord {
    WindowRecord(
      windowSetId: 0, windowKey: key, pickId: nil, network: "XX", station: station, location: "",
      channels: "HHZ,HHN", pickTime: Timestamp(nanoseconds: key), phase: "P", startTime: nil,
      samples: [])
  }

  /// Values of window `key`: 6 floats that name it.
  func values(_ key: Int64) -> [Float] { (0..<6).map { Float(key) * 10 + Float($0) } }

  func storeWith(keys: [Int64]) throws -> (SeisStore, WindowSetRecord) {
    let store = try SeisStore()
    let set = try store.writeWindowSet(windowSet()) { writer in
      for key in keys {
        try values(key).withUnsafeBufferPointer { try writer.append(window(key), samples: $0) }
      }
    }
    return (store, try #require(set))
  }

  @Test func aSetWrittenWindowByWindowBecomesCurrentWhenItIsComplete() throws {
    let (store, set) = try storeWith(keys: [5, 1, 9])
    #expect(set.isCurrent)
    #expect(try store.currentWindowSet()?.id == set.id)
    let contents = try #require(try store.currentWindowSetContents())
    #expect(contents.windows.map(\.windowKey) == [5, 1, 9])
    #expect(contents.samples == values(5) + values(1) + values(9))
  }

  @Test func aFailingOrEmptyWriteStoresNothingAndKeepsTheCurrentSet() throws {
    let (store, set) = try storeWith(keys: [0])
    struct Stop: Error {}
    #expect(throws: Stop.self) {
      try store.writeWindowSet(windowSet()) { writer in
        try values(1).withUnsafeBufferPointer { try writer.append(window(1), samples: $0) }
        throw Stop()
      }
    }
    #expect(try store.writeWindowSet(windowSet()) { _ in } == nil)
    // A repeated key and a window of the wrong size fail the whole set.
    #expect(throws: DatabaseError.self) {
      try store.writeWindowSet(windowSet()) { writer in
        for _ in 0..<2 {
          try values(2).withUnsafeBufferPointer { try writer.append(window(2), samples: $0) }
        }
      }
    }
    #expect(throws: StoreError.self) {
      try store.writeWindowSet(windowSet()) { writer in
        try [Float](repeating: 0, count: 5).withUnsafeBufferPointer {
          try writer.append(window(3), samples: $0)
        }
      }
    }
    #expect(try store.currentWindowSet()?.id == set.id)
    let count = try store.writer.read { db in try WindowSetRecord.fetchCount(db) }
    #expect(count == 1)
    #expect(try store.windowSetReader(id: set.id!)?.count == 1)
  }

  @Test func aReaderGivesMetadataInStoredOrderAndSamplesOfAnyOrdinalsIntoTheCallersBuffer() throws {
    let keys: [Int64] = [40, 10, 30, 20, 0]
    let (store, set) = try storeWith(keys: keys)
    let reader = try #require(try store.currentWindowSetReader())
    #expect(reader.windowSet.id == set.id)
    #expect(reader.count == 5 && reader.valuesPerWindow == 6)
    // The order they were stored in (a build's pick order, an imported file's), not the ids'.
    #expect(reader.windows.map(\.windowKey) == keys)
    #expect(reader.windows.allSatisfy { $0.data.isEmpty && $0.station == "A" })
    // A random minibatch, with a repeat, in the order asked.
    let ordinals = [3, 0, 3, 4]
    var batch = [Float](repeating: -1, count: ordinals.count * 6 + 2)
    try batch.withUnsafeMutableBufferPointer { try reader.samples(ordinals: ordinals, into: $0) }
    #expect(Array(batch[0..<24]) == values(20) + values(40) + values(20) + values(0))
    #expect(batch[24] == -1 && batch[25] == -1)
    var range = [Float](repeating: 0, count: 12)
    try range.withUnsafeMutableBufferPointer { try reader.samples(range: 1..<3, into: $0) }
    #expect(range == values(10) + values(30))
  }

  @Test func aReaderRefusesOrdinalsOutsideTheSetAndBuffersTooSmall() throws {
    let (store, _) = try storeWith(keys: [0, 1])
    let reader = try #require(try store.currentWindowSetReader())
    var buffer = [Float](repeating: 0, count: 12)
    #expect(throws: StoreError.self) {
      try buffer.withUnsafeMutableBufferPointer { try reader.samples(ordinals: [2], into: $0) }
    }
    #expect(throws: StoreError.self) {
      try buffer.withUnsafeMutableBufferPointer {
        try reader.samples(ordinals: [0, 1, 0], into: $0)
      }
    }
    #expect(try store.windowSetReader(id: 99) == nil)
  }

  @Test func segmentSpansComeFromTheIndexAndOverlapTheInterval() throws {
    let store = try SeisStore()
    let z = SourceIdentifier(network: "XX", station: "S", location: "", channel: "HHZ")
    func segment(_ start: Double, _ count: Int) -> Segment {
      Segment(
        source: z, startTime: Timestamp(seconds: start), samplingRate: 1,
        samples: .int32((0..<count).map(Int32.init)))
    }
    try store.storeFile(
      path: "a", size: 0, sha256: "a", format: .miniSEED,
      segments: [segment(0, 10), segment(20, 10), segment(40, 10)])
    // Which segments overlap is answered from the index alone, without reading rows.
    let plan = try store.writer.read { db in
      try Row.fetchAll(
        db,
        sql: """
          EXPLAIN QUERY PLAN SELECT s.id, s.start_ns, s.end_ns FROM segment s
          WHERE s.channel_id = 1 AND s.start_ns <= 5 AND s.end_ns >= 1 ORDER BY s.start_ns, s.id
          """
      ).map { $0["detail"] as String }.joined(separator: "; ")
    }
    #expect(plan.contains("COVERING INDEX segment_by_channel_span"), "\(plan)")
    _ = try store.writeWindowSet(windowSet()) { writer in
      let spans = try writer.segmentSpans(
        of: z, from: Timestamp(seconds: 9), to: Timestamp(seconds: 20))
      #expect(spans.map(\.startTime.seconds) == [0, 20])
      #expect(spans.map(\.endTime.seconds) == [9, 29])
      let records = try writer.segmentRecords(ids: spans.map(\.id).reversed())
      #expect(records.map(\.startNanoseconds) == [20_000_000_000, 0])
    }
  }
}
