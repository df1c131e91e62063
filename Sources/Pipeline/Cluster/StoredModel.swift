import Foundation
import NeuralNetwork
import Store

/// A run's trained network and centroids, as `assign` and `relabel` load them.
struct StoredModel {
  var record: ModelRecord
  var autoencoder: Autoencoder
  /// K x D, empty when the run stored none.
  var centroids: [Float]

  /// The model of `run`, or an `InputError` naming the store.
  static func load(for run: RunRecord, from store: SeisStore) throws -> StoredModel {
    guard let modelID = run.modelId, let record = try store.model(id: modelID) else {
      throw InputError(path: store.path, reason: "run \(run.id ?? 0) has no stored model")
    }
    let configuration = try Autoencoder.Configuration(jsonData: Data(record.architectureJson.utf8))
    let autoencoder = try Autoencoder(
      configuration: configuration, parameterData: record.parameters)
    return StoredModel(
      record: record, autoencoder: autoencoder, centroids: record.centroids?.float32Values ?? [])
  }
}
