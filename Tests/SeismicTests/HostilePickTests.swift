import Foundation
import TestSupport
import Testing

@testable import Seismic

/// Pick files built to hurt: entity declarations in QuakeML and valid dates the store cannot
/// hold (issue 17, item 16). Fixtures: `tools/make_hostile_fixtures.py`.
@Suite struct HostilePickTests {
  static let folder = TestPaths.fixtures.appendingPathComponent("hostile")

  func refusal(_ name: String) -> PickFormatError? {
    do {
      _ = try PickReader.read(contentsOf: Self.folder.appendingPathComponent(name))
      return nil
    } catch {
      return error
    }
  }

  @Test(arguments: ["quakeml-external-entity.xml", "quakeml-entity-bomb.xml"])
  func quakeMLDeclaringEntitiesIsRefusedInOneClearLine(name: String) throws {
    let error = try #require(refusal(name))
    #expect(error.description.contains("declares entities"), "\(error)")
    #expect(!error.description.contains("NSXMLParserErrorDomain"))
    #expect(error.line == 3)
  }

  @Test func quakeMLNamingAnExternalDTDIsRefusedAndAPlainDoctypeIsRead() throws {
    #expect(refusal("quakeml-external-dtd.xml")?.description.contains("external DTD") == true)
    let contents = try PickReader.read(
      contentsOf: Self.folder.appendingPathComponent("quakeml-doctype-only.xml"))
    #expect(contents.picks.map(\.station) == ["STA"])
  }

  /// Codes and phases that no text format can hold are row problems: controls, and the
  /// non-characters U+FFFE and U+FFFF (QuakeML export would write them as U+FFFD).
  @Test func nonCharactersInCodesAndPhasesAreRowProblems() {
    func problem(station: String = "STA", phase: String? = "P") -> String? {
      Pick.textProblem(
        network: "XX", station: station, location: "", channel: "HHZ", phase: phase, note: nil)
    }
    #expect(problem() == nil)
    #expect(problem(station: "S\u{FFFE}") == "a non-character (U+FFFE) in the station code")
    #expect(problem(phase: "P\u{FFFF}") == "a non-character (U+FFFF) in the phase")
    #expect(problem(station: "S\u{1}") == "a control character in the station code")
    #expect(problem(station: "Ståß", phase: "Pn\u{00A0}") == nil, "other text is kept")
  }

  @Test func validDatesOutsideTheStorableYearsAreCalledThatNotUnreadable() throws {
    let contents = try PickReader.read(
      contentsOf: Self.folder.appendingPathComponent("picks-outside-storable-years.csv"))
    #expect(contents.picks.count == 1)
    let reasons = contents.problems.map(\.reason)
    #expect(reasons.count == 6)
    #expect(
      reasons.prefix(5).allSatisfy {
        $0.contains(
          "outside the storable range (1677-09-21T00:12:44Z to 2262-04-11T23:47:16.854775807Z)")
      })
    #expect(reasons.last == "cannot read time '2026-02-30T00:00:00Z' as ISO 8601")
  }

  @Test func quakeMLPickTimesOutsideTheStorableYearsSaySo() throws {
    let xml = """
      <q:quakeml xmlns:q="http://quakeml.org/xmlns/quakeml/1.2" xmlns="http://quakeml.org/xmlns/bed/1.2">
      <eventParameters publicID="smi:x"><event publicID="smi:e"><pick publicID="smi:p">
      <time><value>9999-12-31T23:59:59Z</value></time>
      <waveformID networkCode="XX" stationCode="A"/></pick></event></eventParameters></q:quakeml>
      """
    let contents = try PickReader.parse(Data(xml.utf8))
    #expect(contents.problems.first?.reason.contains("outside the storable range") == true)
  }
}
