import Foundation
import Logging
import Seismic
import Store

/// What an ingest did, file by file.
public struct IngestReport: Sendable {
  /// Files stored, with their segment and sample counts.
  public var storedFiles = 0
  public var storedSegments = 0
  public var storedSamples = 0
  /// Bytes of the files read (stored or not).
  public var bytesRead: Int64 = 0
  /// Files skipped because the same content is already stored.
  public var alreadyStored = 0
  /// Earlier versions of stored files removed because the new version, read at the same path,
  /// holds every one of their samples unchanged (a day file that grew).
  public var replacedFiles = 0
  /// Earlier versions of stored files removed though they differ from the new version read at
  /// the same path (`--replace-changed`).
  public var supersededFiles = 0
  /// Files that could not be used, one error each (nothing of them is stored).
  public var failures: [InputError] = []
  /// Text files found in folders (picks, notes, READMEs, response files): not waveforms,
  /// skipped.
  public var otherFiles = 0
  /// NumPy, SQLite and HDF5 files found in folders (exported windows, other stores, SeisBench
  /// data sets): not waveforms, skipped.
  public var dataFiles = 0
  /// The store's own files (the database, its `-wal`, `-shm` or `-journal`, run leases) found
  /// in the folders read, as when the store lives in the archive it ingests: skipped.
  public var storeFiles = 0
  /// Segments read but not stored (NaN or infinite samples, a sampling rate that is not positive,
  /// times that cannot be represented), each with its reason: `PATH: SOURCE at TIME: why`.
  public var skippedSegments: [String] = []
  /// NaN or infinite samples of stored segments, left out as gaps (the finite runs around them
  /// stored as segments of their own).
  public var nonFiniteSamples = 0
  /// When the store itself failed (a full disk): the files read but not stored, and those not
  /// read; none of them counts as failed, and the next `ingest` stores them.
  public var notStored = 0
  public var notRead = 0

  /// `ingest: stored 3 files (5 segments, 12000 samples); skipped 1 already stored; 1 failed`
  public var summary: String {
    var text =
      "ingest: stored \(storedFiles) file\(storedFiles == 1 ? "" : "s") "
      + "(\(storedSegments) segment\(storedSegments == 1 ? "" : "s"), \(storedSamples) samples)"
    if replacedFiles > 0 {
      text +=
        replacedFiles == 1
        ? "; replaced 1 earlier version of a file that grew or was rewritten (every stored sample kept)"
        : "; replaced \(replacedFiles) earlier versions of files that grew or were rewritten (every stored sample kept)"
    }
    if supersededFiles > 0 {
      text +=
        "; replaced \(supersededFiles) earlier version\(supersededFiles == 1 ? "" : "s") that differed, as --replace-changed asks (the samples only \(supersededFiles == 1 ? "it" : "they") held are gone)"
    }
    text += "; skipped \(alreadyStored) already stored"
    if otherFiles > 0 {
      text += " and \(otherFiles) text file\(otherFiles == 1 ? "" : "s") found in folders"
    }
    if dataFiles > 0 {
      text +=
        " and \(dataFiles) NumPy, SQLite or HDF5 file\(dataFiles == 1 ? "" : "s") found in folders"
    }
    if storeFiles > 0 {
      text += " and the store's own \(storeFiles) file\(storeFiles == 1 ? "" : "s")"
    }
    if nonFiniteSamples > 0 {
      text +=
        "; left out \(nonFiniteSamples) NaN or infinite sample\(nonFiniteSamples == 1 ? "" : "s") as gaps"
    }
    if !skippedSegments.isEmpty {
      text +=
        "; skipped \(skippedSegments.count) unusable segment"
        + (skippedSegments.count == 1 ? "" : "s")
    }
    text += "; \(failures.count) failed"
    if notStored + notRead > 0 {
      text +=
        "; \(notStored) read but not stored and \(notRead) not read: the store failed (ingest again once it can be written)"
    }
    return text
  }
}

