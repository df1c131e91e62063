import Clustering
import Store

extension ClusterAssignment {
  /// How `relabel` names a cluster: its class, and whether the window was hand-labelled.
  struct ClassLabels {
    /// Class name of every cluster.
    var names: [String]
    /// Per window (assignment row): labelled by hand.
    var handLabelled: [Bool]
  }

  /// One store row per window: row `i` of the assignment belongs to window `windowIDs[i]`. With
  /// `classes`, every row also carries its cluster's class name and probability.
  func records(runID: Int64, windowIDs: [Int64], classes: ClassLabels? = nil)
    -> [AssignmentRecord]
  {
    precondition(windowIDs.count == count, "one window id per assigned window")
    return windowIDs.enumerated().map { i, windowID in
      let cluster = labels[i]
      let probability = Double(probability(ofWindow: i))
      return AssignmentRecord(
        runId: runID, windowId: windowID, cluster: cluster, probability: probability,
        distance: Double(distances[i]), q: probabilities(ofWindow: i),
        embedding: embedding(ofWindow: i), label: classes?.names[cluster],
        labelProbability: classes == nil ? nil : probability,
        isHandLabelled: classes?.handLabelled[i] ?? false)
    }
  }
}
