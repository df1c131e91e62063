import Foundation
import GRDB
import Logging
import Seismic
import TestSupport
import Testing

@testable import Pipeline
@testable import Store

/// MiniSEED data quality through ingest, the store and `traces export`: the records of
/// `fixtures/quality/qualities.mseed` (D, R, R, Q, M on one channel, made by
/// `tools/make_quality_fixtures.py` with what ObsPy reads from it) come back out with the
/// quality they went in with, as ObsPy keeps `stats.mseed.dataquality` on read and write.
@Suite struct DataQualityExportTests {
  let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

  struct ExpectedTrace: Decodable {
    var quality: String
    var start_ns: Int64
    var samples: [Int32]
  }

  struct Expected: Decodable {
    var file: String
    var traces: [ExpectedTrace]
  }

  static let folder = TestPaths.fixtures.appendingPathComponent("quality")
  static var fixture: String { folder.appendingPathComponent("qualities.mseed").path }

  static func expected() throws -> Expected {
    try JSONDecoder().decode(
      Expected.self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))
  }

  /// The data quality byte of every record in `data` (byte 6 of each fixed header).
  static func recordQualities(_ data: Data) -> [Character] {
    let bytes = [UInt8](data)
    return stride(from: 0, to: bytes.count, by: Int(MiniSEEDWriter.recordLength)).map {
      Character(Unicode.Scalar(bytes[$0 + 6]))
    }
  }

  static func read(_ data: Data) throws -> WaveformContents {
    var bytes = [UInt8](data)
    return try bytes.withUnsafeMutableBytes { try MiniSEEDReader.read($0) }
  }

  /// Ingest stores a segment per quality (the two R records as one), each with its quality.
  @Test func ingestStoresEachSegmentsQuality() throws {
    let store = try SeisStore()
    let report = Ingest(store: store, logger: logger, quiet: true).run(paths: [Self.fixture])
    #expect(report.storedFiles == 1, "\(report.summary)")
    let rows = try store.writer.read { db in
      try Row.fetchAll(db, sql: "SELECT quality, start_ns, sample_count FROM segment ORDER BY id")
    }
    let expected = try Self.expected().traces
    #expect(rows.map { $0[0] as String? } == expected.map(\.quality))
    #expect(rows.map { $0[1] as Int64 } == expected.map(\.start_ns))
    #expect(rows.map { $0[2] as Int } == expected.map(\.samples.count))
  }

  /// Each exported MiniSEED file's records carry its segment's stored quality, and the tool's
  /// reader gets back ObsPy's traces of the ingested file, quality and samples; SAC export is
  /// as before (SAC has no quality).
  @Test func tracesExportWritesEachSegmentsStoredQuality() throws {
    let store = try SeisStore()
    _ = Ingest(store: store, logger: logger, quiet: true).run(paths: [Self.fixture])
    let dir = try TestPaths.temporaryDirectory("export-quality")
    defer { try? FileManager.default.removeItem(at: dir) }
    let export = TracesExport(store: store, logger: logger, quiet: true)
    let report = try export.run(
      format: .mseed, directory: dir.appendingPathComponent("mseed").path, force: false)
    #expect(report.failures.isEmpty && report.written.count == 4)
    let expected = try Self.expected().traces
    try #require(report.written.count == expected.count)
    // Files are written in the order of `segmentSummaries` (codes, then start time).
    for (path, trace) in zip(report.written, expected) {
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      let quality = try #require(trace.quality.first)
      #expect(Self.recordQualities(data) == [quality], "\(path)")
      let back = try Self.read(data).segments
      #expect(back.map(\.quality) == [quality], "\(path)")
      #expect(back.first?.startTime.nanoseconds == trace.start_ns)
      #expect(back.first?.samples == .int32(trace.samples))
    }
    let sac = try export.run(
      format: .sac, directory: dir.appendingPathComponent("sac").path, force: false)
    #expect(sac.failures.isEmpty && sac.written.count == 4)
    for (path, trace) in zip(sac.written, expected) {
      let back = try WaveformReader.read(contentsOf: URL(fileURLWithPath: path)).segments
      #expect(back.map(\.quality) == [nil])
      #expect(back.first?.samples == .float32(trace.samples.map(Float.init)))
    }
  }

  /// Segments stored before migration 0009 have no quality: exported as `D`, as before.
  @Test func segmentsStoredBeforeTheQualityMigrationAreExportedAsD() throws {
    let dir = try TestPaths.temporaryDirectory("export-quality-old")
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("old.sqlite").path
    do {
      let queue = try DatabaseQueue(path: path)
      try SeisStore.migrator.migrate(queue, upTo: "0008-resolved-paths")
      try queue.write { db in
        try db.execute(
          sql: """
            INSERT INTO channel (id, network, station, location, channel)
              VALUES (1, 'XX', 'OLD', '', 'HHZ');
            INSERT INTO source_file (id, path, size, sha256, format, ingested_at)
              VALUES (1, 'a.mseed', 8, 'aa', 'mseed', '2026-01-01T00:00:00.000000Z');
            INSERT INTO segment (id, file_id, channel_id, start_ns, end_ns, sampling_rate,
                                 sample_count, sample_type, sample_encoding, samples)
              VALUES (1, 1, 1, 0, 10000000, 100, 2, 'int32', 'raw', x'01000000feffffff');
            """)
      }
      try queue.close()
    }
    let store = try SeisStore(path: path)
    let report = try TracesExport(store: store, logger: logger, quiet: true)
      .run(format: .mseed, directory: dir.appendingPathComponent("out").path, force: false)
    let file = try #require(report.written.first)
    let data = try Data(contentsOf: URL(fileURLWithPath: file))
    #expect(Self.recordQualities(data) == ["D"])
    #expect(try Self.read(data).segments.map(\.quality) == ["D"])
    #expect(try Self.read(data).segments.first?.samples == .int32([1, -2]))
  }

  /// The command line: `ingest`, then `traces export --output -` (MiniSEED on standard output)
  /// reads back as ObsPy read the ingested file: one trace per quality, each with its own.
  @Test(.enabled(if: SeisclusterProcess.binary != nil, "needs .build/debug/seiscluster"))
  func theCommandLineExportKeepsEachTracesQuality() throws {
    let dir = try TestPaths.temporaryDirectory("cli-quality")
    defer { try? FileManager.default.removeItem(at: dir) }
    let ingest = try SeisclusterProcess.run(["-q", "ingest", Self.fixture], in: dir)
    #expect(ingest.status == 0, "\(ingest.errors)")
    let export = try SeisclusterProcess.run(
      ["traces", "export", "--format", "mseed", "--output", "-"], in: dir)
    #expect(export.status == 0, "\(export.errors)")
    let back = try Self.read(export.outputData).segments
    let expected = try Self.expected().traces
    // One stream, not files (a review: the summary said "wrote N files").
    #expect(
      export.errors.contains(
        "export: wrote \(expected.count) segments as one MiniSEED stream to standard output; 0 failed"
      ), "\(export.errors)")
    #expect(back.map { $0.quality.map(String.init) } == expected.map(\.quality))
    #expect(back.map(\.samples) == expected.map { .int32($0.samples) })
  }

  /// A store from before migration 0009 that this user cannot write is refused by a command
  /// that reads it, as for every earlier migration (it cannot be migrated read-only); once a
  /// writable open has migrated it, the read-only store is read and exported.
  @Test(
    .enabled(
      if: SeisclusterProcess.binary != nil && SeisclusterProcess.unprivileged != nil,
      "needs .build/debug/seiscluster and setpriv to drop root, or a non-root user"))
  func aReadOnlyStoreFromBeforeTheMigrationIsRefusedUntilMigrated() throws {
    let dir = try TestPaths.temporaryDirectory("cli-quality-readonly")
    defer {
      chmod(dir.path, 0o755)
      try? FileManager.default.removeItem(at: dir)
    }
    let path = dir.appendingPathComponent("seiscluster.sqlite").path
    do {
      let queue = try DatabaseQueue(path: path)
      try SeisStore.migrator.migrate(queue, upTo: "0008-resolved-paths")
      try queue.close()
    }
    chmod(path, 0o444)
    chmod(dir.path, 0o555)
    let user = try #require(SeisclusterProcess.unprivileged)
    let refused = try SeisclusterProcess.run(
      ["traces", "export", "--format", "mseed", "--output", "-"], in: dir, shell: user)
    #expect(refused.status == 1)
    #expect(
      refused.errorLines == [
        "error: seiscluster.sqlite: the store needs migrating to this version of seiscluster, which cannot be done read-only: run a command as a user who can write it, or copy it somewhere writable and use the copy"
      ], "\(refused.errors)")
    // Migrated (and filled) by a writable open, it is read read-only.
    chmod(dir.path, 0o755)
    chmod(path, 0o644)
    #expect(try SeisclusterProcess.run(["-q", "ingest", Self.fixture], in: dir).status == 0)
    chmod(path, 0o444)
    chmod(dir.path, 0o555)
    let export = try SeisclusterProcess.run(
      ["traces", "export", "--format", "mseed", "--output", "-"], in: dir, shell: user)
    #expect(export.status == 0, "\(export.errors)")
    #expect(try Self.read(export.outputData).segments.map(\.quality) == ["D", "R", "Q", "M"])
  }
}
