import Foundation
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

// SwiftPM renames an executable's `main` (so libFuzzer's own `main` is never linked): start
// libFuzzer's driver from ours instead.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runFuzzerDriver(&argc, &argv, fuzzNPY))
