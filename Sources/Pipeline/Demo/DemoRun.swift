import Clustering
import Foundation
import Logging
import Numerics
import Seismic
import Store

/// `seiscluster demo`: generate a synthetic network, write it as MiniSEED and SAC files with a
/// picks CSV and a truth CSV, then run the whole pipeline on it (ingest, picks import, windows,
/// cluster, evaluate, export, report) in a store of its own inside the output folder.
public struct DemoRun: Sendable {
  public struct Outcome: Sendable {
    public var evaluation: Evaluation
    public var directory: URL
    /// Wall seconds per stage, in order.
    public var stages: [(String, Double)]
    public var files: Int
  }

  public var directory: URL
  public var options: DemoOptions
  public var force: Bool
  public var quiet: Bool

  public init(directory: URL, options: DemoOptions = DemoOptions(), force: Bool, quiet: Bool) {
    self.directory = directory
    self.options = options
    self.force = force
    self.quiet = quiet
  }

  /// The files the demo writes inside `directory`.
  static let outputs = [
    "waveforms", "picks.csv", "truth.csv", "demo.sqlite", "catalog.csv", "report.html",
  ]

  public func run(logger: Logger) throws -> Outcome {
    let fm = FileManager.default
    var isFolder: ObjCBool = false
    if fm.fileExists(atPath: directory.path, isDirectory: &isFolder), !isFolder.boolValue {
      throw InputError(
        path: directory.path, reason: "is a file, not a folder: name a folder for the demo's files")
    }
    // The data are generated in memory first: about 1.1 MB an event at a 200 Hz station
    // (`demo --stations 1`, release build: 1,000 events peaked at 1.1 GB, 4,000 at 4.4 GB).
    let needed = (ByteCount(1_100_000) * options.eventCount).value
    guard needed <= MemoryLimit.availableBytes else {
      throw InputError(
        path: "--events \(options.eventCount)",
        reason:
          "the demo generates its data in memory, about \(MemoryLimit.describe(needed)), and \(MemoryLimit.describe(MemoryLimit.availableBytes)) is available: ask for fewer events"
      )
    }
    let existing = Self.outputs.filter {
      fm.fileExists(atPath: directory.appendingPathComponent($0).path)
    }
    if !existing.isEmpty {
      guard force else {
        throw InputError(
          path: directory.path,
          reason:
            "already holds files the demo writes (\(existing.joined(separator: ", "))); use --force to replace them, or name another folder"
        )
      }
      // The store and the waveforms are made anew: only the waveform files an earlier demo
      // listed in its manifest are removed, and a folder with others is refused. The other
      // files are replaced as `--force` replaces output files (a symbolic link's target is
      // written; FIFOs and devices refused).
      try Self.removeEarlierWaveforms(in: directory.appendingPathComponent("waveforms"))
      for name in ["demo.sqlite", "demo.sqlite-wal", "demo.sqlite-shm"] {
        try? fm.removeItem(at: directory.appendingPathComponent(name))
      }
    }
    // Folders made here are removed again if the run is interrupted before it writes into them.
    var missing: [String] = []
    var ancestor = directory.standardizedFileURL
    while !fm.fileExists(atPath: ancestor.path), ancestor.path != "/" {
      missing.append(ancestor.path)
      ancestor = ancestor.deletingLastPathComponent()
    }
    // Registered before they are made, so that no signal falls between the two (`rmdir` of a
    // folder not made yet does nothing).
    for path in missing.reversed() { Interruption.registerFolder(path) }
    defer { Interruption.unregisterFolders() }
    do {
      try fm.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      // Foundation's words ("You don't have permission.") name neither the folder nor why.
      var parent = directory.deletingLastPathComponent()
      while !fm.fileExists(atPath: parent.path), parent.path != "/" {
        parent = parent.deletingLastPathComponent()
      }
      let why =
        access(parent.path, W_OK | X_OK) != 0
        ? "cannot create the folder: \(parent.path) is not writable here"
        : "cannot create the folder"
      throw InputError(path: directory.path, reason: why)
    }
    for name in ["picks.csv", "truth.csv", "catalog.csv", "report.html"] {
      try OutputFile.checkWritable(directory.appendingPathComponent(name).path, force: force)
    }
    var stages: [(String, Double)] = []
    var clock = Date()
    func lap(_ name: String) {
      stages.append((name, Date().timeIntervalSince(clock)))
      clock = Date()
    }

    logger.info(
      "demo: generating \(options.eventCount) events at \(options.stationCount) stations (seed \(options.seed))"
    )
    let dataset = DemoDataset(options: options)
    lap("generate")
    let waveforms = directory.appendingPathComponent("waveforms")
    let files = try Self.write(dataset, to: waveforms)
    let picksURL = directory.appendingPathComponent("picks.csv")
    let truthURL = directory.appendingPathComponent("truth.csv")
    try OutputFile.write(dataset.picksCSV(), to: picksURL.path, force: force)
    try OutputFile.write(dataset.truthCSV(), to: truthURL.path, force: force)
    lap("write files")

    let store = try SeisStore(path: directory.appendingPathComponent("demo.sqlite").path)
    let ingest = Ingest(store: store, logger: logger, quiet: quiet).run(paths: [waveforms.path])
    if !ingest.failures.isEmpty {
      throw InputError(path: waveforms.path, reason: "the demo's own files failed to ingest")
    }
    logger.info("\(ingest.summary)")
    lap("ingest")
    let picks = try PicksImport(store: store, logger: logger).run(path: picksURL.path)
    logger.info("\(picks.summary)")
    lap("picks import")
    let windows = try WindowSetBuilder(store: store, logger: logger, quiet: quiet)
      .build(options: WindowSetOptions())
    logger.info("\(windows.summary)")
    lap("windows build")
    let cluster = try ClusterJob(clusterCount: 2, model: ModelOptions(), quiet: quiet)
      .run(store: store, logger: logger)
    for line in cluster.summary { logger.info("\(line)") }
    // The warnings `cluster` prints after its summary, as it prints them.
    if cluster.restarts.isUnstable { logger.info("\(cluster.restarts.warning)") }
    if let warning = cluster.emptyClustersWarning { logger.info("\(warning)") }
    lap("cluster")
    let evaluation = try Evaluation.evaluate(
      store: store, runID: cluster.run.id, truth: try WindowLabelFile(contentsOf: truthURL))
    lap("evaluate")
    let catalog = try Catalog.load(from: store, runID: cluster.run.id)
    try OutputFile.write(
      CatalogFormat.csv.render(catalog), to: directory.appendingPathComponent("catalog.csv").path,
      force: force)
    let report = try HTMLReport.load(from: store, runID: cluster.run.id)
    try OutputFile.write(
      report.render(generatedAt: Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9))),
      to: directory.appendingPathComponent("report.html").path, force: force)
    lap("export and report")
    return Outcome(evaluation: evaluation, directory: directory, stages: stages, files: files)
  }

  /// Writes each station's channels as files of one hour: Int32 stations as Steim-2 MiniSEED,
  /// Float stations alternately as SAC and FLOAT32 MiniSEED, so ingest joins runs across files and
  /// formats. Returns the number of files.
  static func write(_ dataset: DemoDataset, to folder: URL) throws -> Int {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    var count = 0
    var names: [String] = []
    // The manifest lists every file as it is written: `--force` later removes exactly those.
    let manifest = folder.appendingPathComponent(manifestName)
    func record() throws {
      try Data((names.joined(separator: "\n") + "\n").utf8).write(to: manifest)
    }
    for (index, segment) in dataset.segments.enumerated() {
      let stationIndex = index / 3
      let perFile = Int((3600 * segment.samplingRate).rounded())
      var start = 0
      var part = 0
      while start < segment.sampleCount {
        let end = min(start + perFile, segment.sampleCount)
        var piece = segment
        piece.startTime = segment.time(ofSample: start)
        switch segment.samples {
        case .int32(let v): piece.samples = .int32(Array(v[start..<end]))
        case .float32(let v): piece.samples = .float32(Array(v[start..<end]))
        case .float64(let v): piece.samples = .float64(Array(v[start..<end]))
        }
        let useSAC = segment.samples.sampleType != .int32 && (stationIndex + part) % 2 == 0
        let name =
          "\(segment.source.id).\(String(format: "%02d", part)).\(useSAC ? "sac" : "mseed")"
        let data = useSAC ? try SACWriter.encode(piece) : try MiniSEEDWriter.encode(piece)
        names.append(name)
        try record()
        try data.write(to: folder.appendingPathComponent(name))
        count += 1
        start = end
        part += 1
      }
    }
    return count
  }

  /// The demo's list of the waveform files it wrote, inside `waveforms/` (hidden: ingest skips
  /// it).
  static let manifestName = ".demo-files"

  /// Removes an earlier demo's waveform folder: the files its manifest lists, then the folder
  /// once nothing else is in it. A folder holding any other file (or no manifest) is refused,
  /// with nothing removed: `--force` replaces the demo's files, never the user's.
  static func removeEarlierWaveforms(in folder: URL) throws {
    let fm = FileManager.default
    var isFolder: ObjCBool = false
    guard fm.fileExists(atPath: folder.path, isDirectory: &isFolder) else { return }
    // A symbolic link leads to a folder the demo did not make (its files were not walked).
    let linked = (try? fm.destinationOfSymbolicLink(atPath: folder.path)) != nil
    guard isFolder.boolValue, !linked else {
      throw InputError(
        path: folder.path,
        reason: "is not a folder the demo wrote: move it or name another --output")
    }
    let manifest = folder.appendingPathComponent(manifestName)
    let listed = Set(
      ((try? String(contentsOf: manifest, encoding: .utf8)) ?? "")
        .split(separator: "\n").map(String.init))
    let present = (fm.subpaths(atPath: folder.path) ?? []).filter { path in
      var isDirectory: ObjCBool = false
      let exists = fm.fileExists(
        atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory)
      return exists && !isDirectory.boolValue && path != manifestName
    }.sorted()
    let foreign = present.filter { !listed.contains($0) }
    if let first = foreign.first {
      throw InputError(
        path: folder.path,
        reason:
          "holds \(foreign.count) file\(foreign.count == 1 ? "" : "s") the demo did not write (\(first)\(foreign.count > 1 ? ", ..." : "")); --force replaces only the demo's own files: move them or name another --output"
      )
    }
    for name in present { try fm.removeItem(at: folder.appendingPathComponent(name)) }
    try? fm.removeItem(at: manifest)
    // Only empty folders are left.
    try fm.removeItem(at: folder)
  }
}
