/// Vigil's version string, sent as the scrape User-Agent and shown by build info.
public enum VigilVersion {
    public static let version = "0.1.0"
    public static let userAgent = "Vigil/\(version)"
}
