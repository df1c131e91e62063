import Foundation

/// Runs the `seiscluster` binary `swift test` builds beside the tests (`.build/debug`), for
/// tests of the command line as users drive it.
public enum SeisclusterProcess {
  /// The binary, or nil when it has not been built.
  public static let binary: URL? = {
    let url = TestPaths.repositoryRoot.appendingPathComponent(".build/debug/seiscluster")
    return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
  }()

  /// What a finished process left.
  public struct Outcome: Sendable {
    public var status: Int32
    /// Standard output as text (empty when it is not UTF-8), and as bytes.
    public var output: String
    public var outputData: Data
    public var errors: String
    /// The stderr lines.
    public var errorLines: [String] { errors.split(separator: "\n").map(String.init) }
  }

  /// Runs `seiscluster ARGUMENTS` in `directory` (output to files: no pipe to fill up). With a
  /// `shell` prefix, the command line runs through `/bin/sh -c "PREFIX seiscluster ARGUMENTS"`
  /// (`"ulimit -f 100; exec"`, `"exec setpriv ..."`).
  public static func run(
    _ arguments: [String], in directory: URL, environment: [String: String] = [:],
    shell: String? = nil, timeout: TimeInterval = 120
  ) throws -> Outcome {
    let running = try start(arguments, in: directory, environment: environment, shell: shell)
    return running.wait(timeout: timeout)
  }

  /// A started process.
  public final class Running: @unchecked Sendable {
    public let process = Process()
    let outURL: URL
    let errURL: URL

    init(_ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String])
      throws
    {
      let id = UUID().uuidString
      outURL = directory.appendingPathComponent(".out-\(id)")
      errURL = directory.appendingPathComponent(".err-\(id)")
      _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
      _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
      process.executableURL = executable
      process.arguments = arguments
      process.currentDirectoryURL = directory
      var env = ProcessInfo.processInfo.environment
      env.removeValue(forKey: "SEISCLUSTER_DB")
      for (key, value) in environment { env[key] = value }
      process.environment = env
      process.standardOutput = try FileHandle(forWritingTo: outURL)
      process.standardError = try FileHandle(forWritingTo: errURL)
      try process.run()
    }

    /// Waits for the end (killing the process after `timeout` seconds).
    public func wait(timeout: TimeInterval = 120) -> Outcome {
      let deadline = Date().addingTimeInterval(timeout)
      while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
      let data = (try? Data(contentsOf: outURL)) ?? Data()
      let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
      try? FileManager.default.removeItem(at: outURL)
      try? FileManager.default.removeItem(at: errURL)
      return Outcome(
        status: process.terminationStatus, output: String(data: data, encoding: .utf8) ?? "",
        outputData: data, errors: err)
    }
  }

  /// Starts `seiscluster ARGUMENTS` (see `run`).
  public static func start(
    _ arguments: [String], in directory: URL, environment: [String: String] = [:],
    shell: String? = nil
  ) throws -> Running {
    guard let binary else { throw CocoaError(.fileNoSuchFile) }
    guard let shell else {
      return try Running(binary, arguments, in: directory, environment: environment)
    }
    let quoted = ([binary.path] + arguments).map {
      "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
    return try Running(
      URL(fileURLWithPath: "/bin/sh"), ["-c", shell + " " + quoted.joined(separator: " ")],
      in: directory, environment: environment)
  }

  /// The shell prefix that runs a command as the unprivileged user `nobody` when the tests run
  /// as root (permissions mean nothing to root), `exec` when they already run unprivileged, or
  /// nil when neither is possible.
  public static let unprivileged: String? = {
    if geteuid() != 0 { return "exec" }
    let setpriv = "/usr/bin/setpriv"
    guard FileManager.default.isExecutableFile(atPath: setpriv) else { return nil }
    return "exec \(setpriv) --reuid=65534 --regid=65534 --clear-groups"
  }()
}
