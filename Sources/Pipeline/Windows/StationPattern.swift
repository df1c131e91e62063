import Foundation

/// A `--stations` pattern: `NET.STA` (any location) or `NET.STA.LOC`, each code a shell
/// wildcard (`*`, `?`, `[...]`) matched as ObsPy's `Stream.select` matches codes: Python's
/// `fnmatch` on upper-cased codes (`Glob`), so matching ignores case. A blank location code is
/// written `NET.STA.` (with the dot); `NET.STA` matches every location.
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
    let characters = Array(text)
    var items: [String] = []
    var current = ""
    var i = 0
    while i < characters.count {
      let c = characters[i]
      if c == "[", let close = Glob.bracketEnd(characters, from: i + 1) {
        current += String(characters[i...close])
        i = close + 1
        continue
      }
      if c == "," {
        if !current.isEmpty { items.append(current) }
        current = ""
      } else {
        current.append(c)
      }
      i += 1
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
        guard let j = Self.bracketEnd(p, from: i) else {
          tokens.append(.scalar("["))
          continue
        }
        tokens.append(Self.bracket(p[i..<j]))
        i = j + 1
      default:
        tokens.append(.scalar(c))
      }
    }
    self.tokens = tokens
  }

  /// The `]` that closes a bracket opened just before `start`, as `fnmatch` finds it (a `]`
  /// first, or first after `!`, is a member); nil when none does, and the `[` is then a
  /// character. `StationPattern.items` splits a list by the same rule (`XX.[A,XX.B` is two
  /// patterns, a review found it read as one).
  static func bracketEnd<Element: Equatable & ExpressibleByUnicodeScalarLiteral>(
    _ pattern: [Element], from start: Int
  ) -> Int? {
    var j = start
    if j < pattern.count, pattern[j] == "!" { j += 1 }
    if j < pattern.count, pattern[j] == "]" { j += 1 }
    while j < pattern.count, pattern[j] != "]" { j += 1 }
    return j < pattern.count ? j : nil
  }

  /// The set a bracket's `content` (between `[` and `]`) stands for, as `fnmatch.translate`
  /// (Python 3.11) writes it as a regular expression and `re` reads that: split at the `-`
  /// that form ranges (not the first character, nor the one after `!`; not within two of the
  /// last), reversed ranges removed by joining their neighbours, then a `!` first negates (an
  /// empty range can leave one first: `[z-a!b]` is "not b") and `!` alone is any character.
  static func bracket(_ content: ArraySlice<Unicode.Scalar>) -> Token {
    enum Item: Equatable {
      case scalar(Unicode.Scalar)
      /// A `-` that joins two chunks: a range between its neighbours.
      case range
    }
    var items: [Item]
    if !content.contains("-") {
      items = content.map { .scalar($0) }
    } else {
      var chunks: [[Unicode.Scalar]] = []
      var start = content.startIndex
      var k = content.first == "!" ? start + 2 : start + 1
      while k < content.endIndex, let dash = content[k...].firstIndex(of: "-") {
        chunks.append(Array(content[start..<dash]))
        start = dash + 1
        k = dash + 3
      }
      let rest = Array(content[start...])
      if !rest.isEmpty || chunks.isEmpty {
        chunks.append(rest)
      } else {
        chunks[chunks.count - 1].append("-")
      }
      var m = chunks.count - 1
      while m > 0 {
        if let last = chunks[m - 1].last, let first = chunks[m].first, last.value > first.value {
          chunks[m - 1] = Array(chunks[m - 1].dropLast()) + chunks[m].dropFirst()
          chunks.remove(at: m)
        }
        m -= 1
      }
      items = []
      for (n, chunk) in chunks.enumerated() {
        if n > 0 { items.append(.range) }
        items += chunk.map { .scalar($0) }
      }
    }
    if items.isEmpty { return .set(negated: false, members: []) }
    if items == [.scalar("!")] { return .anyOne }
    let negated = items.first == .scalar("!")
    if negated { items.removeFirst() }
    func value(_ item: Item) -> UInt32 {
      if case .scalar(let c) = item { return c.value }
      return Unicode.Scalar("-").value
    }
    var members: [ClosedRange<UInt32>] = []
    var x = 0
    while x < items.count {
      let low = value(items[x])
      if x + 2 < items.count, items[x + 1] == .range {
        let high = value(items[x + 2])
        if low <= high { members.append(low...high) }
        x += 3
      } else {
        members.append(low...low)
        x += 1
      }
    }
    return .set(negated: negated, members: members)
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
