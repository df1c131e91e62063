import Clustering
import Store

extension ClusterAssignment {
  /// How `relabel` names a cluster: its class, and whether the window was hand-labelled.
  struct ClassLabels {
    /// Class name of every cluster.
    var names: [String]
    /// Per window (assignment row): the class it was labelled with by hand, if any.
    var handLabels: [Int?]
  }

  /// One store row per window: row `i` of the assignment belongs to window `windowIDs[i]`. With
  /// `classes`, every row also carries a class name and its probability: the hand label where
  /// there is one (the user's word stands, even where the network's cluster differs; the
  /// cluster column keeps the network's), else its cluster's class.
  func records(runID: Int64, windowIDs: [Int64], classes: ClassLabels? = nil)
    -> [AssignmentRecord]
  {
    precondition(windowIDs.count == count, "one window id per assigned window")
    return windowIDs.enumerated().map { i, windowID in
      let cluster = labels[i]
      let probability = Double(probability(ofWindow: i))
      let q = probabilities(ofWindow: i)
      let hand = classes?.handLabels[i]
      let labelClass = hand ?? cluster
      return AssignmentRecord(
        runId: runID, windowId: windowID, cluster: cluster, probability: probability,
        distance: Double(distances[i]), q: q,
        embedding: embedding(ofWindow: i), label: classes?.names[labelClass],
        labelProbability: classes == nil
          ? nil : (labelClass < q.count ? Double(q[labelClass]) : probability),
        isHandLabelled: hand != nil)
    }
  }
}
