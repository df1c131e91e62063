import Clustering
import Foundation
import Logging
import NeuralNetwork
import Numerics
import Store

/// Restarts train in fixed groups, side by side (each on half the cores) when the machine has
/// two cores or more and memory holds both networks, else one after the other.
///
/// With `--restarts N` every restart is trained, in pairs. Without it (decision 0014, "Side by
/// side"), the first two train as a pair and each further one alone, the run stopping as soon
/// as two agree: exactly the restarts the rule trained one at a time, so its evidence holds,
/// and a third restart alone (two cores) takes less wall time than a second pair.
///
/// The groups depend on the options alone, never on the cores, and the network's results do
/// not depend on its thread count (`DeterministicParallel`), so a seed gives the same restarts
/// and labels on any machine, side by side or not. A checkpoint holds every restart of the
/// group under way, so `--resume` continues both.
enum RestartGroup {
  /// Restarts per group, at most.
  static let size = 2

  /// The restarts of the group that restart `start` belongs to, from `start` on.
  static func range(from start: Int, restarts: Int, stopWhenTwoAgree: Bool) -> Range<Int> {
    if stopWhenTwoAgree && start >= size { return start..<min(restarts, start + 1) }
    return start..<min(restarts, (start / size + 1) * size)
  }
}

extension RestartGroup {
  /// Networks that train at once: two on a machine of two cores or more when memory holds both
  /// networks' training and the windows, and the windows are held (a streamed set reads one
  /// store connection); else one.
  static func lanes(options: ModelOptions, contents: TrainingWindows) -> Int {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    guard cores >= 2, !contents.isStreamed else { return 1 }
    let configuration = options.autoencoderConfiguration(
      channels: contents.networkChannels, length: contents.networkLength)
    guard
      let each = try? Autoencoder.trainingBytes(
        configuration: configuration, batch: min(options.batch, contents.count),
        workers: max(1, cores / size))
    else { return 1 }
    let windows = contents.count * contents.windowBytes
    return each.value * size + windows <= MemoryLimit.availableBytes ? size : 1
  }
}

/// Raised in a restart that stops because the other one of its group failed or was
/// interrupted.
struct RestartCancelled: Error {}

/// Whether a member of a side-by-side group (`ClusterJob.inGroups`) has failed: the others
/// check it at their checkpoints and stop.
final class GroupCancellation: @unchecked Sendable {
  private let lock = NSLock()
  private var cancelled = false

  func cancel() {
    lock.lock()
    cancelled = true
    lock.unlock()
  }

  /// Throws `RestartCancelled` once another member has failed.
  func check() throws {
    lock.lock()
    defer { lock.unlock() }
    if cancelled { throw RestartCancelled() }
  }
}

/// What the restarts of one group share while they train: their latest states, stored together
/// as the run's checkpoint at most every `interval` seconds, and whether one of them has stopped
/// the others.
final class RestartGroupState: @unchecked Sendable {
  private let lock = NSLock()
  private let finished: [FinishedRestart]
  private(set) var members: [GroupMember]
  private var cancelled = false
  private var lastSave = Date()
  private var saved = 0
  private let runID: Int64
  private let store: SeisStore
  private let interval: Double
  private let afterCheckpoint: (@Sendable (Int) throws -> Void)?
  /// `ClusterCheckpoint.scanning`: the members are the networks `--clusters auto` pretrains.
  private let scanning: [Int]?
  /// `ClusterCheckpoint.walk`, kept in every checkpoint stored (a resumed choice of K).
  private var walk: [String: FinishedRestart]?

  init(
    state: ClusterCheckpoint, count: Int, runID: Int64, store: SeisStore, interval: Double,
    afterCheckpoint: (@Sendable (Int) throws -> Void)?, scanning: [Int]? = nil,
    walk: [String: FinishedRestart]? = nil
  ) {
    finished = state.finished
    members = (0..<count).map { state.member($0) }
    self.runID = runID
    self.store = store
    self.interval = interval
    self.afterCheckpoint = afterCheckpoint
    self.scanning = scanning
    self.walk = walk
  }

