import Foundation

/// A point in time as Int64 nanoseconds since 1970-01-01T00:00:00Z (UTC), as libmseed keeps it.
///
/// Covers 1677..2262, which every seismic archive fits. ISO 8601 text is always UTC.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var nanoseconds: Int64

  public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

  /// The time `seconds` after the epoch; beyond 1677..2262 it stops at the end of that range.
  public init(seconds: Double) { self.nanoseconds = Timestamp.clampedNanoseconds(seconds) }

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    lhs.nanoseconds < rhs.nanoseconds
  }

  /// Seconds since the epoch (loses precision below ~0.1 us for present-day times).
  public var seconds: Double { Double(nanoseconds) / 1e9 }

  /// `self` moved by `delta`. A time that would leave 1677..2262 stops at the end of that range
  /// (a window reaching past it then finds no data there), so no pick or option can trap.
  public func adding(nanoseconds delta: Int64) -> Timestamp {
    let (sum, overflow) = nanoseconds.addingReportingOverflow(delta)
    return Timestamp(nanoseconds: overflow ? (delta > 0 ? .max : .min) : sum)
  }
  public func adding(seconds delta: Double) -> Timestamp {
    let ns = (delta * 1e9).rounded()
    if ns.isNaN { return self }
    if abs(ns) < 9_223_372_036_854_775_808.0 { return adding(nanoseconds: Int64(ns)) }
    // A move beyond Int64 itself (1e30 s): where it lands, held to the range.
    return Timestamp(seconds: (Double(nanoseconds) + ns) / 1e9)
  }

  /// `seconds` in nanoseconds, rounded, held within Int64 (NaN counts as 0).
  static func clampedNanoseconds(_ seconds: Double) -> Int64 {
    let ns = (seconds * 1e9).rounded()
    if ns.isNaN { return 0 }
    if ns >= 9_223_372_036_854_775_808.0 { return .max }
    if ns <= -9_223_372_036_854_775_808.0 { return .min }
    return Int64(ns)
  }

  /// Nanoseconds from `other` to `self`.
  /// (Held within Int64: the span between the two ends of 1677..2262 does not fit.)
  public func nanoseconds(since other: Timestamp) -> Int64 {
    let (difference, overflow) = nanoseconds.subtractingReportingOverflow(other.nanoseconds)
    return overflow ? (nanoseconds > other.nanoseconds ? .max : .min) : difference
  }

  public var description: String { iso8601 }

  // MARK: ISO 8601

  /// Whole microseconds since the epoch, rounded to the nearest, a half to the even one, as
  /// ObsPy's UTCDateTime rounds what it parses and prints (`.1234565` is `.123456`, `.1234575`
  /// is `.123458`: an export rewritten by ObsPy was a second pick 1 µs away; stop 47's review).
  var microseconds: Int64 {
    let (whole, rest) = nanoseconds.floorDivided(by: 1000)
    // At the very top of Int64 the rounding up is skipped rather than overflow.
    guard rest > 500 || (rest == 500 && whole & 1 != 0), whole < Int64.max / 1000 else {
      return whole
    }
    return whole + 1
  }

  /// This time rounded to the nearest microsecond (a half to even): what `iso8601` prints, so
  /// that a time written and read back is the same time.
  public var roundedToMicrosecond: Timestamp { Timestamp(nanoseconds: microseconds * 1000) }

  /// `2026-03-01T00:06:16.649649Z`: UTC, rounded to the nearest microsecond (a half to even),
  /// as ObsPy's UTCDateTime prints.
  public var iso8601: String {
    let micros = microseconds
    let (secs, microOfSecond) = micros.floorDivided(by: 1_000_000)
    let frac = microOfSecond * 1000
    let (days, secOfDay) = secs.floorDivided(by: 86_400)
    let (y, m, d) = Timestamp.civil(fromDays: days)
    let hh = secOfDay / 3600, mm = (secOfDay % 3600) / 60, ss = secOfDay % 60
    let micro = frac / 1000
    guard (0...9999).contains(y) else {
      return String(
        format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%06lldZ", y, m, d, hh, mm, ss, micro)
    }
    // The digits written by hand: `String(format:)` took 6 us a time, 40 % of a catalog or
    // pick listing of 300,000 rows.
    return String(unsafeUninitializedCapacity: 27) { out in
      var at = 0
      func put(_ value: Int64, digits: Int) {
        var rest = value
        for k in stride(from: digits - 1, through: 0, by: -1) {
          out[at + k] = UInt8(ascii: "0") + UInt8(rest % 10)
          rest /= 10
        }
        at += digits
      }
      func put(_ ascii: Unicode.Scalar) {
        out[at] = UInt8(ascii: ascii)
        at += 1
      }
      put(y, digits: 4)
      put("-")
      put(m, digits: 2)
      put("-")
      put(d, digits: 2)
      put("T")
      put(hh, digits: 2)
      put(":")
      put(mm, digits: 2)
      put(":")
      put(ss, digits: 2)
      put(".")
      put(micro, digits: 6)
      put("Z")
      return at
    }
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS[.fffffffff][Z|+00:00]` (also a space or `t` instead of `T`, a
  /// date alone, ordinal dates `YYYY-DDD`, and the basic forms `YYYYMMDDTHHMMSS`, `YYYYDDD`, as
  /// ObsPy's UTCDateTime reads them). Times must be UTC: a non-zero offset is applied. Returns nil for anything else
  /// (`iso8601Problem` says which).
  public init?(iso8601 text: String) {
    guard case .success(let t) = Timestamp.parse(iso8601: text) else { return nil }
    self = t
  }

  /// Why `text` is not a time this type holds, in words about `text` (for one-line problems):
  /// unreadable as ISO 8601, or a valid date outside `storableRange`. Nil when it parses.
  public static func iso8601Problem(_ text: String, name: String = "time") -> String? {
    switch parse(iso8601: text) {
    case .success: return nil
    case .failure(.unreadable): return "cannot read \(name) '\(text)' as ISO 8601"
    case .failure(.outOfRange):
      return "\(name) '\(text)' is a valid date outside the storable range (\(storableRange))"
    case .failure(.leapSecond):
      return
        "\(name) '\(text)' has second 60 (a leap second), which times here cannot hold (ObsPy refuses it too)"
    }
  }

  /// The times `parse(iso8601:)` accepts, in words: Int64 nanoseconds since 1970 end at
  /// 2262-04-11T23:47:16.854775807Z; before 1970 the parser takes whole seconds from
  /// 1677-09-21T00:12:44Z (Int64.min is 0.855 s earlier).
  public static let storableRange = "1677-09-21T00:12:44Z to 2262-04-11T23:47:16.854775807Z"

  /// Why ISO 8601 text is not a `Timestamp`.
  public enum ISO8601Failure: Error, Sendable {
    /// Not ISO 8601 (or not a real date: February 30th).
    case unreadable
    /// A valid date outside what Int64 nanoseconds hold (`storableRange`).
    case outOfRange
    /// Second 60: a leap second, which nanoseconds since 1970 (POSIX time) cannot hold. It was
    /// taken as the next minute's second 0 at any time of day, so `23:59:60` and the `00:00:00`
    /// after it were one pick (a hostile-input sweep); ObsPy refuses it.
    case leapSecond
  }

  /// Parses ISO 8601 text (see `init?(iso8601:)`), saying why it fails.
  public static func parse(iso8601 text: String) -> Result<Timestamp, ISO8601Failure> {
    var leapSecond = false
    guard let parsed = parseISO8601(text, leapSecond: &leapSecond) else {
      return .failure(leapSecond ? .leapSecond : .unreadable)
    }
    guard let nanoseconds = parsed else { return .failure(.outOfRange) }
    return .success(Timestamp(nanoseconds: nanoseconds))
  }

  /// nil: unreadable; .some(nil): readable but out of range; the nanoseconds otherwise.
  /// `leapSecond` is set when the text is unreadable only for its second 60.
  private static func parseISO8601(_ text: String, leapSecond: inout Bool) -> Int64?? {
    // Foundation's trimming only when an end could be a space (it cost 13 % of a 1 M-pick
    // import): ASCII ends other than space and tab need none.
    var s = Array(text.utf8)
    if let first = s.first, let last = s.last,
      first >= 0x80 || last >= 0x80 || first == 0x20 || first == 0x09 || last == 0x20
        || last == 0x09
    {
      s = Array(text.trimmingCharacters(in: .whitespaces).utf8)
    }
    var i = 0
    func number(_ count: Int) -> Int64? {
      guard i + count <= s.count else { return nil }
      var v: Int64 = 0
      for k in 0..<count {
        let c = s[i + k]
        guard c >= 48 && c <= 57 else { return nil }
        v = v * 10 + Int64(c - 48)
      }
      i += count
      return v
    }
    func expect(_ c: UInt8) -> Bool {
      guard i < s.count, s[i] == c else { return false }
      i += 1
      return true
    }
    func digitsAhead() -> Int {
      var k = i
      while k < s.count, s[k] >= 48, s[k] <= 57 { k += 1 }
      return k - i
    }
    // The date: calendar (YYYY-MM-DD, basic YYYYMMDD) or ordinal (YYYY-DDD, basic YYYYDDD),
    // as ObsPy's UTCDateTime reads them.
    guard let y = number(4) else { return nil }
    let extended = expect(UInt8(ascii: "-"))
    var mo: Int64
    var d: Int64
    let dateDigits = digitsAhead()
    if dateDigits == 3 {
      guard let dayOfYear = number(3), dayOfYear >= 1,
        dayOfYear <= (Timestamp.daysInMonth(year: y, month: 2) == 29 ? 366 : 365)
      else { return nil }
      let (_, m, dd) = Timestamp.civil(
        fromDays: Timestamp.days(fromCivil: y, m: 1, d: 1) + dayOfYear - 1)
      mo = m
      d = dd
    } else {
      guard let m = number(2), !extended || expect(UInt8(ascii: "-")), let dd = number(2) else {
        return nil
      }
      mo = m
      d = dd
    }
    guard (1...12).contains(mo), d >= 1, d <= Timestamp.daysInMonth(year: y, month: mo) else {
      return nil
    }
    var hh: Int64 = 0, mi: Int64 = 0, ss: Int64 = 0, frac: Int64 = 0
    if i < s.count {
      guard s[i] == UInt8(ascii: "T") || s[i] == UInt8(ascii: "t") || s[i] == UInt8(ascii: " ")
      else { return nil }
      i += 1
      // The time: HH:MM[:SS[.f]], or without colons (HHMM[SS[.f]]) as in basic format.
      guard let h = number(2) else { return nil }
      let colons = expect(UInt8(ascii: ":"))
      guard let m = number(2) else { return nil }
      hh = h
      mi = m
      if colons ? expect(UInt8(ascii: ":")) : digitsAhead() >= 2 {
        guard let sec = number(2) else { return nil }
        ss = sec
        if expect(UInt8(ascii: ".")) {
          var digits = 0
          var beyond = false  // a digit past the ninth that is not 0
          while i < s.count, s[i] >= 48, s[i] <= 57 {
            if digits < 9 {
              frac = frac * 10 + Int64(s[i] - 48)
            } else if s[i] != 48 {
              beyond = true
            }
            digits += 1
            i += 1
          }
          guard digits > 0 else { return nil }
          // More than 9 digits are cut (found by FuzzPicks: `digits..<9` trapped at 10+).
          if digits < 9 { for _ in digits..<9 { frac *= 10 } }
          // Cut to exactly half a microsecond, a time above it would round to the even
          // microsecond below: one nanosecond more keeps it above (`.1234565001` is `.123457`,
          // as ObsPy reads it; a review).
          if beyond && frac % 1000 == 500 { frac += 1 }
        }
      }
      guard hh < 24, mi < 60, ss < 60 else {
        leapSecond = hh < 24 && mi < 60 && ss == 60
        return nil
      }
    }
    var offsetSeconds: Int64 = 0
    if i < s.count {
      if s[i] == UInt8(ascii: "Z") || s[i] == UInt8(ascii: "z") {
        i += 1
      } else if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
        let sign: Int64 = s[i] == UInt8(ascii: "+") ? 1 : -1
        i += 1
        guard let oh = number(2) else { return nil }
        // Minutes may be left out (`+01`), as ObsPy reads it.
        var om: Int64 = 0
        if i < s.count {
          _ = expect(UInt8(ascii: ":"))
          guard let minutes = number(2) else { return nil }
          om = minutes
        }
        // An offset is hours 00-23 and minutes 00-59, as ObsPy reads them (+99:99 moved the
        // time by 4 days, found by an adversarial sweep).
        guard oh < 24, om < 60 else { return nil }
        offsetSeconds = sign * (oh * 3600 + om * 60)
      }
    }
    guard i == s.count else { return nil }
    let days = Timestamp.days(fromCivil: y, m: mo, d: d)
    let secs = days * 86_400 + hh * 3600 + mi * 60 + ss - offsetSeconds
    // Years outside 1678...2261 do not fit Int64 nanoseconds: not a time this type holds
    // (found by FuzzPicks: a pick in year 1013 trapped here).
    let (whole, overflow) = secs.multipliedReportingOverflow(by: 1_000_000_000)
    let (total, overflow2) = whole.addingReportingOverflow(frac)
    guard !overflow, !overflow2 else { return .some(nil) }
    return total
  }

  // MARK: Calendar (proleptic Gregorian, Howard Hinnant's algorithms)

  static func days(fromCivil y0: Int64, m: Int64, d: Int64) -> Int64 {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? y + 1 : y, m, d)
  }

  /// Whether `year` of the Gregorian calendar has 366 days.
  static func isLeapYear(_ year: Int64) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  static func daysInMonth(year: Int64, month: Int64) -> Int64 {
    switch month {
    case 2: return isLeapYear(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Builds a time from a year, day of year (1-based) and time of day, as SEED and SAC headers hold it.
  public init(year: Int, dayOfYear: Int, hour: Int, minute: Int, second: Int, nanosecond: Int64) {
    let days = Timestamp.days(fromCivil: Int64(year), m: 1, d: 1) + Int64(dayOfYear - 1)
    let secs = days * 86_400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
    self.nanoseconds = secs * 1_000_000_000 + nanosecond
  }
}

extension Int64 {
  /// Quotient and remainder rounded toward negative infinity (the remainder is never negative).
  func floorDivided(by d: Int64) -> (Int64, Int64) {
    var q = self / d
    var r = self % d
    if r < 0 {
      q -= 1
      r += d
    }
    return (q, r)
  }
}
