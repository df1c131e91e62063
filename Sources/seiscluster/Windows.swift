import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster windows build|export|import`
struct WindowsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "windows",
    abstract:
      "Cut, export and import event windows (what the network sees: spectrograms by default, waveforms with --input waveform; correlation profiles are computed from waveforms by cluster).",
    subcommands: [
      WindowsBuildCommand.self, WindowsExportCommand.self, WindowsImportCommand.self,
      WindowsListCommand.self, WindowsDeleteCommand.self,
    ])
}

extension WindowSetList.Format: ExpressibleByArgument {}

/// `seiscluster windows list [--format table|csv]`
struct WindowsListCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "One line per stored window set: its shape, size, the runs that use it, its options.",
    discussion: """
      Every `windows build`, `windows import` and `cluster` or `sweep` with window options \
      stores a new set; the current one (*) is what `cluster` trains on without window \
      options. Sets that no run or sweep uses can be deleted with `windows delete`.
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: "table or csv.")
  var format: WindowSetList.Format = .table

  func run() throws {
    _ = global.makeLogger()
    let store = try global.store.openForReading()
    try OutputFile.Sink.standardOutput.write(
      Data(try WindowSetList.run(store: store, format: format).utf8))
  }
}

/// `seiscluster windows delete SET... | --unused`
struct WindowsDeleteCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "delete",
    abstract: "Delete window sets that no run or sweep uses (their windows and samples).",
    discussion: """
      The current set and sets a run or sweep uses are kept (a run's report, export and assign \
      read its windows): naming one is an error and deletes nothing. The store's file keeps \
      its size; later sets reuse the space.
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("Window set ids (see `windows list`).", valueName: "set"))
  var sets: [Int64] = []

  @Flag(
    help:
      "Delete every set older than the current one that no run or sweep uses (a newer set may be a running cluster's; name it to delete it)."
  )
  var unused = false

  func validate() throws {
    if sets.isEmpty && !unused {
      throw ValidationError(
        "name the sets to delete (see `seiscluster windows list`), or give --unused")
    }
    if !sets.isEmpty && unused {
      throw ValidationError("give set ids or --unused, not both")
    }
  }

  func run() throws {
    _ = global.makeLogger()
    let store = try global.store.openForWriting()
    let summary = try WindowSetList.delete(store: store, ids: sets, unused: unused)
    if !global.quiet && !summary.isEmpty { Console.write(summary) }
  }
}

/// `seiscluster windows build [window options]`
struct WindowsBuildCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "build",
    abstract: "Cut and preprocess a window around every selected pick (the new current set).",
    discussion: """
      Per pick and channel: the contiguous stored data (joined across files) around the window \
      with a margin of max(5 s, half the window, 10 periods of the band's low corner) on each \
      side, clipped to the data; demean, linear detrend, 5 % cosine taper, 4-corner zero-phase \
      Butterworth band-pass, FFT resampling as ObsPy's resample (with its Hann window, so also \
      at an unchanged rate, as tr.resample runs: -0.9 dB at a tenth of the rate, -3.7 dB at a \
      fifth), cut (the first sample is the \
      one nearest to pick - before), normalisation over the whole window (all channels \
      together, keeping their relative amplitudes). Spectrogram input: STFT log-magnitude per \
      component (Hann, segment 1.28 s, 50 % overlap by default), channels = component x frequency \
      bin. Picks that cannot be cut are skipped; the warnings are summed up by station and \
      reason (with the band that would include a station whose Nyquist frequency is too low), \
      and the last line counts them. --stations, --start and --end select picks as ObsPy's \
      select does. Options that leave no window are an error (exit 1), and the current window \
      set stays as it was. The set is stored in one transaction, window by window. A window's \
      window_id is its pick's id: the same pick has the same window_id in every set built \
      from it, so catalogs and truth or label files by window_id carry over to a rebuilt set.
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var window: WindowOptions

  func run() throws {
    let logger = global.makeLogger()
    let store = try global.store.openForWriting()
    let report = try WindowSetBuilder(store: store, logger: logger, quiet: global.quiet)
      .build(options: window.resolved())
    // An interrupt from here on comes after the set was stored: a rerun would store it again.
    Interruption.setHint(
      "window set \(report.windowSet?.id ?? 0) was stored before it: nothing to build again")
    if !global.quiet { Console.write(report.summary) }
  }
}

/// `seiscluster windows export --output FILE.npy [--index FILE.csv] [--force]`
struct WindowsExportCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write the current window set as .npy (float32, N x C x L) and an index CSV.")

  @OptionGroup var global: GlobalOptions

  @Option(
    help: ArgumentHelp("The .npy file to write (- for standard output).", valueName: "file.npy"))
  var output: String

  @Option(
    help: ArgumentHelp(
      "Index CSV: window_id,network,station,location,time (+ phase,channels,start_time).",
      valueName: "file.csv"))
  var index: String?

  @Flag(
    help:
      "Replace an existing regular file, or the file a symbolic link points to (the link stays); folders, FIFOs and devices are always refused."
  )
  var force = false

  func run() throws {
    _ = global.makeLogger()
    let store = try global.store.openForReading()
    let report = try WindowSetTransfer.export(
      store: store, output: output, index: index, force: force, quiet: global.quiet)
    if !global.quiet { Console.write(report.summary) }
  }
}

/// `seiscluster windows import FILE.npy [--index FILE.csv]`
struct WindowsImportCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract:
      "Make windows prepared elsewhere (.npy, float32/float64, N x C x L or N x L) current.",
    discussion: """
      With an index CSV (a window_id column of unique integers; network, station, location, \
      time optional) the ids are kept; without one, windows are numbered 0..N-1. `assign` \
      refuses a window whose id the run's catalog gives to another window (imported windows \
      that are the run's own, same id and same samples, are skipped as already assigned).
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("The .npy file.", valueName: "file.npy"))
  var file: String

  @Option(help: ArgumentHelp("Index CSV in the same order.", valueName: "file.csv"))
  var index: String?

  func run() throws {
    _ = global.makeLogger()
    try InputPaths.requireNonEmpty(file)
    if let index { try InputPaths.requireNonEmpty(index) }
    let store = try global.store.openForWriting()
    let report = try WindowSetTransfer.importWindows(
      store: store, path: file, index: index, quiet: global.quiet)
    Interruption.setHint(
      "window set \(report.windowSet.id ?? 0) was stored before it: nothing to import again")
    if !global.quiet { Console.write(report.summary) }
  }
}
