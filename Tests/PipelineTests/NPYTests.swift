import Foundation
import TestSupport
import Testing

@testable import Pipeline

/// The .npy reader and writer against files NumPy wrote (fixtures/npy, made by
/// tools/make_npy_fixtures.py).
@Suite struct NPYTests {
  static let directory = TestPaths.fixtures.appendingPathComponent("npy")

  static func expected() throws -> [String: [String: Any]] {
    let data = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
    let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    return try #require(json?["files"] as? [String: [String: Any]])
  }

  @Test func readsEveryNumPyFloatLayoutAndVersion() throws {
    var read = 0
    for (name, entry) in try Self.expected() where entry["error"] == nil {
      let array = try NPYArray(contentsOf: Self.directory.appendingPathComponent(name))
      let shape = try #require(entry["shape"] as? [Int])
      let values = try #require(entry["values"] as? [Double])
      #expect(array.shape == shape, "\(name)")
      let dtype = try #require(entry["dtype"] as? String)
      switch array.values {
      case .float32(let v):
        #expect(dtype.hasSuffix("f4"), "\(name)")
        #expect(v.map(Double.init) == values, "\(name)")
      case .float64(let v):
        #expect(dtype.hasSuffix("f8"), "\(name)")
        #expect(v == values, "\(name)")
      }
      read += 1
    }
    #expect(read == 10)
  }

  /// Fortran-order files (np.save of a transposed array) read in pieces as `windows import`
  /// reads them: whole windows at a time, and ranges that cut windows, in C order as np.load
  /// gives them (they were refused).
  @Test func fortranOrderFilesAreReadInPiecesInCOrder() throws {
    let expected = try Self.expected()
    for name in ["fortran_2d.npy", "fortran_3d.npy", "fortran_be_3d.npy"] {
      let entry = try #require(expected[name])
      let values = try #require(entry["values"] as? [Double]).map { Float($0) }
      let file = try NPYFileReader(path: Self.directory.appendingPathComponent(name).path)
      let (n, c, l) = try file.windowShape()
      let size = c * l
      var out = [Float](repeating: .nan, count: values.count)
      // Whole windows, two at a time (the last batch may hold one).
      var start = 0
      while start < n {
        let end = min(n, start + 2)
        try out.withUnsafeMutableBufferPointer {
          try file.read(
            (start * size)..<(end * size),
            into: UnsafeMutableBufferPointer(rebasing: $0[(start * size)..<(end * size)]))
        }
        start = end
      }
      #expect(out == values, "\(name)")
      // A range that starts and ends inside windows.
      let cut = 1..<(values.count - 1)
      var part = [Float](repeating: .nan, count: cut.count)
      try part.withUnsafeMutableBufferPointer { try file.read(cut, into: $0) }
      #expect(part == Array(values[cut]), "\(name)")
    }
  }

  @Test func refusesBadFilesWithOneLineReasons() throws {
    var refused = 0
    for (name, entry) in try Self.expected() {
      guard let message = entry["error"] as? String else { continue }
      let url = Self.directory.appendingPathComponent(name)
      do {
        _ = try NPYArray(contentsOf: url)
        Issue.record("\(name) was accepted")
      } catch {
        #expect(error.description.contains(message), "\(name): \(error.description)")
        #expect(error.description.hasPrefix(url.path))
        #expect(!error.description.contains("\n"))
      }
      refused += 1
    }
    #expect(refused == 3)
  }

  @Test func refusesNonNPYAndTrailingBytes() throws {
    #expect(throws: InputError.self) { try NPYArray(npyData: Data("hello world".utf8)) }
    var data = NPYArray.float32Data([1, 2, 3, 4], shape: [2, 2])
    data.append(0)
    #expect(throws: InputError.self) { try NPYArray(npyData: data) }
  }

  /// NumPy evaluates the header as one dictionary literal; one that lost its closing brace, or
  /// has text before its opening one, is refused (a sweep found it accepted).
  @Test func aHeaderThatIsNotOneDictionaryIsRefused() throws {
    let good = NPYArray.float32Data([1, 2, 3, 4], shape: [2, 2])
    #expect(try NPYArray(npyData: good).shape == [2, 2])
    let headerLength = Int(good[8]) | Int(good[9]) << 8
    let header = try #require(String(data: good[10..<(10 + headerLength)], encoding: .ascii))
    let brace = try #require(header.lastIndex(of: "}"))
    for broken in [
      header.replacingCharacters(in: brace...brace, with: " "),
      "x" + header.dropFirst(),
    ] {
      var data = good[0..<10]
      data.append(Data(broken.utf8))
      data.append(good[(10 + headerLength)...])
      #expect(data.count == good.count)
      do {
        _ = try NPYArray(npyData: data)
        Issue.record("accepted: \(broken)")
      } catch {
        #expect(error.description.contains("not one dictionary"), "\(error.description)")
      }
    }
  }