/// Stores MiniSEED and SAC files (named, or found in folders) in the store, each file whole or
/// not at all.
///
/// Folders are walked recursively, skipping hidden entries, and files are taken in sorted path
/// order. Each file is read whole (memory is bounded by the largest file, never by the number
/// of files), hashed (SHA-256), skipped when that content is already stored, parsed, and stored
/// in a savepoint of a transaction shared by a group of files (docs/decisions/0009): a file
/// that fails leaves nothing behind, and a killed ingest leaves the store consistent (whole
/// files only) so a re-run completes it.
public struct Ingest: Sendable {
  public let store: SeisStore
  public let logger: Logger
  public let quiet: Bool
  /// Bytes of files read ahead beyond one per core (`minimumReadAhead`). With it, memory stays
  /// bounded by this budget or `minimumReadAhead` times the largest file, whatever the number
  /// of files. The budget lets the parsers keep working while the writer waits for SQLite to
  /// checkpoint its WAL into the database (tens of ms every 64 MB).
  public let readAheadBytes: Int
  /// Whether a file read at a stored path replaces the versions stored under it that differ
  /// from it (cut shorter, corrected, or moved in time), not only those it holds whole: the
  /// user says the file is right (`ingest --replace-changed`).
  public var replaceChanged = false

  /// The default `readAheadBytes`: 64 MB.
  public static let defaultReadAheadBytes = 64 << 20

  public init(
    store: SeisStore, logger: Logger, quiet: Bool = false,
    readAheadBytes: Int = Ingest.defaultReadAheadBytes
  ) {
    self.store = store
    self.logger = logger
    self.quiet = quiet
    self.readAheadBytes = max(0, readAheadBytes)
  }

  /// A file read, hashed, parsed and encoded, ready to store (or already stored).
  struct Prepared: Sendable {
    var path: String
    var size: Int64
    var sha256: String
    /// The path of the stored file with the same content, if any.
    var existing: String?
    var format: WaveformFormat = .miniSEED
    /// The reader's notes on the file (to log as warnings).
    var notes: [String] = []
    /// Segments in the file (usable or not).
    var segmentCount = 0
    /// The usable segments, encoded for the store.
    var encoded: [EncodedSegment] = []
    /// One line per segment that cannot be stored: `PATH: SOURCE at TIME: why`.
    var unusable: [String] = []
    /// The sample count of each encoded segment (kept once the segments are handed over).
    var sampleCounts: [Int] = []
    /// NaN or infinite samples left out as gaps.
    var nonFinite = 0
    /// Earlier versions stored under this path that this file holds whole (SHA-256): they are
    /// replaced by it.
    var replacing: [String] = []
    /// Earlier versions stored under this path that differ from this file, replaced because
    /// `replaceChanged` is set.
    var superseding: [String] = []
    /// The path, absolute, symbolic links resolved (stored with the file).
    var resolvedPath: String?
  }

  /// Files always prepared ahead of the one being stored: one per core and one more, so a core
  /// that finishes a file finds the next one waiting.
  static let minimumReadAhead = parsers + 1

  /// Files prepared ahead at most, however small (thousands of tiny files fit the byte budget).
  static let maximumReadAhead = 256

