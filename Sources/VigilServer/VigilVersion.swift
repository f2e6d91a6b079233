/// Vigil's version, as `vigil --version`, build info and the scrape User-Agent give it.
public enum VigilVersion {
    public static let version = "0.1.0"
    /// Sent with every scrape request.
    public static let userAgent = "Vigil/\(version)"
}
