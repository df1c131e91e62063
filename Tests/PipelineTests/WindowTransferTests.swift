import Foundation
import Logging
import Seismic
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `windows export` / `windows import`: `.npy` and index CSV round trips.
@Suite struct WindowTransferTests {
  static func samples(of window: Int) -> [Float] {
    (0..<6).map { (k: Int) -> Float in Float(window * 10 + k) + 0.25 }
  }

  func storeWithWindows() throws -> SeisStore {
    let store = try SeisStore()
    let set = WindowSetRecord(
      version: "test", inputKind: .waveform, channelCount: 2, length: 3, samplingRate: 100,
      parametersJson: "{}", processingJson: "[]")
    let t = try #require(Timestamp(iso8601: "2026-03-01T00:06:16.649649Z"))
    let windows = (0..<4).map { i in
      WindowRecord(
        windowSetId: 0, windowKey: Int64(i), pickId: nil, network: "NZ",
        station: i == 2 ? "A,B" : "CRLZ", location: i == 1 ? "" : "10", channels: "HHZ,HHN",
        pickTime: t.adding(seconds: Double(i)), phase: "P", startTime: t,
        samples: Self.samples(of: i))
    }
    try store.replaceCurrentWindowSet(set, windows: windows)
    return store
  }

  @Test func exportWritesNumPyFloat32WithAnIndexAndImportKeepsTheIds() throws {
    let store = try storeWithWindows()
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let npy = dir.appendingPathComponent("w.npy").path
    let csv = dir.appendingPathComponent("w.csv").path
    let report = try WindowSetTransfer.export(store: store, output: npy, index: csv, force: false)
    #expect(report.count == 4 && report.channels == 2 && report.length == 3)
    let array = try NPYArray(contentsOf: URL(fileURLWithPath: npy))
    #expect(array.shape == [4, 2, 3])
    let all: [Float] = (0..<4).flatMap { Self.samples(of: $0) }
    #expect(array.values == .float32(all))
    // NumPy's own header: v1.0, 64-byte aligned data.
    let bytes = try Data(contentsOf: URL(fileURLWithPath: npy))
    #expect(bytes[6] == 1 && bytes[7] == 0)
    #expect((bytes.count - 4 * 24) % 64 == 0)
    let text = try String(contentsOfFile: csv, encoding: .utf8)
    let lines = text.split(separator: "\n")
    #expect(lines[0].hasPrefix("window_id,network,station,location,time"))
    #expect(lines[1].hasPrefix("0,NZ,CRLZ,10,2026-03-01T00:06:16.649649Z,"))
    #expect(lines[2].hasPrefix("1,NZ,CRLZ,,2026-03-01T00:06:17.649649Z,"))
    #expect(lines[3].hasPrefix("2,NZ,\"A,B\",10,"))

    // Never overwrite without force; with force it works.
    #expect(throws: InputError.self) {
      try WindowSetTransfer.export(store: store, output: npy, index: nil, force: false)
    }
    #expect(throws: InputError.self) {
      try WindowSetTransfer.export(
        store: store, output: dir.appendingPathComponent("new.npy").path, index: csv, force: false)
    }
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("new.npy").path))
    _ = try WindowSetTransfer.export(store: store, output: npy, index: csv, force: true)

    // Re-ids in the index are kept on import.
    let renumbered = text.replacingOccurrences(of: "\n0,", with: "\n70,")
      .replacingOccurrences(of: "\n3,", with: "\n5,")
    try Data(renumbered.utf8).write(to: URL(fileURLWithPath: csv))
    let other = try SeisStore()
    let imported = try WindowSetTransfer.importWindows(store: other, path: npy, index: csv)
    #expect(imported.windowSet.inputKind == .imported)
    let contents = try #require(try other.currentWindowSetContents())
    // In the file's order, whatever the ids.
    #expect(contents.windows.map(\.windowKey) == [70, 1, 2, 5])
    let byKey = Dictionary(uniqueKeysWithValues: contents.windows.map { ($0.windowKey, $0) })
    #expect(byKey[70]?.pickTime == Timestamp(iso8601: "2026-03-01T00:06:16.649649Z"))
    #expect(byKey[2]?.station == "A,B")
    #expect(byKey[1]?.location == "")
    // Window 70 (first row) keeps its samples.
    let index70 = try #require(contents.windows.firstIndex { $0.windowKey == 70 })
    #expect(Array(contents.samples[(index70 * 6)..<(index70 * 6 + 6)]) == Self.samples(of: 0))
  }

  @Test func importWithoutIndexNumbersWindowsAndReadsFloat64AndTwoDimensionalArrays() throws {
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    // A float64 N x L array written by NumPy (tools/make_npy_fixtures.py style header).
    let values: [Double] = [1.5, -2, 3, 4, 5, 6.25]
    var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
    header += String(repeating: " ", count: (64 - (10 + header.count + 1) % 64) % 64) + "\n"
    var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
    data.append(contentsOf: [UInt8(header.count & 0xFF), UInt8(header.count >> 8)])
    data.append(contentsOf: Array(header.utf8))
    for v in values {
      withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) }
    }
    let path = dir.appendingPathComponent("x.npy").path
    try data.write(to: URL(fileURLWithPath: path))
    let store = try SeisStore()
    let report = try WindowSetTransfer.importWindows(store: store, path: path, index: nil)
    #expect(report.windowSet.channelCount == 1 && report.windowSet.length == 3)
    let contents = try #require(try store.currentWindowSetContents())
    #expect(contents.windows.map(\.windowKey) == [0, 1])
    #expect(contents.windows.allSatisfy { $0.network.isEmpty && $0.station.isEmpty })
    #expect(contents.samples == values.map { Float($0) })
  }

  /// Values beyond 1e15 are refused whole at import: training squares them in float32, and
  /// 3e38 was stored, then diverged at `cluster`'s first epoch (an adversarial sweep).
  @Test func importRefusesValuesTooLargeToTrainOn() throws {
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = try SeisStore()
    for (value, refused) in [(Float(1e15), false), (-2e16, true), (3e38, true)] {
      var data = NPYArray.float32Header(shape: [3, 1, 4])
      for k in 0..<12 {
        let v: Float = k == 9 ? value : Float(k)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) }
      }
      let path = dir.appendingPathComponent("big.npy").path
      try data.write(to: URL(fileURLWithPath: path))
      let before = try store.currentWindowSet()?.id
      do {
        _ = try WindowSetTransfer.importWindows(store: store, path: path, index: nil)
        #expect(!refused, "\(value) accepted")
      } catch let error as InputError {
        #expect(refused, "\(value): \(error.reason)")
        #expect(
          error.reason.hasPrefix(
            "window 2 holds \(String(format: "%.3g", value)), beyond the 1e+15 that training"),
          "\(error.reason)")
        #expect(try store.currentWindowSet()?.id == before)
      }
    }
  }

  @Test func importRefusesDuplicateIdsAndIndexesOfTheWrongLength() throws {
    let store = try storeWithWindows()
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let npy = dir.appendingPathComponent("w.npy").path
    _ = try WindowSetTransfer.export(store: store, output: npy, index: nil, force: false)
    let csv = dir.appendingPathComponent("i.csv")
    let before = try #require(try store.currentWindowSet()?.id)
    try Data("window_id,network\n1,A\n2,B\n1,C\n4,D\n".utf8).write(to: csv)
    do {
      _ = try WindowSetTransfer.importWindows(store: store, path: npy, index: csv.path)
      Issue.record("duplicate ids accepted")
    } catch let error as InputError {
      #expect(error.description.contains("window_id 1 repeats line 2"))
    }
    try Data("window_id\n1\n2\n".utf8).write(to: csv)
    #expect(throws: InputError.self) {
      try WindowSetTransfer.importWindows(store: store, path: npy, index: csv.path)
    }
    /// Why an import with `index` as its index CSV is refused (nil when it is not).
    func refusal(_ index: String) throws -> String? {
      try Data(index.utf8).write(to: csv)
      do {
        _ = try WindowSetTransfer.importWindows(store: store, path: npy, index: csv.path)
        return nil
      } catch let error as InputError {
        return error.reason
      }
    }
    // Codes and phases are checked as `picks import` checks them (a review found a U+0001 in a
    // station taken, and written as U+FFFD by QuakeML export).
    for (row, reason) in [
      ("A\u{1}B,P", "line 3: a control character in the station code"),
      ("AB,P\u{FFFE}", "line 3: a non-character (U+FFFE) in the phase"),
    ] {
      #expect(try refusal("window_id,station,phase\n1,AB,P\n2,\(row)\n") == reason, "\(row)")
    }
    // A column the import reads, named twice (the first was used in silence; an adversarial
    // sweep); a column it does not read may repeat.
    for (header, reason) in [
      ("window_id,station,window_id", "the header names column `window_id` twice"),
      ("window_id,Station,station", "the header names column `station` twice"),
    ] {
      #expect(try refusal("\(header)\n1,A,3\n2,B,4\n") == reason, "\(header)")
    }
    #expect(
      try WindowSetTransfer.parseIndex("window_id,note,note\n1,a,b\n", path: "i.csv").count == 1)
    // The current set is unchanged by the failed imports.
    #expect(try store.currentWindowSet()?.id == before)
  }
}

