/// Writes a catalog as CSV, one row per window, with the columns of `Catalog.fieldNames`.
public struct CatalogCSVWriter {
  public init() {}

  public func render(_ catalog: Catalog) -> String {
    var csv = CSVText(header: catalog.fieldNames)
    for entry in catalog.entries {
      csv.append(catalog.fields(of: entry).map { $0.1.plainText })
    }
    return csv.text
  }
}
