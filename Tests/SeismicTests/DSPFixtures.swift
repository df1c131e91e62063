import Foundation
import TestSupport
import Testing

/// Reads fixtures/dsp (written by tools/make_dsp_fixtures.py): `manifest.json` and raw
/// little-endian float64 arrays.
enum DSPFixtures {
  static let directory = TestPaths.fixtures.appendingPathComponent("dsp")

  static func manifest() throws -> [String: Any] {
    let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
  }

  static func traces() throws -> [[String: Any]] {
    try manifest()["traces"] as? [[String: Any]] ?? []
  }

  static func array(_ name: Any?) throws -> [Double] {
    let file = try #require(name as? String)
    let data = try Data(contentsOf: directory.appendingPathComponent(file))
    return data.withUnsafeBytes { raw in
      (0..<(data.count / 8)).map {
        Double(
          bitPattern: UInt64(
            littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))
      }
    }
  }
}
