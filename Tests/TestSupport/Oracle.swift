import Foundation

/// One trace as ObsPy 1.5.1 read it (`../shared/data/oracle.json`).
public struct OracleTrace: Sendable {
  public var network, station, location, channel: String
  public var startTime: String
  public var samplingRate: Double
  public var sampleCount: Int
  public var numeric: Bool
  public var sha256: String

  public var id: String { "\(network).\(station).\(location).\(channel)" }
}

/// The ObsPy oracle for every file under `../shared/data/`.
public struct OracleFile: Sendable {
  public var path: String
  public var readable: Bool
  public var errorMessage: String?
  public var traces: [OracleTrace]

  public static func loadAll() throws -> [OracleFile] {
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

  public var url: URL { TestPaths.sharedData.appendingPathComponent(path) }
}
