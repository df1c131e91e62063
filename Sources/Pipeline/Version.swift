/// The tool's version, printed by `--version` and recorded with every stored run.
public enum SeisclusterVersion {
  public static let string = "0.1.0"
}
