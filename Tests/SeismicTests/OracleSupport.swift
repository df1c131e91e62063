import Foundation
import TestSupport

@testable import Seismic

extension Samples {
  /// SHA-256 of the samples as little-endian float64 (the oracle's `sha256_f8le`).
  var sha256OfLittleEndianDoubles: String {
    let bits = doubles.map { $0.bitPattern.littleEndian }
    return ContentHash.sha256(bits)
  }
}
