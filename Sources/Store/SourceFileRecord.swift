import Foundation
import GRDB

/// A row of `source_file`: one ingested file, identified by its content hash.
public struct SourceFileRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "source_file"

  public var id: Int64?
  public var path: String
  public var size: Int64
  /// Lower-case hexadecimal SHA-256 of the file's bytes.
  public var sha256: String
  /// `mseed` or `sac` (`WaveformFormat.rawValue`).
  public var format: String
  /// ISO 8601 UTC.
  public var ingestedAt: String
  /// The path it was read at, absolute, symbolic links resolved (nil for files stored before
  /// migration 0008).
  public var resolvedPath: String?

  public init(
    id: Int64? = nil, path: String, size: Int64, sha256: String, format: String,
    ingestedAt: String, resolvedPath: String? = nil
  ) {
    self.id = id
    self.path = path
    self.size = size
    self.sha256 = sha256
    self.format = format
    self.ingestedAt = ingestedAt
    self.resolvedPath = resolvedPath
  }

  enum CodingKeys: String, CodingKey {
    case id, path, size, sha256, format
    case ingestedAt = "ingested_at"
    case resolvedPath = "resolved_path"
  }

}
