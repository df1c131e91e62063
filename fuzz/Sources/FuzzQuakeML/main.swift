import Foundation
import FuzzDriver
import Seismic

/// libFuzzer entry: the QuakeML pick reader alone (entity and DTD refusal, FoundationXML's
/// parser, the nesting check, pick times) on arbitrary bytes; seeded with QuakeML only, so
/// mutations stay inside XML instead of drifting to the CSV reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuakeML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Data(bytes: data, count: size)
  if let contents = try? QuakeMLPickReader.parse(bytes) {
    for pick in contents.picks { _ = pick.time.iso8601 }
    for problem in contents.problems { _ = problem.description }
  }
  return 0
}

runFuzzer(fuzzQuakeML)
