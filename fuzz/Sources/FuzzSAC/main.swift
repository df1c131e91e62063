import Foundation
import FuzzDriver
import Seismic

/// libFuzzer entry: the SAC reader on arbitrary bytes, then every time the store would compute.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSAC(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  if let contents = try? SACReader.read(bytes, path: "fuzz") {
    for segment in contents.segments {
      _ = segment.endTime.iso8601
      _ = segment.startTime.iso8601
    }
  }
  return 0
}

runFuzzer(fuzzSAC)
