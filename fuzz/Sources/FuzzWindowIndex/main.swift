import Foundation
import FuzzDriver
import Pipeline

/// libFuzzer entry: the window index CSV reader (`windows import --index`: `window_id` and
/// optional codes and ISO 8601 times) on arbitrary text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWindowIndex(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  if let rows = try? WindowSetTransfer.parseIndex(text, path: "fuzz.csv") {
    _ = rows.count
  }
  return 0
}

runFuzzer(fuzzWindowIndex)
