import Clustering
import Foundation
import Store

/// What became of a retrain on a reference per frequency bin, `noise` or `frequency`
/// (decision 0020).
public enum RetrainSettlement: Sendable, Equatable {
  /// Its clusters no longer follow stations: the retrain is the run, its set current.
  case kept
  /// Discarded: the run retrained stands again, its set current. The line says why.
  case discarded(String)
  /// It should have been discarded but could not be: it stands. The warning says why.
  case keptAfterFailure(String)
}

extension ClusterOutcome {
  /// Settles this outcome as a retrain of run `first` on a reference per bin. It stands
  /// only when the station check finds its clusters independent of the stations. Where they
  /// still follow stations, the stations more likely differ in their mix of events as well as
  /// in their sensors, and the balance between frequencies that a reference per bin removes
  /// was what told the events apart; a retrain that collapsed into one cluster says
  /// nothing either. Then its run and model are discarded and `firstSet` is current again.
  public func settleRetrain(over first: Int64, firstSet: Int64, store: SeisStore)
    -> RetrainSettlement
  {
    settle(makingCurrent: firstSet, unlessNewer: true, store: store) { second, why, failure in
      "run \(second), the retrain, stands although \(why): it could not be discarded (\(failure)); export --run \(first) for the window reference"
    } discarded: { why in
      "kept run \(first): the retrain is discarded, as \(why); its window set stays in the store (decision 0020)"
    }
  }

  /// Settles this outcome as a run trained on a reference per bin *before* any run on the
  /// window reference, because the window-referenced set's own clusters called for it
  /// (`ClusterJob.firstOver`): as a retrain, it stands only when its clusters no longer follow
  /// stations. Otherwise its run and model are discarded, `windowSet` is current again, and the
  /// caller trains on it.
  public func settleFirst(
    over windowSet: Int64, reference: WindowSetOptions.SpectrogramReference, store: SeisStore
  ) -> RetrainSettlement {
    let reference = "--spectrogram-reference \(reference.rawValue)"
    return settle(makingCurrent: windowSet, store: store) { second, why, failure in
      "run \(second) (\(reference)) stands although \(why): it could not be discarded (\(failure)); give --spectrogram-reference window for the window reference"
    } discarded: { why in
      "the run on \(reference) is discarded, as \(why); training on the window reference (set \(windowSet), current again; decision 0020)"
    }
  }

  /// `unlessNewer`: a discarded retrain leaves a set built since (on `cluster --resume`)
  /// current; a run trained first on a reference per bin does not, as the window reference's
  /// run that follows trains on the current set.
  private func settle(
    makingCurrent windowSet: Int64, unlessNewer: Bool = false, store: SeisStore,
    failed: (Int64, String, String) -> String, discarded: (String) -> String
  ) -> RetrainSettlement {
    guard confound?.verdict != .independent, let second = run.id else {
      // The set was stored without being made current (a kill while it trained leaves the
      // other set current): the run stands, so its set is current now.
      do {
        // Unless the user built a set since (a resumed run): that one stays current.
        try store.makeWindowSetCurrentUnlessNewer(id: run.windowSetId)
      } catch {
        return .keptAfterFailure(
          "run \(run.id ?? 0) stands, but its window set \(run.windowSetId) could not be made current (\(FailureLine.text(for: error, context: store.path))); windows built for assign need its options"
        )
      }
      return .kept
    }
    let why =
      confound.map {
        $0.verdict == .suspected
          ? "its clusters still follow stations (Cramér's V \(String(format: "%.4f", $0.clusterStationV))), so the stations more likely record different mixes of events"
          : "its clusters cannot be compared with the stations (\($0.clusterCount) cluster(s) over \($0.stationCount) station(s))"
      } ?? "its clusters could not be compared with the stations"
    do {
      try store.discardRun(id: second, makingCurrent: windowSet, unlessNewer: unlessNewer)
    } catch {
      // It stands: its set is made current, if the store lets it.
      _ = try? store.makeWindowSetCurrentUnlessNewer(id: run.windowSetId)
      return .keptAfterFailure(
        failed(second, why, FailureLine.text(for: error, context: store.path)))
    }
    return .discarded(discarded(why))
  }
}
