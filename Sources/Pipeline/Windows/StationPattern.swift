import Foundation

#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// A `--stations` pattern: `NET.STA` (any location) or `NET.STA.LOC`, each code a shell
/// wildcard (`*`, `?`, `[...]`) matched as ObsPy's `Stream.select` matches codes: `fnmatch` on
/// upper-cased codes, so matching ignores case. A blank location code is written `NET.STA.`
/// (with the dot); `NET.STA` matches every location.
public struct StationPattern: Sendable, Equatable, CustomStringConvertible {
  /// The pattern as given.
  public let text: String
  let network: String
  let station: String
  /// nil: any location.
  let location: String?

  /// Why a pattern cannot be read.
  public struct Invalid: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  public init(_ text: String) throws(Invalid) {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false).map {
      String($0).uppercased()
    }
    guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
      throw Invalid(
        description:
          "station pattern '\(text)' is not NET.STA or NET.STA.LOC (wildcards allowed: XH.*, "
          + "*.H0?, XH.H01.00; a blank location is XH.H01.)")
    }
    self.text = trimmed
    network = Self.pythonBrackets(parts[0])
    station = Self.pythonBrackets(parts[1])
    location = parts.count == 3 ? Self.pythonBrackets(parts[2]) : nil
  }

  /// The pattern as C `fnmatch` reads Python's: a `^` first in a bracket is one of its
  /// characters in Python's `fnmatch` (ObsPy's `select`), where C's negates the bracket (only
  /// `!` negates in both). Escaped, so `[^X]*` selects codes starting with `^` or `X`, as
  /// ObsPy does.
  static func pythonBrackets(_ pattern: String) -> String {
    pattern.replacingOccurrences(of: "[^", with: "[\\^")
  }

  public var description: String { text }

  /// Whether the codes match (case ignored).
  public func matches(network: String, station: String, location: String) -> Bool {
    Self.match(self.network, network) && Self.match(self.station, station)
      && (self.location.map { Self.match($0, location) } ?? true)
  }

  /// `FNM_NOESCAPE`: a backslash is a character, as in Python's `fnmatch`, where C's escapes
  /// the next one (`A\*B` selected `A*B`, which ObsPy does not). A code holding a wildcard
  /// character is matched by it in brackets (`A[*]B`), in both.
  private static func match(_ pattern: String, _ code: String) -> Bool {
    fnmatch(pattern, code.uppercased(), FNM_NOESCAPE) == 0
  }

  /// The items of a comma-separated list, split at commas outside brackets: `XC.[A,C]B1` is one
  /// pattern, its bracket a set of characters as `fnmatch` reads it (a `]` first in a bracket,
  /// or after `[!`, is one of the set). Empty items are dropped.
  public static func items(_ text: String) -> [String] {
    var items: [String] = []
    var current = ""
    var bracket: (open: Bool, length: Int) = (false, 0)
    for c in text {
      if bracket.open {
        current.append(c)
        let literal = bracket.length == 0 || (bracket.length == 1 && current.hasSuffix("[!]"))
        if c == "]" && !literal { bracket = (false, 0) } else { bracket.length += 1 }
      } else if c == "," {
        if !current.isEmpty { items.append(current) }
        current = ""
      } else {
        current.append(c)
        if c == "[" { bracket = (true, 0) }
      }
    }
    if !current.isEmpty { items.append(current) }
    return items
  }

  /// The patterns of a comma-separated list (`XH.*,IU.ANMO.00`).
  public static func list(_ text: String) throws(Invalid) -> [StationPattern] {
    let items = Self.items(text)
    guard !items.isEmpty else {
      throw Invalid(description: "--stations needs at least one NET.STA pattern")
    }
    var patterns: [StationPattern] = []
    for item in items { patterns.append(try StationPattern(item)) }
    return patterns
  }
}
