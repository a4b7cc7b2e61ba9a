import Foundation

/// A very small PDF 1.4 writer for the simulator's reports: A4 pages of text in Helvetica
/// (one standard font, WinAnsiEncoding) and thin rules, uncompressed, with a correct
/// cross-reference table. Enough for a report any PDF reader opens; nothing more.
struct SimplePDF {
    static let pageWidth = 595
    static let pageHeight = 842

    struct Text: Sendable {
        var x: Double
        var y: Double
        var size: Double
        var text: String
        /// `x` is the right edge of the text instead of its left edge.
        var rightAligned = false
    }

    /// A horizontal line from `x1` to `x2` at height `y`.
    struct Rule: Sendable {
        var x1: Double
        var x2: Double
        var y: Double
    }

    struct Page: Sendable {
        var texts: [Text] = []
        var rules: [Rule] = []
    }

    var title: String
    var pages: [Page] = []

    init(title: String) {
        self.title = title
    }

    // MARK: - Writing

    /// The whole file: header, objects, xref table, trailer.
    func render() -> [UInt8] {
        let pages = self.pages.isEmpty ? [Page()] : self.pages
        var out: [UInt8] = []
        var offsets: [Int] = []
        func write(_ text: String) { out += Array(text.utf8) }
        func begin(_ number: Int) {
            // Objects are written in number order, so offsets[n - 1] belongs to object n.
            precondition(offsets.count == number - 1)
            offsets.append(out.count)
            write("\(number) 0 obj\n")
        }

        write("%PDF-1.4\n")
        // A comment with high bytes: marks the file as binary for transfer tools.
        out += [0x25, 0xE2, 0xE3, 0xCF, 0xD3, 0x0A]

        // 1 catalog, 2 page tree, 3 font, 4 info; then per page: page object, content stream.
        let pageObject = { (index: Int) in 5 + 2 * index }
        begin(1)
        write("<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
        begin(2)
        let kids = pages.indices.map { "\(pageObject($0)) 0 R" }.joined(separator: " ")
        write("<< /Type /Pages /Kids [\(kids)] /Count \(pages.count) >>\nendobj\n")
        begin(3)
        write("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>\nendobj\n")
        begin(4)
        write("<< /Title (")
        out += Self.literal(self.title)
        write(") /Producer (loonjournaal Loket-simulator) >>\nendobj\n")
        for (index, page) in pages.enumerated() {
            begin(pageObject(index))
            write(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Self.pageWidth) \(Self.pageHeight)] "
                    + "/Resources << /Font << /F1 3 0 R >> >> /Contents \(pageObject(index) + 1) 0 R >>\nendobj\n"
            )
            let stream = Self.content(page)
            begin(pageObject(index) + 1)
            write("<< /Length \(stream.count) >>\nstream\n")
            out += stream
            write("\nendstream\nendobj\n")
        }

        let xref = out.count
        write("xref\n0 \(offsets.count + 1)\n")
        // Every entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, space, newline.
        write("0000000000 65535 f \n")
        for offset in offsets {
            let digits = String(offset)
            write(String(repeating: "0", count: max(0, 10 - digits.count)) + digits + " 00000 n \n")
        }
        write("trailer\n<< /Size \(offsets.count + 1) /Root 1 0 R /Info 4 0 R >>\nstartxref\n\(xref)\n%%EOF\n")
        return out
    }

    /// The content stream of one page: rules, then one BT/ET block per text.
    static func content(_ page: Page) -> [UInt8] {
        var out: [UInt8] = []
        func write(_ text: String) { out += Array(text.utf8) }
        if !page.rules.isEmpty {
            write("0.5 w\n")
            for rule in page.rules {
                write("\(self.number(rule.x1)) \(self.number(rule.y)) m \(self.number(rule.x2)) \(self.number(rule.y)) l S\n")
            }
        }
        for text in page.texts {
            let x = text.rightAligned ? text.x - self.width(text.text, size: text.size) : text.x
            write("BT /F1 \(self.number(text.size)) Tf \(self.number(x)) \(self.number(text.y)) Td (")
            out += self.literal(text.text)
            write(") Tj ET\n")
        }
        return out
    }

    /// A coordinate with at most two decimals (`40`, `212.5`).
    static func number(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let whole = abs(hundredths) / 100
        let rest = abs(hundredths) % 100
        if rest == 0 { return "\(sign)\(whole)" }
        if rest % 10 == 0 { return "\(sign)\(whole).\(rest / 10)" }
        return "\(sign)\(whole).\(rest < 10 ? "0" : "")\(rest)"
    }

    // MARK: - Text

    /// The inside of a PDF literal string: WinAnsi bytes, `(`, `)` and `\` escaped, everything
    /// outside printable ASCII as an octal escape (`ë` → `\353`). Only ASCII bytes come out.
    static func literal(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for byte in self.winAnsi(text) {
            switch byte {
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), byte]
            case 0x20...0x7E:
                out.append(byte)
            default:
                let octal = String(byte, radix: 8)
                out += Array(("\\" + String(repeating: "0", count: 3 - octal.count) + octal).utf8)
            }
        }
        return out
    }

    /// The text in WinAnsiEncoding (Windows-1252): Latin-1 as is, a few typographic marks and
    /// the euro sign at their 0x80–0x9F places, anything else as `?`.
    static func winAnsi(_ text: String) -> [UInt8] {
        text.precomposedStringWithCanonicalMapping.unicodeScalars.map { scalar -> UInt8 in
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: return 0x20
            case 0x20...0x7E, 0xA0...0xFF: return UInt8(scalar.value)
            default: return self.windows1252Extras[scalar.value] ?? UInt8(ascii: "?")
            }
        }
    }

    private static let windows1252Extras: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87, 0x02C6: 0x88,
        0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91, 0x2019: 0x92, 0x201C: 0x93,
        0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98, 0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B,
        0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]

    /// Width of the text in points (Helvetica's metrics for ASCII; 556, a digit, for the rest).
    static func width(_ text: String, size: Double) -> Double {
        let units = self.winAnsi(text).reduce(0) { sum, byte in
            switch byte {
            case 0x20...0x7E: sum + self.helveticaWidths[Int(byte) - 0x20]
            case 0x85: sum + 1000  // the ellipsis
            default: sum + 556
            }
        }
        return Double(units) * size / 1000
    }

    /// The longest start of `text` that fits in `width` points, with `…` when cut.
    static func fitted(_ text: String, width: Double, size: Double) -> String {
        guard self.width(text, size: size) > width else { return text }
        var cut = text
        while !cut.isEmpty && self.width(cut + "…", size: size) > width { cut.removeLast() }
        return cut + "…"
    }

    /// Helvetica advance widths (1/1000 em) of the characters 0x20 to 0x7E, from its AFM.
    private static let helveticaWidths: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  // space to /
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  // 0 to ?
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  // @ to O
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  // P to _
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  // ` to o
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  // p to ~
    ]
}
