import Foundation
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
exit(runFuzzerDriver(&argc, &argv, fuzzSAC))
