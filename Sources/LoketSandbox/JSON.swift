/// The simulator writes Loket's JSON from this small literal type, never from the client's
/// Codable models, so that a misreading of the spec cannot hide in both.
indirect enum JSON: Sendable {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    /// The number exactly as it should appear in the text (amounts are written from cents).
    case number(String)
    case bool(Bool)
    case null

    static func int(_ value: Int) -> JSON { .number(String(value)) }

    static func optional(_ value: String?) -> JSON { value.map { .string($0) } ?? .null }

    /// An amount in euros from cents: `500.87`, `1234.5`, `0`.
    static func amount(_ cents: Int64) -> JSON {
        let euros = cents / 100
        let rest = cents % 100
        if rest == 0 { return .number(String(euros)) }
        if rest % 10 == 0 { return .number("\(euros).\(rest / 10)") }
        return .number("\(euros).\(rest < 10 ? "0" : "")\(rest)")
    }

    func render() -> String {
        var output = ""
        self.write(into: &output)
        return output
    }

    private func write(into output: inout String) {
        switch self {
        case .object(let members):
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                JSON.writeString(member.0, into: &output)
                output += ":"
                member.1.write(into: &output)
            }
            output += "}"
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                item.write(into: &output)
            }
            output += "]"
        case .string(let text): JSON.writeString(text, into: &output)
        case .number(let text): output += text
        case .bool(let value): output += value ? "true" : "false"
        case .null: output += "null"
        }
    }

    private static func writeString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                output += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