  /// Threads that read, hash, parse and encode files: one per core (at most 8).
  static let parsers = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8)

  /// The size of the file at `path` in bytes (0 when it cannot be read: reading it will say why).
  static func fileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : 0
  }

  /// Why a file stored no segment: the reader found none and said nothing, or it dropped
  /// what it found (its notes, logged just before, say why: a start time out of range), or
  /// every segment it gave was skipped.
  static func noSegmentReason(_ prepared: Prepared) -> String {
    if prepared.segmentCount > 0 { return "every segment was skipped" }
    return prepared.notes.isEmpty
      ? "no samples in the file" : "the reader kept no segment: see the warnings before this"
  }

  /// Reads, hashes, parses and encodes one file (no write to the store). `storedDigests` maps
  /// the stored files' paths (resolved, or for files stored before migration 0008
  /// `Ingest.pathKey`) to their contents' SHA-256. A file stored
  /// before under this path with other content is compared with this one
  /// (`Ingest.compare(stored:with:)`): when this one holds every stored sample of it unchanged
  /// (a day file that grew) it is replaced; otherwise both are kept, and a note says so when
  /// they overlap (a corrected file: windows over their conflicting samples are skipped).
  func prepare(path: String, storedDigests: [String: [String]] = [:]) throws -> Prepared {
    try prepare(path: path, versions: StoredVersions(byPath: storedDigests))
  }

  /// `prepare(path:storedDigests:)` with the stored versions as ingest keeps them.
  func prepare(path: String, versions: StoredVersions) throws -> Prepared {
    var bytes: [UInt8]
    do {
      bytes = try FileBytes.read(path: path)
    } catch let error as WaveformFileError {
      throw InputError(path: path, reason: error.reason)
    }
    let sha = bytes.withUnsafeBytes { ContentHash.sha256($0) }
    var prepared = Prepared(path: path, size: Int64(bytes.count), sha256: sha)
    // The versions stored under this path: by the path it resolves to (stored since migration
    // 0008), and by the path as given, for files stored before. Not looked for when the
    // content is stored already (a re-ingest of an unchanged archive), unless
    // `--replace-changed` may remove some.
    func earlierVersions() -> [String] {
      prepared.resolvedPath = Ingest.resolvedPath(path)
      return versions.digests(
        for: [prepared.resolvedPath, versions.keyedByGivenPath ? Ingest.pathKey(path) : nil]
          .compactMap { $0 }, except: sha)
    }
    if let existing = try store.storedFilePath(sha256: sha) {
      prepared.existing = existing
      // Stored already (beside a version it differs from, by an ingest without the flag):
      // `--replace-changed` still removes the versions it was told to, comparing the stored copy
      // (a review: following the warning's advice stored nothing and removed nothing).
      if replaceChanged {
        let earlier = earlierVersions()
        if !earlier.isEmpty, let mine = try? store.segments(fileSHA256: sha) {
          compare(&prepared, with: earlier, storing: mine)
        }
      }
      return prepared
    }
    let earlier = versions.isEmpty ? [] : earlierVersions()
    if prepared.resolvedPath == nil { prepared.resolvedPath = Ingest.resolvedPath(path) }
    let contents: WaveformContents
    do {
      contents = try bytes.withUnsafeMutableBytes { try WaveformReader.read($0, path: path) }
    } catch let error as WaveformFileError {
      throw InputError(path: path, reason: error.reason)
    }
    bytes = []
    prepared.format = contents.format
    prepared.notes = contents.notes
    // The segments this file will store, kept for the comparison with earlier versions.
    var storing: [Segment] = []
    prepared.segmentCount = contents.segments.count
    for segment in contents.segments {
      if let why = Ingest.unusableReason(segment) {
        prepared.unusable.append(
          "\(path): \(segment.source.id) at \(segment.startTime.iso8601): \(why)")
        continue
      }
      // NaN or infinite samples are missing data: left out as gaps, the finite runs between
      // them stored (they would turn every window and the training loss into NaN).
      let (runs, dropped) = Ingest.finiteRuns(of: segment)
      if dropped > 0 {
        let where_ = "\(segment.source.id) at \(segment.startTime.iso8601)"
        if runs.isEmpty {
          prepared.unusable.append(
            "\(path): \(where_): all \(dropped) samples are NaN or infinite: segment skipped")
          continue
        }
        // Scattered NaNs would store a segment row per few samples: past a limit the
        // segment is noise, skipped and said.
        guard runs.count <= Ingest.maximumFiniteRuns else {
          prepared.unusable.append(
            "\(path): \(where_): \(dropped) NaN or infinite samples split it into \(runs.count) runs (more than \(Ingest.maximumFiniteRuns)): segment skipped"
          )
          continue
        }
        prepared.notes.append(
          "\(where_): \(dropped) of \(segment.sampleCount) samples are NaN or infinite: left out as gaps, the \(runs.count) finite run\(runs.count == 1 ? "" : "s") between them stored"
        )
      }
      // Counted as left out only when the runs around them are stored (a skipped segment is
      // counted as skipped: a review found both said of one segment).
      prepared.nonFinite += dropped
      for run in runs { prepared.encoded.append(EncodedSegment(run)) }
      if !earlier.isEmpty { storing += runs }
    }
    prepared.notes += Ingest.overlapNotes(contents.segments)
    compare(&prepared, with: earlier, storing: storing)
    return prepared
  }

  /// Compares a file's segments (`storing`) with the versions stored before under its path
  /// (`earlier`, SHA-256), and puts in `prepared` which it replaces and what it says of the
  /// others. A version that overlaps nothing (another station's file under the same relative
  /// name) is left alone without a word.
  func compare(_ prepared: inout Prepared, with earlier: [String], storing: [Segment]) {
    for before in earlier where before != prepared.sha256 {
      guard let stored = try? store.segments(fileSHA256: before), !stored.isEmpty else {
        continue
      }
      let name = "a file stored before under this path (SHA-256 \(before.prefix(12))...)"
      let relation = Ingest.compare(stored: stored, with: storing)
      switch relation {
      case .contained:
        prepared.replacing.append(before)
        continue
      case .apart:
        continue
      case .shifted, .holdsMore, .otherRate, .conflicting:
        // Differing versions are replaced only when asked.
        if replaceChanged {
          prepared.superseding.append(before)
          prepared.notes.append(
            "replaces \(name), which \(Ingest.describe(relation, stored: stored)) (--replace-changed)"
          )
          continue
        }
      }
      switch relation {
      case .shifted:
        prepared.notes.append(
          "\(name) \(Ingest.describe(relation, stored: stored)): both are kept, and windows take the stored times, as they join the two as the same samples (to keep this file alone, ingest it again with --replace-changed)"
        )
      case .holdsMore:
        prepared.notes.append(
          "\(name) \(Ingest.describe(relation, stored: stored)) (the two agree where both have samples): both are kept"
        )
      default:
        prepared.notes.append(
          "\(name) \(Ingest.describe(relation, stored: stored)): both are kept, and windows over the samples that differ are skipped as a conflicting overlap (to keep this file alone, ingest it again with --replace-changed)"
        )
      }
    }
  }

  /// Ingests every file under `paths`. Errors are logged (`PATH: why`) and collected; the other
  /// files are stored anyway. The next files are read and parsed on every core while these are
  /// written, and stored in order, several whole files per transaction (`storeFiles`).
  public func run(paths: [String]) -> IngestReport {
    var report = IngestReport()
    let expansion = InputPaths.expand(paths)
    for note in expansion.notes { logger.warning("\(note)") }
    for error in expansion.problems {
      logger.error("\(error.description)")
      report.failures.append(error)
    }
    let named = Set(paths)
    // The store in the folder it ingests (the default store is in the working directory, so
    // `ingest .` finds it): its own files are not waveforms, and reading them while they are
    // written would be wrong anyway. Found in a folder, they are skipped; named, they fail.
    let own = InputPaths.StoreFiles(database: store.path)
    var files: [String] = []
    for path in expansion.files {
      guard own.contains(path) else {
        files.append(path)
        continue
      }
      if named.contains(path) {
        fail(
          InputError(
            path: path,
            reason: "the store itself (or its journal or a run lease), not a waveform file"),
          into: &report)
      } else {
        logger.info("\(path): the store's own file; skipped")
        report.storeFiles += 1
      }
    }
    let versions = StoredVersions(files: (try? store.sourceFiles()) ?? [])
    let progress = Progress(label: "ingest", total: files.count, quiet: quiet)
    // Files are read, hashed, parsed and encoded on every core while this thread stores them
    // in order: parsing (Steim decoding, SHA-256) costs more than storing. One serial queue per
    // parser, files dealt round robin: each serial queue gets a thread of its own, while a
    // concurrent queue would share the pool this writer's thread runs on (one parser at a time
    // on two cores).
    let queues = (0..<Ingest.parsers).map {
      DispatchQueue(label: "seiscluster.ingest.prepare.\($0)")
    }
    let sizes = files.map(Ingest.fileSize)
    var slots: [PreparedSlot?] = Array(repeating: nil, count: files.count)
    // Read ahead by at least one file per core, and further while the files in hand (prepared,
    // or waiting in the group being collected) stay within `readAheadBytes` (and
    // `maximumReadAhead` files): storing stalls now and then while SQLite checkpoints its WAL
    // into the database, and the parsers keep working meanwhile.
    var inHand = 0
    var started = 0
    func readAhead(from next: Int) {
      while started < files.count
        && (started <= next + Ingest.minimumReadAhead
          || (inHand + sizes[started] <= readAheadBytes
            && started <= next + Ingest.maximumReadAhead))
      {
        let slot = PreparedSlot()
        let path = files[started]
        queues[started % queues.count].async {
          slot.fill(Result { try self.prepare(path: path, versions: versions) })
        }
        slots[started] = slot
        inHand += sizes[started]
        started += 1
      }
    }
    // Files are committed in groups (docs/decisions/0012-ingest-commits-groups-of-whole-files.md):
    // a group takes the files that are ready, up to `groupBytes` of files, `groupFiles` files,
    // or `groupSeconds` of waiting for the parsers, whichever comes first.
    let groupBytes = max(1, readAheadBytes / 2)
    var next = 0
    while next < files.count {
      readAhead(from: next)
      var group: [(index: Int, result: Result<Prepared, any Error>)] = []
      var bytes = 0
      let opened = DispatchTime.now()
      let deadline = opened + Ingest.groupSeconds
      while next < files.count, group.count < Ingest.groupFiles, bytes < groupBytes {
        guard let slot = slots[next] else { break }
        if !group.isEmpty, !slot.wait(until: deadline) { break }
        group.append((next, slot.take()))
        slots[next] = nil
        bytes += sizes[next]
        next += 1
        readAhead(from: next)
      }
      do {
        try store(group, files: files, named: named, into: &report)
      } catch let failure as StorageFailure {
        // A full disk or a store that cannot be written: every next file would fail the same
        // way, so ingest stops at the first failure with one line.
        let stop = failure.stopping(storePath: store.path, unread: files.count - next)
        logger.error("\(stop.description)")
        report.failures.append(stop)
        report.notStored = failure.lost
        report.notRead = files.count - next
        break
      } catch {
        fail(InputError(path: store.path, reason: "\(error)"), into: &report)
        break
      }
      inHand -= bytes
      progress.update(next)
    }
    progress.finish()
    // The parsers' queues release their blocks, which hold this ingest and so the store, on
    // their own threads: the store may still be open when the process exits, and SQLite then
    // leaves its log unmerged. Wait for the parsers, and settle the log into the store file.
    for queue in queues { queue.sync {} }
    store.settleLog()
    return report
  }

  /// A group commits once it holds this many files...
  static let groupFiles = 1000
  /// ...or after this long waiting for parsed files.
  static let groupSeconds = DispatchTimeInterval.milliseconds(500)

  /// Stores a group of prepared files (or their errors) in one transaction, in order, and
  /// reports each. Throws `StorageFailure` when the store itself cannot be written (full disk,
  /// read-only): nothing of the group is stored then.
  private func store(
    _ group: [(index: Int, result: Result<Prepared, any Error>)], files: [String],
    named: Set<String>, into report: inout IngestReport
  ) throws {
    var toStore: [FileToStore] = []
    var storing: [Prepared] = []
    for (index, result) in group {
      let path = files[index]
      do {
        let prepared = try result.get()
        report.bytesRead += prepared.size
        if let existing = prepared.existing {
          report.alreadyStored += 1
          alreadyStored(path, existing: existing, named: named)
          if !prepared.superseding.isEmpty {
            // `--replace-changed` on a file stored beside versions it differs from.
            for note in prepared.notes { logger.warning("\(path): \(note)") }
            do {
              report.supersededFiles += try store.removeFiles(sha256: prepared.superseding)
            } catch {
              if SeisStore.isStorageFailure(error) {
                throw StorageFailure(path: path, error: error, lost: 0)
              }
              fail(
                InputError(
                  path: path, reason: "cannot remove the versions it replaces: \(error)"),
                into: &report)
            }
          }
          continue
        }
        for note in prepared.notes { logger.warning("\(path): \(note)") }
        for line in prepared.unusable {
          logger.warning("\(line)")
          report.skippedSegments.append(line)
        }
        toStore.append(
          FileToStore(
            path: path, size: prepared.size, sha256: prepared.sha256, format: prepared.format,
            segments: prepared.encoded, replacing: prepared.replacing + prepared.superseding,
            resolvedPath: prepared.resolvedPath))
        var kept = prepared
        kept.encoded = []
        kept.sampleCounts = prepared.encoded.map(\.sampleCount)
        storing.append(kept)
      } catch let error as InputError
        where !named.contains(path) && error.reason.hasPrefix("unknown format")
        && Ingest.isCompanionFile(path: path)
      {
        // A picks CSV, README or response file beside the waveforms in a folder is not an
        // error; a file named like a waveform that holds text still is.
        logger.info("\(path): a text file, not MiniSEED or SAC; skipped")
        report.otherFiles += 1
      } catch is InputError where !named.contains(path) && Ingest.dataFileKind(path: path) != nil {
        // Exported windows, another store (with its log, empty or not) or a SeisBench data set
        // beside the waveforms: whatever the reader said of them, they are not waveforms.
        logger.info(
          "\(path): \(Ingest.dataFileKind(path: path) ?? "a data file"), not MiniSEED or SAC; skipped"
        )
        report.dataFiles += 1
      } catch let error as InputError {
        fail(error, into: &report)
      } catch {
        fail(InputError(path: path, reason: "\(error)"), into: &report)
      }
    }
    guard !toStore.isEmpty else { return }
    let outcomes: [Result<StoreFileOutcome, any Error>]
    do {
      outcomes = try store.storeFiles(toStore)
    } catch {
      // The commit failed: no file of the group is stored.
      if SeisStore.isStorageFailure(error), let first = storing.first {
        throw StorageFailure(path: first.path, error: error, lost: storing.count)
      }
      for prepared in storing {
        fail(InputError(path: prepared.path, reason: "cannot store: \(error)"), into: &report)
      }
      return
    }
    for (position, (prepared, outcome)) in zip(storing, outcomes).enumerated() {
      let path = prepared.path
      switch outcome {
      case .success(.stored(_, let segmentCount)):
        report.storedFiles += 1
        report.storedSegments += segmentCount
        report.storedSamples += prepared.sampleCounts.reduce(0, +)
        report.nonFiniteSamples += prepared.nonFinite
        report.replacedFiles += prepared.replacing.count
        report.supersededFiles += prepared.superseding.count
        for earlier in prepared.replacing {
          logger.info(
            "\(path): replaces the version stored before under this path (SHA-256 \(earlier.prefix(12))...), whose every sample it holds unchanged"
          )
        }
        if segmentCount == 0 {
          logger.warning(
            "\(path): stored no segment (\(Ingest.noSegmentReason(prepared)))")
        }
      case .success(.alreadyStored(let existing)):
        report.alreadyStored += 1
        alreadyStored(path, existing: existing, named: named)
      case .failure(let error):
        if SeisStore.isStorageFailure(error) {
          throw StorageFailure(path: path, error: error, lost: storing.count - position)
        }
        fail(
          InputError(path: path, reason: "cannot store: \(SeisStore.describe(error))"),
          into: &report)
      }
    }
  }

  /// Says a file is stored already: named on the command line, in a line of its own; found in
  /// a folder, only in the summary's count (a daily re-ingest of an archive printed a line per
  /// unchanged file, thousands a day; a review), and with `SEISCLUSTER_LOG=debug`.
  private func alreadyStored(_ path: String, existing: String, named: Set<String>) {
    let line = "\(path): already stored (same content as \(existing)), skipped"
    if named.contains(path) { logger.info("\(line)") } else { logger.debug("\(line)") }
  }

  private func fail(_ error: InputError, into report: inout IngestReport) {
    logger.error("\(error.description)")
    report.failures.append(error)
  }

  /// Extensions of the text files that travel with waveforms (catalogs, notes, metadata).
  static let companionExtensions: Set<String> = [
    "csv", "txt", "md", "json", "xml", "quakeml", "qml", "log", "yaml", "yml", "html", "tsv",
  ]

  /// Extensions of waveform files: text under such a name is a broken waveform, an error.
  static let waveformExtensions: Set<String> = ["mseed", "miniseed", "msd", "ms", "seed", "sac"]

  /// A text file found beside the waveforms: a catalog or notes extension (`picks.csv`,
  /// `README.md`, `events.xml`), or any text not named like a waveform (`README`, rdseed's
  /// `SAC_PZs_...` and `RESP....` response files). A waveform extension or an SDS day file name
  /// (`NET.STA.LOC.CHA.D.YEAR.DAY`) holding text is not one: a download that saved an error
  /// page there stays an error.
  static func isCompanionFile(path: String) -> Bool {
    let url = URL(fileURLWithPath: path)
    let ext = url.pathExtension.lowercased()
    if companionExtensions.contains(ext) { return looksLikeText(path: path) }
    if waveformExtensions.contains(ext) || looksLikeSDSName(url.lastPathComponent) { return false }
    return looksLikeText(path: path)
  }

  /// What a stored version holds against the new file, for the messages: `holds the same
  /// samples 3.000 ms (0.30 of a sample) earlier than this one`, `holds samples this one lacks`,
  /// `holds other samples for the same channels and times`.
  static func describe(_ relation: EarlierVersion, stored: [Segment]) -> String {
    switch relation {
    case .shifted(let nanoseconds):
      let period = stored.first?.samplePeriodNanoseconds ?? 0
      let share =
        period > 0
        ? String(format: " (%.2f of a sample)", Double(nanoseconds.magnitude) / period) : ""
      return "holds the same samples "
        + String(format: "%.3f ms", Double(nanoseconds.magnitude) / 1e6) + share
        + (nanoseconds > 0 ? " earlier than" : " later than") + " this one"
    case .holdsMore: return "holds samples this one lacks"
    case .otherRate(let rate): return "holds the same channels and times at \(rate) Hz"
    default: return "holds other samples for the same channels and times"
    }
  }

  /// The absolute path of the file at `path`, symbolic links resolved (`realpath`), or nil when
  /// it cannot be resolved (the file has gone).
  static func resolvedPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// A path as compared with the stored ones: absolute, without `.` and `..` (`./a.mseed` and
  /// `a.mseed` are one file; a relative path stored from another folder may not match).
  static func pathKey(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
  }

  /// `NET.STA.LOC.CHA.D.YEAR.DAY`, as an SDS archive names its day files.
  static func looksLikeSDSName(_ name: String) -> Bool {
    let parts = name.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 7, parts[4].count == 1, parts[5].count == 4, parts[6].count == 3 else {
      return false
    }
    return parts[5].allSatisfy(\.isNumber) && parts[6].allSatisfy(\.isNumber)
  }

  /// What a file found beside the waveforms is, when its first bytes name a data format that
  /// is not a waveform: a NumPy array (`windows export`), a SQLite database (another store), an
  /// HDF5 file (a SeisBench data set). Nil otherwise.
  static func dataFileKind(path: String) -> String? {
    // The `-wal`, `-shm` and `-journal` files of another SQLite database (a store some process
    // has open): named after it, and with no magic of their own (`-shm`, an empty `-wal`).
    for suffix in ["-wal", "-shm", "-journal"] where path.hasSuffix(suffix) {
      if dataFileKind(path: String(path.dropLast(suffix.count))) == "a SQLite database" {
        return "a SQLite database's \(suffix.dropFirst()) file"
      }
    }
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    guard let head = try? handle.read(upToCount: 16) else { return nil }
    let bytes = [UInt8](head)
    if bytes.starts(with: [0x93] + Array("NUMPY".utf8)) { return "a NumPy array file" }
    if bytes.starts(with: Array("SQLite format 3".utf8) + [0]) { return "a SQLite database" }
    if bytes.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) {
      return "an HDF5 file"
    }
    return nil
  }

  /// True when the file's first bytes are printable text (UTF-8, tabs and line breaks).
  static func looksLikeText(path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    guard let head = try? handle.read(upToCount: 512), !head.isEmpty else { return false }
    return head.allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || ($0 >= 32 && $0 != 127) }
  }

  /// Why `segment` must not be stored, or nil when it may: a sampling rate that is not a
  /// positive finite number (not a time series: no window can be cut from it), NaN or infinite
  /// samples (they would turn every window and the training loss into NaN), or times beyond
  /// what the store holds. The rest of the file is stored.
  public static func unusableReason(_ segment: Segment) -> String? {
    let rate = segment.samplingRate
    guard rate.isFinite, rate > 0 else {
      return "sampling rate \(rate) Hz is not a positive number: segment skipped"
    }
    if let problem = segment.timeRangeProblem { return "\(problem): segment skipped" }
    return nil
  }

  /// The most runs of finite samples a segment is split into at its NaN or infinite samples.
  static let maximumFiniteRuns = 1000

  /// One note per channel whose segments in one file overlap in time (duplicated records, or
  /// conflicting data): they are stored as the file holds them, and `windows build` joins them
  /// only where their samples agree, so the user should know.
  static func overlapNotes(_ segments: [Segment]) -> [String] {
    var bySource: [SourceIdentifier: [Segment]] = [:]
    for segment in segments where segment.sampleCount > 0 {
      bySource[segment.source, default: []].append(segment)
    }
    var notes: [String] = []
    for (source, list) in bySource.sorted(by: { $0.key.id < $1.key.id }) where list.count > 1 {
      let sorted = list.sorted { $0.startTime < $1.startTime }
      var overlapping = 0
      var first: Timestamp?
      var end = sorted[0].endTime
      for segment in sorted.dropFirst() {
        if segment.startTime <= end {
          overlapping += 1
          if first == nil { first = segment.startTime }
        }
        if segment.endTime > end { end = segment.endTime }
      }
      if let first {
        notes.append(
          "\(source.id): \(overlapping) segment\(overlapping == 1 ? " in this file overlaps an earlier one" : "s in this file overlap earlier ones") in time (the first at \(first.iso8601)): stored as the file holds them; windows join overlapping data only where the samples agree"
        )
      }
    }
    return notes
  }

  /// The runs of finite samples of `segment`, each a segment on the same time grid, and how
  /// many NaN or infinite samples lie between them (the segment itself when there are none).
  public static func finiteRuns(of segment: Segment) -> (runs: [Segment], dropped: Int) {
    func split<T: BinaryFloatingPoint>(_ values: [T], _ wrap: ([T]) -> Samples) -> (
      [Segment], Int
    ) {
      guard values.contains(where: { !$0.isFinite }) else { return ([segment], 0) }
      var runs: [Segment] = []
      var dropped = 0
      var start: Int? = nil
      for i in 0...values.count {
        let finite = i < values.count && values[i].isFinite
        if finite {
          if start == nil { start = i }
          continue
        }
        if i < values.count { dropped += 1 }
        if let first = start {
          runs.append(
            Segment(
              source: segment.source, startTime: segment.time(ofSample: first),
              samplingRate: segment.samplingRate, samples: wrap(Array(values[first..<i])),
              quality: segment.quality))
          start = nil
        }
      }
      return (runs, dropped)
    }
    switch segment.samples {
    case .int32: return ([segment], 0)
    case .float32(let v): return split(v) { .float32($0) }
    case .float64(let v): return split(v) { .float64($0) }
    }
  }

  /// The files named or found under `paths` (see `InputPaths`: recursively, hidden entries
  /// skipped, each folder's files in sorted order) and an error for every path that cannot be
  /// used (missing, unreadable folders, FIFOs and devices, link loops).
  public static func expand(_ paths: [String]) -> (files: [String], missing: [InputError]) {
    let expansion = InputPaths.expand(paths)
    return (expansion.files, expansion.problems)
  }
}

