import Foundation
import Seismic
import Store
import TestSupport
import Testing

@testable import Pipeline

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite struct ExportTests {
  @Test func csvHasTheContractColumnsOneRowPerWindowAndPickTimesToTheMicrosecond() throws {
    let fixture = try ExportFixture.make()
    let catalog = try Catalog.load(from: fixture.store)
    let text = CatalogFormat.csv.render(catalog)
    let rows = parseCSV(text)
    let header = try #require(rows.first)
    for column in [
      "window_id", "network", "station", "location", "time", "phase", "cluster", "probability",
      "channels", "run", "distance",
    ] {
      #expect(header.contains(column), "missing column \(column)")
    }
    #expect(!header.contains("label"), "no label column before relabel")
    let records = csvRecords(text)
    #expect(records.count == 12)
    #expect(records.map { $0["window_id"] } == fixture.families.map { String($0.key) })
    #expect(records.map { $0["cluster"] } == fixture.families.map { String($0.family) })
    let first = records[0]
    #expect(first["time"] == "2026-03-01T00:06:16.649649Z")
    // 1 h + 123 ns later: the sub-microsecond part is truncated, as ObsPy prints.
    #expect(records[1]["time"] == "2026-03-01T01:06:16.649649Z")
    #expect(records[3]["time"] == "2026-03-01T03:06:16.649649Z")
    #expect(first["network"] == "XX" && first["station"] == "STA1" && first["location"] == "")
    #expect(records[1]["location"] == "00")
    #expect(first["channels"] == "HHZ,HHN,HHE")
    // The pick's own channel, so that `picks import` of this file picks the same channel set
    // (a round-trip sweep found it lost, and windows cut from another band).
    #expect(records.map { $0["channel"] } == (0..<12).map { $0 % 4 == 0 ? "HHZ" : "" })
    let picks = try PickCSVReader.parse(text).picks
    #expect(picks.map(\.channel) == (0..<12).map { $0 % 4 == 0 ? "HHZ" : nil })
    #expect(first["run"] == String(fixture.runID))
    #expect(Double(first["probability"]!) == 0.6)
    #expect(Double(records[1]["distance"]!)! == 0.2)
    for r in records {
      let time = try #require(r["time"])
      #expect(time.count == 27 && time.hasSuffix("Z"), "\(time) is not ISO 8601 with microseconds")
    }
  }

  @Test func csvQuotesCommasAndQuotesAndReadsBackExactly() throws {
    let fixture = try ExportFixture.make(labelled: true)
    let text = CatalogFormat.csv.render(try Catalog.load(from: fixture.store))
    // Station `B,x` and phase `P"g,1` need quoting; the quote is doubled.
    #expect(text.contains(#",YY,"B,x",10,"#))
    #expect(text.contains(#""P""g,1""#))
    #expect(text.contains(#""noise, ""low"" <&>""#))
    let records = csvRecords(text)
    #expect(records[2]["station"] == "B,x")
    #expect(records[2]["phase"] == "P\"g,1")
    #expect(records[0]["label"] == "noise, \"low\" <&>")
    // Every row has as many fields as the header.
    let rows = parseCSV(text)
    #expect(Set(rows.map(\.count)) == [rows[0].count])
  }

  @Test func labelColumnsAppearOnlyOnceTheRunCarriesLabels() throws {
    let fixture = try ExportFixture.make(labelled: true)
    let relabelled = try Catalog.load(from: fixture.store)
    #expect(relabelled.run.kind == .relabel, "the latest complete run is the relabel run")
    let records = csvRecords(CatalogFormat.csv.render(relabelled))
    #expect(records[0]["label"] == "noise, \"low\" <&>")
    #expect(records[1]["label"] == "quake")
    #expect(records[2]["label"] == "", "a window without a label has an empty cell")
    #expect(records[0]["label_probability"] == "0.875")
    #expect(records[2]["label_probability"] == "")
    #expect(records[0]["hand_labelled"] == "true" && records[1]["hand_labelled"] == "false")
    // The parent clustering run, asked for by id, still has no label columns.
    let parent = try #require(relabelled.run.parentRunId)
    let clusterCSV = CatalogFormat.csv.render(try Catalog.load(from: fixture.store, runID: parent))
    #expect(!parseCSV(clusterCSV)[0].contains("label"))
    #expect(!parseCSV(clusterCSV)[0].contains("label_probability"))
  }

  @Test func jsonHoldsTheRunWithItsOptionsAndTypedWindowsThatAgreeWithTheCSV() throws {
    let fixture = try ExportFixture.make(labelled: true)
    let catalog = try Catalog.load(from: fixture.store)
    let json = CatalogFormat.json.render(catalog)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let run = try #require(object["run"] as? [String: Any])
    #expect(run["id"] as? Int == Int(fixture.runID))
    #expect(run["kind"] as? String == "relabel")
    #expect(run["clusters"] as? Int == 2)
    #expect(run["seed"] as? Int == 3)
    #expect(run["version"] as? String == "0.1.0")
    #expect((run["options"] as? [String: Any])?["labels"] as? String == "hand.csv")
    let windows = try #require(object["windows"] as? [[String: Any]])
    let records = csvRecords(CatalogFormat.csv.render(catalog))
    #expect(windows.count == records.count)
    for (w, r) in zip(windows, records) {
      #expect(w["window_id"] as? Int == Int(r["window_id"]!))
      #expect(w["cluster"] as? Int == Int(r["cluster"]!))
      #expect(w["probability"] as? Double == Double(r["probability"]!))
      #expect(w["time"] as? String == r["time"])
      #expect(w["station"] as? String == r["station"])
      #expect(w["phase"] as? String == r["phase"])
      if r["label"] == "" {
        #expect(w["label"] is NSNull)
      } else {
        #expect(w["label"] as? String == r["label"])
      }
    }
    // Key order is stable and meaningful: window_id first.
    #expect(json.contains("{\n      \"window_id\": 100,"))
    // The clustering run's options come through as an object with typed values.
    let parent = try Catalog.load(from: fixture.store, runID: catalog.run.parentRunId)
    let parentJSON = try #require(
      try JSONSerialization.jsonObject(with: Data(CatalogFormat.json.render(parent).utf8))
        as? [String: Any])
    let options = try #require((parentJSON["run"] as? [String: Any])?["options"] as? [String: Any])
    #expect(options["filters"] as? [Int] == [8, 4, 2, 1])
    #expect(options["learning_rate"] as? Double == 0.001)
    // ...and every option also sits in the run object itself.
    let parentRun = try #require(parentJSON["run"] as? [String: Any])
    #expect(parentRun["epochs"] as? Int == 20)
    #expect(parentRun["learning_rate"] as? Double == 0.001)
    #expect(CatalogFormat.json.render(parent).contains(#""filters": [8, 4, 2, 1]"#))
    // Options stored as JSON text (a window set's build parameters) come out as objects.
    let nested = CatalogJSONWriter.parametersUnwrapped(
      try JSONValue(
        parsing:
          #"{"window_set": {"parameters": "{\"before\": 5, \"rate\": 100}", "id": 1}, "note": "{x}"}"#
      ))
    // (Parsed objects keep their keys sorted.)
    #expect(
      nested
        == .object([
          ("note", .string("{x}")),
          (
            "window_set",
            .object([
              ("id", .integer(1)),
              ("parameters", .object([("before", .integer(5)), ("rate", .integer(100))])),
            ])
          ),
        ]))
  }

  @Test func quakeMLHasOneEventPerWindowWithItsPickAndTheResultsInTheSeisclusterNamespace()
    throws
  {
    let fixture = try ExportFixture.make(labelled: true)
    let catalog = try Catalog.load(from: fixture.store)
    let xml = CatalogFormat.quakeml.render(catalog)
    let events = try QuakeMLEvents.parse(xml)
    #expect(events.count == 12)
    for (event, entry) in zip(events, catalog.entries) {
      #expect(
        event.publicID == "smi:local/seiscluster/run/\(fixture.runID)/window/\(entry.windowID)")
      #expect(event.pickTime == entry.pickTime?.iso8601)
      #expect(event.waveformID["networkCode"] == entry.network)
      #expect(event.waveformID["stationCode"] == entry.station)
      #expect(event.waveformID["locationCode"] == entry.location)
      #expect(event.phaseHint == entry.phase)
      #expect(event.extra["cluster"] == String(entry.cluster))
      #expect(event.extra["probability"].flatMap(Double.init) == entry.probability)
      #expect(event.extra["run"] == String(fixture.runID))
      #expect(event.extra["label"] == entry.label)
    }
    // The pick's own channel when it has one, else the window's first (vertical) channel.
    #expect(events.allSatisfy { $0.waveformID["channelCode"] == "HHZ" })
    #expect(events[0].extra["label"] == "noise, \"low\" <&>", "escaped and read back intact")
    #expect(xml.contains("noise, &quot;low&quot; &lt;&amp;&gt;"))
  }

  /// A pick that names band and instrument codes alone (PhaseNet's `HH`) was written as
  /// `channelCode="HH"`, a channel no SEED tool knows (a review of the pickers' tables): it is
  /// reported on the window's first channel. A whole channel code stays the pick's own.
  @Test func aPickOfBandAndInstrumentAloneIsReportedOnTheWindowsChannel() {
    func entry(_ pickChannel: String?, channels: String = "HHZ,HHN,HHE") -> CatalogEntry {
      CatalogEntry(
        windowID: 1, network: "CI", station: "CCC", location: "", channels: channels,
        pickChannel: pickChannel, pickTime: nil, phase: "P", cluster: 0, probability: 1,
        distance: 0)
    }
    #expect(entry("HH").reportedChannel == "HHZ")
    #expect(entry(nil).reportedChannel == "HHZ")
    #expect(entry("HHN").reportedChannel == "HHN")
    #expect(entry("HH", channels: "").reportedChannel == "HH")
  }

  @Test func quakeMLWritesWhatXMLCannotHoldAsReplacementCharactersAndCountsTheWindows() throws {
    let fixture = try ExportFixture.make(labelled: true)
    var catalog = try Catalog.load(from: fixture.store)
    #expect(CatalogQuakeMLWriter.replacedEntries(in: catalog) == 0)
    // A store filled before picks import refused control characters may hold them.
    catalog.entries[0].phase = "P\u{1}g"
    catalog.entries[1].station = "S\u{0}1"
    catalog.entries[1].label = "a\u{FFFF}"
    catalog.entries[2].label = "tab\there"  // a tab is XML: kept, as a character reference
    #expect(CatalogQuakeMLWriter.replacedEntries(in: catalog) == 2)
    // Codes and phase are written with a pick only: a window without a pick time is not
    // counted for them.
    var unpicked = catalog
    unpicked.entries[0].pickTime = nil
    #expect(CatalogQuakeMLWriter.replacedEntries(in: unpicked) == 1)
    #expect(!CatalogFormat.quakeml.render(unpicked).contains("P\u{FFFD}g"))
    let xml = CatalogFormat.quakeml.render(catalog)
    let events = try QuakeMLEvents.parse(xml)
    #expect(events.count == 12, "the file stays well-formed")
    #expect(events[0].phaseHint == "P\u{FFFD}g")
    #expect(events[1].waveformID["stationCode"] == "S\u{FFFD}1")
    #expect(events[1].extra["label"] == "a\u{FFFD}")
    #expect(events[2].extra["label"] == "tab\there")
  }

  @Test func quakeMLCountsWindowsWhoseCodesAreLongerThanItsSchemaAllows() throws {
    let fixture = try ExportFixture.make(labelled: true)
    var catalog = try Catalog.load(from: fixture.store)
    #expect(CatalogQuakeMLWriter.overlongCodes(in: catalog).windows == 0)
    // Eight characters is the schema's limit, counted in characters, not bytes.
    catalog.entries[0].station = "ABCDEFGH"
    catalog.entries[1].network = "ÄÖÜÄÖÜÄÖ"
    #expect(CatalogQuakeMLWriter.overlongCodes(in: catalog).windows == 0)
    catalog.entries[2].station = "LONGSTATION12345"
    catalog.entries[3].location = "123456789"
    catalog.entries[4].network = "N2345678"
    let overlong = CatalogQuakeMLWriter.overlongCodes(in: catalog)
    #expect(overlong.windows == 2)
    #expect(overlong.first == "LONGSTATION12345")
    // Written as they are: the warning, not the file, says the schema is not met.
    let events = try QuakeMLEvents.parse(CatalogFormat.quakeml.render(catalog))
    #expect(events[2].waveformID["stationCode"] == "LONGSTATION12345")
    // Codes are written with a pick only.
    catalog.entries[2].pickTime = nil
    #expect(CatalogQuakeMLWriter.overlongCodes(in: catalog).windows == 1)
    #expect(CatalogQuakeMLWriter.overlongCodes(in: catalog).first == "123456789")
  }

  @Test func seedsAbove2To63AreWrittenAsGivenInTheJSONAndTheReport() throws {
    // `--seed` takes any UInt64; the run stores its bit pattern. The JSON and the report said
    // -1 and 1.8446744073709552e+19 for 18446744073709551615 (found by an adversarial sweep).
    let fixture = try ExportFixture.make(seed: .max)
    let catalog = try Catalog.load(from: fixture.store)
    let json = CatalogFormat.json.render(catalog)
    #expect(json.contains(#""seed": 18446744073709551615"#), "\(json.prefix(600))")
    #expect(!json.contains("-1,") && !json.contains("e+19"))
    let html = try HTMLReport.load(from: fixture.store).render()
    #expect(html.contains("18446744073709551615"))
    #expect(!html.contains("e+19") && !html.contains("<code>-1</code>"))
    #expect(
      try JSONValue(parsing: "[18446744073709551615, -3, 2.5]")
        == .array([.unsigned(.max), .integer(-3), .number(2.5)]))
  }

  @Test func seisBenchMetadataHasSeisBenchColumnsAndArrivalSamples() throws {
    let fixture = try ExportFixture.make()
    let text = CatalogFormat.seisbench.render(try Catalog.load(from: fixture.store))
    let records = csvRecords(text)
    #expect(records.count == 12)
    let first = records[0]
    #expect(first["trace_name"] == "100")
    #expect(first["station_network_code"] == "XX" && first["station_code"] == "STA1")
    #expect(first["station_location_code"] == "")
    // The window starts 2 s before the pick.
    #expect(first["trace_start_time"] == "2026-03-01T00:06:14.649649Z")
    #expect(first["trace_sampling_rate_hz"] == "100.0")
    #expect(first["trace_npts"] == "1000")
    #expect(first["trace_component_order"] == "ZNE")
    #expect(first["trace_P_arrival_sample"] == "200")
    #expect(
      records[1]["trace_S_arrival_sample"] == "200" && records[1]["trace_P_arrival_sample"] == "")
    #expect(first["cluster"] == "0" && first["cluster_probability"] == "0.6")
    #expect(first["label"] == "")
  }

  /// A Z12 station's windows hold channels 1 and 2 in the N and E rows: SeisBench is told ZNE
  /// (with Z12 its `component_order="ZNE"` loader zero-filled both rows), and `trace_channels`
  /// keeps the codes. Arrival columns keep the phase's case, as SeisBench's labellers read
  /// them: a depth phase pP and a surface reflection PP were both `trace_pp_arrival_sample`.
  @Test func seisBenchMetadataNamesOrientationsAsTheRowsHoldThemAndPhasesAsGiven() throws {
    let fixture = try ExportFixture.make()
    try fixture.store.writer.write { db in
      try db.execute(sql: "UPDATE windows SET channels = 'EHZ,EH1,EH2' WHERE window_key = 100")
      try db.execute(sql: "UPDATE windows SET phase = 'pP' WHERE window_key = 100")
      try db.execute(sql: "UPDATE windows SET phase = 'PP' WHERE window_key = 103")
    }
    let records = csvRecords(CatalogFormat.seisbench.render(try Catalog.load(from: fixture.store)))
    let first = try #require(records.first { $0["trace_name"] == "100" })
    let second = try #require(records.first { $0["trace_name"] == "103" })
    #expect(first["trace_component_order"] == "ZNE")
    #expect(first["trace_channels"] == "EHZ,EH1,EH2")
    #expect(first["trace_pP_arrival_sample"] == "200" && first["trace_PP_arrival_sample"] == "")
    #expect(second["trace_PP_arrival_sample"] == "200" && second["trace_pP_arrival_sample"] == "")
    #expect(records.allSatisfy { $0["trace_pp_arrival_sample"] == nil })
    #expect(SeisBenchMetadataWriter.componentOrder(["HHZ"]) == "Z")
    #expect(SeisBenchMetadataWriter.componentOrder(["BHZ", "BHN", "BHE"]) == "ZNE")
    #expect(SeisBenchMetadataWriter().arrivalColumnPhase("S*") == "")
    #expect(SeisBenchMetadataWriter().arrivalColumnPhase("Pg") == "Pg")
  }

  /// Spectrogram windows: the trace columns give the waveform window they were computed from
  /// (its rate and samples, from the options that built the set); imported spectrograms, whose
  /// waveforms are unknown, leave them empty.
  @Test func seisBenchMetadataOfSpectrogramsDescribesTheirWaveformWindow() throws {
    let fixture = try ExportFixture.make(inputKind: .spectrogram)
    func first() throws -> [String: String] {
      try #require(
        csvRecords(CatalogFormat.seisbench.render(try Catalog.load(from: fixture.store))).first)
    }
    // The fixture's parameters hold no build options, as an imported set's do not.
    var row = try first()
    #expect(row["trace_sampling_rate_hz"] == "" && row["trace_npts"] == "")
    #expect(row["trace_P_arrival_sample"] == "")
    try fixture.store.writer.write { db in
      try db.execute(
        sql: "UPDATE window_sets SET parameters_json = ? WHERE id = ?",
        arguments: [
          #"{"options":{"before":2,"after":8,"rate":100,"input":"spectrogram"}}"#, fixture.setID,
        ])
    }
    row = try first()
    #expect(row["trace_sampling_rate_hz"] == "100.0")
    #expect(row["trace_npts"] == "1000")
    #expect(row["trace_P_arrival_sample"] == "200")
    #expect(row["trace_start_time"] == "2026-03-01T00:06:14.649649Z")
  }

  @Test func theLatestCompleteRunIsExportedUnlessAnotherIsNamed() throws {
    let fixture = try ExportFixture.make()
    // A newer run that is still running is not the latest complete run.
    _ = try fixture.store.createRun(
      RunRecord(
        kind: .cluster, windowSetId: fixture.setID, version: "0.1.0", seed: 0, clusterCount: 3,
        optionsJson: "{}"))
    #expect(try Catalog.load(from: fixture.store).runID == fixture.runID)
    #expect(throws: InputError.self) { try Catalog.load(from: fixture.store, runID: 999) }
    #expect(throws: InputError.self) {
      try Catalog.load(from: fixture.store, runID: fixture.runID + 1)
    }
    #expect(throws: InputError.self) { try Catalog.load(from: try SeisStore()) }
  }

  @Test func anExistingFileIsNeverOverwrittenWithoutForce() throws {
    let folder = try TestPaths.temporaryDirectory("export")
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("catalog.csv").path
    try OutputFile.write("first\n", to: path, force: false)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "first\n")
    do {
      try OutputFile.write("second\n", to: path, force: false)
      Issue.record("overwrote without --force")
    } catch let error as InputError {
      #expect(error.description == "\(path): exists (use --force to overwrite)")
    }
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "first\n")
    try OutputFile.write("third\n", to: path, force: true)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "third\n")
    // No temporary file is left behind, whether the write succeeded or was refused.
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["catalog.csv"])
  }

  @Test func aWriteThatCannotFinishLeavesNoFileBehind() throws {
    let folder = try TestPaths.temporaryDirectory("export")
    defer { try? FileManager.default.removeItem(at: folder) }
    // The destination's folder does not exist.
    let missing = folder.appendingPathComponent("nope/catalog.json").path
    #expect(throws: InputError.self) { try OutputFile.write("{}", to: missing, force: true) }
    // The destination is a folder.
    let sub = folder.appendingPathComponent("sub")
    try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: false)
    #expect(throws: InputError.self) { try OutputFile.write("{}", to: sub.path, force: true) }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["sub"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: sub.path).isEmpty)
  }

  /// With SEISCLUSTER_EXPORT_SAMPLES set, writes a labelled store and its catalogs in every
  /// format there, for tools/check_export.py (ObsPy, csv and json modules) to read.
  @Test func samplesForThePythonCheckAreWrittenWhenAsked() throws {
    guard let folder = ProcessInfo.processInfo.environment["SEISCLUSTER_EXPORT_SAMPLES"] else {
      return
    }
    try FileManager.default.createDirectory(
      atPath: folder, withIntermediateDirectories: true)
    let storePath = folder + "/export-sample.sqlite"
    for suffix in ["", "-wal", "-shm"] {
      try? FileManager.default.removeItem(atPath: storePath + suffix)
    }
    let fixture = try ExportFixture.make(store: try SeisStore(path: storePath), labelled: true)
    let catalog = try Catalog.load(from: fixture.store)
    for format in CatalogFormat.allCases {
      let ext =
        format == .quakeml ? "xml" : (format == .seisbench ? "seisbench.csv" : format.rawValue)
      let path = folder + "/catalog.\(ext)"
      try OutputFile.write(format.render(catalog), to: path, force: true)
      #expect(FileManager.default.fileExists(atPath: path))
    }
  }
}

