import Foundation
import FuzzDriver
import Seismic

/// libFuzzer entry: the pick reader (CSV or QuakeML, chosen from content) on arbitrary bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPicks(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Data(bytes: data, count: size)
  if let contents = try? PickReader.parse(bytes) {
    for pick in contents.picks { _ = pick.time.iso8601 }
  }
  return 0
}

runFuzzer(fuzzPicks)
