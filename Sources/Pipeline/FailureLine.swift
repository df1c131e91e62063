import Clustering
import Foundation
import NeuralNetwork
import Seismic
import Store

/// The one text for every error a command can end with: `PATH: why`, in one line. The CLI
/// prefixes `error: ` and exits 1.
///
/// Errors that name their own file keep it (`InputError`, `WaveformFileError`, a store that
/// cannot be opened). The others (model and clustering options, the store's SQLite errors, a
/// full disk) are about the store the command works on, and name it: `context`.
public enum FailureLine {
  public static func text(for error: any Error, context: String) -> String {
    let line: String
    switch error {
    case let e as InputError:
      line = e.path.isEmpty ? "\(context): \(e.reason)" : e.description
    case let e as WaveformFileError:
      line = e.path.isEmpty ? "\(context): \(e.reason)" : e.description
    case StoreError.unusable(let path, let reason):
      line = "\(path): \(reason)"
    case let e as PickFormatError:
      line = "\(context): \(e.description)"
    case let e as ClusteringError:
      line = "\(context): \(e.description)"
    case let e as NeuralNetworkError:
      line = "\(context): \(e.description)"
    case let e as ResumableFailure:
      return text(for: e.underlying, context: context) + "; " + e.hint
    case let e as CocoaError:
      let path = (e.userInfo[NSFilePathErrorKey] as? String) ?? e.filePath ?? context
      line = "\(path): \(e.localizedDescription)"
    default:
      line = "\(context): \(SeisStore.describe(error))"
    }
    return line.replacingOccurrences(of: "\n", with: " ")
  }
}

/// Marks failed a `cluster` run newer than `after` that a failure left interrupted (no process
/// holds it): for a retrain whose failure the command reports as a warning, keeping the run
/// before it, so that `cluster --resume` does not later finish the retrain outside that choice.
public func failInterruptedClusterRun(store: SeisStore, after: Int64?) {
  guard var run = interruptedClusterRun(store: store, after: after) else { return }
  run.status = .failed
  try? store.updateRun(run)
}

/// The store's latest run when a failure left it so: a `cluster` run newer than `after` (any,
/// with `resuming`) still marked running that no process holds.
func interruptedClusterRun(store: SeisStore, after: Int64?, resuming: Bool = false)
  -> RunRecord?
{
  guard let id = try? store.latestRunID(), resuming || id > (after ?? 0),
    let run = try? store.run(id: id), run.status == .running, run.kind == .cluster,
    !store.isLive(runID: id)
  else { return nil }
  return run
}

/// A failure that left a run resumable (a full disk while `cluster` stored a checkpoint): its
/// line goes on to say how to finish the run.
public struct ResumableFailure: Error {
  public var underlying: any Error
  public var hint: String

  public init(underlying: any Error, hint: String) {
    self.underlying = underlying
    self.hint = hint
  }

  /// `error` with the hint when it left the store's latest run (newer than `after`, or any with
  /// `resuming`) a `cluster` run still marked running that no process holds: `cluster --resume`
  /// continues it from its last checkpoint. Otherwise `error` as it is.
  public static func checking(
    _ error: any Error, store: SeisStore, after: Int64?, resuming: Bool
  ) -> any Error {
    guard let run = interruptedClusterRun(store: store, after: after, resuming: resuming),
      let id = run.id
    else { return error }
    // From its last checkpoint when one was stored; before the first, from the start.
    let from =
      (try? store.checkpoint(runID: id)) != nil
      ? "from its last checkpoint" : "(from the start: no checkpoint was stored)"
    return ResumableFailure(
      underlying: error,
      hint:
        "run \(id) is left interrupted: `seiscluster cluster --resume` continues it \(from) once the store can be written"
    )
  }
}
