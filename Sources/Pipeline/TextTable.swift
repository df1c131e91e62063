/// A plain-text table for listings (`traces list`, `windows list`): columns padded to their
/// widest cell, two spaces apart, one line per row.
enum TextTable {
  /// The table's text, ending with a newline. Control characters in a cell (a newline in a
  /// file path) are written escaped, as `\n`, so each row stays one line; a backslash is then
  /// doubled, so the escapes cannot be confused with the cell's own. Lines carry no trailing
  /// spaces (the last cell is not padded; an empty one leaves none).
  static func render(header: [String], rows: [[String]]) -> String {
    func control(_ u: Unicode.Scalar) -> Bool {
      u.value < 32 || (127...159).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
    }
    func oneLine(_ cell: String) -> String {
      guard cell.unicodeScalars.contains(where: control) else { return cell }
      return cell.unicodeScalars.map { u -> String in
        switch u {
        case "\\": return "\\\\"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default: return control(u) ? String(format: "\\u{%x}", u.value) : String(u)
        }
      }.joined()
    }
    let all = [header] + rows.map { $0.map(oneLine) }
    var widths = [Int](repeating: 0, count: header.count)
    for row in all {
      for (i, cell) in row.enumerated() where i < widths.count {
        widths[i] = max(widths[i], cell.count)
      }
    }
    let lines = all.map { row -> String in
      var line = row.enumerated().map { i, cell in
        i == row.count - 1 || i >= widths.count
          ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
      }.joined(separator: "  ")
      while line.last == " " { line.removeLast() }
      return line
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
