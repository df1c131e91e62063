import Foundation
import TestSupport
import Testing

@testable import Seismic

/// Content that is not a readable waveform is refused by name, in one line, before allocating.
@Suite struct RefusalTests {
  func read(_ bytes: [UInt8]) throws -> WaveformContents {
    var b = bytes
    return try b.withUnsafeMutableBytes { try WaveformReader.read($0, path: "x.bin") }
  }

  func reason(_ bytes: [UInt8]) -> String? {
    do {
      _ = try read(bytes)
      return nil
    } catch let e as WaveformFileError {
      return e.reason
    } catch {
      return "\(error)"
    }
  }

  @Test func miniSEED3IsRefusedByName() {
    var bytes = Array("MS".utf8) + [3] + [UInt8](repeating: 0, count: 200)
    #expect(reason(bytes) == "MiniSEED 3 is not supported")
    bytes[2] = 2
    #expect(reason(bytes)?.contains("not MiniSEED or SAC") == true)
  }

  @Test func otherFormatsAreRefusedByName() {
    #expect(reason(Array("hello, world\n".utf8))?.contains("not MiniSEED or SAC") == true)
    #expect(reason([])?.contains("not MiniSEED or SAC") == true)
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47] + [UInt8](repeating: 7, count: 2000)
    #expect(reason(png)?.contains("not MiniSEED or SAC") == true)
  }

  /// A SAC header with the given fields, little- or big-endian, followed by `dataBytes` bytes.
  func sac(npts: Int32, delta: Float, bigEndian: Bool = false, dataBytes: Int) -> [UInt8] {
    var h = SACHeader()
    h[.npts] = npts
    h[.delta] = delta
    h[.nvhdr] = 6
    var bytes = h.littleEndianBytes
    if bigEndian {
      for w in 0..<110 { bytes[(4 * w)..<(4 * w + 4)].reverse() }
    }
    return bytes + [UInt8](repeating: 0, count: dataBytes)
  }

  /// SAC 102's version 7 (NVHDR 7, a footer of 22 doubles after the samples) was "unknown
  /// format: not MiniSEED or SAC" (an adversarial sweep): named now, in both byte orders.
  @Test func sacHeaderVersion7IsRefusedByName() {
    for big in [false, true] {
      var bytes = sac(npts: 10, delta: 0.01, bigEndian: big, dataBytes: 40 + 176)
      let version = UInt32(7)
      withUnsafeBytes(of: big ? version.bigEndian : version.littleEndian) {
        bytes.replaceSubrange((280 + 4 * 6)..<(280 + 4 * 7), with: $0)
      }
      #expect(reason(bytes)?.hasPrefix("SAC header version 7 (SAC 102's footer") == true)
      // Without its footer's exact size, it is no SAC that can be named.
      #expect(reason(Array(bytes.dropLast(8)))?.contains("not MiniSEED or SAC") == true)
    }
  }

  /// libmseed says the same of every record; a file of 200 records without blockette 1001 gave
  /// 200 identical warning lines (an adversarial sweep). Each message is said once, counted.
  @Test func libmseedMessagesAreSaidOnceWithTheirCount() {
    let same = "[XX_LOC__HHZ] Number of blockettes in fixed header (1) does not match"
    let messages = Array(repeating: same, count: 200) + ["other"] + [same]
    #expect(MiniSEEDReader.summarized(messages) == ["\(same) (201 times)", "other"])
    let many = (0..<13).map { "m\($0)" } + ["m12"]
    let lines = MiniSEEDReader.summarized(many)
    #expect(lines.count == 11)
    #expect(lines.last == "and 4 more messages of 3 other kinds")
  }

  /// A record dated day 367 (or 366 of a common year) was stored at 2 January of the next year
  /// (libmseed's arithmetic); ObsPy refuses it (an adversarial sweep). Such a record is not
  /// stored, and said; the file's other records are.
  @Test func aRecordDatedDay367IsNotStoredAndSaid() throws {
    let segment = Segment(
      source: SourceIdentifier(network: "XX", station: "DOY", location: "", channel: "HHZ"),
      startTime: Timestamp(iso8601: "2025-12-31T23:59:00Z")!, samplingRate: 100,
      samples: .int32((0..<3000).map { Int32(($0 * 7919) % 2_000_000) - 1_000_000 }))
    var bytes = [UInt8](try MiniSEEDWriter.encode(segment))
    let reclen = 4096
    #expect(bytes.count >= 2 * reclen)
    // The first record's day, in the header's own byte order (its year reads 2025 in it).
    let big = Int(bytes[20]) << 8 | Int(bytes[21]) == 2025
    let day: UInt16 = 366  // 2025 has 365 days
    bytes[22] = UInt8(big ? day >> 8 : day & 0xFF)
    bytes[23] = UInt8(big ? day & 0xFF : day >> 8)
    let contents = try read(bytes)
    #expect(
      contents.notes.contains(
        "record at byte 0 is dated 2025, day 366, 23:59:00, which is no time: its samples are not stored"
      ),
      "\(contents.notes)")
    let stored = contents.segments.reduce(0) { $0 + $1.sampleCount }
    #expect(stored > 0 && stored < 3000)
    // A day whose bytes swapped read as a day of the year (512 is 0x0200; swapped, 2) is no
    // day either: libmseed has put the header in the host's order (a review of stop 41).
    var swappedDay = [UInt8](try MiniSEEDWriter.encode(segment))
    swappedDay[22] = UInt8(big ? 2 : 0)
    swappedDay[23] = UInt8(big ? 0 : 2)
    #expect(
      try read(swappedDay).notes.contains {
        $0.hasPrefix("record at byte 0 is dated 2025, day 512, 23:59:00, which is no time")
      })
    // Several such records make one line.
    let records = bytes.count / reclen
    for start in stride(from: reclen, to: bytes.count, by: reclen) {
      bytes[start + 22] = bytes[22]
      bytes[start + 23] = bytes[23]
    }
    let all = try read(bytes)
    #expect(
      all.notes == [
        "\(records) records are dated to no time (the first, at byte 0, is dated 2025, day 366, 23:59:00): their samples are not stored"
      ], "\(all.notes)")
    #expect(all.segments.isEmpty)
    // A leap second is a time: stored (from the midnight that follows, as ObsPy reads it),
    // and said, since the next record then overlaps it.
    var leap = [UInt8](try MiniSEEDWriter.encode(segment))
    leap[26] = 60  // second of 23:59:00 -> 23:59:60
    let leapt = try read(leap)
    #expect(leapt.segments.reduce(0) { $0 + $1.sampleCount } == 3000)
    #expect(
      leapt.notes.contains {
        $0.hasPrefix("record at byte 0 is stamped at a leap second, 23:59:60: read as 00:00:00")
      }, "\(leapt.notes)")
    // The year's last day is a time.
    let good = try read([UInt8](try MiniSEEDWriter.encode(segment)))
    #expect(good.notes.isEmpty && good.segments.first?.sampleCount == 3000)
  }

  @Test func sacHeaderIsValidatedBeforeAllocation() {
    #expect(reason(sac(npts: Int32.max, delta: 0.01, dataBytes: 40))?.contains("NPTS") == true)
    #expect(reason(sac(npts: -5, delta: 0.01, dataBytes: 0))?.contains("NPTS") == true)
    #expect(reason(sac(npts: 10, delta: 0, dataBytes: 40))?.contains("DELTA") == true)
    #expect(reason(sac(npts: 10, delta: .nan, dataBytes: 40))?.contains("DELTA") == true)
    #expect(reason(sac(npts: 10, delta: -1, dataBytes: 40))?.contains("DELTA") == true)
    #expect(reason(sac(npts: 10, delta: 0.01, dataBytes: 44))?.contains("size") == true)
  }

  /// NZHOUR 25, NZJDAY 400 or 366 of a common year were rolled into the next day or year
  /// without a word (an adversarial sweep); ObsPy reads such files at 1970. Refused, naming the
  /// field. A leap second (NZSEC 60) and day 366 of a leap year are times.
  @Test func sacReferenceFieldsOutOfRangeAreRefusedNamingTheField() throws {
    func withFields(_ fields: [SACHeader.IntegerField: Int32]) -> [UInt8] {
      var h = SACHeader()
      h[.npts] = 2
      h[.delta] = 0.01
      h[.nvhdr] = 6
      let base: [SACHeader.IntegerField: Int32] = [
        .nzyear: 2025, .nzjday: 60, .nzhour: 0, .nzmin: 0, .nzsec: 0, .nzmsec: 0,
      ]
      for (field, value) in base.merging(fields, uniquingKeysWith: { $1 }) { h[field] = value }
      return h.littleEndianBytes + [UInt8](repeating: 0, count: 8)
    }
    let refused: [([SACHeader.IntegerField: Int32], String)] = [
      ([.nzhour: 25], "NZHOUR is 25, not an hour (0-23)"),
      ([.nzjday: 400], "NZJDAY is 400, not a day of 2025 (1-365)"),
      ([.nzjday: 366], "NZJDAY is 366, not a day of 2025 (1-365)"),
      ([.nzjday: 0], "NZJDAY is 0"), ([.nzjday: -30], "NZJDAY is -30"),
      ([.nzmin: 999], "NZMIN is 999, not a minute (0-59)"), ([.nzsec: 61], "NZSEC is 61"),
      ([.nzmsec: -500], "NZMSEC is -500, not a millisecond (0-999)"),
    ]
    for (fields, expected) in refused {
      let why = reason(withFields(fields))
      #expect(why?.contains(expected) == true, "\(fields): \(why ?? "read")")
    }
    let leapDay = try #require(try read(withFields([.nzyear: 2024, .nzjday: 366])).segments.first)
    #expect(leapDay.startTime.iso8601 == "2024-12-31T00:00:00.000000Z")
    let leapSecond = try #require(
      try read(withFields([.nzhour: 23, .nzmin: 59, .nzsec: 60])).segments.first)
    #expect(leapSecond.startTime.iso8601 == "2025-03-02T00:00:00.000000Z")
  }

  @Test func sacIsReadInBothByteOrders() throws {
    for big in [false, true] {
      var bytes = sac(npts: 2, delta: 0.25, bigEndian: big, dataBytes: 0)
      let values: [Float] = [1.5, -2]
      for v in values {
        let bits = big ? v.bitPattern.bigEndian : v.bitPattern.littleEndian
        withUnsafeBytes(of: bits) { bytes += $0 }
      }
      let s = try #require(try read(bytes).segments.first)
      #expect(s.samples == .float32(values))
      #expect(s.samplingRate == 4)
      #expect(s.source.network == "")  // "-12345" means undefined
      #expect(s.startTime == Timestamp(nanoseconds: 0))
    }
  }

  @Test(.needsSharedData) func miniSEEDRecordClaimingAbsurdSampleCountIsRefused() throws {
    let url = TestPaths.sharedData.appendingPathComponent("mseed/Int32-512byte.mseed")
    var bytes = [UInt8](try Data(contentsOf: url))
    // Number of samples: big-endian UInt16 at byte 30 of the first record.
    bytes[30] = 0xFF
    bytes[31] = 0xFF
    let why = try #require(reason(bytes))
    #expect(why.contains("claims 65535 samples"))
  }
}
