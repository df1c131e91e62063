import Clustering
import Foundation
import NeuralNetwork

/// One finished restart of a `cluster` run: enough to compare it with the others and, if it is
/// kept, to store it (the model's parameters; its assignment is recomputed from them exactly).
struct FinishedRestart: Codable {
  /// The model seed this restart trained with.
  var seed: UInt64
  var labels: [Int]
  var parameters: Data
  var optimizer: Data
  var centroids: [Float]
  var pretrainingLosses: [Double]
  var updates: [DECUpdate]
  var stopReason: String
  var stageSeconds: [String: Double]
  /// What the selection criterion reads (see `RestartSelection`).
  var evidence: RestartEvidence
}

/// The numbers an unsupervised choice between restarts can use, none of which needs labels.
public struct RestartEvidence: Codable, Sendable, Equatable {
  /// Mean reconstruction loss of the last pretraining epoch.
  public var pretrainingLoss: Double
  /// Mean reconstruction loss of the joint stage's last interval.
  public var reconstruction: Double
  /// Mean KL(P || Q) of the joint stage's last interval.
  public var kl: Double
  /// Mean of every window's largest q.
  public var meanProbability: Double

  public init(pretrainingLoss: Double, reconstruction: Double, kl: Double, meanProbability: Double)
  {
    self.pretrainingLoss = pretrainingLoss
    self.reconstruction = reconstruction
    self.kl = kl
    self.meanProbability = meanProbability
  }

  // A stage that did not run (`--epochs 0`, `--max-iterations 0`) leaves its loss NaN, which
  // JSON cannot hold: it is stored as absent and read back as NaN.
  enum CodingKeys: String, CodingKey {
    case pretrainingLoss, reconstruction, kl, meanProbability
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    pretrainingLoss = try c.decodeIfPresent(Double.self, forKey: .pretrainingLoss) ?? .nan
    reconstruction = try c.decodeIfPresent(Double.self, forKey: .reconstruction) ?? .nan
    kl = try c.decodeIfPresent(Double.self, forKey: .kl) ?? .nan
    meanProbability = try c.decodeIfPresent(Double.self, forKey: .meanProbability) ?? .nan
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    func put(_ value: Double, _ key: CodingKeys) throws {
      if value.isFinite { try c.encode(value, forKey: key) }
    }
    try put(pretrainingLoss, .pretrainingLoss)
    try put(reconstruction, .reconstruction)
    try put(kl, .kl)
    try put(meanProbability, .meanProbability)
  }

  public static func == (a: Self, b: Self) -> Bool {
    func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
    return same(a.pretrainingLoss, b.pretrainingLoss) && same(a.reconstruction, b.reconstruction)
      && same(a.kl, b.kl) && same(a.meanProbability, b.meanProbability)
  }
}

extension FinishedRestart {
  init(_ result: DECResult, model: any AutoencoderModel, seed: UInt64) throws {
    let last = result.updates.last
    let assignment = result.assignment
    self.init(
      seed: seed, labels: assignment.labels, parameters: model.parameterData,
      optimizer: model.optimizerData, centroids: result.centroids,
      pretrainingLosses: result.pretrainingLosses, updates: result.updates,
      stopReason: result.stopReason, stageSeconds: result.stageSeconds,
      evidence: RestartEvidence(
        pretrainingLoss: result.pretrainingLosses.last ?? .nan,
        reconstruction: last?.reconstruction ?? .nan, kl: last?.kl ?? .nan,
        meanProbability: assignment.count == 0
          ? 0
          : (0..<assignment.count).reduce(0.0) { $0 + Double(assignment.probability(ofWindow: $1)) }
            / Double(assignment.count)))
  }
}

/// Which restart a run keeps, and the evidence shown to the user.
///
/// The kept restart is the one most other restarts agree with (ARI >= 0.875), then the consensus
/// one: the restart whose labels agree best (mean ARI) with every other restart's, ties going
/// to the lowest pretraining loss, or, since stop 39, to a tied restart whose share separates
/// the input better by `tieShareGap` or more. With one or two restarts the consensus ties.
/// Once a restart that separates the input credibly (`shares` at least
/// `InputSeparation.credibleShare`) has a partner, restarts that do not are set aside: only
/// credible ones can be kept. While no credible restart has a partner,
/// nothing is set aside (where no two restarts agree, the input's strongest split can be the
/// wrong one). See docs/decisions/0014-restarts.md.
struct RestartSelection {
  let chosen: Int
  let report: RestartReport

