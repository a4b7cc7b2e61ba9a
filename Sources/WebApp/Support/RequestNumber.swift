import Ledger

/// Whole numbers from a query string or a form, range-checked before anything uses them: an
/// absent or empty value is nil (the page's default); anything else that is not a number in
/// range is a 400 with a Dutch message. Never an index, range or conversion that can trap.
enum RequestNumber {
    static let maxPage = 1_000_000

    /// `invalid` starts the message: "Ongeldig paginanummer".
    static func parse(_ raw: String?, in range: ClosedRange<Int>, invalid: String) throws(AppError) -> Int? {
        let text = (raw ?? "").trimmedForInput
        if text.isEmpty { return nil }
        guard text.utf8.count <= 20, let value = Int(text), range.contains(value) else {
            throw AppError.badRequest(
                "\(invalid): \u{201C}\(text.prefix(20))\u{201D}. "
                    + "Kies een getal van \(Self.shown(range.lowerBound)) tot en met \(Self.shown(range.upperBound))."
            )
        }
        return value
    }

    /// A bound as a Dutch reader expects it: `1.000.000`, but a year stays `2100`.
    static func shown(_ value: Int) -> String { value >= 10_000 ? JournalLimits.dutchCount(value) : String(value) }

    /// `pagina`: 1 … 1.000.000 (a page beyond the last shows the last).
    static func page(_ raw: String?) throws(AppError) -> Int {
        try self.parse(raw, in: 1...self.maxPage, invalid: "Ongeldig paginanummer") ?? 1
    }

    /// `jaar`: a fiscal year 1990 … 2100.
    static func year(_ raw: String?) throws(AppError) -> Int? {
        try self.parse(raw, in: 1990...2100, invalid: "Ongeldig boekjaar")
    }

    /// `periode`: 1 … 13.
    static func period(_ raw: String?) throws(AppError) -> Int? {
        try self.parse(raw, in: 1...13, invalid: "Ongeldige periode")
    }

    /// A record id (positive).
    static func id(_ raw: String?, invalid: String) throws(AppError) -> Int64? {
        let text = (raw ?? "").trimmedForInput
        if text.isEmpty { return nil }
        guard text.utf8.count <= 20, let value = Int64(text), value > 0 else {
            throw AppError.badRequest("\(invalid): \u{201C}\(text.prefix(20))\u{201D}.")
        }
        return value
    }
}
