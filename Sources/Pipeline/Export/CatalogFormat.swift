/// The catalog formats `export` writes.
public enum CatalogFormat: String, CaseIterable, Sendable {
  /// One row per window: `window_id,network,station,location,time,phase,cluster,...`.
  case csv
  /// `{"run": {...}, "windows": [...]}`.
  case json
  /// QuakeML 1.2: one event per window with its pick, the run's results as extra elements.
  case quakeml
  /// SeisBench-style metadata CSV (`trace_name`, `station_network_code`, ...).
  case seisbench

  /// The catalog in this format, as the bytes of a file.
  public func render(_ catalog: Catalog) -> String {
    switch self {
    case .csv: CatalogCSVWriter().render(catalog)
    case .json: CatalogJSONWriter().render(catalog)
    case .quakeml: CatalogQuakeMLWriter().render(catalog)
    case .seisbench: SeisBenchMetadataWriter().render(catalog)
    }
  }
}
