import Foundation
import Numerics
import TestSupport
import Testing

/// Decision 0023: every program that links Numerics runs OpenBLAS's Haswell kernels on x86-64
/// CPUs with AVX2 and FMA, so that the same seed gives the same labels on any such CPU; a kernel
/// the user names in `OPENBLAS_CORETYPE` stays.
@Suite struct BLASKernelTests {
  /// The `flags` of the first processor in /proc/cpuinfo, or nil (not x86 Linux).
  static func cpuFlags() -> Set<String>? {
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    for line in cpuinfo.split(separator: "\n") {
      let parts = line.split(separator: ":", maxSplits: 1)
      if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "flags" {
        return Set(parts[1].split(separator: " ").map(String.init))
      }
    }
    return nil
  }

  /// Whether a process started with `OPENBLAS_CORETYPE` unset runs the pinned kernels here: an
  /// x86-64 CPU with AVX2 and FMA, and an OpenBLAS that chooses its kernels as it loads.
  static var pinsHere: Bool {
    #if os(Linux) && arch(x86_64)
      return cpuFlags()?.isSuperset(of: ["avx2", "fma"]) == true
        && BLAS.configuration.contains("DYNAMIC_ARCH")
    #else
      return false
    #endif
  }

  /// This test process loaded as the command line does: pinned unless its environment named a
  /// kernel (which `swift test` passes on).
  @Test func thisProcessRunsOnThePinnedKernelUnlessOneWasNamed() {
    #expect(BLAS.pinnedCoreName == "Haswell")
    let named = !(BLAS.requestedCoreType ?? "").isEmpty
    #expect(BLAS.isPinned == (!named && Self.pinsHere))
    if BLAS.isPinned {
      #expect(BLAS.coreName == "Haswell")
      #expect(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == "Haswell")
    }
    #expect(BLAS.kernelDescription == "OpenBLAS \(BLAS.coreName) kernels")
  }

  /// The binary, started with no kernel named, runs on the pinned one where the CPU has it; a
  /// kernel named in the environment is the one it runs on. `cluster` names it.
  @Test(
    .enabled(
      if: SeisclusterProcess.binary != nil,
      "needs .build/debug/seiscluster: run `swift build` first (swift test builds it)"))
  func theBinaryRunsOnThePinnedKernelOrTheOneNamed() throws {
    let dir = try TestPaths.temporaryDirectory("blas-kernel")
    defer { try? FileManager.default.removeItem(at: dir) }
    let npy = TestPaths.fixtures.appendingPathComponent("npy/windows_f4_4x3x100.npy").path
    #expect(try SeisclusterProcess.run(["-q", "windows", "import", npy], in: dir).status == 0)
    let cluster = [
      "cluster", "--clusters", "2", "--epochs", "1", "--max-iterations", "2", "--restarts", "1",
    ]
    // An empty value is no kernel named, for OpenBLAS as for the pin.
    let unnamed = try SeisclusterProcess.run(
      cluster, in: dir, environment: ["OPENBLAS_CORETYPE": ""])
    #expect(unnamed.status == 0, "\(unnamed.errors)")
    if Self.pinsHere {
      #expect(unnamed.errors.contains("; OpenBLAS Haswell kernels\n"), "\(unnamed.errors)")
    } else {
      #expect(unnamed.errors.contains(" kernels\n"), "\(unnamed.errors)")
    }
    #if arch(x86_64)
      // Prescott (SSE3) runs on every x86-64 CPU.
      let named = try SeisclusterProcess.run(
        cluster, in: dir, environment: ["OPENBLAS_CORETYPE": "Prescott"])
      #expect(named.status == 0, "\(named.errors)")
      #expect(named.errors.contains("; OpenBLAS Prescott kernels\n"), "\(named.errors)")
    #endif
  }
}
