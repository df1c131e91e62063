import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// How much memory this process may still allocate: the smaller of the machine's physical
/// memory and what the address-space limit (`ulimit -v`, `RLIMIT_AS`) leaves above the
/// process's current size. Sizes users ask for (a network, a window set) are checked against it
/// before anything is allocated, so an impossible size is refused in one line instead of
/// trapping in the allocator.
public enum MemoryLimit {
  /// Physical memory in bytes (nil when the system does not say).
  public static var physicalBytes: Int? {
    let pages = sysconf(Int32(_SC_PHYS_PAGES))
    let size = sysconf(Int32(_SC_PAGESIZE))
    guard pages > 0, size > 0 else { return nil }
    return pages.multipliedReportingOverflow(by: size).overflow ? Int.max : pages * size
  }

  /// The soft address-space limit in bytes, nil when unlimited.
  public static var addressSpaceLimit: Int? {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max
    else { return nil }
    return limit.rlim_cur > UInt(Int.max) ? nil : Int(limit.rlim_cur)
  }

  /// The process's current virtual size in bytes (from /proc/self/statm; 0 when unknown).
  public static var virtualBytes: Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
      let pages = text.split(separator: " ").first.flatMap({ Int($0) })
    else { return 0 }
    return pages * max(1, sysconf(Int32(_SC_PAGESIZE)))
  }

  /// Bytes that can still be allocated (Int.max when nothing limits it).
  public static var availableBytes: Int {
    var available = physicalBytes ?? Int.max
    if let limit = addressSpaceLimit { available = min(available, max(0, limit - virtualBytes)) }
    return available
  }

  /// `bytes` in words: "3.3 GB", "512 MB".
  public static func describe(_ bytes: Int) -> String {
    if bytes == Int.max { return "more than 9 EB" }
    let gb = Double(bytes) / 1e9
    return gb >= 1 ? String(format: "%.1f GB", gb) : String(format: "%.0f MB", Double(bytes) / 1e6)
  }
}

/// Sizes in bytes added and multiplied with overflow saturating at `Int.max`, for estimates of
/// what a request would allocate.
public struct ByteCount: Comparable, Sendable {
  public private(set) var value: Int

  public init(_ value: Int) { self.value = max(0, value) }

  public static func + (a: ByteCount, b: ByteCount) -> ByteCount {
    let (sum, overflow) = a.value.addingReportingOverflow(b.value)
    return ByteCount(overflow ? Int.max : sum)
  }

  public static func * (a: ByteCount, b: Int) -> ByteCount {
    let (product, overflow) = a.value.multipliedReportingOverflow(by: max(0, b))
    return ByteCount(overflow ? Int.max : product)
  }

  public static func += (a: inout ByteCount, b: ByteCount) { a = a + b }

  public static func < (a: ByteCount, b: ByteCount) -> Bool { a.value < b.value }
}
