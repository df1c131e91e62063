import Foundation
import Numerics

#if canImport(CMalloc)
  import CMalloc
#endif

/// Settings of the seiscluster process, made once at start before any work.
public enum ProcessSetup {
  /// BLAS on the calling thread only (the network splits batches over threads of its own), and
  /// glibc's allocator tuned to keep freed buffers for reuse.
  public static func configure() {
    BLAS.useCallingThreadOnly()
    keepFreedMemoryForReuse()
    writesPastTheFileSizeLimitFail()
    Interruption.install()
  }

  /// Past a file-size limit (`ulimit -f`) a write fails with EFBIG, which the commands report
  /// and recover from as from a full disk; by default SIGXFSZ killed the process with no word,
  /// its temporary files left behind, and after a completed store write with exit 153.
  static func writesPastTheFileSizeLimitFail() {
    signal(SIGXFSZ, SIG_IGN)
  }

  /// Lets glibc keep freed buffers of up to 256 MB for reuse instead of handing them back to
  /// the kernel, and serve buffers below 32 MB from its heap. Ingest and window building free
  /// and allocate megabyte buffers per file; with glibc's defaults each was mapped, zeroed and
  /// faulted in anew, a fifth of ingest's time (docs/benchmarks.md). Peak memory is unchanged.
  static func keepFreedMemoryForReuse() {
    #if canImport(CMalloc)
      _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
      _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
    #endif
  }
}
