import Foundation
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
exit(runFuzzerDriver(&argc, &argv, fuzzPicks))
