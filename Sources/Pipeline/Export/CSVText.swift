/// CSV text as RFC 4180 spells it: a field holding a comma, a quote, a line break or leading or
/// trailing spaces is quoted, with quotes doubled; lines end with `\n`.
public struct CSVText {
  public private(set) var text = ""

  public init(header: [String]) { append(header) }

  public mutating func append(_ row: [String]) {
    text += row.map(CSVText.quoted).joined(separator: ",")
    text += "\n"
  }

  /// One field, quoted when it must be.
  public static func quoted(_ field: String) -> String {
    let needsQuotes =
      field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
      || field.first == " " || field.last == " "
    guard needsQuotes else { return field }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
