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

  /// Why `data` is refused as a pick file, or nil when it is read.
  func reason(_ data: Data) -> String? {
    do {
      _ = try PickReader.parse(data)
      return nil
    } catch {
      return error.reason
    }
  }

  /// UTF-16 text was called invalid CSV, or its header echoed with NUL bytes; an empty file
  /// was said to lack a header row (a hostile-input sweep): each is said as what it is.
  @Test func utf16AndEmptyPickFilesAreNamedForWhatTheyAre() {
    let csv = "network,station,location,time,phase\nXX,A,,2020-01-01T00:00:00Z,P\n"
    let utf16 =
      "the file is UTF-16 (or holds NUL bytes): pick files are read as UTF-8; save it as UTF-8"
    #expect(reason(csv.data(using: .utf16)!) == utf16)  // with a byte-order mark
    #expect(reason(csv.data(using: .utf16LittleEndian)!) == utf16)
    #expect(reason("<q/>".data(using: .utf16BigEndian)!) == utf16)  // QuakeML, no mark
    #expect(reason(Data()) == "the file is empty: no picks (CSV or QuakeML)")
    #expect(reason(Data(" \n\r\n".utf8)) == "the file is empty: no picks (CSV or QuakeML)")
    #expect(reason(Data(csv.utf8)) == nil)
  }

  /// One pick, with `extra` inside its start tag, `inside` before its time, `comment` before
  /// the event parameters and `prolog` after the XML declaration.
  func quakeML(
    extra: String = "", inside: String = "", comment: String = "", prolog: String = ""
  ) -> Data {
    Data(
      """
      <?xml version="1.0"?>
      \(prolog)<q:quakeml xmlns:q="http://quakeml.org/xmlns/quakeml/1.2" xmlns="http://quakeml.org/xmlns/bed/1.2">
      \(comment)<eventParameters publicID="smi:x"><event publicID="smi:e"><pick publicID="smi:p"\(extra)>
      \(inside)<time><value>2020-01-01T00:00:00Z</value></time>
      <waveformID networkCode="XX" stationCode="A"/></pick></event></eventParameters></q:quakeml>
      """.utf8)
  }

  /// An `<!ENTITY` quoted in a comment or a CDATA section declares nothing: read (a sweep
  /// found such files refused); one declared for real, after a comment, is still refused.
  @Test func entityTextInACommentOrCDATADeclaresNothing() throws {
    for comment in [
      "<!-- an example: <!ENTITY x \"y\"> -->\n",
      "<!--\n<!ENTITY x SYSTEM \"file:///etc/passwd\">\n-->",
    ] {
      #expect(try PickReader.parse(quakeML(comment: comment)).picks.map(\.station) == ["A"])
    }
    let cdata = quakeML(inside: "<comment><text><![CDATA[<!ENTITY z \"w\">]]></text></comment>")
    #expect(try PickReader.parse(cdata).picks.count == 1)
    let declared = quakeML(prolog: "<!-- note -->\n<!DOCTYPE q [\n<!ENTITY x \"y\">\n]>\n")
    #expect {
      try PickReader.parse(declared)
    } throws: { error in
      (error as? PickFormatError).map { $0.line == 4 && $0.reason.contains("declares entities") }
        == true
    }
  }

  /// XML errors said "The operation could not be completed. (NSXMLParserErrorDomain error
  /// 76.)" (a sweep): they are said in words, with libxml2's number (the table is generated
  /// from lxml by tools/make_libxml2_errors.py).
  @Test(arguments: [
    ("&#0;", "invalid character (a character XML does not allow) (libxml2 error 9)"),
    ("&undefined;", "undeclared entity (libxml2 error 26)"),
    ("<a x='1' x='2'/>", "attribute redefined (libxml2 error 42)"),
  ])
  func xmlErrorsAreSaidInWords(body: String, words: String) throws {
    let data = quakeML(inside: body)
    #expect {
      try PickReader.parse(data)
    } throws: { error in
      (error as? PickFormatError)?.reason == "not well-formed XML: \(words)"
    }
  }

  /// An arrival's phase too long to store left its pick without a phase in silence (a
  /// sweep): the pick is kept, and a note on its line says why.
  @Test func anArrivalPhaseThatCannotBeStoredIsNoted() throws {
    let long = String(repeating: "P", count: 100)
    let xml = """
      <?xml version="1.0"?>
      <q:quakeml xmlns:q="http://quakeml.org/xmlns/quakeml/1.2" xmlns="http://quakeml.org/xmlns/bed/1.2">
      <eventParameters publicID="smi:x"><event publicID="smi:e">
      <pick publicID="smi:p"><time><value>2020-01-01T00:00:00Z</value></time>
      <waveformID networkCode="XX" stationCode="A"/></pick>
      <pick publicID="smi:q"><time><value>2020-01-01T00:01:00Z</value></time>
      <waveformID networkCode="XX" stationCode="A"/></pick>
      <origin publicID="smi:o"><time><value>2020-01-01T00:00:00Z</value></time>
      <arrival publicID="smi:a"><pickID>smi:p</pickID><phase>\(long)</phase></arrival>
      <arrival publicID="smi:b"><pickID>smi:q</pickID><phase>S</phase></arrival></origin>
      </event></eventParameters></q:quakeml>
      """
    let contents = try PickReader.parse(Data(xml.utf8))
    #expect(contents.picks.map(\.phase) == [nil, "S"])
    #expect(contents.problems.isEmpty)
    #expect(contents.notes.map(\.line) == [4])
    #expect(
      contents.notes.first?.reason.hasPrefix(
        "the phase of the arrival naming this pick cannot be stored (")
        == true)
    #expect(contents.notes.first?.reason.hasSuffix("): pick kept without a phase") == true)
  }

  /// A review found the pre-scan bypassed and FoundationXML crashed: a `<!NOTATION` in the
  /// DTD's internal subset crashed it (signal 11), and a `<!--` inside a processing instruction
  /// hid an `<!ENTITY` that was then expanded. An internal subset is refused whole, and a
  /// processing instruction is skipped whole.
  @Test func anInternalSubsetIsRefusedWholeAndAProcessingInstructionHidesNothing() throws {
    let subset =
      "QuakeML whose DTD has an internal subset (<!DOCTYPE ... [ ... ]>: declarations) is refused; QuakeML needs none"
    #expect(
      reason(quakeML(prolog: "<!DOCTYPE q:quakeml [ <!NOTATION n SYSTEM \"x\"> ]>\n")) == subset)
    #expect(
      reason(quakeML(prolog: "<!DOCTYPE q:quakeml [ <!NOTATION n PUBLIC \"<!--\"> ]>\n"))
        == subset)
    let hidden = quakeML(
      prolog: "<!DOCTYPE q:quakeml [ <?x <!-- ?> <!ENTITY net \"XX\"> <?y --> ?> ]>\n")
    #expect(reason(hidden)?.contains("declares entities") == true)
    let outside = quakeML(
      prolog: "<?x <!-- ?>\n<!DOCTYPE q [\n<!ENTITY net \"XX\">]>\n<?y --> ?>\n")
    #expect(reason(outside)?.contains("declares entities") == true)
    // A processing instruction quoting a comment's opening, before a plain file: read.
    #expect(try PickReader.parse(quakeML(prolog: "<?note <!-- ?>\n")).picks.count == 1)
    #expect(try PickReader.parse(quakeML(prolog: "<!DOCTYPE q:quakeml>\n")).picks.count == 1)
  }

  /// libxml2 takes time quadratic in an element's attributes (400,000 on one pick took 39 s;
  /// a sweep): more than `maximumAttributes` is refused before parsing, on the element's line.
  @Test func anElementWithThousandsOfAttributesIsRefusedAtOnce() throws {
    let many = (0..<200_000).map { " a\($0)=\"\($0)\"" }.joined()
    let started = Date()
    #expect {
      try PickReader.parse(quakeML(extra: many))
    } throws: { error in
      (error as? PickFormatError).map {
        $0.line == 3 && $0.reason.contains("more than 1000 attributes")
      } == true
    }
    #expect(Date().timeIntervalSince(started) < 2)
    // `=` and `>` inside quoted values are not attributes or the end of the tag.
    let quoted = (0..<10).map { " a\($0)=\"x=y>z\"" }.joined()
    #expect(try PickReader.parse(quakeML(extra: quoted)).picks.count == 1)
    #expect(QuakeMLPickReader.markupProblem(quakeML(extra: quoted)) == nil)
    // The pick's publicID and 999 more: at the limit, read.
    let limit = (1..<QuakeMLPickReader.maximumAttributes).map { " b\($0)='\($0)'" }.joined()
    #expect(try PickReader.parse(quakeML(extra: limit)).picks.count == 1)
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
