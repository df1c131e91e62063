/// The truth label of a demo event.
public enum DemoEventKind: String, Sendable, CaseIterable {
  /// A local or regional earthquake: impulsive P, larger S, 2-15 Hz, exponential coda.
  case local
  /// A teleseismic P arrival: emergent, 0.2-2 Hz, long duration, little S in the window.
  case teleseismic
}
