/// `--clusters auto` with restarts until two agree: the walk over K after the scan (decision
/// 0015, "K whose restarts agree (stop 38)"). Its decisions, apart from the training it asks
/// for, so that they can be checked on restarts of known labels.
enum ClusterCountWalk {
  /// The K the walk settled on, its restarts, the context they were checked in, whether the
  /// run's stopping rule stopped there (else the run trains more restarts at K), and the K
  /// tried before it whose restarts had no two that agree.
  struct Settled<Context> {
    var k: Int
    var finished: [FinishedRestart]
    var context: Context
    var stops: Bool
    var unsettled: [Int]
  }

  /// Walks `order` (the scan's best K, then the smaller ones in the scan's order). At each K,
  /// restarts are trained from the pretrained networks (`train`, in the groups of
  /// `RestartGroup` under the default rule, at most `networks`) until `check` says the run's
  /// stopping rule stops. The first K where it stops, or where some two restarts at least agree
  /// (ARI >= 0.875), is the run's. When no K has two that agree, the first K (the best) is,
  /// with its restarts, and the run trains more there. Nil when `order` is empty or
  /// `networks` < 2.
  static func settle<Context>(
    order: [Int], networks: Int,
    context: (_ k: Int) -> Context,
    train: (_ k: Int, _ context: Context, _ restarts: Range<Int>) throws -> [FinishedRestart],
    check: (_ k: Int, _ context: Context, _ finished: [FinishedRestart]) throws -> (
      stops: Bool, pairAgrees: Bool
    ),
    log: (String) -> Void
  ) throws -> Settled<Context>? {
    guard networks >= 2 else { return nil }
    var unsettled: [Int] = []
    var top: Settled<Context>? = nil
    for k in order {
      let trialContext = context(k)
      var finished: [FinishedRestart] = []
      var stops = false
      var pairAgrees = false
      while finished.count < networks, !stops {
        let group = RestartGroup.range(
          from: finished.count, restarts: networks, stopWhenTwoAgree: true)
        finished += try train(k, trialContext, group)
        (stops, pairAgrees) = try check(k, trialContext, finished)
      }
      // Two restarts that agree settle K, even when k-means on the windows separates them
      // better: the run's own loop then trains more restarts at this K, as before.
      if stops || pairAgrees {
        if !stops { log(ClusterJob.pairNotCredibleLine) }
        return Settled(
          k: k, finished: finished, context: trialContext, stops: stops, unsettled: unsettled)
      }
      unsettled.append(k)
      if top == nil {
        top = Settled(
          k: k, finished: finished, context: trialContext, stops: false, unsettled: [])
      }
      log(
        "clusters auto: K=\(k): no two of \(finished.count) restarts agree once clustered; trying the next K"
      )
    }
    guard var top else { return nil }
    if unsettled.count > 1 {
      log(
        "clusters auto: no K up to \(top.k) has two restarts that agree; K=\(top.k), the best by stability + silhouette, trains more restarts"
      )
    }
    top.unsettled = unsettled
    return top
  }
}
