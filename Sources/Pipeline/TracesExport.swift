import Foundation
import Logging
import Seismic
import Store

/// `traces export`: every stored segment as a file of its own, MiniSEED (exact, each record
/// with the segment's stored data quality, `D` when it has none: SAC segments and those stored
/// before migration 0009) or SAC (float32).
public struct TracesExport {
  public enum Format: String, CaseIterable, Sendable {
    case mseed, sac
  }

  /// What an export did.
  public struct Report: Sendable {
    public var written: [String] = []
    public var failures: [InputError] = []
    /// MiniSEED files whose rate reads back other than stored (SEED holds a rate as
    /// factor/multiplier or float32): the segment, the stored and the written rate.
    public var inexactRates: [(segment: String, stored: Double, written: Double)] = []
    /// True when the segments went to standard output, one MiniSEED stream, not files.
    public var toStandardOutput = false
    public var summary: String {
      let n = written.count
      return toStandardOutput
        ? "export: wrote \(n) segment\(n == 1 ? "" : "s") as one MiniSEED stream to standard output; \(failures.count) failed"
        : "export: wrote \(n) file\(n == 1 ? "" : "s"); \(failures.count) failed"
    }

    /// One warning line about the inexact rates, or nil.
    public var inexactRatesLine: String? {
      guard let first = inexactRates.first else { return nil }
      let n = inexactRates.count
      return
        "\(n) segment\(n == 1 ? "'s" : "s'") sampling rate\(n == 1 ? " is" : "s are") not held "
        + "exactly by MiniSEED 2 and \(n == 1 ? "is" : "are") written as the nearest rate it holds "
        + "(\(first.segment): \(String(format: "%.12g", first.stored)) Hz written as "
        + "\(String(format: "%.12g", first.written)) Hz)"
    }
  }

  public let store: SeisStore
  public let logger: Logger
  public let quiet: Bool

  public init(store: SeisStore, logger: Logger, quiet: Bool = false) {
    self.store = store
    self.logger = logger
    self.quiet = quiet
  }

  /// File name of a segment: `s<segment id>_NET.STA.LOC.CHA_YYYYMMDDTHHMMSS.ffffffZ.<ext>`
  /// (never hidden, even when the codes are empty; unsafe characters become `_`).
  public static func fileName(for summary: SegmentSummary, format: Format) -> String {
    let iso = summary.startTime.iso8601  // 2026-03-01T00:06:16.649649Z
    let compact = iso.replacingOccurrences(of: "-", with: "").replacingOccurrences(
      of: ":", with: "")
    let safeID = summary.source.id.map { c -> Character in
      (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-") && c.isASCII ? c : "_"
    }
    return "s\(summary.id)_\(String(safeID))_\(compact).\(format.rawValue)"
  }

  /// Writes every segment into `directory` (created when missing). Refuses, before writing
  /// anything, to overwrite existing files unless `force`; every file follows `OutputFile`'s
  /// rules (a symbolic link's target is written, FIFOs and devices are refused). Segments that
  /// cannot be written in the format are reported and the rest are written. `directory` `-`
  /// writes MiniSEED to standard output, segment after segment (MiniSEED records concatenate).
  public func run(format: Format, directory: String, force: Bool) throws -> Report {
    if directory == OutputFile.standardOutput {
      return try writeToStandardOutput(format: format)
    }
    let fm = FileManager.default
    let folder = URL(fileURLWithPath: directory)
    var info = stat()
    if stat(directory, &info) == 0 {
      guard info.st_mode & S_IFMT == S_IFDIR else {
        throw InputError(
          path: directory, reason: "not a folder (traces export writes one file per segment)")
      }
      // One line for the folder, not one per segment (thousands on an archive).
      guard access(directory, W_OK | X_OK) == 0 else {
        throw InputError(
          path: directory, reason: "cannot write in the folder: \(String(cString: strerror(errno)))"
        )
      }
    } else {
      do {
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
      } catch {
        throw InputError(path: directory, reason: "cannot create the folder")
      }
    }
    let summaries = try store.segmentSummaries()
    let targets = summaries.map {
      folder.appendingPathComponent(Self.fileName(for: $0, format: format))
    }
    var refused: [InputError] = []
    for target in targets {
      do {
        try OutputFile.checkWritable(target.path, force: force)
      } catch let error as InputError {
        refused.append(error)
      }
    }
    // All or nothing: an export is never left half-written. Every refused file is named, one
    // line each, then the command stops.
    if !refused.isEmpty {
      for error in refused.dropLast() { logger.error("\(error.description)") }
      let last = refused[refused.count - 1]
      let count =
        refused.count > 1
        ? "; \(refused.count) of \(targets.count) files refused (each named above), nothing written"
        : "; nothing written"
      throw InputError(path: last.path, reason: last.reason + count)
    }
    var report = Report()
    let progress = Progress(label: "export", total: summaries.count, quiet: quiet)
    for (index, (summary, target)) in zip(summaries, targets).enumerated() {
      do {
        guard let segment = try store.segment(id: summary.id) else {
          throw InputError(path: target.path, reason: "segment \(summary.id) vanished")
        }
        let data: Data
        switch format {
        case .mseed: data = try Self.miniSEED(segment, noting: &report)
        case .sac: data = try SACWriter.encode(segment)
        }
        try OutputFile.write(data, to: target.path, force: force)
        report.written.append(target.path)
      } catch let error as WaveformFileError {
        report.failures.append(InputError(path: target.path, reason: error.reason))
        logger.error("\(target.path): \(error.reason)")
      } catch let error as InputError {
        report.failures.append(error)
        logger.error("\(error.description)")
      } catch {
        let failure = InputError(path: target.path, reason: "\(error)")
        report.failures.append(failure)
        logger.error("\(failure.description)")
      }
      progress.update(index + 1)
    }
    progress.finish()
    return report
  }

  /// A segment's MiniSEED bytes; a rate that reads back other than stored is noted in `report`.
  private static func miniSEED(_ segment: Segment, noting report: inout Report) throws -> Data {
    let encoded = try MiniSEEDWriter.encodeReportingRate(segment)
    if let rate = encoded.rate, rate != segment.samplingRate {
      report.inexactRates.append((segment.source.id, segment.samplingRate, rate))
    }
    return encoded.data
  }

  /// Every segment as MiniSEED on standard output, one after the other.
  private func writeToStandardOutput(format: Format) throws -> Report {
    guard format == .mseed else {
      throw InputError(
        path: "-", reason: "SAC files cannot be concatenated: give a folder to write them into")
    }
    var report = Report()
    report.toStandardOutput = true
    for summary in try store.segmentSummaries() {
      let name = "segment \(summary.id) (\(summary.source.id))"
      do {
        guard let segment = try store.segment(id: summary.id) else { continue }
        try OutputFile.Sink.standardOutput.write(try Self.miniSEED(segment, noting: &report))
        report.written.append(name)
      } catch let error as WaveformFileError {
        report.failures.append(InputError(path: name, reason: error.reason))
        logger.error("\(name): \(error.reason)")
      }
    }
    return report
  }
}
