import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Reads picks from QuakeML 1.2 (`eventParameters/event/pick`, also picks directly under
/// `eventParameters`): `waveformID` attributes `networkCode`, `stationCode`, `locationCode`,
/// `channelCode`; `time/value`; `phaseHint`, or else the `phase` of an origin's `arrival` that
/// names the pick by `pickID` (located catalogs often give the phase there only; the first
/// arrival naming a pick gives it). Namespaces are matched by local name, so ObsPy's and
/// other writers' prefixes all work. A `label` element in seiscluster's namespace
/// (`urn:seiscluster:1`, as `seiscluster export --format quakeml` writes) on the event becomes the
/// note of that event's picks.
public enum QuakeMLPickReader {
  /// Namespace of seiscluster's extra elements.
  public static let seisclusterNamespace = "urn:seiscluster:1"

  /// Parses QuakeML bytes. Picks without a usable station or time are returned as problems with
  /// the line of their `<pick>` element; XML that does not parse throws.
  public static func parse(_ data: Data) throws(PickFormatError) -> PickFileContents {
    // FoundationXML traps on element names that are not UTF-8 (found by FuzzPicks): QuakeML is
    // UTF-8, so anything else is refused before the parser sees it.
    guard String(data: data, encoding: .utf8) != nil else {
      throw PickFormatError(reason: "QuakeML is not valid UTF-8")
    }
    // QuakeML needs no entities: a document type declaration can declare external ones (files
    // read into the document) or expansions (a few lines growing to gigabytes). libxml2 refuses
    // both, as "NSXMLParserErrorDomain error 29/89": refuse them before parsing, and say what
    // they are. A plain `<!DOCTYPE q:quakeml>` is harmless and read, as ObsPy reads it. The same
    // pass refuses processing instructions without data, on which FoundationXML calls
    // strlen(NULL) (`<?xml?>`, `<?x?>`; found by FuzzPicks).
    if let (line, why) = markupProblem(data) {
      throw PickFormatError(line: line, reason: why)
    }
    let delegate = Delegate()
    // Fed as a stream, in chunks: `XMLParser(data:)` hands libxml2 the whole document in one
    // chunk, which it refuses beyond 10 MB ("not well-formed XML" at a line past the end).
    let parser = XMLParser(stream: InputStream(data: data))
    parser.shouldProcessNamespaces = true
    parser.delegate = delegate
    let parsed = parser.parse()
    // FoundationXML on Linux lets some mismatched or unclosed tags through: check the nesting too.
    if let (line, reason) = delegate.structureError {
      throw PickFormatError(line: line, reason: "not well-formed XML: \(reason)")
    }
    guard parsed else {
      let reason = parser.parserError.map(describe) ?? "unknown error"
      throw PickFormatError(line: parser.lineNumber, reason: "not well-formed XML: \(reason)")
    }
    guard delegate.sawQuakeML else {
      if let namespace = delegate.foreignEventParameters {
        throw PickFormatError(
          reason:
            "not QuakeML: its eventParameters element is in namespace \(namespace), not QuakeML's (http://quakeml.org/xmlns/bed/1.2)"
        )
      }
      throw PickFormatError(reason: "not QuakeML (no eventParameters element)")
    }
    let (picks, notes) = delegate.pickedWithArrivalPhases()
    return PickFileContents(picks: picks, problems: delegate.problems, notes: notes)
  }

  /// A parser error in words, then libxml2's number: Foundation's description was "The
  /// operation could not be completed. (NSXMLParserErrorDomain error 76.)" (a hostile-input
  /// sweep). The numbers are libxml2's (`LibXML2Errors`, generated from lxml).
  static func describe(_ error: any Error) -> String {
    let number = (error as NSError).code
    guard let words = LibXML2Errors.words[number] else { return "libxml2 error \(number)" }
    return "\(words) (libxml2 error \(number))"
  }

  /// The most attributes an element may carry. QuakeML's carry a few; libxml2 takes time
  /// quadratic in their number (one `<pick>` with 400,000 took 39 s; a hostile-input sweep).
  static let maximumAttributes = 1_000

  /// The line and a one-line reason when the document declares entities (`<!ENTITY`), names an
  /// external DTD (`<!DOCTYPE ... SYSTEM|PUBLIC ...>`, which could declare them), has a DTD
  /// internal subset, an element with more than `maximumAttributes` attributes or a processing
  /// instruction without data; or nil. One pass over the bytes,
  /// comments and CDATA sections skipped (an `<!ENTITY` quoted in a comment was refused).
  static func markupProblem(_ data: Data) -> (line: Int, reason: String)? {
    data.withUnsafeBytes { raw -> (line: Int, reason: String)? in
      let bytes = raw.bindMemory(to: UInt8.self)
      let n = bytes.count
      var line = 1
      func starts(_ needle: StaticString, at i: Int) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard i + count <= n else { return false }
        let p = needle.utf8Start
        for k in 0..<count where bytes[i + k] != p[k] { return false }
        return true
      }
      /// The index just past `terminator` from `i`, counting lines; `n` when it never comes.
      func skip(to terminator: StaticString, from i: Int) -> Int {
        var j = i
        while j < n {
          if starts(terminator, at: j) { return j + terminator.utf8CodeUnitCount }
          if bytes[j] == 0x0A { line += 1 }
          j += 1
        }
        return n
      }
      func blank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
      }
      let lt = UInt8(ascii: "<")
      let gt = UInt8(ascii: ">")
      let entities =
        "QuakeML that declares entities (<!ENTITY>: external files or expansions) is refused; QuakeML needs none"
      var i = 0
      while i < n {
        let b = bytes[i]
        if b == 0x0A { line += 1 }
        guard b == lt, i + 1 < n else {
          i += 1
          continue
        }
        if starts("<?", at: i) {
          // Its target, then only blanks before `?>`: no data.
          var j = i + 2
          while j < n, !blank(bytes[j]), bytes[j] != UInt8(ascii: "?") { j += 1 }
          while j < n, blank(bytes[j]) { j += 1 }
          if starts("?>", at: j) {
            return (line, "not well-formed XML: a processing instruction without data")
          }
          // A processing instruction, whole: a `<!--` inside it hid what followed (a review).
          i = skip(to: "?>", from: i + 2)
        } else if starts("<!--", at: i) {
          i = skip(to: "-->", from: i + 4)
        } else if starts("<![CDATA[", at: i) {
          i = skip(to: "]]>", from: i + 9)
        } else if starts("<!ENTITY", at: i) {
          return (line, entities)
        } else if starts("<!DOCTYPE", at: i) {
          // The external identifier comes before any internal subset (`[`).
          var j = i
          while j < n, bytes[j] != gt, bytes[j] != UInt8(ascii: "[") {
            if bytes[j] == 0x0A { line += 1 }
            j += 1
          }
          let declaration = String(
            decoding: UnsafeBufferPointer(rebasing: bytes[i..<j]), as: UTF8.self)
          if declaration.contains("SYSTEM") || declaration.contains("PUBLIC") {
            return (
              line,
              "QuakeML that names an external DTD (<!DOCTYPE ... SYSTEM>) is refused; QuakeML needs none"
            )
          }
          if j < n, bytes[j] == UInt8(ascii: "[") {
            // An internal subset declares things QuakeML never needs, and its comments and
            // processing instructions can hide declarations from a scan (a review); a
            // `<!NOTATION` there crashed FoundationXML. Refused whole; an `<!ENTITY` anywhere
            // after it is named, on its line.
            let subsetLine = line
            var k = j
            while k < n {
              if starts("<!ENTITY", at: k) { return (line, entities) }
              if bytes[k] == 0x0A { line += 1 }
              k += 1
            }
            return (
              subsetLine,
              "QuakeML whose DTD has an internal subset (<!DOCTYPE ... [ ... ]>: declarations) is refused; QuakeML needs none"
            )
          }
          i = j + 1
        } else if bytes[i + 1] != UInt8(ascii: "?"), bytes[i + 1] != UInt8(ascii: "!"),
          bytes[i + 1] != UInt8(ascii: "/")
        {
          // A start tag: its attributes are the `=` outside quoted values.
          let tagLine = line
          var quote: UInt8 = 0
          var attributes = 0
          var j = i + 1
          while j < n {
            let c = bytes[j]
            if c == 0x0A { line += 1 }
            if quote != 0 {
              if c == quote { quote = 0 }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
              quote = c
            } else if c == UInt8(ascii: "=") {
              attributes += 1
              if attributes > maximumAttributes {
                return (
                  tagLine,
                  "an element with more than \(maximumAttributes) attributes is refused (QuakeML's have a few)"
                )
              }
            } else if c == gt {
              break
            }
            j += 1
          }
          i = j + 1
        } else {
          i += 1
        }
      }
      return nil
    }
  }

  private final class Delegate: NSObject, XMLParserDelegate {
    struct PartialPick {
      var line: Int
      var network: String?
      var station: String?
      var location = ""
      var channel: String?
      var timeText: String?
      var phase: String?
      var id: String?
      var hasWaveformID = false
    }

    var picks: [Pick] = []
    /// Each pick's `publicID`, in `picks` order.
    var pickIDs: [String?] = []
    /// The line of each of `picks`' elements.
    var pickLines: [Int] = []
    /// The phase of the first arrival naming each pick (`arrival/pickID`).
    var arrivalPhases: [String: String] = [:]
    private var arrival: (pickID: String?, phase: String?)?
    private var eventPickIDs: [String?] = []
    private var eventPickLines: [Int] = []
    var problems: [PickProblem] = []
    var sawQuakeML = false
    /// The namespace of the first `eventParameters` element of another namespace, not read.
    var foreignEventParameters: String?
    var structureError: (Int, String)?
    private var path: [String] = []
    private var text = ""
    private var current: PartialPick?
    private var eventPicks: [Pick] = []
    private var eventProblems: [PickProblem] = []
    private var eventLabel: String?
    private var inEvent = false
    /// How deep the parser is inside an element of another namespace (an extension such as
    /// SeisComP's): its contents are not QuakeML's (ObsPy files such elements under `extra`).
    private var foreignDepth = 0

    /// Whether an element of `namespace` is read: QuakeML's own, this tool's, or none given (a
    /// hand-made file without namespaces).
    static func isRead(namespace: String?) -> Bool {
      guard let namespace, !namespace.isEmpty else { return true }
      return namespace.contains("quakeml.org/xmlns/")
        || namespace == QuakeMLPickReader.seisclusterNamespace
    }

    func parser(
      _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
      qualifiedName: String?, attributes: [String: String] = [:]
    ) {
      path.append(name)
      text = ""
      if foreignDepth > 0 || !Self.isRead(namespace: namespaceURI) {
        if name == "eventParameters", foreignEventParameters == nil {
          foreignEventParameters = namespaceURI
        }
        foreignDepth += 1
        return
      }
      switch name {
      case "eventParameters": sawQuakeML = true
      case "event":
        inEvent = true
        eventPicks = []
        eventPickIDs = []
        eventPickLines = []
        eventProblems = []
        eventLabel = nil
      case "pick"
      where path.dropLast().last == "event" || path.dropLast().last == "eventParameters":
        current = PartialPick(line: parser.lineNumber)
        current?.id = attributes["publicID"]
      case "arrival" where path.dropLast().last == "origin":
        arrival = (nil, nil)
      case "waveformID" where current != nil && current?.hasWaveformID == false:
        // The first, as ObsPy takes it.
        current?.hasWaveformID = true
        current?.network = attributes["networkCode"]
        current?.station = attributes["stationCode"]
        current?.location = Pick.normalizedLocation(attributes["locationCode"] ?? "")
        if let channel = attributes["channelCode"], !channel.isEmpty { current?.channel = channel }
      default: break
      }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    /// `<value><![CDATA[2026-03-01T00:10:02Z]]></value>` is the same text (ObsPy reads it).
    func parser(_ parser: XMLParser, foundCDATA block: Data) {
      text += String(decoding: block, as: UTF8.self)
    }

    func parserDidEndDocument(_ parser: XMLParser) {
      if structureError == nil, let open = path.last {
        structureError = (parser.lineNumber, "<\(open)> is never closed")
      }
    }

    func parser(
      _ parser: XMLParser, didEndElement name: String, namespaceURI: String?,
      qualifiedName: String?
    ) {
      guard path.last == name else {
        structureError = (
          parser.lineNumber, "</\(name)> closes <\(path.last ?? "")>"
        )
        parser.abortParsing()
        return
      }
      if foreignDepth > 0 {
        foreignDepth -= 1
        path.removeLast()
        text = ""
        return
      }
      let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
      let parent = path.count >= 2 ? path[path.count - 2] : ""
      if current != nil {
        if name == "value" && parent == "time" && path.count >= 3 && path[path.count - 3] == "pick"
        {
          if current?.timeText == nil { current?.timeText = value }  // the first, as ObsPy
        } else if name == "phaseHint" && parent == "pick" && !value.isEmpty {
          current?.phase = value
        } else if name == "pick" {
          finishPick()
        }
      }
      if arrival != nil && parent == "arrival" && !value.isEmpty {
        if name == "pickID" { arrival?.pickID = value }
        if name == "phase" { arrival?.phase = value }
      }
      if name == "arrival", let made = arrival {
        arrival = nil
        if let id = made.pickID, let phase = made.phase, arrivalPhases[id] == nil {
          arrivalPhases[id] = phase
        }
      }
      if name == "label" && parent == "event"
        && namespaceURI == QuakeMLPickReader.seisclusterNamespace
      {
        eventLabel = value.isEmpty ? nil : value
      }
      if name == "event" {
        inEvent = false
        for var pick in eventPicks {
          // An event label with a NUL would be cut short in the store: left out, as a note.
          if pick.note == nil, !(eventLabel ?? "").unicodeScalars.contains("\u{0}") {
            pick.note = eventLabel
          }
          picks.append(pick)
        }
        pickIDs += eventPickIDs
        pickLines += eventPickLines
        problems += eventProblems
        eventPicks = []
        eventPickIDs = []
        eventPickLines = []
        eventProblems = []
      }
      path.removeLast()
      text = ""
    }

    private func finishPick() {
      guard let p = current else { return }
      current = nil
      let problem: PickProblem?
      var pick: Pick?
      if p.network == nil && p.station == nil {
        problem = PickProblem(line: p.line, reason: "pick has no waveformID")
      } else if (p.network ?? "").isEmpty || (p.station ?? "").isEmpty {
        problem = PickProblem(
          line: p.line, reason: "pick waveformID has no network or station code")
      } else if let timeText = p.timeText {
        if let time = Timestamp(iso8601: timeText) {
          let made = Pick(
            network: p.network ?? "", station: p.station ?? "", location: p.location,
            channel: p.channel, time: time, phase: p.phase)
          if let why = Pick.textProblem(
            network: made.network, station: made.station, location: made.location,
            channel: made.channel, phase: made.phase, note: nil)
          {
            problem = PickProblem(line: p.line, reason: why)
          } else {
            problem = nil
            pick = made
          }
        } else {
          problem = PickProblem(
            line: p.line,
            reason: Timestamp.iso8601Problem(timeText, name: "pick time")
              ?? "cannot read pick time '\(timeText)'")
        }
      } else {
        problem = PickProblem(line: p.line, reason: "pick has no time/value")
      }
      if inEvent {
        if let pick {
          eventPicks.append(pick)
          eventPickIDs.append(p.id)
          eventPickLines.append(p.line)
        }
        if let problem { eventProblems.append(problem) }
      } else {
        if let pick {
          picks.append(pick)
          pickIDs.append(p.id)
          pickLines.append(p.line)
        }
        if let problem { problems.append(problem) }
      }
    }

    /// `picks`, a pick without `phaseHint` taking the phase of an arrival that names it, and a
    /// note for each arrival phase that could not be stored (the pick is kept without a phase;
    /// it was left out in silence, a hostile-input sweep).
    func pickedWithArrivalPhases() -> (picks: [Pick], notes: [PickProblem]) {
      var notes: [PickProblem] = []
      let made = zip(zip(picks, pickIDs), pickLines).map { pair, line in
        var (pick, id) = pair
        if pick.phase == nil, let id, let phase = arrivalPhases[id] {
          if let why = Pick.textProblem(
            network: pick.network, station: pick.station, location: pick.location,
            channel: pick.channel, phase: phase, note: nil)
          {
            notes.append(
              PickProblem(
                line: line,
                reason:
                  "the phase of the arrival naming this pick cannot be stored (\(why)): pick kept without a phase"
              ))
          } else {
            pick.phase = phase
          }
        }
        return pick
      }
      return (made, notes)
    }
  }
}