/// The stored files' contents (SHA-256) by the path each was read at, for finding the versions
/// stored under a file's path. Files stored since migration 0008 are keyed by their resolved
/// path. Files stored before have none: they are keyed by their path as given, and by where it
/// leads now (a review: a grown file reached through another link or from inside its folder was
/// stored beside its version); that costs a `realpath` per such file, taken once, when a
/// version is first looked for (a re-ingest of stored files looks for none). Shared by the
/// parser threads.
final class StoredVersions: @unchecked Sendable {
  private var byPath: [String: [String]]
  private var legacy: [(path: String, sha256: String)]
  private let lock = NSLock()

  init(files: [SourceFileRecord]) {
    var byPath: [String: [String]] = [:]
    var legacy: [(String, String)] = []
    for file in files {
      byPath[file.resolvedPath ?? Ingest.pathKey(file.path), default: []].append(file.sha256)
      if file.resolvedPath == nil { legacy.append((file.path, file.sha256)) }
    }
    self.byPath = byPath
    self.legacy = legacy
    isEmpty = files.isEmpty
    keyedByGivenPath = !legacy.isEmpty
  }

  /// Versions already keyed by path (tests).
  init(byPath: [String: [String]]) {
    self.byPath = byPath
    self.legacy = []
    isEmpty = byPath.isEmpty
    keyedByGivenPath = true
  }

