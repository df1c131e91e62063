import Foundation

/// A `--stations` pattern: `NET.STA` (any location) or `NET.STA.LOC`, each code a shell
/// wildcard (`*`, `?`, `[...]`) matched as ObsPy's `Stream.select` matches codes: Python's
/// `fnmatch` on upper-cased codes (`Glob`), so matching ignores case. A blank location code is written `NET.STA.`
/// (with the dot); `NET.STA` matches every location.
public struct StationPattern: Sendable, Equatable, CustomStringConvertible {
  /// The pattern as given.
  public let text: String
  let network: Glob
  let station: Glob
  /// nil: any location.
  let location: Glob?

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
    network = Glob(parts[0])
    station = Glob(parts[1])
    location = parts.count == 3 ? Glob(parts[2]) : nil
  }

  public var description: String { text }

  /// Whether the codes match (case ignored).
  public func matches(network: String, station: String, location: String) -> Bool {
    self.network.matches(network.uppercased()) && self.station.matches(station.uppercased())
      && (self.location?.matches(location.uppercased()) ?? true)
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

/// A shell wildcard as Python's `fnmatch` reads it (`fnmatch.translate`), the reading ObsPy's
/// `select` gives codes: `*` any run, `?` one character, `[...]` one of a set (`[!...]` none of
/// it; `a-z` a range, a reversed range empty; a `]` first, or first after `!`, is a member; `^`
/// is a member anywhere), a `[` without its `]` a character, and no escapes: a backslash is a
/// character. Characters are Unicode scalars, as Python's code points. C's `fnmatch` differed:
/// `^` first negated, a backslash escaped, `?` matched one byte of `É`, and `[[.A.]]` was a
/// collating element (an adversarial review compared both over 40 patterns and 32 codes).
struct Glob: Sendable, Equatable {
  enum Token: Sendable, Equatable {
    case anyRun
    case anyOne
    case scalar(Unicode.Scalar)
    /// Members as closed ranges of scalars (a single member is a range of one).
    case set(negated: Bool, members: [ClosedRange<UInt32>])
  }

  let tokens: [Token]

  init(_ pattern: String) {
    let p = Array(pattern.unicodeScalars)
    var tokens: [Token] = []
    var i = 0
    while i < p.count {
      let c = p[i]
      i += 1
      switch c {
      case "*":
        if tokens.last != .anyRun { tokens.append(.anyRun) }
      case "?":
        tokens.append(.anyOne)
      case "[":
        var j = i
        if j < p.count, p[j] == "!" { j += 1 }
        if j < p.count, p[j] == "]" { j += 1 }
        while j < p.count, p[j] != "]" { j += 1 }
        guard j < p.count else {
          tokens.append(.scalar("["))
          continue
        }
        var content = p[i..<j]
        let negated = content.first == "!"
        if negated { content = content.dropFirst() }
        var members: [ClosedRange<UInt32>] = []
        var k = content.startIndex
        while k < content.endIndex {
          let first = content[k].value
          if k + 2 < content.endIndex, content[k + 1] == "-" {
            let last = content[k + 2].value
            if first <= last { members.append(first...last) }  // a reversed range is empty
            k += 3
          } else {
            members.append(first...first)
            k += 1
          }
        }
        tokens.append(.set(negated: negated, members: members))
        i = j + 1
      default:
        tokens.append(.scalar(c))
      }
    }
    self.tokens = tokens
  }

  /// Whether `text` matches the whole pattern.
  func matches(_ text: String) -> Bool {
    let s = Array(text.unicodeScalars)
    // Iterative matching with one backtrack point for the last `*` (the classic wildcard
    // algorithm; with runs collapsed it is exact for `*`, `?` and sets).
    var t = 0
    var i = 0
    var star: (token: Int, text: Int)? = nil
    while i < s.count {
      if t < tokens.count {
        switch tokens[t] {
        case .anyRun:
          star = (t, i)
          t += 1
          continue
        case .anyOne:
          t += 1
          i += 1
          continue
        case .scalar(let c) where c == s[i]:
          t += 1
          i += 1
          continue
        case .set(let negated, let members)
        where members.contains { $0.contains(s[i].value) } != negated:
          t += 1
          i += 1
          continue
        default:
          break
        }
      }
      guard let last = star else { return false }
      star = (last.token, last.text + 1)
      t = last.token + 1
      i = last.text + 1
    }
    while t < tokens.count, tokens[t] == .anyRun { t += 1 }
    return t == tokens.count
  }
}
