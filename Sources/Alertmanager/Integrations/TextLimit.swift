/// Texts cut to a service's limit, counted in characters, the last one an ellipsis when cut, as
/// Alertmanager's integrations cut titles and messages.
enum TextLimit {
    static func cut(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(0, limit - 1))) + "…"
    }
}