/// The parts of a QuakeML file the tests check, read with a namespace-aware XML parser.
final class QuakeMLEvents: NSObject, XMLParserDelegate {
  struct Event {
    var publicID = ""
    var pickTime: String?
    var waveformID: [String: String] = [:]
    var phaseHint: String?
    var extra: [String: String] = [:]
  }
  var events: [Event] = []
  private var path: [String] = []
  private var text = ""
  private var failure: (any Error)?

  static func parse(_ xml: String) throws -> [Event] {
    let reader = QuakeMLEvents()
    let parser = XMLParser(data: Data(xml.utf8))
    parser.shouldProcessNamespaces = true
    parser.delegate = reader
    guard parser.parse() else { throw parser.parserError ?? MissingValue() }
    return reader.events
  }

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
    qualifiedName: String?, attributes: [String: String] = [:]
  ) {
    let ns = namespaceURI ?? ""
    path.append(ns == "urn:seiscluster:1" ? "sc:" + name : name)
    text = ""
    if name == "event" && ns == "http://quakeml.org/xmlns/bed/1.2" {
      events.append(Event(publicID: attributes["publicID"] ?? ""))
    }
    if name == "waveformID" { events[events.count - 1].waveformID = attributes }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

  func parser(
    _ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?
  ) {
    let tail = path.suffix(3).joined(separator: "/")
    if tail == "pick/time/value" { events[events.count - 1].pickTime = text }
    if path.suffix(2).joined(separator: "/") == "pick/phaseHint" {
      events[events.count - 1].phaseHint = text
    }
    if let last = path.last, last.hasPrefix("sc:"), path.dropLast().last == "event" {
      events[events.count - 1].extra[String(last.dropFirst(3))] = text
    }
    path.removeLast()
    text = ""
  }
}
