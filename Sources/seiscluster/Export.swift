import ArgumentParser
import Foundation
import Pipeline

extension CatalogFormat: ExpressibleByArgument {}

/// `seiscluster export`: a run's labelled catalog as CSV, JSON, QuakeML or SeisBench metadata.
struct Export: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a run's labelled catalog: CSV, JSON, QuakeML or SeisBench metadata.",
    discussion: """
      One entry per window: its pick (network, station, location, time, phase), its cluster and \
      that cluster's probability, and the class label once `relabel` has run.

      probability is DEC's Student-t q of the window's own cluster. Read it as a ranking within \
      a run: the least probable windows are where a run's errors are, so look at them first \
      (the report shows them). It is not a calibrated chance of being right: runs 97-99.5 % \
      right gave mean values of 0.76-0.89 on our test sets, and small sets give lower values \
      still. `evaluate --truth` \
      prints the accuracy per tenth of the windows ranked by it. distance is the Euclidean \
      distance, in the network's latent space, from the window's code to its cluster's centroid \
      (not an epicentral distance); run is the run's id.

      QuakeML carries \
      the results as elements in the namespace urn:seiscluster:1, which ObsPy's read_events \
      keeps in event.extra. QuakeML 1.2 allows network, station, location and channel codes \
      of at most 8 characters: longer ones (MiniSEED 3 allows them) are written as they are, \
      with a warning that the file does not validate against the schema.
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: "csv, json, quakeml or seisbench.")
  var format: CatalogFormat

  @Option(help: ArgumentHelp("The file to write (- for standard output).", valueName: "file"))
  var output: String

  @Option(name: .customLong("run"), help: "The run to export (default: the latest complete run).")
  var runID: Int64?

  @Flag(
    help:
      "Replace an existing regular file, or the file a symbolic link points to (the link stays); folders, FIFOs and devices are always refused."
  )
  var force = false

  func run() throws {
    let logger = global.makeLogger()
    try OutputFile.checkWritable(output, force: force, reading: global.store.path)
    let store = try global.store.openForReading()
    let catalog = try Catalog.load(from: store, runID: runID)
    try OutputFile.write(format.render(catalog), to: output, force: force)
    if format == .quakeml {
      let replaced = CatalogQuakeMLWriter.replacedEntries(in: catalog)
      if replaced > 0 {
        Console.warning(
          "\(replaced) window\(replaced == 1 ? "'s" : "s'") codes, phase or label hold characters XML 1.0 cannot hold (control characters, U+FFFE, U+FFFF): written as U+FFFD in \(output == "-" ? "standard output" : output)"
        )
      }
      let overlong = CatalogQuakeMLWriter.overlongCodes(in: catalog)
      if overlong.windows > 0, let first = overlong.first {
        // Control characters in a code (a store filled before stop 29) are not sent to the
        // terminal.
        let code = String(
          String.UnicodeScalarView(
            first.unicodeScalars.map { $0.properties.generalCategory == .control ? "\u{FFFD}" : $0 }
          ))
        Console.warning(
          "\(overlong.windows) window\(overlong.windows == 1 ? " has a code" : "s have codes") longer than the \(CatalogQuakeMLWriter.codeLimit) characters QuakeML 1.2 allows (first: \"\(code)\"): written as they are, so \(output == "-" ? "the output" : output) does not validate against the QuakeML 1.2 schema (ObsPy reads it; csv, json and seisbench have no limit)"
        )
      }
    }
    if !global.quiet {
      logger.info(
        "exported \(catalog.entries.count) windows of run \(catalog.runID) to \(output)")
    }
  }
}