  /// Whether some versions are keyed by the path as given (`Ingest.pathKey`: files stored
  /// before migration 0008), so that a file's own such key must be looked up too (Foundation's
  /// URL standardizing costs more than `realpath`).
  let keyedByGivenPath: Bool

  /// No file is stored (set once: read without the lock while `digests` may be filling in).
  let isEmpty: Bool

  /// The contents stored under any of `keys`, each once, `except` left out.
  func digests(for keys: [String], except: String) -> [String] {
    lock.lock()
    defer { lock.unlock() }
    if !legacy.isEmpty {
      for file in legacy {
        if let resolved = Ingest.resolvedPath(file.path), resolved != Ingest.pathKey(file.path) {
          byPath[resolved, default: []].append(file.sha256)
        }
      }
      legacy = []
    }
    var found: [String] = []
    for key in keys {
      for digest in byPath[key] ?? [] where digest != except && !found.contains(digest) {
        found.append(digest)
      }
    }
    return found
  }
}

/// One file being prepared on the ingest queue: filled there once, taken here once. Nothing
/// holds the slot but the queued block and the loop, so each file's samples are freed as soon
/// as they are stored (memory stays bounded by a few files, whatever the number of files).
final class PreparedSlot: @unchecked Sendable {
  private let ready = DispatchSemaphore(value: 0)
  private var result: Result<Ingest.Prepared, any Error>?

  func fill(_ result: Result<Ingest.Prepared, any Error>) {
    self.result = result
    ready.signal()
  }

  /// Waits until the result is in or `deadline` passes; true when the result is in (`take`
  /// then returns at once).
  func wait(until deadline: DispatchTime) -> Bool {
    guard ready.wait(timeout: deadline) == .success else { return false }
    ready.signal()
    return true
  }

  /// Waits for the result and hands it over (the slot keeps nothing).
  func take() -> Result<Ingest.Prepared, any Error> {
    ready.wait()
    defer { result = nil }
    return result ?? .failure(InputError(path: "", reason: "not read"))
  }
}
