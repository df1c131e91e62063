import Foundation
import Logging
import Seismic
import Store

/// `traces export`: every stored segment as a file of its own, MiniSEED (exact) or SAC
/// (float32).
public struct TracesExport {
  public enum Format: String, CaseIterable, Sendable {
    case mseed, sac
  }

  /// What an export did.
  public struct Report: Sendable {
    public var written: [String] = []
    public var failures: [InputError] = []
    public var summary: String {
      "export: wrote \(written.count) file\(written.count == 1 ? "" : "s"); \(failures.count) failed"
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
  /// anything, to overwrite existing files unless `force`. Segments that cannot be written in
  /// the format are reported and the rest are written.
  public func run(format: Format, directory: String, force: Bool) throws -> Report {
    let fm = FileManager.default
    let folder = URL(fileURLWithPath: directory)
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        throw InputError(path: directory, reason: "not a folder")
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
    if !force {
      let existing = targets.filter { fm.fileExists(atPath: $0.path) }
      if let first = existing.first {
        throw InputError(
          path: first.path,
          reason: "exists (and \(existing.count - 1) more); use --force to overwrite")
      }
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
        case .mseed: data = try MiniSEEDWriter.encode(segment)
        case .sac: data = try SACWriter.encode(segment)
        }
        try data.write(to: target)
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
}
