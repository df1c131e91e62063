import Foundation
import FuzzDriver
import Seismic

/// libFuzzer entry: format detection, then libmseed and our record checks (the path `ingest`
/// takes for any file), then every time the store would compute.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMiniSEED(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  // libmseed may byte-swap in place: work on a copy, never on libFuzzer's buffer.
  var copy = [UInt8](UnsafeBufferPointer(start: data, count: size))
  copy.withUnsafeMutableBytes { buffer in
    if let contents = try? WaveformReader.read(buffer, path: "fuzz") {
      for segment in contents.segments {
        _ = segment.endTime.iso8601
        _ = segment.startTime.iso8601
      }
    }
  }
  return 0
}

runFuzzer(fuzzMiniSEED)