  /// How much better a tied restart must separate the input (`InputSeparation.share`) to be
  /// kept over the one with the lower pretraining loss (decision 0014, "Stop 39").
  static let tieShareGap = 0.08

  /// - Parameter shares: each restart's `InputSeparation.share` (nil: not measured, as with
  ///   one restart).
  init(_ restarts: [FinishedRestart], shares: [Double]? = nil) throws {
    precondition(!restarts.isEmpty, "a run has at least one restart")
    precondition(shares.map { $0.count == restarts.count } ?? true, "one share per restart")
    let comparison = try RestartComparison(labels: restarts.map(\.labels))
    let consensus = comparison.consensus
    // Restarts another one agrees with come first: with five restarts of which two agree and
    // three are scattered, the mean ARI can favour a scattered one (decision 0014).
    let partners = comparison.agreement.enumerated().map { r, row in
      row.enumerated().filter { $0.offset != r && $0.element >= RestartReport.agreeingARI }.count
    }
    let agreement = comparison.agreement
    let credible = restarts.indices.filter { r in
      shares.map { $0[r] >= InputSeparation.credibleShare } ?? true
    }
    let backed = shares != nil && credible.contains { partners[$0] > 0 }
    let candidates = backed ? credible : Array(restarts.indices)
    // Shown as set aside: the others, but not one that found a credible restart's clusters.
    let setAside =
      backed
      ? restarts.indices.filter { r in
        !credible.contains(r)
          && !credible.contains { agreement[r][$0] >= RestartReport.agreeingARI }
      } : []
    // The most partners, then the highest consensus; restarts tied there (two that agree
    // always are) go to the lower pretraining loss, unless another separates the input
    // better by `tieShareGap` or more (decision 0014, "Stop 39").
    let most = candidates.map { partners[$0] }.max() ?? 0
    let leaders = candidates.filter { partners[$0] == most }
    let top = leaders.map { consensus[$0] }.max() ?? 0
    let tied = leaders.filter { consensus[$0] >= top - 1e-9 }
    var best = tied[0]
    for r in tied.dropFirst()
    where restarts[r].evidence.pretrainingLoss < restarts[best].evidence.pretrainingLoss {
      best = r
    }
    if let shares, tied.count > 1 {
      let separating = tied.filter { shares[$0].isFinite }.max { shares[$0] < shares[$1] }
      if let separating, shares[best].isFinite,
        shares[separating] - shares[best] >= Self.tieShareGap - 1e-9
      {
        best = separating
      }
    }
    chosen = best
    report = RestartReport(
      restarts: restarts.enumerated().map { r, restart in
        RestartReport.Restart(
          seed: restart.seed, evidence: restart.evidence, consensus: consensus[r],
          agreement: comparison.agreement[r],
          inputSeparation: shares.flatMap { $0[r].isFinite ? $0[r] : nil })
      }, kept: best, stability: comparison.stability, setAside: setAside,
      clusters: restarts.map { Set($0.labels).count }.max())
  }

  /// Whether the default restarts stop here (decision 0014): two restarts agree (ARI >=
  /// `RestartReport.agreeingARI`) and one of them separates the input credibly (share at least
  /// `InputSeparation.credibleShare`). An agreeing pair that does not stops the run only once
  /// three or more restarts are trained and none is credible (the input's strongest split is
  /// then not what the restarts find); a credible restart without a partner keeps the run
  /// going, up to the cap. Without shares any agreeing pair stops it.
  static func twoAgree(_ restarts: [FinishedRestart], shares: [Double]?) throws -> Bool {
    try stoppingCheck(restarts, shares: shares).stops
  }

  /// `twoAgree`, and whether some pair agrees at all (so that a run that goes on can say the
  /// agreeing pair was not credible), from one comparison of the restarts.
  static func stoppingCheck(_ restarts: [FinishedRestart], shares: [Double]?) throws
    -> (stops: Bool, pairAgrees: Bool)
  {
    guard restarts.count >= 2 else { return (false, false) }
    let agreement = try RestartComparison(labels: restarts.map(\.labels)).agreement
    var pairAgrees = false
    for a in restarts.indices {
      for b in restarts.indices where b > a && agreement[a][b] >= RestartReport.agreeingARI {
        guard let shares else { return (true, true) }
        if max(shares[a], shares[b]) >= InputSeparation.credibleShare { return (true, true) }
        pairAgrees = true
      }
    }
    guard pairAgrees, let shares, restarts.count >= 3 else { return (false, pairAgrees) }
    return (shares.allSatisfy { $0 < InputSeparation.credibleShare }, true)
  }
}

