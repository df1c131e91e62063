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
    case let e as CocoaError:
      let path = (e.userInfo[NSFilePathErrorKey] as? String) ?? e.filePath ?? context
      line = "\(path): \(e.localizedDescription)"
    default:
      line = "\(context): \(SeisStore.describe(error))"
    }
    return line.replacingOccurrences(of: "\n", with: " ")
  }
}
