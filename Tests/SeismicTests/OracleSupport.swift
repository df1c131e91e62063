import Foundation
import TestSupport

@testable import Seismic

/// One trace as ObsPy 1.5.1 read it (`../shared/data/oracle.json`).
struct OracleTrace {
  var network, station, location, channel: String
  var startTime: String
  var samplingRate: Double
  var sampleCount: Int
  var numeric: Bool
  var sha256: String

  var id: String { "\(network).\(station).\(location).\(channel)" }
}

/// The ObsPy oracle for every file under `../shared/data/`.
struct OracleFile {
  var path: String
  var readable: Bool
  var errorMessage: String?
  var traces: [OracleTrace]

  static func loadAll() throws -> [OracleFile] {
    let url = TestPaths.sharedData.appendingPathComponent("oracle.json")
    let json =
      try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
    var files: [OracleFile] = []
    for (key, value) in json where key != "_meta" {
      guard let entry = value as? [String: Any], let auto = entry["autodetect"] as? [String: Any]
      else { continue }
      let traces = (auto["traces"] as? [[String: Any]] ?? []).map { t in
        OracleTrace(
          network: t["network"] as? String ?? "", station: t["station"] as? String ?? "",
          location: t["location"] as? String ?? "", channel: t["channel"] as? String ?? "",
          startTime: t["starttime"] as? String ?? "",
          samplingRate: (t["sampling_rate"] as? NSNumber)?.doubleValue ?? -1,
          sampleCount: (t["npts"] as? NSNumber)?.intValue ?? -1,
          numeric: t["numeric"] as? Bool ?? true, sha256: t["sha256_f8le"] as? String ?? "")
      }
      files.append(
        OracleFile(
          path: key, readable: entry["readable"] as? Bool ?? false,
          errorMessage: auto["error_message"] as? String, traces: traces))
    }
    return files.sorted { $0.path < $1.path }
  }

  var url: URL { TestPaths.sharedData.appendingPathComponent(path) }
}

extension Samples {
  /// SHA-256 of the samples as little-endian float64 (the oracle's `sha256_f8le`).
  var sha256OfLittleEndianDoubles: String {
    let bits = doubles.map { $0.bitPattern.littleEndian }
    return ContentHash.sha256(bits)
  }
}
