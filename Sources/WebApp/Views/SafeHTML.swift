import Mustache

/// HTML this program wrote itself with every piece of text escaped. It is the only thing a
/// template may print unescaped, and only as `{{{somethingHTML}}}` (checked by a test); its one
/// way in is `SafeHTML.Builder`, which escapes all text it is given.
struct SafeHTML: Sendable, MustacheCustomRenderable {
    let renderText: String
    var isNull: Bool { false }

    fileprivate init(_ text: String) { self.renderText = text }

    /// Appends tags (fixed literals) and escaped text.
    struct Builder {
        private var text = ""

        init(reservingCapacity capacity: Int = 0) { self.text.reserveCapacity(capacity) }

        /// A literal piece of markup written in this program (never user data).
        mutating func markup(_ literal: StaticString) {
            self.text += literal.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
        }

        /// User or Loket data, escaped for text and attribute values.
        mutating func text(_ value: String) { self.text += HTMLEscape.escape(value) }

        var html: SafeHTML { SafeHTML(self.text) }
    }
}

enum HTMLEscape {
    /// Escapes `& < > " '` (enough for text and quoted attribute values).
    static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return value }
        var result = ""
        result.reserveCapacity(value.utf8.count + 16)
        for character in value.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }
}