extension WindowTransferTests {
  /// A float32 N x C x L `.npy` of window `i` holding `i * 100 + k`.
  static func npy(windows: Int, channels: Int, length: Int, nanAt: Int? = nil) -> Data {
    var data = NPYArray.float32Header(shape: [windows, channels, length])
    for i in 0..<windows {
      for k in 0..<(channels * length) {
        let v: Float = i == nanAt && k == 1 ? .nan : Float(i * 100 + k)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) }
      }
    }
    return data
  }

  @Test func importAndExportStreamInBatchesAndGiveBackTheSameFile() throws {
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("in.npy").path
    let original = Self.npy(windows: 10, channels: 2, length: 3)
    try original.write(to: URL(fileURLWithPath: path))
    let store = try SeisStore()
    let report = try WindowSetTransfer.importWindows(store: store, path: path, index: nil, batch: 3)
    #expect(report.count == 10)
    let reader = try #require(try store.currentWindowSetReader())
    #expect(reader.windows.map(\.windowKey) == (0..<10).map(Int64.init))
    let out = dir.appendingPathComponent("out.npy").path
    _ = try WindowSetTransfer.export(store: store, output: out, index: nil, force: false, batch: 4)
    #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == original)
    // No temporary file is left beside the output.
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [
        "in.npy", "out.npy",
      ])
  }

  @Test func aNaNInALaterBatchRefusesTheWholeFileAndStoresNothing() throws {
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("nan.npy").path
    try Self.npy(windows: 10, channels: 1, length: 4, nanAt: 8).write(
      to: URL(fileURLWithPath: path))
    let store = try storeWithWindows()
    let before = try store.currentWindowSet()?.id
    do {
      _ = try WindowSetTransfer.importWindows(store: store, path: path, index: nil, batch: 3)
      Issue.record("a NaN was imported")
    } catch let error as InputError {
      #expect(error.description.contains("window 8 holds a NaN"))
    }
    #expect(try store.currentWindowSet()?.id == before)
    #expect(try store.writer.read { db in try WindowSetRecord.fetchCount(db) } == 1)
  }
}