/// What the user sees of the restarts: agreement between them, which one was kept and why; also
/// stored in the run's history for the report.
public struct RestartReport: Codable, Sendable, Equatable {
  public struct Restart: Codable, Sendable, Equatable {
    public var seed: UInt64
    public var evidence: RestartEvidence
    /// Mean ARI with the other restarts.
    public var consensus: Double
    /// ARI with every restart (1 with itself).
    public var agreement: [Double]
    /// `InputSeparation.share`: its clusters' Calinski-Harabasz index in the input's leading
    /// principal subspace over k-means's there (nil with one restart, and in runs stored
    /// before it existed).
    public var inputSeparation: Double? = nil
  }

  /// Two restarts whose labels agree to at least this ARI found the same clusters (decision
  /// 0014, "Stop 36": under the mixture target of decision 0022, good demo restarts agree from
  /// 0.861; at 0.875 the worst restart kept is unchanged on ten sets, lower thresholds lose it
  /// on generator B hard 300).
  public static let agreeingARI = 0.875

  public var restarts: [Restart]
  /// The index of the restart kept.
  public var kept: Int
  /// Mean ARI over all pairs of restarts; nil with one restart.
  public var stability: Double?
  /// Restarts (indices) set aside because k-means on the input separates it at least 1.5 times
  /// better than their clusters do, once a restart that does not has a partner (nil in runs
  /// stored before).
  public var setAside: [Int]? = nil
  /// The most clusters any restart's labels have (nil in runs stored before): with one, every
  /// restart put every window in one cluster, so they cannot disagree and their agreement says
  /// nothing. (The kept restart's own count said so of a `--clusters 2` run whose kept restart
  /// collapsed while another split the windows.)
  public var clusters: Int? = nil

  /// Restarts (the kept one included) whose labels agree with the kept restart's.
  public var agreeing: Int {
    restarts[kept].agreement.filter { $0 >= Self.agreeingARI }.count
  }

  /// No other restart found the clusters that were kept: the result depends on the
  /// optimisation, not only on the data.
  public var isUnstable: Bool { restarts.count > 1 && agreeing < 2 }

  /// The summary line: `stability: ...`.
  public var line: String {
    if clusters == 1 { return "stability: n/a (1 cluster: restarts cannot disagree)" }
    guard let stability else { return "stability: n/a (1 restart)" }
    // The other restarts that agree with the kept one (it agrees with itself: not counted).
    let others = restarts.count - 1
    let agree =
      others == 1
      ? (agreeing > 1 ? "the other agrees" : "the other does not agree")
      : "\(agreeing - 1) of the \(others) others agree\(agreeing - 1 == 1 ? "s" : "")"
    return String(
      format:
        "stability: %.3f (mean ARI between %d restarts); %@ with the restart kept (ARI >= %.3f), restart %d (seed %llu), the one that agrees best with the others%@",
      stability, restarts.count, agree, Self.agreeingARI, kept + 1, restarts[kept].seed,
      (setAside ?? []).isEmpty ? "" : " not set aside")
  }

  /// The line naming the restarts set aside, if any.
  public var setAsideLine: String? {
    guard let setAside, !setAside.isEmpty else { return nil }
    let names = setAside.map { r in
      String(format: "%d (%.3f)", r + 1, restarts[r].inputSeparation ?? .nan)
    }
    return "set aside: restart\(setAside.count == 1 ? "" : "s") "
      + names.joined(separator: ", ")
      + String(
        format:
          ": k-means on the windows separates them at least %.1f times better than these clusters do (their share of its Calinski-Harabasz index in parentheses; decision 0014)",
        1 / InputSeparation.credibleShare)
  }

  /// The warning for an unstable run.
  public var warning: String {
    let best =
      restarts[kept].agreement.enumerated().filter { $0.offset != kept }.map(\.element)
      .max() ?? 1
    return String(
      format:
        "warning: unstable: no other restart found the clusters kept (best agreement ARI %.3f < %.3f over %d restarts): they depend on the optimisation, not only on the data; check the report, try more --restarts, other window options or another --clusters",
      best, Self.agreeingARI, restarts.count)
  }
}

