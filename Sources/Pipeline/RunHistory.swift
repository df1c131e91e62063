import Clustering
import Foundation

/// A run's training curves and stage times, stored as `runs.history_json`.
public struct RunHistory: Codable, Sendable, Equatable {
  /// One entry per pretraining epoch (reconstruction only, lambda = 0).
  public struct Epoch: Codable, Sendable, Equatable {
    public var epoch: Int
    public var loss: Double
    public init(epoch: Int, loss: Double) {
      self.epoch = epoch
      self.loss = loss
    }
  }

  /// One entry per target update of the joint (DEC) stage.
  public struct Update: Codable, Sendable, Equatable {
    public var iteration: Int
    /// `(1 - lambda) L_r + lambda KL`, averaged over the iterations since the last update.
    public var loss: Double
    public var reconstruction: Double
    public var kl: Double
    /// Share of windows whose cluster changed since the previous update.
    public var labelChange: Double
    public init(
      iteration: Int, loss: Double, reconstruction: Double, kl: Double, labelChange: Double
    ) {
      self.iteration = iteration
      self.loss = loss
      self.reconstruction = reconstruction
      self.kl = kl
      self.labelChange = labelChange
    }
  }

  public var pretraining: [Epoch] = []
  public var updates: [Update] = []
  /// Wall seconds per stage: `windows`, `pretrain`, `kmeans`, `cluster`, `store`.
  public var stageSeconds: [String: Double] = [:]
  /// Why the joint stage stopped: `tol`, `max-iterations`.
  public var stopReason: String?
  /// The restarts compared and the one kept (nil for runs stored before restarts existed).
  public var restarts: RestartReport?
  /// How `--clusters auto` chose K (nil when K was given).
  public var clusterChoice: ClusterCountChoice?

  public init() {}
}

extension RunHistory {
  /// The target updates of a joint stage and why it stopped.
  init(updates: [DECUpdate], stopReason: String) {
    self.init()
    self.updates = updates.map {
      Update(
        iteration: $0.iteration, loss: $0.loss, reconstruction: $0.reconstruction, kl: $0.kl,
        labelChange: $0.labelChange)
    }
    self.stopReason = stopReason
  }

  /// As stored in `runs.history_json` (sorted keys).
  func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }
}
