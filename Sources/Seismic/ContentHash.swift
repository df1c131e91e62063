import CCrypto
import Foundation

/// SHA-256 through the system's libcrypto (OpenSSL's EVP interface).
public enum ContentHash {
  /// Lower-case hexadecimal SHA-256 of `bytes`.
  public static func sha256(_ bytes: UnsafeRawBufferPointer) -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 0
    _ = digest.withUnsafeMutableBufferPointer { out in
      EVP_Digest(bytes.baseAddress, bytes.count, out.baseAddress, &length, EVP_sha256(), nil)
    }
    // Hex digits by hand: `String(format:)` per byte cost 5 % of an ingest of small files.
    let hex = Array("0123456789abcdef".utf8)
    var text = [UInt8](repeating: 0, count: 64)
    for (i, byte) in digest.enumerated() {
      text[2 * i] = hex[Int(byte >> 4)]
      text[2 * i + 1] = hex[Int(byte & 15)]
    }
    return String(decoding: text, as: UTF8.self)
  }

  public static func sha256(_ data: Data) -> String {
    data.withUnsafeBytes { sha256($0) }
  }

  public static func sha256<T>(_ array: [T]) -> String {
    array.withUnsafeBytes { sha256($0) }
  }
}
