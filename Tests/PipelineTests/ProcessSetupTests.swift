import Foundation
import Testing

@testable import Pipeline

/// Settings the CLI makes at start (`ProcessSetup.configure`).
@Suite struct ProcessSetupTests {
  /// Past a file-size limit (`ulimit -f`) writes must fail with EFBIG, which every command
  /// reports in one line and cleans up after; by default SIGXFSZ killed the process in silence
  /// (exit 153, temporary files left), even after a completed command, when SQLite wrote back
  /// to a store larger than the limit (a resource-failure sweep, stop 43).
  @Test func exceedingTheFileSizeLimitIsAnErrorNotASignal() {
    ProcessSetup.writesPastTheFileSizeLimitFail()
    var action = sigaction()
    #expect(sigaction(SIGXFSZ, nil, &action) == 0)
    // Handlers are C function pointers: compared by address (SIG_IGN is 1, SIG_DFL 0).
    let handler = unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
    #expect(handler == unsafeBitCast(SIG_IGN, to: Int.self))
  }
}
