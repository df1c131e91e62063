import Testing

@testable import Seismic

@Suite struct TimestampTests {
  @Test func parsesAndPrintsMicroseconds() throws {
    let t = try #require(Timestamp(iso8601: "2026-03-01T00:06:16.649649Z"))
    #expect(t.iso8601 == "2026-03-01T00:06:16.649649Z")
    #expect(t.nanoseconds == 1_772_323_576_649_649_000)
  }

  @Test func acceptsMissingZoneAndFraction() throws {
    #expect(Timestamp(iso8601: "2026-03-01T00:06:16")?.iso8601 == "2026-03-01T00:06:16.000000Z")
    #expect(Timestamp(iso8601: "2026-03-01T00:06:16.5")?.nanoseconds == 1_772_323_576_500_000_000)
    #expect(Timestamp(iso8601: "1970-01-01T00:00:00+01:00")?.nanoseconds == -3_600_000_000_000)
  }

  @Test func rejectsMalformedText() {
    for bad in [
      "", "2026-13-01T00:00:00", "2026-02-30T00:00:00", "2026-03-01T25:00:00", "yesterday",
      "2026-03-01T00:06:16.Z",
    ] {
      #expect(Timestamp(iso8601: bad) == nil, "\(bad)")
    }
  }

  @Test func printsTimesBeforeTheEpoch() {
    #expect(Timestamp(nanoseconds: -1_000).iso8601 == "1969-12-31T23:59:59.999999Z")
  }

  @Test func roundsToTheNearestMicrosecond() {
    #expect(Timestamp(nanoseconds: 1_649_649_615).iso8601 == "1970-01-01T00:00:01.649650Z")
    #expect(Timestamp(nanoseconds: 1_649_649_499).iso8601 == "1970-01-01T00:00:01.649649Z")
    #expect(Timestamp(nanoseconds: 59_999_999_600).iso8601 == "1970-01-01T00:01:00.000000Z")
    #expect(Timestamp(nanoseconds: -1).iso8601 == "1970-01-01T00:00:00.000000Z")
  }

  @Test func buildsFromDayOfYear() {
    let t = Timestamp(year: 2008, dayOfYear: 366, hour: 23, minute: 59, second: 59, nanosecond: 0)
    #expect(t.iso8601 == "2008-12-31T23:59:59.000000Z")
  }
}
