import Foundation

/// An e-mail ready for SMTP: headers, a plain-text and/or HTML body (multipart/alternative when
/// both), encoded so every line stays within 78 characters and 7-bit clean.
public struct MailMessage: Sendable {
    public var from: String
    /// The `To` header's addresses (each may carry a display name).
    public var to: [String]
    public var subject: String
    /// Further headers, already rendered; they replace defaults of the same name.
    public var headers: [(String, String)] = []
    public var text: String?
    public var html: String?

    public init(from: String, to: [String], subject: String, text: String?, html: String?) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
    }

    /// The message as sent after `DATA`: CRLF line ends, dot-stuffed, without the final `.` line.
    public func dataSection(date: Date, messageID: String, boundary: String) -> String {
        var lines: [String] = []
        var fixed: [(String, String)] = [
            ("From", from), ("To", to.joined(separator: ", ")), ("Subject", subject),
            ("Date", Self.rfc5322Date(date)), ("Message-Id", "<\(messageID)>"),
        ]
        for (name, value) in headers {
            if let i = fixed.firstIndex(where: { $0.0.caseInsensitiveCompare(name) == .orderedSame }) { fixed[i].1 = value } else { fixed.append((name, value)) }
        }
        for (name, value) in fixed where !["mime-version", "content-type", "content-transfer-encoding"].contains(name.lowercased()) {
            lines.append("\(name): \(Self.encodeHeader(value))")
        }
        lines.append("MIME-Version: 1.0")
        let parts = [text.map { ("text/plain", $0) }, html.map { ("text/html", $0) }].compactMap { $0 }
        if parts.count == 1, let (type, body) = parts.first {
            lines.append("Content-Type: \(type); charset=UTF-8")
            lines.append("Content-Transfer-Encoding: quoted-printable")
            lines.append("")
            lines.append(Self.quotedPrintable(body))
        } else {
            lines.append("Content-Type: multipart/alternative;")
            lines.append(" boundary=\"\(boundary)\"")
            lines.append("")
            for (type, body) in parts {
                lines.append("--\(boundary)")
                lines.append("Content-Type: \(type); charset=UTF-8")
                lines.append("Content-Transfer-Encoding: quoted-printable")
                lines.append("")
                lines.append(Self.quotedPrintable(body))
            }
            lines.append("--\(boundary)--")
        }
        return Self.dotStuffed(lines.joined(separator: "\r\n"))
    }

    /// Lines starting with a dot get a second one, so none reads as the end of the data.
    static func dotStuffed(_ s: String) -> String {
        var out = s.hasPrefix(".") ? "." + s : s
        out = out.replacingOccurrences(of: "\r\n.", with: "\r\n..")
        return out
    }

    /// `Sun, 22 Nov 2026 07:52:07 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return f.string(from: date)
    }

    /// Header text: ASCII as is, anything else as RFC 2047 encoded words (UTF-8, base64) of at
    /// most 75 characters each, folded onto continuation lines.
    static func encodeHeader(_ value: String) -> String {
        let flat = value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard flat.unicodeScalars.contains(where: { $0.value > 126 || $0.value < 32 }) else { return flat }
        var words: [String] = []
        var chunk = ""
        for ch in flat {
            if (chunk + String(ch)).utf8.count > 45 {
                words.append("=?UTF-8?b?" + Data(chunk.utf8).base64EncodedString() + "?=")
                chunk = ""
            }
            chunk.append(ch)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?b?" + Data(chunk.utf8).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// RFC 2045 quoted-printable with CRLF line ends and soft breaks before 76 characters.
    static func quotedPrintable(_ body: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var outLines: [String] = []
        let normalized = body.replacingOccurrences(of: "\r\n", with: "\n")
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            var current: [UInt8] = []
            let bytes = Array(line.utf8)
            for (i, b) in bytes.enumerated() {
                var token: [UInt8]
                let last = i == bytes.count - 1
                if (b >= 33 && b <= 126 && b != UInt8(ascii: "=")) || ((b == 0x20 || b == 0x09) && !last) {
                    token = [b]
                } else {
                    token = [UInt8(ascii: "="), hex[Int(b >> 4)], hex[Int(b & 15)]]
                }
                if current.count + token.count > 75 {
                    outLines.append(String(decoding: current, as: UTF8.self) + "=")
                    current = []
                }
                current += token
            }
            outLines.append(String(decoding: current, as: UTF8.self))
        }
        return outLines.joined(separator: "\r\n")
    }

    /// Splits `a@x, "Doe, J" <j@y>` at the commas between addresses.
    public static func splitAddresses(_ list: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false, angle = false
        for ch in list {
            switch ch {
            case "\"": quoted.toggle()
            case "<": angle = true
            case ">": angle = false
            case "," where !quoted && !angle:
                let t = current.trimmingCharacters(in: .whitespaces)
                if !t.isEmpty { out.append(t) }
                current = ""
                continue
            default: break
            }
            current.append(ch)
        }
        let t = current.trimmingCharacters(in: .whitespaces)
        if !t.isEmpty { out.append(t) }
        return out
    }

    /// The bare address of `Name <a@x>` or `a@x`, for `MAIL FROM` and `RCPT TO`.
    public static func bareAddress(_ s: String) -> String? {
        var a = s.trimmingCharacters(in: .whitespaces)
        if let lt = a.lastIndex(of: "<"), let gt = a.lastIndex(of: ">"), lt < gt { a = String(a[a.index(after: lt)..<gt]) }
        guard let at = a.lastIndex(of: "@"), at != a.startIndex, a.index(after: at) != a.endIndex,
              !a.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "\r" || $0 == "\n" }) else { return nil }
        return a
    }
}