  /// Records member `offset`'s state; stores the group's checkpoint when `interval` has passed.
  /// Throws `RestartCancelled` once another member has stopped the group.
  func checkpoint(_ offset: Int, _ state: DECCheckpoint) throws {
    lock.lock()
    defer { lock.unlock() }
    if cancelled { throw RestartCancelled() }
    members[offset].checkpoint = state
    guard Date().timeIntervalSince(lastSave) >= interval else { return }
    try save(
      stage: state.stage, iteration: state.stage == "pretrain" ? state.epochsDone : state.iteration)
  }

  /// Stores the states recorded so far now, whenever the last checkpoint was stored (the end of
  /// the networks' pretraining for the choice of K, and each step of its walk, with `walk`).
  func saveNow(walk: [String: FinishedRestart]? = nil) throws {
    lock.lock()
    defer { lock.unlock() }
    if cancelled { throw RestartCancelled() }
    if let walk { self.walk = walk }
    try save(stage: "pretrain", iteration: members.compactMap(\.checkpoint?.epochsDone).min() ?? 0)
  }

  /// Called with `lock` held.
  private func save(stage: String, iteration: Int) throws {
    let record = CheckpointRecord(
      runId: runID, stage: scanning == nil ? stage : "scan", iteration: iteration,
      state: try ClusterCheckpoint(
        finished: finished, current: nil, group: members, scanning: scanning, walk: walk
      ).encoded())
    do {
      try store.saveCheckpoint(record)
    } catch {
      // The store could not take it (a full disk): the run stops resumable from its last
      // checkpoint, as after a kill. It was marked failed, and its progress lost.
      cancelled = true
      throw ClusterJob.Interrupted(underlying: error)
    }
    lastSave = Date()
    saved += 1
    do {
      try afterCheckpoint?(saved)
    } catch {
      cancelled = true
      throw ClusterJob.Interrupted(underlying: error)
    }
  }

  func finish(_ offset: Int, _ restart: FinishedRestart) {
    lock.lock()
    defer { lock.unlock() }
    members[offset] = GroupMember(finished: restart, checkpoint: nil)
  }

  /// Stops the other members at their next checkpoint.
  func cancel() {
    lock.lock()
    defer { lock.unlock() }
    cancelled = true
  }
}

extension ClusterJob {
  /// Trains the restarts `indices` (one group) from where `state` left them, side by side when
  /// `lanes` allows; returns the state with all of them finished. A failure marks the run
  /// failed; an interruption leaves it running, to resume.
  func trainGroup(
    _ indices: Range<Int>, state: ClusterCheckpoint, plan: Plan, store: SeisStore,
    logger: Logger
  ) throws -> ClusterCheckpoint {
    precondition(indices.lowerBound == state.finished.count)
    let shared = RestartGroupState(
      state: state, count: indices.count, runID: plan.runID, store: store,
      interval: checkpointSeconds, afterCheckpoint: afterCheckpoint)
    let pending = indices.filter { shared.members[$0 - indices.lowerBound].finished == nil }
    let lanes = min(pending.count, restartLanes(plan))
    let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let threads = max(1, cores / max(lanes, 1))
    // The held windows are read once, here, before any lane reads them.
    _ = try plan.contents.source()

    // Where each restart starts, read before the lanes run (they then only write under the
    // group's lock).
    var starts: [Int: DECCheckpoint] = [:]
    for restart in pending {
      starts[restart] =
        shared.members[restart - indices.lowerBound].checkpoint ?? plan.pretrained[restart]
    }
    let job = self
    let work = UncheckedSendable { [starts] (restart: Int) throws in
      let offset = restart - indices.lowerBound
      let (dec, progress) = try job.trainer(
        for: plan, restart: restart, threads: threads, logger: logger)
      defer { progress.finish() }
      dec.onCheckpoint = { try shared.checkpoint(offset, $0) }
      let result = try dec.run(resumingFrom: starts[restart])
      shared.finish(
        offset,
        try FinishedRestart(result, model: dec.model, seed: plan.options.seed(ofRestart: restart)))
    }
    var errors: [(restart: Int, error: any Error)] = []
    if lanes <= 1 {
      for restart in pending {
        do {
          try work.value(restart)
        } catch {
          errors.append((restart, error))
          break
        }
      }
    } else {
      errors = Self.sideBySide(pending) { restart in
        do {
          try work.value(restart)
        } catch {
          shared.cancel()
          throw error
        }
      }
    }
    if !errors.isEmpty {
      let real = errors.filter { !($0.error is RestartCancelled) }
      if let failure = real.first(where: { !($0.error is Interrupted) }) {
        try? failRun(plan, store: store)
        throw failure.error
      }
      if let interrupted = real.first?.error as? Interrupted { throw interrupted.underlying }
      throw errors[0].error
    }
    return ClusterCheckpoint(
      finished: state.finished + shared.members.map { $0.finished! }, current: nil)
  }