extension ClusterCheckpoint {
  /// Where a resumed run continues, in words.
  var position: String {
    if let scanning, scanning.count == 2 {
      let parts = (group ?? []).enumerated().map { offset, member -> String in
        guard let state = member.checkpoint else { return "network \(offset + 1) not started" }
        return "network \(offset + 1) after pretraining epoch \(state.epochsDone)"
      }
      let walked =
        (walk ?? [:]).isEmpty ? "" : "; \(walk?.count ?? 0) restart(s) of the walk over K trained"
      return "in the choice of K in \(scanning[0])...\(scanning[1])"
        + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", ")) + walked
    }
    let first = finished.count + 1
    guard let group, group.count > 1 else {
      let state = group?.first?.checkpoint ?? current
      guard let state else { return "at the start of restart \(first)" }
      return (finished.isEmpty ? "" : "in restart \(first), ") + Self.point(state)
    }
    let parts = group.enumerated().map { offset, member -> String in
      let restart = first + offset
      if member.finished != nil { return "restart \(restart) done" }
      guard let state = member.checkpoint else { return "restart \(restart) not started" }
      return "restart \(restart) " + Self.point(state)
    }
    return "in restarts \(first)-\(first + group.count - 1): " + parts.joined(separator: ", ")
  }

  private static func point(_ state: DECCheckpoint) -> String {
    state.stage == "pretrain"
      ? "after pretraining epoch \(state.epochsDone)" : "at iteration \(state.iteration)"
  }
}

extension RunHistory {
  /// The curves, stage times and stop reason of the restart kept.
  init(_ restart: FinishedRestart) {
    self.init(updates: restart.updates, stopReason: restart.stopReason)
    pretraining = restart.pretrainingLosses.enumerated().map {
      Epoch(epoch: $0.offset + 1, loss: $0.element)
    }
    stageSeconds = restart.stageSeconds
  }
}

/// The state of a `cluster` run between restarts, as stored in its checkpoint: the restarts
/// done, and those of the group under way (restarts train in groups side by side,
/// `RestartGroup`). A checkpoint written before restarts existed is a bare `DECCheckpoint` of
/// restart 0; one written before groups existed holds the restart under way in `current`.
struct ClusterCheckpoint: Codable {
  /// Restarts `0..<finished.count`, done.
  var finished: [FinishedRestart]
  /// Restart `finished.count` under way (checkpoints written before groups existed).
  var current: DECCheckpoint?
  /// The restarts from `finished.count` on that belong to the group under way, in order.
  var group: [GroupMember]? = nil
  /// `--clusters auto` under way: the range of K it chooses in (lower, upper). `group` then
  /// holds the pretraining states of the networks the choice is made on, by index, and
  /// `finished` is empty (`ClusterJob.chooseClusterCount`).
  var scanning: [Int]? = nil
  /// The restarts the walk over K (`ClusterJob.settleClusterCount`) has trained so far, by
  /// `"K/restart"`: a resumed walk takes them instead of training them again.
  var walk: [String: FinishedRestart]? = nil

  func encoded() throws -> Data { try JSONEncoder().encode(self) }

  init(
    finished: [FinishedRestart], current: DECCheckpoint?, group: [GroupMember]? = nil,
    scanning: [Int]? = nil, walk: [String: FinishedRestart]? = nil
  ) {
    self.finished = finished
    self.current = current
    self.group = group
    self.scanning = scanning
    self.walk = walk
  }

  init(encoded data: Data) throws {
    if let state = try? JSONDecoder().decode(ClusterCheckpoint.self, from: data) {
      self = state
    } else {
      self.init(finished: [], current: try DECCheckpoint(encoded: data))
    }
  }

  /// The stored state of restart `finished.count + offset`.
  func member(_ offset: Int) -> GroupMember {
    if let group, offset < group.count { return group[offset] }
    return GroupMember(finished: nil, checkpoint: offset == 0 && group == nil ? current : nil)
  }
}

/// One restart of the group under way: done, or where it got to (nil: not started).
struct GroupMember: Codable {
  var finished: FinishedRestart?
  var checkpoint: DECCheckpoint?
}

extension ModelOptions {
  /// The model seed of restart `index`: the run's own seed for the first, so that one restart
  /// trains exactly as before restarts existed; a SplitMix64 step further for each next one.
  func seed(ofRestart index: Int) -> UInt64 {
    index == 0 ? seed : seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
  }
}
