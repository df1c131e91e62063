import Foundation
import FuzzDriver
import Pipeline

/// libFuzzer entry: the `.npy` reader on arbitrary bytes, then the window shape check.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Data(bytes: data, count: size)
  if let array = try? NPYArray(npyData: bytes, path: "fuzz") {
    _ = try? array.windowShape(path: "fuzz")
  }
  return 0
}

runFuzzer(fuzzNPY)
