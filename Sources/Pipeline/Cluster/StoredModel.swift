import Clustering
import Foundation
import NeuralNetwork
import Store

/// A run's trained network and centroids, as `assign` and `relabel` load them.
struct StoredModel {
  var record: ModelRecord
  var model: any AutoencoderModel
  /// K x D, empty when the run stored none.
  var centroids: [Float]

  /// The model of `run`, or an `InputError` naming the store.
  static func load(for run: RunRecord, from store: SeisStore) throws -> StoredModel {
    guard let modelID = run.modelId, let record = try store.model(id: modelID) else {
      throw InputError(path: store.path, reason: "run \(run.id ?? 0) has no stored model")
    }
    let configuration = try Autoencoder.Configuration(jsonData: Data(record.architectureJson.utf8))
    let model = try Autoencoder(configuration: configuration, parameterData: record.parameters)
    return StoredModel(
      record: record, model: model, centroids: record.centroids?.float32Values ?? [])
  }

  /// The record of a trained model with its centroids, for the store.
  static func record(of model: any AutoencoderModel, centroids: [Float]) throws -> ModelRecord {
    ModelRecord(
      architectureJson: String(decoding: try model.architectureJSON(), as: UTF8.self),
      parameters: model.parameterData, optimizerState: model.optimizerData,
      centroids: centroids.withUnsafeBytes { Data($0) })
  }
}
