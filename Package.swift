// swift-tools-version: 6.1
import PackageDescription

// MARK: - Build settings

/// Release builds target the host CPU: without it SIMD and FMA become library calls
/// (see docs/decisions/0001-native-release-builds.md).
let nativeRelease: [SwiftSetting] = [
  .unsafeFlags(["-target-cpu", "native"], .when(configuration: .release))
]

// MARK: - Package

let package = Package(
  name: "seiscluster",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "seiscluster", targets: ["seiscluster"]),
    .library(name: "Pipeline", targets: ["Pipeline"]),
  ],
  dependencies: [
    .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
  ],
  targets: [
    // MARK: System libraries
    .systemLibrary(name: "CFFTW3", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
    .systemLibrary(name: "CCBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    // No pkgConfig: mseed.pc breaks SwiftPM's parser.
    .systemLibrary(name: "CMiniSEED", providers: [.apt(["libmseed-dev"])]),
    .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
    // glibc's mallopt (part of libc; Linux only).
    .systemLibrary(name: "CMalloc"),

    // MARK: Implementation
    // Pins OpenBLAS's kernel family as the program loads (decision 0023).
    .target(name: "CBLASPin"),
    .target(
      name: "Numerics",
      dependencies: ["CFFTW3", "CCBLAS", "CBLASPin"],
      swiftSettings: nativeRelease
    ),
    .target(
      name: "NeuralNetwork",
      dependencies: ["Numerics"],
      swiftSettings: nativeRelease
    ),
    .target(
      name: "Clustering",
      dependencies: ["Numerics", "NeuralNetwork"],
      swiftSettings: nativeRelease
    ),
    .target(
      name: "Seismic",
      dependencies: ["Numerics", "CMiniSEED", "CCrypto"],
      swiftSettings: nativeRelease
    ),
    .target(
      name: "Store",
      dependencies: ["Seismic", .product(name: "GRDB", package: "GRDB.swift")],
      swiftSettings: nativeRelease
    ),
    .target(
      name: "Pipeline",
      dependencies: [
        "Numerics", "NeuralNetwork", "Clustering", "Seismic", "Store",
        .target(name: "CMalloc", condition: .when(platforms: [.linux])),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: nativeRelease
    ),
    .executableTarget(
      name: "seiscluster",
      dependencies: [
        "Pipeline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: nativeRelease
    ),
    .executableTarget(
      name: "Benchmarks",
      dependencies: ["NeuralNetwork", "Numerics"],
      swiftSettings: nativeRelease
    ),

    // MARK: Tests
    .target(name: "TestSupport", dependencies: ["Numerics"], path: "Tests/TestSupport"),
    .testTarget(name: "NumericsTests", dependencies: ["Numerics", "TestSupport"]),
    .testTarget(name: "NeuralNetworkTests", dependencies: ["NeuralNetwork", "TestSupport"]),
    .testTarget(name: "ClusteringTests", dependencies: ["Clustering", "TestSupport"]),
    .testTarget(name: "SeismicTests", dependencies: ["Seismic", "TestSupport"]),
    .testTarget(name: "StoreTests", dependencies: ["Store", "TestSupport"]),
    .testTarget(
      name: "PipelineTests",
      dependencies: ["Pipeline", "TestSupport"]
    ),
  ]
)