  /// The header holds exactly 'descr', 'fortran_order' and 'shape' (stop 40's sweep: a
  /// header giving 'shape' twice was read with the first, where NumPy takes the last; one with
  /// an extra key, which NumPy refuses, was read).
  @Test func aHeaderWithAKeyTwiceOrAnotherKeyIsRefused() throws {
    let good = NPYArray.float32Data([1, 2, 3, 4], shape: [2, 2])
    let headerLength = Int(good[8]) | Int(good[9]) << 8
    let header = try #require(String(data: good[10..<(10 + headerLength)], encoding: .ascii))
    for (from, to, holds) in [
      ("'shape': (2, 2), }", "'shape': (2, 2), 'shape': (4,) }", "'shape', 'shape'"),
      ("'shape': (2, 2), }", "'shape': (2, 2), 'x': 1}", "'shape', 'x'"),
    ] {
      let edited = header.replacingOccurrences(of: from, with: to)
      #expect(edited != header)
      // Kept the same length (the padding shrinks), so only the keys differ.
      let padded =
        String(edited.dropLast().prefix(headerLength - 1))
        .padding(toLength: headerLength - 1, withPad: " ", startingAt: 0) + "\n"
      var data = good[0..<10]
      data.append(Data(padded.utf8))
      data.append(good[(10 + headerLength)...])
      #expect(data.count == good.count)
      #expect {
        try NPYArray(npyData: data)
      } throws: { error in
        "\(error)".contains(
          "the .npy header must hold the keys 'descr', 'fortran_order' and 'shape', each once; it holds 'descr', 'fortran_order', \(holds)"
        )
      }
    }
  }

  @Test func writesTheSameBytesAsNumPy() throws {
    let url = Self.directory.appendingPathComponent("windows_f4_4x3x100.npy")
    let reference = try Data(contentsOf: url)
    let array = try NPYArray(contentsOf: url)
    let written = NPYArray.float32Data(array.floats, shape: array.shape)
    #expect(written == reference)
    #expect(written.count % 64 == 4800 % 64)  // header is 128 bytes, data 4800
  }

  @Test func headerIsPaddedTo64BytesAndEndsWithNewline() {
    for shape in [[1, 1, 1], [123_456, 3, 6000], [7, 100], [0, 3, 10]] {
      let header = NPYArray.float32Header(shape: shape)
      #expect(header.count % 64 == 0, "\(shape)")
      #expect(header.last == 0x0A)
      let length = Int(header[8]) | Int(header[9]) << 8
      #expect(length + 10 == header.count)
    }
  }

  @Test func roundTripsWindowsThroughAFile() throws {
    let folder = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("w.npy")
    var g = [Float]()
    for i in 0..<(5 * 3 * 17) { g.append(Float(i).squareRoot() * (i % 2 == 0 ? 1 : -1)) }
    try NPYArray.writeFloat32(g, shape: [5, 3, 17], to: url)
    let back = try NPYArray(contentsOf: url)
    #expect(back.values == .float32(g))
    let shape = try back.windowShape()
    #expect(shape.count == 5 && shape.channels == 3 && shape.length == 17)
    #expect(throws: InputError.self) { try NPYArray.writeFloat32([1, 2], shape: [3], to: url) }
  }

  /// `windows import` reads through `NPYFileReader`: a FIFO in place of the file is refused by
  /// name at once instead of blocking `open` until a writer comes (found by a sweep).
  @Test func theStreamingReaderRefusesAFIFOAndAFolderWithoutBlocking() throws {
    let folder = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let fifo = folder.appendingPathComponent("w.npy").path
    #expect(mkfifo(fifo, 0o644) == 0)
    let started = Date()
    do {
      _ = try NPYFileReader(path: fifo)
      Issue.record("a FIFO was opened")
    } catch {
      #expect(error.reason == "a FIFO (named pipe), not a regular file")
    }
    #expect(Date().timeIntervalSince(started) < 5)
    do {
      _ = try NPYFileReader(path: folder.path)
      Issue.record("a folder was opened")
    } catch {
      #expect(error.reason == "a folder, not a regular file")
    }
  }

  @Test func twoDimensionalFilesReadAsOneChannelWindows() throws {
    let array = try NPYArray(contentsOf: Self.directory.appendingPathComponent("f8_le_2d.npy"))
    let shape = try array.windowShape()
    #expect(shape.count == 4 && shape.channels == 1 && shape.length == 6)
    #expect(throws: InputError.self) {
      try NPYArray(shape: [5], values: .float32([1, 2, 3, 4, 5])).windowShape()
    }
  }
}
