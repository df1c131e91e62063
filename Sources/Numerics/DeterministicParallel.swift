import Dispatch

/// A parallel loop whose results never depend on scheduling.
///
/// Work is cut into a fixed list of tasks (the caller decides the cut from the problem size
/// alone, never from the thread count). Worker `w` of `W` runs tasks `w, w + W, w + 2W, ...` in
/// increasing order. A task that accumulates (for example per-task parameter gradients) writes
/// only its own buffer, and the caller reduces those buffers afterwards in task order, so the sum
/// is bit-identical for any number of workers.
public enum DeterministicParallel {
  /// Runs `body(task, worker)` for every `task` in `0..<taskCount` on up to `workerCount`
  /// workers. With one worker (or one task) everything runs on the calling thread, in order.
  public static func run(
    taskCount: Int, workerCount: Int, _ body: @Sendable (_ task: Int, _ worker: Int) -> Void
  ) {
    guard taskCount > 0 else { return }
    let workers = max(1, min(workerCount, taskCount))
    if workers == 1 {
      for task in 0..<taskCount { body(task, 0) }
      return
    }
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      var task = worker
      while task < taskCount {
        body(task, worker)
        task += workers
      }
    }
  }

  /// Splits `count` items into `parts` contiguous ranges whose sizes differ by at most one
  /// (earlier ranges take the extra items). Empty ranges are omitted.
  public static func ranges(count: Int, parts: Int) -> [Range<Int>] {
    guard count > 0 else { return [] }
    let p = max(1, min(parts, count))
    let base = count / p
    let extra = count % p
    var result: [Range<Int>] = []
    result.reserveCapacity(p)
    var start = 0
    for i in 0..<p {
      let size = base + (i < extra ? 1 : 0)
      result.append(start..<(start + size))
      start += size
    }
    return result
  }
}

/// Wraps a value that is safe to share across the workers of `DeterministicParallel.run` because
/// they touch disjoint parts of it. The caller is responsible for that promise.
public struct UncheckedSendable<Value>: @unchecked Sendable {
  /// The wrapped value.
  public let value: Value
  /// Wraps `value`.
  public init(_ value: Value) { self.value = value }
}