  /// How many restarts train at once (`RestartGroup.lanes`); `restartLanes` overrides it
  /// (tests).
  func restartLanes(_ plan: Plan) -> Int {
    if let restartLanes { return max(1, restartLanes) }
    return RestartGroup.lanes(options: plan.options, contents: plan.contents)
  }

  /// Runs `body(item, threads, cancellation)` for items `0..<count` in groups of `lanes`, side
  /// by side, each item on its share of the cores; once the group is done, throws the first
  /// error of the group (in item order) that is not a `RestartCancelled`. An item that fails
  /// cancels its group: the others stop at their next `cancellation.check()` instead of training
  /// to the end for nothing.
  static func inGroups(
    count: Int, lanes: Int,
    _ body:
      @escaping @Sendable (_ item: Int, _ threads: Int, _ cancellation: GroupCancellation) throws
      -> Void
  ) throws {
    let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
    var start = 0
    while start < count {
      let group = Array(start..<min(count, start + max(1, lanes)))
      let threads = max(1, cores / group.count)
      let cancellation = GroupCancellation()
      if group.count == 1 {
        try body(group[0], threads, cancellation)
      } else {
        let errors = sideBySide(group) { item in
          do {
            try body(item, threads, cancellation)
          } catch {
            cancellation.cancel()
            throw error
          }
        }
        if let first = errors.first(where: { !($0.error is RestartCancelled) }) ?? errors.first {
          throw first.error
        }
      }
      start += group.count
    }
  }

  /// Runs `body` for every item at once (on the calling thread and the dispatch pool) and waits
  /// for all; returns the errors thrown, in item order. (Foundation `Thread`s with a set stack
  /// size crashed the test process about one run in three, in malloc; the dispatch pool does
  /// not.)
  static func sideBySide(
    _ items: [Int], _ body: @escaping @Sendable (Int) throws -> Void
  ) -> [(restart: Int, error: any Error)] {
    let results = UncheckedSendable(ResultBox(count: items.count))
    DispatchQueue.concurrentPerform(iterations: items.count) { slot in
      do {
        try body(items[slot])
      } catch {
        results.value.set(slot, error)
      }
    }
    return items.enumerated().compactMap { slot, item in
      results.value.errors[slot].map { (item, $0) }
    }
  }

  final class ResultBox {
    private let lock = NSLock()
    private(set) var errors: [(any Error)?]
    init(count: Int) { errors = Array(repeating: nil, count: count) }
    func set(_ slot: Int, _ error: any Error) {
      lock.lock()
      errors[slot] = error
      lock.unlock()
    }
  }
}

/// The networks `--clusters auto` pretrained, filled side by side.
final class PretrainedNetworks: @unchecked Sendable {
  private let lock = NSLock()
  private var embeddingsByRestart: [[Float]]
  private(set) var states: [Int: DECCheckpoint] = [:]
  private(set) var dimension = 0

  init(count: Int) { embeddingsByRestart = Array(repeating: [], count: count) }

  func set(_ restart: Int, embeddings: [Float], dimension: Int, state: DECCheckpoint?) {
    lock.lock()
    defer { lock.unlock() }
    embeddingsByRestart[restart] = embeddings
    self.dimension = dimension
    states[restart] = state
  }

  var embeddings: [[Float]] {
    lock.lock()
    defer { lock.unlock() }
    return embeddingsByRestart
  }
}
