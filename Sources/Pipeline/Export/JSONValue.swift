import Foundation

/// A JSON value whose objects keep their key order, so written files read in a stable,
/// meaningful order (`window_id` first, not alphabetical).
public enum JSONValue: Sendable, Equatable, Decodable {
  case null
  case bool(Bool)
  case integer(Int64)
  /// An integer above `Int64.max` (a `--seed` up to 2^64 - 1), kept exact.
  case unsigned(UInt64)
  case number(Double)
  case string(String)
  case array([JSONValue])
  /// Members in order. Objects parsed from text are sorted by key.
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): true
    case (.bool(let x), .bool(let y)): x == y
    case (.integer(let x), .integer(let y)): x == y
    case (.unsigned(let x), .unsigned(let y)): x == y
    case (.number(let x), .number(let y)): x == y
    case (.string(let x), .string(let y)): x == y
    case (.array(let x), .array(let y)): x == y
    case (.object(let x), .object(let y)):
      x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: false
    }
  }

  /// Parses JSON text.
  public init(parsing text: String) throws {
    self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
  }

  private struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  public init(from decoder: any Decoder) throws {
    if let keyed = try? decoder.container(keyedBy: Key.self) {
      let keys = keyed.allKeys.sorted { $0.stringValue < $1.stringValue }
      self = .object(
        try keys.map { ($0.stringValue, try keyed.decode(JSONValue.self, forKey: $0)) })
      return
    }
    if var list = try? decoder.unkeyedContainer() {
      var items: [JSONValue] = []
      while !list.isAtEnd { items.append(try list.decode(JSONValue.self)) }
      self = .array(items)
      return
    }
    let single = try decoder.singleValueContainer()
    if single.decodeNil() {
      self = .null
    } else if let b = try? single.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? single.decode(Int64.self) {
      self = .integer(i)
    } else if let u = try? single.decode(UInt64.self) {
      self = .unsigned(u)
    } else if let d = try? single.decode(Double.self) {
      self = .number(d)
    } else {
      self = .string(try single.decode(String.self))
    }
  }

  /// A string or null.
  public init(_ text: String?) { self = text.map(JSONValue.string) ?? .null }
  /// A number or null (NaN and infinities become null: JSON has no spelling for them).
  public init(_ number: Double?) {
    guard let number, number.isFinite else {
      self = .null
      return
    }
    self = .number(number)
  }

  /// Compact JSON text, or indented with two spaces per level when `indent` is given.
  public func serialized(indent: Int? = nil) -> String {
    var out = ""
    write(into: &out, indent: indent, level: 0)
    return out
  }

  /// The value as a CSV cell: text as is, numbers as JSON spells them, null as empty.
  /// A number's value (an integer's too); nil for anything else.
  public var numberValue: Double? {
    switch self {
    case .integer(let v): Double(v)
    case .unsigned(let v): Double(v)
    case .number(let v): v
    default: nil
    }
  }

  /// An object's member named `key`; nil for anything else.
  public subscript(member key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.0 == key }?.1
  }

  public var plainText: String {
    switch self {
    case .null: ""
    case .string(let s): s
    default: serialized()
    }
  }

  private func write(into out: inout String, indent: Int?, level: Int) {
    func newline(_ depth: Int) {
      if let indent { out += "\n" + String(repeating: " ", count: indent * depth) }
    }
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .integer(let i): out += String(i)
    case .unsigned(let u): out += String(u)
    case .number(let d): out += JSONValue.spell(d)
    case .string(let s): JSONValue.quote(s, into: &out)
    case .array(let items):
      if items.isEmpty {
        out += "[]"
        return
      }
      // Lists of plain values stay on one line (`"filters": [8, 4, 2, 1]`).
      let inline = items.allSatisfy { item in
        switch item {
        case .array, .object: false
        default: true
        }
      }
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += inline && indent != nil ? ", " : "," }
        if !inline { newline(level + 1) }
        item.write(into: &out, indent: indent, level: level + 1)
      }
      if !inline { newline(level) }
      out += "]"
    case .object(let members):
      if members.isEmpty {
        out += "{}"
        return
      }
      out += "{"
      for (i, (key, value)) in members.enumerated() {
        if i > 0 { out += "," }
        newline(level + 1)
        JSONValue.quote(key, into: &out)
        out += indent == nil ? ":" : ": "
        value.write(into: &out, indent: indent, level: level + 1)
      }
      newline(level)
      out += "}"
    }
  }

  /// The shortest text that reads back as the same Double (`0.25`, `1e-05`, `3.0`).
  static func spell(_ d: Double) -> String {
    guard d.isFinite else { return "null" }
    return "\(d)"
  }

  static func quote(_ s: String, into out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}
