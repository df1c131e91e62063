import Foundation
import FuzzDriver
import Pipeline

/// libFuzzer entry: the labels / truth CSV reader (`relabel --labels`, `evaluate --truth`:
/// `network,station,location,time,label` or `window_id,label`) on arbitrary text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLabels(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  if let file = try? WindowLabelFile(text: text, path: "fuzz.csv") {
    _ = file.path
  }
  return 0
}

runFuzzer(fuzzLabels)
