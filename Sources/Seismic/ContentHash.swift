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
    return digest.map { String(format: "%02x", $0) }.joined()
  }

  public static func sha256(_ data: Data) -> String {
    data.withUnsafeBytes { sha256($0) }
  }

  public static func sha256<T>(_ array: [T]) -> String {
    array.withUnsafeBytes { sha256($0) }
  }
}
