/// The character set a bookkeeper says an uploaded text file is in.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    /// What Excel on Windows writes for "CSV (gescheiden door lijstscheidingsteken)".
    case windows1252 = "windows-1252"

    public var label: String {
        switch self {
        case .utf8: "UTF-8 (standaard)"
        case .windows1252: "Windows-1252 (oudere Excel-bestanden)"
        }
    }
}

/// One problem in an uploaded file, tied to a line where there is one.
public struct ImportProblem: Equatable, Sendable {
    /// 1-based line number in the file, or nil for a problem with the file as a whole.
    public let line: Int?
    public let message: String

    public init(line: Int?, message: String) {
        self.line = line
        self.message = message
    }

    /// "Regel 3: …" or the bare message.
    public var text: String {
        if let line { return "Regel \(line): \(self.message)" }
        return self.message
    }
}

/// An upload that cannot be imported; lists every problem found (up to a limit).
public struct ImportErrors: Error, Equatable, Sendable {
    public let problems: [ImportProblem]

    public init(_ problems: [ImportProblem]) {
        self.problems = problems
    }

    public init(line: Int?, _ message: String) {
        self.problems = [ImportProblem(line: line, message: message)]
    }
}

/// Turns uploaded bytes into lines of text, refusing binary files and wrong encodings with a
/// message that names the line.
public enum TextFileDecoder {
    /// Decodes the bytes and splits them into lines (without line terminators).
    public static func lines(of bytes: [UInt8], encoding: TextEncoding, maxBytes: Int) throws(ImportErrors) -> [String] {
        guard !bytes.isEmpty else { throw ImportErrors(line: nil, "Het bestand is leeg.") }
        guard bytes.count <= maxBytes else {
            throw ImportErrors(
                line: nil,
                "Het bestand is te groot (\(self.describeSize(bytes.count)); maximaal \(self.describeSize(maxBytes)))."
            )
        }
        if let nulIndex = bytes.firstIndex(of: 0) {
            throw ImportErrors(
                line: self.lineNumber(at: nulIndex, in: bytes),
                "dit is geen tekstbestand (CSV) maar een binair bestand. Kies een CSV-bestand."
            )
        }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF]) {
            throw ImportErrors(
                line: 1,
                "het bestand is in UTF-16 opgeslagen. Sla het op als \u{2018}CSV UTF-8\u{2019} en probeer het opnieuw."
            )
        }
        let text: String
        switch encoding {
        case .utf8:
            guard let decoded = String(validating: body, as: UTF8.self) else {
                let line = self.firstInvalidUTF8Line(in: Array(body))
                throw ImportErrors(
                    line: line,
                    "deze regel bevat tekens die geen UTF-8 zijn. Het bestand is waarschijnlijk als Windows-1252 opgeslagen "
                        + "(oudere Excel-versies doen dat): kies bij \u{2018}Tekenset\u{2019} Windows-1252 en importeer opnieuw."
                )
            }
            text = decoded
        case .windows1252:
            text = self.decodeWindows1252(body)
        }
        var lines: [String] = []
        var current = ""
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                if !previousWasCR { lines.append(current) }
                current = ""
                previousWasCR = false
            } else if scalar == "\r" {
                lines.append(current)
                current = ""
                previousWasCR = true
            } else {
                current.unicodeScalars.append(scalar)
                previousWasCR = false
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// Splits one line into fields on `separator`, honouring double quotes (`""` inside quotes is a quote).
    public static func fields(of line: String, separator: Character) -> [String] {
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var iterator = Array(line).makeIterator()
        var pending: Character? = nil
        while let char = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if char == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            field.append("\"")
                        } else {
                            inQuotes = false
                            pending = next
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(char)
                }
            } else if char == "\"" && field.trimmedForInput.isEmpty {
                field = ""
                inQuotes = true
            } else if char == separator {
                fields.append(field)
                field = ""
            } else {
                field.append(char)
            }
        }
        fields.append(field)
        return fields
    }

    static func describeSize(_ bytes: Int) -> String {
        if bytes >= 1024 * 1024 {
            let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024)
            return tenths % 10 == 0 ? "\(tenths / 10) MB" : "\(tenths / 10),\(tenths % 10) MB"
        }
        return "\((bytes + 1023) / 1024) kB"
    }

    static func lineNumber(at index: Int, in bytes: [UInt8]) -> Int {
        bytes[..<index].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    }

    static func firstInvalidUTF8Line(in bytes: [UInt8]) -> Int {
        var line = 1
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A || index == bytes.count - 1 {
            let end = byte == 0x0A ? index : index + 1
            if String(validating: bytes[start..<end], as: UTF8.self) == nil { return line }
            line += 1
            start = index + 1
        }
        return line
    }

    /// Windows-1252: Latin-1 with printable characters in 0x80–0x9F (€, curly quotes, …).
    static func decodeWindows1252(_ bytes: ArraySlice<UInt8>) -> String {
        let high: [UInt32] = [
            0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
            0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
        ]
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            let value = (0x80...0x9F).contains(byte) ? high[Int(byte) - 0x80] : UInt32(byte)
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return String(scalars)
    }
}
