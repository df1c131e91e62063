extension DSP {
  /// Why an STA/LTA cannot be computed.
  public enum TriggerError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidWindows(short: Int, long: Int)
    case tooShort(count: Int, long: Int)

    public var description: String {
      switch self {
      case .invalidWindows(let s, let l):
        "STA/LTA needs 1 <= STA samples < LTA samples, got \(s) and \(l)"
      case .tooShort(let n, let l): "STA/LTA needs at least \(l) samples (LTA), got \(n)"
      }
    }
  }

  /// Classic STA/LTA characteristic function as `obspy.signal.trigger.classic_sta_lta(a, nsta,
  /// nlta)`: mean of squares over the last `short` samples divided by the mean over the last
  /// `long` samples; 0 for the first `long - 1` samples, where the long window is not full.
  public static func classicSTALTA(_ samples: [Double], short nsta: Int, long nlta: Int)
    throws(TriggerError) -> [Double]
  {
    guard nsta >= 1, nlta > nsta else { throw .invalidWindows(short: nsta, long: nlta) }
    guard samples.count >= nlta else { throw .tooShort(count: samples.count, long: nlta) }
    let n = samples.count
    var out = [Double](repeating: 0, count: n)
    var sta = 0.0
    var lta = 0.0
    let tiny = Double.leastNormalMagnitude
    for i in 0..<n {
      let sq = samples[i] * samples[i]
      sta += sq
      lta += sq
      if i >= nsta { sta -= samples[i - nsta] * samples[i - nsta] }
      if i >= nlta { lta -= samples[i - nlta] * samples[i - nlta] }
      if i >= nlta - 1 {
        let l = lta / Double(nlta)
        out[i] = (sta / Double(nsta)) / (l < tiny ? tiny : l)
      }
    }
    return out
  }

  /// Recursive STA/LTA characteristic function as `obspy.signal.trigger.recursive_sta_lta(a, nsta,
  /// nlta)` (Withers 1998): exponential averages of squares with weights `1/nsta` and `1/nlta`;
  /// the first `nlta` values are 0.
  public static func recursiveSTALTA(_ samples: [Double], short nsta: Int, long nlta: Int)
    throws(TriggerError) -> [Double]
  {
    guard nsta >= 1, nlta > nsta else { throw .invalidWindows(short: nsta, long: nlta) }
    guard samples.count >= nlta else { throw .tooShort(count: samples.count, long: nlta) }
    let n = samples.count
    var out = [Double](repeating: 0, count: n)
    let csta = 1.0 / Double(nsta)
    let clta = 1.0 / Double(nlta)
    var sta = 0.0
    var lta = 1e-99
    for i in 1..<max(n, 1) {
      let sq = samples[i] * samples[i]
      sta = csta * sq + (1 - csta) * sta
      lta = clta * sq + (1 - clta) * lta
      out[i] = i < nlta ? 0 : sta / lta
    }
    return out
  }

  /// A trigger: the sample where the characteristic function rose to the on threshold and the
  /// sample where it fell back below the off threshold (inclusive, ObsPy's convention).
  public struct Trigger: Sendable, Equatable {
    public var onIndex: Int
    public var offIndex: Int
    public init(onIndex: Int, offIndex: Int) {
      self.onIndex = onIndex
      self.offIndex = offIndex
    }
  }

  /// Trigger on/off sample pairs as `obspy.signal.trigger.trigger_onset(charfct, thres1=on,
  /// thres2=off, max_len, max_len_delete)`, ported line by line (including its treatment of a
  /// trigger still on at the end, which ends at the last sample above `off`).
  public static func triggerOnsets(
    _ function: [Double], on: Double, off: Double, maxLength: Int = Int.max,
    deleteLongTriggers: Bool = false
  ) -> [Trigger] {
    let ind1 = function.indices.filter { function[$0] >= on }
    guard let first = ind1.first else { return [] }
    let ind2 = function.indices.filter { function[$0] >= off }
    // ObsPy uses float deques: on/of hold indices and the sentinels -1, 1e99 and len.
    var onQueue: [Double] = [Double(first)]
    var ofQueue: [Double] = [-1]
    if !ind2.isEmpty {
      for k in 0..<ind2.count where k == ind2.count - 1 || ind2[k + 1] - ind2[k] > 1 {
        ofQueue.append(Double(ind2[k]))
      }
    }
    for k in 1..<max(ind1.count, 1) where ind1[k] - ind1[k - 1] > 1 {
      onQueue.append(Double(ind1[k]))
    }
    if deleteLongTriggers {
      ofQueue.append(1e99)
      onQueue.append(onQueue[onQueue.count - 1])
    } else if let last = ind2.last {
      ofQueue.append(Double(last))
    }
    ofQueue.append(Double(function.count))
    let maxLen = Double(maxLength)
    var onHead = 0
    var ofHead = 0
    var picks: [Trigger] = []
    while onHead < onQueue.count, ofHead < ofQueue.count,
      onQueue[onQueue.count - 1] > ofQueue[ofHead]
    {
      while onHead < onQueue.count, onQueue[onHead] <= ofQueue[ofHead] { onHead += 1 }
      guard onHead < onQueue.count else { break }
      while ofHead < ofQueue.count, ofQueue[ofHead] < onQueue[onHead] { ofHead += 1 }
      guard ofHead < ofQueue.count else { break }
      if ofQueue[ofHead] - onQueue[onHead] > maxLen {
        if deleteLongTriggers {
          onHead += 1
          continue
        }
        ofQueue.insert(onQueue[onHead] + maxLen, at: ofHead)
      }
      let lastIndex = Double(function.count - 1)
      picks.append(
        Trigger(onIndex: Int(onQueue[onHead]), offIndex: Int(min(ofQueue[ofHead], lastIndex))))
    }
    return picks
  }
}
