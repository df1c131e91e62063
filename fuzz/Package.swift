// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for seiscluster's readers. Not part of the main package: they only build
// with `-sanitize=fuzzer` (libFuzzer supplies `main`). Build and run them with
// `scripts/fuzz.sh` from the repository root.
let package = Package(
  name: "seiscluster-fuzz",
  dependencies: [.package(name: "seiscluster", path: "..")],
  targets: [
    .target(name: "FuzzDriver"),
    .executableTarget(
      name: "FuzzSAC",
      dependencies: ["FuzzDriver", .product(name: "Pipeline", package: "seiscluster")]),
    .executableTarget(
      name: "FuzzMiniSEED",
      dependencies: ["FuzzDriver", .product(name: "Pipeline", package: "seiscluster")]),
    .executableTarget(
      name: "FuzzPicks",
      dependencies: ["FuzzDriver", .product(name: "Pipeline", package: "seiscluster")]),
    .executableTarget(
      name: "FuzzNPY",
      dependencies: ["FuzzDriver", .product(name: "Pipeline", package: "seiscluster")]),
    .executableTarget(
      name: "FuzzSampleBlob",
      dependencies: ["FuzzDriver", .product(name: "Pipeline", package: "seiscluster")]),
    .executableTarget(
      name: "FuzzQuakeML",
      dependencies: ["FuzzDriver", .product(name: "Pipeline", package: "seiscluster")]),
    .executableTarget(
      name: "FuzzLabels",
      dependencies: ["FuzzDriver", .product(name: "Pipeline", package: "seiscluster")]),
    .executableTarget(
      name: "FuzzWindowIndex",
      dependencies: ["FuzzDriver", .product(name: "Pipeline", package: "seiscluster")]),
  ]
)
