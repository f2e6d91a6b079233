/// Sizes such as `512MB` or `10KiB`, in bytes; units are powers of two as in Prometheus.
public enum ByteSize {
    public static func parse(_ text: String) -> Int? {
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40), ("PiB", 1 << 50), ("EiB", 1 << 60),
            ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("TB", 1 << 40), ("PB", 1 << 50), ("EB", 1 << 60), ("B", 1),
        ]
        if text == "0" { return 0 }
        for (u, size) in units where text.hasSuffix(u) {
            guard let n = Int(text.dropLast(u.count)), n >= 0 else { return nil }
            let (r, o) = n.multipliedReportingOverflow(by: size)
            return o ? nil : r
        }
        return nil
    }
}
