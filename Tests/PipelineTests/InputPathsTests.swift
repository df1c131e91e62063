import Foundation
import Pipeline
import Seismic
import TestSupport
import Testing

/// What ingest reads: paths are checked with `stat` before anything is opened (issue 17, items
/// 7, 8 and 16). The unreadable-folder case as an unprivileged user is in `CommandLineTests`.
@Suite struct InputPathsTests {
  func reasons(_ expansion: InputPaths.Expansion) -> [String: String] {
    Dictionary(expansion.problems.map { ($0.path, $0.reason) }, uniquingKeysWith: { a, _ in a })
  }

  @Test func aFIFOIsRefusedByNameWithoutBeingOpened() throws {
    let dir = try TestPaths.temporaryDirectory("input-paths")
    defer { try? FileManager.default.removeItem(at: dir) }
    let fifo = dir.appendingPathComponent("fifo.mseed").path
    #expect(mkfifo(fifo, 0o644) == 0)
    let started = Date()
    let named = InputPaths.expand([fifo])
    #expect(named.files.isEmpty)
    #expect(reasons(named)[fifo]?.contains("a FIFO") == true)
    // Inside a folder, too: reported, not skipped silently.
    let inFolder = InputPaths.expand([dir.path])
    #expect(reasons(inFolder)[fifo]?.contains("a FIFO") == true)
    #expect(Date().timeIntervalSince(started) < 5)
    // And a reader handed one anyway refuses it at once.
    #expect(throws: (any Error).self) { try FileBytes.read(path: fifo) }
  }

  @Test func devicesAndKernelFilesAreRefusedByWhatTheyAre() throws {
    let expansion = InputPaths.expand(["/dev/zero"])
    #expect(reasons(expansion)["/dev/zero"] == "a character device, not a regular file")
    if FileManager.default.fileExists(atPath: "/proc/cpuinfo") {
      #expect {
        try FileBytes.read(path: "/proc/cpuinfo")
      } throws: { error in
        (error as? WaveformFileError)?.reason.contains("a kernel file") == true
      }
    }
  }

  /// A file whose name is not UTF-8 (Latin-1 `é` as one byte) is listed with U+FFFD in its
  /// name, which does not exist: the reason says the name is the cause.
  @Test func aNameThatIsNotUTF8IsNamedAsTheCause() throws {
    let dir = try TestPaths.temporaryDirectory("input-paths")
    defer { try? FileManager.default.removeItem(at: dir) }
    var bytes = Array(dir.path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".mseed".utf8)
    bytes.append(0)
    let fd = bytes.withUnsafeBufferPointer {
      $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) }
    }
    #expect(fd >= 0)
    close(fd)
    let expansion = InputPaths.expand([dir.path])
    #expect(expansion.files.isEmpty)
    let reason = try #require(reasons(expansion)[dir.path + "/caf\u{FFFD}.mseed"])
    #expect(reason.hasPrefix("no such file or folder: a name on this path is not valid UTF-8"))
    #expect(
      reasons(InputPaths.expand([dir.path + "/nothing.mseed"])).values.first
        == "no such file or folder")
  }

  @Test func linkLoopsAndDanglingLinksAreNamedAsSuch() throws {
    let dir = try TestPaths.temporaryDirectory("input-paths")
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    let a = dir.appendingPathComponent("a").path
    let b = dir.appendingPathComponent("b").path
    try fm.createSymbolicLink(atPath: a, withDestinationPath: "b")
    try fm.createSymbolicLink(atPath: b, withDestinationPath: "a")
    let dangling = dir.appendingPathComponent("gone.mseed").path
    try fm.createSymbolicLink(atPath: dangling, withDestinationPath: "nowhere.mseed")
    let expansion = InputPaths.expand([a, dangling, dir.appendingPathComponent("missing").path])
    let why = reasons(expansion)
    #expect(why[a] == "a loop of symbolic links")
    #expect(why[dangling] == "a symbolic link to nowhere.mseed, which does not exist")
    #expect(why[dir.appendingPathComponent("missing").path] == "no such file or folder")
  }

  @Test func linksInsideFoldersAreFollowedAndCyclesSkippedWithANote() throws {
    let dir = try TestPaths.temporaryDirectory("input-paths")
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    let data = dir.appendingPathComponent("data")
    let other = dir.appendingPathComponent("other")
    try fm.createDirectory(at: data, withIntermediateDirectories: true)
    try fm.createDirectory(at: other, withIntermediateDirectories: true)
    _ = fm.createFile(atPath: other.appendingPathComponent("x.mseed").path, contents: Data([1]))
    _ = fm.createFile(atPath: data.appendingPathComponent("a.sac").path, contents: Data([1]))
    try fm.createSymbolicLink(
      atPath: data.appendingPathComponent("linked.mseed").path,
      withDestinationPath: "../other/x.mseed")
    try fm.createSymbolicLink(
      atPath: data.appendingPathComponent("more").path, withDestinationPath: "../other")
    try fm.createSymbolicLink(
      atPath: data.appendingPathComponent("up").path, withDestinationPath: ".")
    let expansion = InputPaths.expand([data.path])
    #expect(
      expansion.files == ["a.sac", "linked.mseed", "more/x.mseed"].map { data.path + "/" + $0 })
    #expect(expansion.problems.isEmpty)
    #expect(expansion.notes.count == 1 && expansion.notes[0].contains("/up: a symbolic link back"))
  }

  @Test(
    .enabled(
      if: geteuid() != 0, "root reads folders whatever their mode; CommandLineTests covers it"))
  func anUnreadableFolderAtAnyDepthIsReported() throws {
    let dir = try TestPaths.temporaryDirectory("input-paths")
    defer {
      chmod(dir.appendingPathComponent("locked").path, 0o755)
      try? FileManager.default.removeItem(at: dir)
    }
    let locked = dir.appendingPathComponent("locked")
    try FileManager.default.createDirectory(
      at: locked.appendingPathComponent("in"), withIntermediateDirectories: true)
    chmod(locked.path, 0)
    let expansion = InputPaths.expand([dir.path])
    #expect(reasons(expansion)[locked.path]?.contains("cannot read the folder") == true)
  }
}
