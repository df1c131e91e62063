import Clustering
import Foundation
import Logging
import Numerics
import Seismic
import Store
import TestSupport
import Testing

@testable import Pipeline

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite struct ReportTests {
  /// Parses the page as XML (the report is written well-formed), returning element counts.
  func elementCounts(_ html: String) throws -> [String: Int] {
    let body = html.replacingOccurrences(of: "<!DOCTYPE html>", with: "")
    final class Counter: NSObject, XMLParserDelegate {
      var counts: [String: Int] = [:]
      func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String] = [:]
      ) { counts[name, default: 0] += 1 }
    }
    let counter = Counter()
    let parser = XMLParser(data: Data(body.utf8))
    parser.delegate = counter
    guard parser.parse() else {
      throw InputError(
        path: "report", reason: "not well-formed: \(String(describing: parser.parserError))")
    }
    return counter.counts
  }

  /// A spectrogram run's report also draws its members' preprocessed Z, N, E waveforms, cut
  /// again from the stored traces exactly as `windows build --input waveform` cuts them.
  @Test func spectrogramRunsShowTheirMembersWaveformsCutAgainAsWindowsBuildCutsThem() throws {
    let selection = WindowSelectionTests()
    let store = try selection.store()
    try store.insertPicks(
      (0..<8).map {
        selection.pick(
          ["XH", "XH", "IU"][$0 % 3], ["H01", "H02", "ANMO"][$0 % 3],
          ["", "00", "10"][$0 % 3], 60 + Double($0) * 50)
      })
    var options = selection.options()
    options.before = 2
    options.after = 6
    options.input = .waveform
    _ = try selection.build(store, options)
    let waveforms = try #require(try store.currentWindowSetContents())
    options.input = .spectrogram
    _ = try selection.build(store, options)
    let spectra = try #require(try store.currentWindowSetReader())
    #expect(spectra.windowSet.inputKind == .spectrogram)
    let recut = try #require(WaveformRecut(windowSet: spectra.windowSet))
    #expect(spectra.count == 8)
    let size = waveforms.windowSize
    for (i, window) in spectra.windows.enumerated() {
      let got = try #require(recut.waveform(of: window, store: store))
      #expect(got == Array(waveforms.samples[(i * size)..<((i + 1) * size)]), "window \(i)")
    }

    var model = ClusterPipelineTests().model()
    model.epochs = 2
    model.maxIterations = 10
    _ = try ClusterJob(clusterCount: 2, model: model, quiet: true)
      .run(store: store, logger: Logger(label: "t"))
    let report = try HTMLReport.load(from: store)
    #expect(report.recut.byEntry.count == 8)
    let html = report.render()
    #expect(html.contains("Most confident members, waveforms"))
    _ = try elementCounts(html)
  }

  @Test func theReportIsOneWellFormedSelfContainedPageWithASectionPerCluster() throws {
    let fixture = try ExportFixture.make(count: 30, familyCount: 3)
    let report = try HTMLReport.load(from: fixture.store)
    let html = report.render(generatedAt: Timestamp(iso8601: "2026-03-02T00:00:00Z"))
    let counts = try elementCounts(html)
    #expect(counts["section"] == 3)
    #expect((counts["svg"] ?? 0) >= 3 * 3 + 4, "three plots per cluster, training and overview")
    #expect(counts["script"] == nil && counts["link"] == nil && counts["iframe"] == nil)
    // Nothing is fetched: the only URL is the SVG namespace.
    let urls = html.components(separatedBy: "http").dropFirst().map { String($0.prefix(30)) }
    #expect(urls.allSatisfy { $0.hasPrefix("://www.w3.org/2000/svg") }, "\(urls)")
    // Images are inline PNG data.
    #expect(html.contains("href=\"data:image/png;base64,"))
    #expect(html.contains("Time relative to pick (s)"))
    for channel in ["HHZ", "HHN", "HHE"] { #expect(html.contains(">\(channel)</text>")) }
    #expect(
      html.contains(
        "Cluster 2 <span class=\"note\" style=\"font-weight:400;font-size:14px\">· 10 windows (33.3 %)"
      ))
    #expect(html.contains("Pretraining epoch") && html.contains("Windows changing cluster (%)"))
    #expect(html.contains("Latent space (PCA of the 4-D embeddings)"))
    #expect(html.contains("Cluster counts over time per station"))
    #expect(html.contains("<code>[8, 4, 2, 1]</code>") || html.contains("<code>[8,4,2,1]</code>"))
    // Reasonable size: traces are decimated, images are small.
    #expect(html.utf8.count < 1_500_000)
    #expect(html.contains("no station confound</pre>"))
    // Trust: the restarts with the one kept, the choice of K, the probabilities per cluster.
    #expect(html.contains("<h2>Trust</h2>"))
    #expect(
      html.contains(
        "stability: 0.417 (mean ARI between 3 restarts); 1 of the 2 others agrees with the restart kept"
      ))
    #expect(html.contains("<td>kept</td>"))
    // Settings give the default rule's cap as a cap, with what trained (it read "restarts 7").
    #expect(html.contains("<code>until two agree, at most 7; 3 trained</code>"))
    #expect(html.contains("Choice of K (--clusters auto)") && html.contains(">K = 3</text>"))
    // The rule's own curve is drawn, and a run it chose needs no note on an earlier rule.
    #expect(html.contains(">stability + silhouette</text>"))
    #expect(html.contains("K is the highest stability + silhouette"))
    #expect(!html.contains("was chosen by an earlier rule"))
    #expect(html.contains("Probability per cluster"))
    // The borderline calls beside the most confident ones (10 windows per cluster: 5 and 5,
    // none in both panels; it drew 8 and 8, 6 of them twice).
    #expect(html.components(separatedBy: "<h3>Least confident members</h3>").count == 4)
    // Members of a three-component set are drawn with every component (only the first before).
    #expect(html.contains("(HHZ black, HHN blue, HHE orange), each scaled to its peak"))
    // The restarts' table spans the page (it ran over the next panel), the summary wraps.
    #expect(html.contains("<div class=\"panel wide\"><h3>Restarts</h3>"))
    #expect(html.contains("white-space: pre-wrap"))
    // The probabilities' axis spans the run's own range, which the caption gives.
    let probabilities = report.catalog.entries.map { Double($0.probability) }
    #expect(
      html.contains(
        String(
          format: "over this run's range (%.3f to %.3f; 1/K = 0.333 is no preference)",
          probabilities.min()!, probabilities.max()!)))
    // The seed and K are given once.
    #expect(html.components(separatedBy: "<th>seed</th>").count == 2)
  }

  /// Members are aligned as REDPy aligns a family: the lag of the highest cross-correlation
  /// with the reference, summed over components, within the bound.
  @Test func membersAreAlignedByTheLagOfTheirHighestCorrelation() {
    let length = 400, channels = 2
    var generator = SeededGenerator(seed: 5)
    var wavelet: [Double] = []
    for t in 0..<length {
      let x = Double(t - 150) / 12
      let noise: Double = 0.02 * generator.nextGaussian()
      wavelet.append(exp(-x * x) * sin(Double(t) / 3) + noise)
    }
    let shifts = [0, 7, -12, 30, -3]
    var samples: [Float] = []
    for shift in shifts {
      for c in 0..<channels {
        for t in 0..<length {
          let source = t - shift
          let v: Double = source >= 0 && source < length ? wavelet[source] : 0
          let gain: Double = c == 0 ? 1 : -0.5
          samples.append(Float(gain * v))
        }
      }
    }
    let lags = WaveformStatistics.alignmentLags(
      samples: samples, channelCount: channels, length: length, rows: [0, 1, 2, 3, 4],
      reference: 0, channels: channels, maxLag: 40)
    #expect(lags == shifts)
    // Beyond the bound the best lag within it is taken, never one outside.
    let bounded = WaveformStatistics.alignmentLags(
      samples: samples, channelCount: channels, length: length, rows: [3], reference: 0,
      channels: channels, maxLag: 10)
    #expect(abs(bounded[0]) <= 10)
    // Against another reference the lags are the differences.
    #expect(
      WaveformStatistics.alignmentLags(
        samples: samples, channelCount: channels, length: length, rows: [0, 1, 2], reference: 3,
        channels: channels, maxLag: 60) == [-30, -23, -42])
  }

  /// A sweep's sizes are ticked as themselves on its log axis (it ticked 1, 10, 100 for 2, 8,
  /// 32), and a y title stands clear of its widest tick label (it ran under "0.0018").
  @Test func givenTicksAreDrawnAndTheYTitleClearsTheTickLabels() {
    var plot = SVGPlot(
      left: 62, top: 16, width: 340, height: 198,
      x: PlotAxis(covering: [2, 8, 32], logarithmic: true),
      y: PlotAxis(covering: [0.0016, 0.0018], padding: 0.08))
    plot.axes(xLabel: "Latent size", yLabel: "Loss", xTickValues: [2, 8, 32])
    for size in ["2", "8", "32"] { #expect(plot.svg.contains(">\(size)</text>")) }
    #expect(!plot.svg.contains(">10</text>"))
    let widest = plot.y.ticks(target: 5).map(\.label.count).max() ?? 0
    #expect(widest >= 6)
    let title = plot.svg.split(separator: "\n").first { $0.contains(">Loss</text>") } ?? ""
    #expect(title.contains("x=\"\(SVG.n(max(10, 62 - 14 - Double(widest) * 6.2)))\""), "\(title)")
  }

  /// The most and least confident members of a cluster never overlap: up to 8 members are all
  /// "most confident"; past 8 the two panels split them, up to 8 each.
  @Test func theMostAndLeastConfidentMembersAreDistinctWindows() {
    for n in [0, 1, 8, 9, 10, 15, 16, 17, 40] {
      let members = Array(0..<n)
      let (most, least) = HTMLReport.mostAndLeastConfident(members)
      #expect(Set(most).isDisjoint(with: least), "\(n)")
      #expect(most == Array(members.prefix(most.count)), "\(n): most confident first")
      #expect(least == Array(members.suffix(least.count).reversed()), "\(n): lowest first")
      #expect(most.count == min(n, n <= 8 ? n : min(8, (n + 1) / 2)), "\(n)")
      #expect(least.count == (n <= 8 ? 0 : min(8, n - most.count)), "\(n)")
    }
    #expect(HTMLReport.mostAndLeastConfident(Array(0..<10)).least == [9, 8, 7, 6, 5])
    // Equal probabilities (one cluster) rank nothing: no least-confident panel.
    #expect(HTMLReport.mostAndLeastConfident(Array(0..<20), allAlike: true).least.isEmpty)
  }

  /// A run that stopped at its second target update has one joint point to draw, after the
  /// first update's placeholder losses (0): the panel drew an empty frame.
  @Test func aRunStoppedAtItsSecondTargetUpdateDrawsItsOneJointPoint() throws {
    let fixture = try ExportFixture.make(count: 12, familyCount: 2)
    var report = try HTMLReport.load(from: fixture.store)
    var history = try #require(report.history)
    history.updates = [
      RunHistory.Update(iteration: 0, loss: 0, reconstruction: 0, kl: 0, labelChange: 1),
      RunHistory.Update(iteration: 20, loss: 0.07, reconstruction: 0.005, kl: 0.63, labelChange: 0),
    ]
    report.history = history
    let training = report.trainingSection()
    let joint = try #require(
      training.components(separatedBy: "<h3>Joint optimisation</h3>").last?
        .components(separatedBy: "<h3>").first)
    #expect(joint.components(separatedBy: "<circle").count - 1 == 3)
    // The label-change plot starts at the second update: the first one's 100 % is the start.
    let change = try #require(
      training.components(separatedBy: "<h3>Label changes between target updates</h3>").last)
    #expect(change.components(separatedBy: "<circle").count - 1 == 1)
    history.updates = [history.updates[0]]
    report.history = history
    #expect(report.trainingSection().contains("No joint step was trained"))
  }

  /// The clusters table's median distance is the mean of the two middle values of an even
  /// count (it was the upper one; stop 42's sweep).
  @Test func theMedianDistanceOfAnEvenClusterIsTheMeanOfItsMiddleTwo() throws {
    let fixture = try ExportFixture.make(count: 30, familyCount: 3)
    let report = try HTMLReport.load(from: fixture.store)
    let html = report.sizeTable()
    for k in report.clusters {
      let d = report.catalog.entries.filter { $0.cluster == k }.map(\.distance).sorted()
      try #require(d.count == 10)
      let median = (d[4] + d[5]) / 2
      // Three decimals, as the other columns ("0.32" beside "0.724" read as another precision).
      #expect(html.contains(">\(String(format: "%.3f", median))</td>"), "cluster \(k): \(d)")
      if String(format: "%.3f", d[5]) != String(format: "%.3f", median) {
        #expect(!html.contains(">\(String(format: "%.3f", d[5]))</td>"), "cluster \(k)")
      }
    }
  }

  /// A cluster the orphans emptied has no mean probability (it printed 0.000), and the orphans
  /// line gives the threshold (stop 42's sweep).
  @Test func theSummaryOfAnOrphanRunGivesItsThresholdAndNoProbabilityForAnEmptyCluster() {
    let lines = ClusterSummary.lines(
      assignments: [0, 0, -1, -1], probabilities: [0.9, 0.7, 0.6, 0.5],
      stations: ["XX.A.", "XX.A.", "XX.A.", "XX.A."], clusterCount: 2, confound: nil,
      stopReason: "tol", iterations: 3, orphanThreshold: 0.97)
    #expect(lines[1] == "      0        2  50.0%             0.800  XX.A. 2")
    #expect(lines[2] == "      1        0   0.0%                 -")
    #expect(lines[3] == "orphans        2  50.0%             0.550  XX.A. 2")
    #expect(lines.last?.hasSuffix("is below --orphans 0.97") == true)
  }

  /// A cluster at more than four stations names four and counts the rest, so the line sums to
  /// the cluster (a demo cluster of 151 windows listed 131; a usability review).
  @Test func theSummaryCountsTheStationsItDoesNotName() {
    let stations = ["A", "A", "A", "B", "B", "C", "C", "D", "D", "E", "F"].map { "XX.\($0)." }
    let lines = ClusterSummary.lines(
      assignments: Array(repeating: 0, count: 11), probabilities: Array(repeating: 0.5, count: 11),
      stations: stations, clusterCount: 1, confound: nil, stopReason: "tol", iterations: 1)
    #expect(
      lines[1]
        == "      0       11  100.0%             0.500  XX.A. 3, XX.B. 2, XX.C. 2, XX.D. 2, +2 more stations (2)"
    )
    let five = ClusterSummary.lines(
      assignments: Array(repeating: 0, count: 10), probabilities: Array(repeating: 0.5, count: 10),
      stations: Array(stations.prefix(10)), clusterCount: 1, confound: nil, stopReason: "tol",
      iterations: 1)
    #expect(five[1].hasSuffix("XX.D. 2, +1 more station (1)"), "\(five[1])")
  }

  /// A set that mixes instruments is named by its components, not by its first window's
  /// channel codes (the report titled SHZ and EHZ members "BHZ"; stop 42's sweep).
  @Test func aSetOfMixedInstrumentsIsNamedByItsComponents() {
    func window(_ channels: String) -> WindowRecord {
      WindowRecord(
        windowSetId: 1, windowKey: 1, pickId: nil, network: "XX", station: "S", location: "",
        channels: channels, pickTime: nil, phase: "P", startTime: nil, samples: [])
    }
    let set = WindowSetRecord(
      version: "test", inputKind: .waveform, channelCount: 3, length: 4, samplingRate: 100,
      parametersJson: "{}", processingJson: "[]")
    func names(_ channels: [String]) -> [String] {
      WindowSetContents(windowSet: set, windows: channels.map(window), samples: []).componentNames
    }
    #expect(names(["HHZ,HHN,HHE", "HHZ,HHN,HHE"]) == ["HHZ", "HHN", "HHE"])
    #expect(names(["BHZ,BH1,BH2", "SHZ,SHN,SHE"]) == ["Z", "N", "E"])
    #expect(names(["bhz,bh1,bh2", "HHZ,HHN,HHE"]) == ["Z", "N", "E"])
    #expect(names(["BHZ", "EHZ"]) == ["Z"])
    #expect(names(["", ""]) == [])
    #expect(names([]) == [])
  }

  /// The choice-of-K panel says which rule chose a stored K, and draws the rule's sum only
  /// where there is stability (decision 0015, "Both criteria at once").
  @Test func theChoiceOfKPanelNamesAnEarlierRuleAndOneNetworksSilhouette() throws {
    let fixture = try ExportFixture.make(count: 30, familyCount: 3)
    let report = try HTMLReport.load(from: fixture.store)
    // Generator B 2,000, seed 0, stored by stop 32's build: K = 4 by the 0.04 band.
    let scan = [(0.917, 0.581), (0.952, 0.498), (0.946, 0.500), (0.970, 0.483)]
    let candidates = scan.enumerated().map {
      ClusterCountChoice.Candidate(
        clusters: $0.offset + 2, stability: $0.element.0, silhouette: $0.element.1)
    }
    let earlier = report.clusterCountPanel(
      ClusterCountChoice(candidates: candidates, chosen: 4, networks: 3))
    #expect(earlier.contains("K=4 was chosen by an earlier rule"))
    #expect(earlier.contains(">stability + silhouette</text>"))
    let now = report.clusterCountPanel(
      ClusterCountChoice(candidates: candidates, chosen: 2, networks: 3))
    #expect(
      !now.contains("earlier rule") && now.contains("K is the highest stability + silhouette"))
    let one = report.clusterCountPanel(
      ClusterCountChoice(
        candidates: candidates.map {
          .init(clusters: $0.clusters, stability: nil, silhouette: $0.silhouette)
        },
        chosen: 2, networks: 1))
    #expect(one.contains("no stability: K is the highest silhouette"))
    // Decision 0015, "K whose restarts agree (stop 38)".
    var walked = ClusterCountChoice(candidates: candidates, chosen: 2, networks: 3)
    walked.unsettled = [5]
    let settled = report.clusterCountPanel(walked)
    #expect(
      settled.contains(
        "K=5 ranked higher, but no two of the first restarts agreed once clustered there: K=2 is the best K whose restarts agree"
      ))
    walked.unsettled = [2]
    #expect(
      report.clusterCountPanel(walked).contains(
        "No two of the first restarts agreed once clustered at K=2: K=2, the best, trained more restarts"
      ))
    #expect(!one.contains("Stability:") && !one.contains(">stability + silhouette</text>"))
  }

  /// A run of one cluster (`--clusters 1`, or relabel with one class): every q is 1, and the
  /// probability panel's axis used to run from 1/K = 1 to 1 and trap.
  @Test func aRunOfOneClusterIsReported() throws {
    let fixture = try ExportFixture.make(count: 12, familyCount: 1)
    let report = try HTMLReport.load(from: fixture.store)
    #expect(report.clusters.count == 1)
    let html = report.render(generatedAt: Timestamp(iso8601: "2026-03-02T00:00:00Z"))
    #expect(html.contains("Probability per cluster"))
    #expect(!html.contains("NaN") && !html.contains("nan\""))
    #expect(try elementCounts(html)["section"] == 1)
    // No plot of q (all 1, drawn as a ramp), and no stability from restarts that cannot disagree.
    #expect(html.contains("One cluster: every window"))
  }

  @Test func theMeanSpectrogramOfEachFamilyPeaksAtItsFrequency() throws {
    let fixture = try ExportFixture.make(count: 24, familyCount: 3)
    let report = try HTMLReport.load(from: fixture.store)
    for family in 0..<3 {
      let rows = report.members(of: family).compactMap { report.rowOfEntry[$0] }
      #expect(rows.count == 8)
      let s = try #require(
        WaveformStatistics.meanSpectrogram(
          samples: report.contents.samples, channelCount: 3, length: ExportFixture.length,
          channel: 0, members: rows, rate: 100))
      #expect(s.frequencyStep == 100.0 / 128)
      var best = (row: 0, value: -Double.infinity)
      for r in 0..<s.rows {
        for f in 0..<s.frames where s.decibels[r * s.frames + f] > best.value {
          best = (r, s.decibels[r * s.frames + f])
        }
      }
      let peak = Double(best.row) * s.frequencyStep
      #expect(
        abs(peak - ExportFixture.frequencies[family]) <= s.frequencyStep,
        "family \(family): peak at \(peak) Hz")
    }
  }

  @Test func meanAndSpreadAreTakenPerChannelAndSampleOverTheMembers() {
    // Three windows of 2 channels x 2 samples; members 0 and 2.
    let samples: [Float] = [1, 2, 3, 4, 100, 100, 100, 100, 3, 6, 3, 0]
    let (mean, spread) = WaveformStatistics.meanAndSpread(
      samples: samples, channelCount: 2, length: 2, members: [0, 2])
    #expect(mean == [2, 4, 3, 2])
    #expect(spread == [1, 2, 0, 2])
    // Shifted: a window and its copy one sample later stack exactly where both have samples,
    // and the last position has the first window's sample alone.
    let pair: [Float] = [0, 5, 1, 0, 9, 0, 5, 1]
    let (aligned, alignedSpread) = WaveformStatistics.meanAndSpread(
      samples: pair, channelCount: 1, length: 4, members: [0, 1], shifts: [0, 1])
    #expect(aligned == [0, 5, 1, 0])
    #expect(alignedSpread == [0, 0, 0, 0])
  }

  @Test func decimationKeepsEveryPeakAndAboutTheRequestedNumberOfPoints() {
    let n = 6000
    let xs = (0..<n).map(Double.init)
    var ys = (0..<n).map { sin(Double($0) / 50) }
    ys[1234] = 9
    ys[4321] = -7
    let (dx, dy) = WaveformStatistics.decimated(xs, ys, maxPoints: 1000)
    #expect(dy.count <= 1000 && dy.count >= 900)
    #expect(dy.max() == 9 && dy.min() == -7)
    #expect(dx.contains(1234) && dx.contains(4321))
    #expect(zip(dx, dx.dropFirst()).allSatisfy { $0 < $1 }, "time order is kept")
    let short = WaveformStatistics.decimated([0, 1, 2], [5, 6, 7])
    #expect(short.ys == [5, 6, 7])
  }

  @Test func principalComponentsFindTheAxesAndVariancesOfAKnownCloud() {
    // Points at +-3 u1 and +-1 u2 around a centre, u1 and u2 orthonormal in 4-D: the sample
    // covariance (n - 1 = 3) is 6 u1 u1' + (2/3) u2 u2'.
    let u1 = [0.5, 0.5, 0.5, 0.5]
    let u2 = [0.5, -0.5, 0.5, -0.5]
    let centre = [1.0, -2.0, 0.5, 3.0]
    func point(_ a: Double, _ b: Double) -> [Double] {
      (0..<4).map { centre[$0] + a * u1[$0] + b * u2[$0] }
    }
    let pca = PrincipalComponents(points: [point(3, 0), point(-3, 0), point(0, 1), point(0, -1)])
    #expect(abs(pca.variances[0] - 6) < 1e-9)
    #expect(abs(pca.variances[1] - 2.0 / 3) < 1e-9)
    #expect(abs(pca.totalVariance - 20.0 / 3) < 1e-9)
    let dot1 = zip(pca.axes[0], u1).reduce(0) { $0 + $1.0 * $1.1 }
    let dot2 = zip(pca.axes[1], u2).reduce(0) { $0 + $1.0 * $1.1 }
    #expect(abs(abs(dot1) - 1) < 1e-9 && abs(abs(dot2) - 1) < 1e-9)
    let projected = pca.project(point(3, 0))
    #expect(abs(abs(projected[0]) - 3) < 1e-9 && abs(projected[1]) < 1e-9)
    #expect(pca.mean.enumerated().allSatisfy { abs($0.element - centre[$0.offset]) < 1e-12 })
  }

  @Test func axisTicksAreRoundNumbersInsideTheRange() {
    let axis = PlotAxis(lower: -2, upper: 8)
    #expect(axis.ticks().map(\.label) == ["-2", "0", "2", "4", "6", "8"])
    let fine = PlotAxis(lower: 0, upper: 0.7)
    #expect(fine.ticks().map(\.label) == ["0", "0.2", "0.4", "0.6"])
    let log = PlotAxis(covering: [0.003, 0.4], logarithmic: true)
    #expect(log.lower == 0.001 && log.upper == 1)
    #expect(log.ticks().map(\.label) == ["10⁻³", "10⁻²", "10⁻¹", "1"])
    // Far from zero, a step below the values' resolution still ends.
    let huge = PlotAxis(lower: 1e17, upper: 1e17 + 64)
    #expect(huge.ticks().count <= 50)
  }

  @Test func clusterColoursAreDistinctPastThePalette() {
    let colours = (0..<60).map(HTMLReport.colour)
    #expect(Set(colours).count == 60)
    #expect(colours.allSatisfy { $0.count == 7 && $0.hasPrefix("#") })
    #expect(HTMLReport.colour(-1) == "#9a9a9a")
  }

  @Test func pngChunksCarryTheStandardChecksums() {
    // Reference values: the IEND chunk CRC every PNG ends with, and zlib's Adler-32 example.
    #expect(PNGImage.crc32(Array("IEND".utf8)) == 0xAE42_6082)
    #expect(PNGImage.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
    let png = Array(PNGImage(width: 3, height: 2, pixels: [UInt8](repeating: 200, count: 18)).data)
    #expect(png.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    #expect(Array(png[16..<24]) == [0, 0, 0, 3, 0, 0, 0, 2], "IHDR width and height")
    #expect(Array(png.suffix(8)) == [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
  }

  @Test func aSpectrogramInputRunIsDrawnAsImages() throws {
    let fixture = try ExportFixture.make(count: 10, inputKind: .spectrogram)
    let html = try HTMLReport.load(from: fixture.store).render()
    let counts = try elementCounts(html)
    #expect(counts["section"] == 2)
    #expect(html.contains("Mean input spectrogram"))
    #expect(html.contains("Time-averaged spectrum"))
    #expect(!html.contains("Mean and spread"))
    #expect(html.contains(">HHZ</text>"))
    // The fixture's parameters hold no build options (as an imported set's): bins.
    #expect(html.contains("Frequency bin") && !html.contains("Frequency (Hz)"))
    // Built by `windows build`: frequencies in Hz (bins 100 / 128 Hz apart).
    try fixture.store.writer.write { db in
      try db.execute(
        sql: "UPDATE window_sets SET parameters_json = ? WHERE id = ?",
        arguments: [
          #"{"options":{"before":2,"after":8,"rate":100,"input":"spectrogram"},"stftSegmentSamples":128}"#,
          fixture.setID,
        ])
    }
    let built = try HTMLReport.load(from: fixture.store).render()
    #expect(built.contains("Frequency (Hz)") && built.contains("bins 0.781 Hz apart"))
    #expect(!built.contains("Frequency bin") && built.contains("frames/s"))
  }

  @Test func windowsAssignedFromALaterSetAreListedButNeverDrawnWithAnotherWindowsSamples()
    throws
  {
    let fixture = try ExportFixture.make(count: 4)
    // A later set reuses window ids 100 and 103; `assign` adds them to the run.
    let later = try fixture.store.replaceCurrentWindowSet(
      WindowSetRecord(
        version: "0.1.0", inputKind: .waveform, channelCount: 3, length: ExportFixture.length,
        samplingRate: 100, parametersJson: "{}", processingJson: "[]"),
      windows: [100, 103].map { key in
        WindowRecord(
          windowSetId: 0, windowKey: key, pickId: nil, network: "ZZ", station: "NEW",
          location: "", channels: "HHZ,HHN,HHE", pickTime: ExportFixture.firstPick, phase: "P",
          startTime: nil,
          samples: [Float](repeating: 7, count: 3 * ExportFixture.length))
      })
    let newWindows = try #require(try fixture.store.windowSetContents(id: later.id!)).windows
    let dimension = try #require(
      try fixture.store.assignments(runID: fixture.runID).first?.embeddingValues?.count)
    try fixture.store.addAssignments(
      newWindows.map {
        AssignmentRecord(
          runId: fixture.runID, windowId: $0.id!, cluster: 0, probability: 0.5, distance: 1,
          q: [0.5, 0.5], embedding: [Float](repeating: 0.25, count: dimension))
      })
    let report = try HTMLReport.load(from: fixture.store)
    // Their embeddings are on the latent map with the run's own windows.
    #expect(report.embeddings.count == 6 && report.embeddings.allSatisfy { $0 != nil })
    #expect(report.catalog.entries.count == 6)
    let fromLater = report.catalog.entries.indices.filter {
      report.catalog.entries[$0].station == "NEW"
    }
    #expect(fromLater.count == 2)
    #expect(fromLater.allSatisfy { report.rowOfEntry[$0] == nil })
    #expect(report.rowOfEntry.compactMap { $0 } == [0, 1, 2, 3])
    _ = try elementCounts(report.render())
  }

  @Test func aRunWithoutHistoryOrEmbeddingsSaysSoInsteadOfDrawingEmptyPlots() throws {
    let fixture = try ExportFixture.make(labelled: true)
    let relabel = try #require(try fixture.store.run())
    var report = try HTMLReport.load(from: fixture.store)
    // The relabel run has no history of its own: its parent's curves are shown.
    #expect(relabel.historyJson == "{}")
    #expect(report.history?.pretraining.count == 20)
    // Nor embeddings: its parent's are mapped.
    #expect(report.embeddings.allSatisfy { $0?.count == 4 })
    report.history = nil
    report.embeddings = report.embeddings.map { _ in nil }
    let html = report.render()
    #expect(html.contains("No training history was recorded for this run."))
    #expect(html.contains("No embeddings were stored with this run."))
    #expect(html.contains("<th>labels</th>"))
    // Cluster 0: windows 0, 2, 4, 6, 8, 10; labels on all but 2 and 8; window 0 by hand.
    #expect(html.contains("· label noise, &quot;low&quot; &lt;&amp;&gt; (67 %, 1 by hand)"))
    #expect(html.contains("· label quake (67 %)"))
    // Window 0, labelled by hand, says so where it is drawn (a relabel's most confident
    // members were all hand labels, unmarked).
    let hand = try #require(report.catalog.entries.firstIndex { $0.isHandLabelled })
    #expect(
      report.memberPanel(k: report.catalog.entries[hand].cluster, entryIndices: [hand])
        .contains(" · by hand</text>"))
    _ = try elementCounts(html)
    // A relabel steers for a fixed length: the source's tol and max_iterations say so.
    try fixture.store.writer.write { db in
      try db.execute(
        sql: "UPDATE runs SET options_json = ? WHERE id = ?",
        arguments: [#"{"labels":"hand.csv","tol":0.001,"max_iterations":1000}"#, relabel.id!])
    }
    var settings = try HTMLReport.load(from: fixture.store).settingsSection()
    // An LSTM's --filters are hidden sizes, and say so.
    try fixture.store.writer.write { db in
      try db.execute(
        sql: "UPDATE runs SET options_json = ? WHERE id = ?",
        arguments: [#"{"architecture":"lstm","filters":[64]}"#, relabel.id!])
    }
    #expect(
      try HTMLReport.load(from: fixture.store).settingsSection().contains(
        "<th>filters (hidden sizes of the LSTMs)</th>"))
    try fixture.store.writer.write { db in
      try db.execute(
        sql: "UPDATE runs SET options_json = ? WHERE id = ?",
        arguments: [#"{"labels":"hand.csv","tol":0.001,"max_iterations":1000}"#, relabel.id!])
    }
    settings = try HTMLReport.load(from: fixture.store).settingsSection()
    #expect(settings.contains("<code>0.001 for the source run; relabel steers with 0</code>"))
    #expect(
      settings.contains(
        "<code>1000 for the source run; relabel steers for at most \(RelabelJob.iterations)</code>")
    )
  }

  /// With SEISCLUSTER_REPORT_SAMPLE set to a folder, stores a larger synthetic run there
  /// (`report-sample.sqlite`) and its report (`report.html`), for tools/render_report.sh and
  /// docs/report-screenshot.png.
  @Test func aSampleReportIsWrittenWhenAsked() throws {
    guard let folder = ProcessInfo.processInfo.environment["SEISCLUSTER_REPORT_SAMPLE"] else {
      return
    }
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let storePath = folder + "/report-sample.sqlite"
    for suffix in ["", "-wal", "-shm"] {
      try? FileManager.default.removeItem(atPath: storePath + suffix)
    }
    let fixture = try ExportFixture.make(
      store: try SeisStore(path: storePath),
      count: Int(ProcessInfo.processInfo.environment["SEISCLUSTER_REPORT_SAMPLE_COUNT"] ?? "")
        ?? 180, familyCount: 3,
      stationNames: [
        ("XX", "ALPS", ""), ("XX", "BERG", "00"), ("XX", "COLD", ""), ("YY", "DUNE", "10"),
        ("YY", "EDGE", ""),
      ], spacing: 577_000_000_000)
    let html = try HTMLReport.load(from: fixture.store).render()
    try OutputFile.write(html, to: folder + "/report.html", force: true)
    #expect(FileManager.default.fileExists(atPath: folder + "/report.html"))
    // Variants: a relabelled run, and a run on spectrogram input.
    let labelled = try ExportFixture.make(count: 60, labelled: true)
    try OutputFile.write(
      try HTMLReport.load(from: labelled.store).render(), to: folder + "/report-relabel.html",
      force: true)
    let spectrogram = try ExportFixture.make(count: 40, inputKind: .spectrogram)
    try OutputFile.write(
      try HTMLReport.load(from: spectrogram.store).render(),
      to: folder + "/report-spectrogram.html", force: true)
  }
}
