import Foundation
import Testing

/// Where tests find the project's fixtures and the shared real-data folder.
public enum TestPaths {
  /// The package root (the folder holding Package.swift).
  public static let repositoryRoot: URL = {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }()

  /// `fixtures/` in the package.
  public static let fixtures = repositoryRoot.appendingPathComponent("fixtures")

  /// `../shared/data/` beside the checkout: real MiniSEED and SAC files with an ObsPy oracle.
  public static let sharedData = repositoryRoot.deletingLastPathComponent()
    .appendingPathComponent("shared/data")

  /// Whether `../shared/data/` is there (with its oracle). Tests of the real files are skipped
  /// without it (`needsSharedData`).
  public static let hasSharedData = FileManager.default.fileExists(
    atPath: sharedData.appendingPathComponent("oracle.json").path)

  /// A fresh temporary folder, removed by the caller when done.
  public static func temporaryDirectory(_ name: String = "seiscluster-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

extension Trait where Self == ConditionTrait {
  /// Runs a test or suite only where `../shared/data/` is beside the checkout.
  public static var needsSharedData: Self {
    .enabled(
      if: TestPaths.hasSharedData,
      "needs ../shared/data/ beside the checkout (real MiniSEED and SAC with an ObsPy oracle)")
  }
}
