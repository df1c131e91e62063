import Foundation
import FuzzDriver
import Seismic
import Store

/// libFuzzer entry: a stored sample blob as the store would read it back (the first byte picks
/// the encoding and sample type, the next two the sample count), then, when it decodes, a
/// round trip through the compact encoding, which must give back the same bits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSampleBlob(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size >= 3 else { return 0 }
  let kinds: [(SampleEncoding, SampleType)] = [
    (.int32Delta, .int32), (.float32Delta, .float32), (.raw, .int32), (.raw, .float32),
    (.raw, .float64), (.int32Delta, .float32),
  ]
  let (encoding, type) = kinds[Int(data[0]) % kinds.count]
  let count = Int(data[1]) | Int(data[2]) << 8
  let blob = Data(bytes: data + 3, count: size - 3)
  guard let samples = try? SampleBlob.decode(blob, type: type, count: count, encoding: encoding)
  else { return 0 }
  precondition(samples.count == count, "decoded \(samples.count) samples, not \(count)")
  let (again, stored) = SampleBlob.encodeCompact(samples)
  guard let back = try? SampleBlob.decode(stored, type: type, count: count, encoding: again) else {
    preconditionFailure("re-encoded \(again.rawValue) blob does not decode")
  }
  switch (samples, back) {
  case (.int32(let a), .int32(let b)): precondition(a == b)
  case (.float32(let a), .float32(let b)): precondition(a.map(\.bitPattern) == b.map(\.bitPattern))
  case (.float64(let a), .float64(let b)): precondition(a.map(\.bitPattern) == b.map(\.bitPattern))
  default: preconditionFailure("sample type changed")
  }
  return 0
}

runFuzzer(fuzzSampleBlob)
