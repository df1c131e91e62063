import Foundation
import Logging
import Pipeline
import TestSupport
import Testing

/// `--force` follows the contract: it replaces a regular file, or the file a symbolic link
/// points to (the link stays); folders, FIFOs and devices are refused with or without it
/// (issue 17, item 6). `--output -` is covered in `CommandLineTests`.
@Suite struct OutputFileTests {
  func reason(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch let error as InputError {
      return error.reason
    } catch {
      return "unexpected: \(error)"
    }
  }

  @Test func anExistingFileIsReplacedOnlyWithForce() throws {
    let dir = try TestPaths.temporaryDirectory("output-file")
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("catalog.csv").path
    try OutputFile.write("one", to: path, force: false)
    #expect(
      reason { try OutputFile.write("two", to: path, force: false) }?.hasPrefix("exists") == true)
    try OutputFile.write("two", to: path, force: true)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["catalog.csv"])
  }

  /// `--force` keeps the replaced file's permissions, also through a link: a private 0600
  /// catalog became 0644 (the temporary file's), world-readable. A new file's are the umask's.
  @Test func forceKeepsThePermissionsOfTheFileItReplaces() throws {
    let dir = try TestPaths.temporaryDirectory("output-file")
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    func mode(_ path: String) throws -> Int {
      try #require(fm.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }
    let path = dir.appendingPathComponent("private.csv").path
    try OutputFile.write("one", to: path, force: false)
    let umask = { () -> Int in
      let m = Foundation.umask(0)
      _ = Foundation.umask(m)
      return Int(m)
    }()
    #expect(try mode(path) == 0o666 & ~umask)
    for wanted in [0o600, 0o640, 0o444] {
      chmod(path, mode_t(wanted))
      try OutputFile.write("two", to: path, force: true)
      #expect(try mode(path) == wanted)
      #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
    }
    // The new bytes are private while they are written, not only once in place.
    chmod(path, 0o600)
    let pending = try OutputFile.prepare(to: path, force: true) { sink in
      let temporary = try #require(
        try fm.contentsOfDirectory(atPath: dir.path).first { $0.hasSuffix(".tmp") })
      #expect(try mode(dir.appendingPathComponent(temporary).path) == 0o600)
      try sink.write(Data("four".utf8))
    }
    defer { pending.discard() }
    try pending.commit()
    #expect(try mode(path) == 0o600)
    let link = dir.appendingPathComponent("link.csv").path
    try fm.createSymbolicLink(atPath: link, withDestinationPath: "private.csv")
    chmod(path, 0o600)
    try OutputFile.write("three", to: link, force: true)
    #expect(try mode(path) == 0o600)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "three")
  }

  /// Two outputs of a pair are prepared, then committed; when the second's name appears
  /// meanwhile, the first, new, is withdrawn (a race left a new `.npy` without its index).
  @Test func aPairWhoseSecondCommitFailsWithdrawsTheFirst() throws {
    let dir = try TestPaths.temporaryDirectory("output-file")
    defer { try? FileManager.default.removeItem(at: dir) }
    let first = dir.appendingPathComponent("w.npy").path
    let second = dir.appendingPathComponent("w.csv").path
    let a = try OutputFile.prepare(to: first, force: false) { try $0.write(Data("a".utf8)) }
    let b = try OutputFile.prepare(to: second, force: false) { try $0.write(Data("b".utf8)) }
    defer {
      a.discard()
      b.discard()
    }
    try Data("other".utf8).write(to: URL(fileURLWithPath: second))
    #expect(try a.commit())
    #expect(reason { try b.commit() }?.hasPrefix("exists") == true)
    a.withdraw()
    a.discard()
    b.discard()
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["w.csv"])
    #expect(try String(contentsOfFile: second, encoding: .utf8) == "other")
    // A commit over an existing file (with force) made nothing new.
    let c = try OutputFile.prepare(to: second, force: true) { try $0.write(Data("c".utf8)) }
    defer { c.discard() }
    #expect(try !c.commit())
  }

  @Test func forceWritesTheFileASymbolicLinkPointsToAndTheLinkStays() throws {
    let dir = try TestPaths.temporaryDirectory("output-file")
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    try fm.createDirectory(
      at: dir.appendingPathComponent("real"), withIntermediateDirectories: true)
    let target = dir.appendingPathComponent("real/catalog.csv").path
    try "old".write(toFile: target, atomically: false, encoding: .utf8)
    let link = dir.appendingPathComponent("catalog.csv").path
    try fm.createSymbolicLink(atPath: link, withDestinationPath: "real/catalog.csv")
    #expect(
      reason { try OutputFile.write("new", to: link, force: false) }?.contains(
        "the file the link points to") == true)
    try OutputFile.write("new", to: link, force: true)
    #expect(try fm.destinationOfSymbolicLink(atPath: link) == "real/catalog.csv")
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
    // A link to a file that does not exist yet: the file is created, the link stays.
    let dangling = dir.appendingPathComponent("report.html").path
    try fm.createSymbolicLink(atPath: dangling, withDestinationPath: "real/report.html")
    try OutputFile.write("<html>", to: dangling, force: false)
    #expect(
      try String(
        contentsOfFile: dir.appendingPathComponent("real/report.html").path, encoding: .utf8)
        == "<html>")
    #expect(try fm.destinationOfSymbolicLink(atPath: dangling) == "real/report.html")
  }

  @Test func foldersFIFOsDevicesAndLinkLoopsAreRefusedEvenWithForce() throws {
    let dir = try TestPaths.temporaryDirectory("output-file")
    defer { try? FileManager.default.removeItem(at: dir) }
    let fifo = dir.appendingPathComponent("fifo.csv").path
    #expect(mkfifo(fifo, 0o644) == 0)
    let loop = dir.appendingPathComponent("loop.csv").path
    try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: "loop.csv")
    let linkToFIFO = dir.appendingPathComponent("via-link.csv").path
    try FileManager.default.createSymbolicLink(atPath: linkToFIFO, withDestinationPath: "fifo.csv")
    for force in [false, true] {
      #expect(
        reason { try OutputFile.write("x", to: fifo, force: force) }?.contains("a FIFO") == true)
      #expect(
        reason { try OutputFile.write("x", to: linkToFIFO, force: force) }?.contains("a FIFO")
          == true)
      #expect(
        reason { try OutputFile.write("x", to: "/dev/full", force: force) }?.contains(
          "a character device") == true)
      #expect(
        reason { try OutputFile.write("x", to: dir.path, force: force) }?.contains("is a folder")
          == true)
      #expect(
        reason { try OutputFile.write("x", to: loop, force: force) }?.contains(
          "loop of symbolic links") == true)
    }
    var info = stat()
    #expect(
      lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the FIFO is left in place")
    #expect(lstat(linkToFIFO, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "the link too")
    #expect(
      reason {
        try OutputFile.write("x", to: dir.appendingPathComponent("no/such.csv").path, force: true)
      }?.contains("does not exist") == true)
  }

  @Test func theDemoRefusesAFIFOWhereItsFilesGoEvenWithForce() throws {
    let dir = try TestPaths.temporaryDirectory("output-file")
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(mkfifo(dir.appendingPathComponent("picks.csv").path, 0o644) == 0)
    let started = Date()
    let demo = DemoRun(directory: dir, force: true, quiet: true)
    #expect(reason { _ = try demo.run(logger: Logger(label: "t")) }?.contains("a FIFO") == true)
    #expect(Date().timeIntervalSince(started) < 10)
    var info = stat()
    #expect(lstat(dir.appendingPathComponent("picks.csv").path, &info) == 0)
    #expect(info.st_mode & S_IFMT == S_IFIFO)
  }
}
