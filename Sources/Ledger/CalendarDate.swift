/// A date without time or time zone (entry dates, period ends).
public struct CalendarDate: Equatable, Comparable, Hashable, Sendable, Codable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...CalendarDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    public static func daysIn(month: Int, year: Int) -> Int {
        [31, self.isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// `2026-01-31`
    public var iso: String { Self.four(self.year) + "-" + Self.two(self.month) + "-" + Self.two(self.day) }
    /// `31-01-2026`
    public var dutch: String { Self.two(self.day) + "-" + Self.two(self.month) + "-" + Self.four(self.year) }

    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
    static func four(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    /// Reads `2026-01-31` (ISO) or `31-01-2026` / `31-1-2026` (Dutch).
    public static func parse(_ raw: String) throws(FieldError) -> CalendarDate {
        let text = raw.trimmedForInput
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "/" }).map(String.init)
        guard parts.count == 3, parts.allSatisfy(\.isAllASCIIDigits) else {
            throw FieldError(field: "date", message: "\u{201C}\(text.prefix(20))\u{201D} is geen datum. Schrijf bijvoorbeeld 31-01-2026.")
        }
        let numbers = parts.map { Int($0) ?? 0 }
        let date = parts[0].count == 4
            ? CalendarDate(year: numbers[0], month: numbers[1], day: numbers[2])
            : CalendarDate(year: numbers[2], month: numbers[1], day: numbers[0])
        guard let date, parts[0].count == 4 || parts[2].count == 4 else {
            throw FieldError(field: "date", message: "\u{201C}\(text.prefix(20))\u{201D} bestaat niet als datum. Schrijf bijvoorbeeld 31-01-2026.")
        }
        return date
    }

    /// The day `days` later (or earlier).
    public func adding(days: Int) -> CalendarDate {
        var ordinal = self.dayNumber + days
        var year = 1
        // Fast path: find the year by counting from year 1 in 400-year cycles.
        year += (ordinal / 146_097) * 400
        ordinal %= 146_097
        while ordinal >= (Self.isLeap(year) ? 366 : 365) {
            ordinal -= Self.isLeap(year) ? 366 : 365
            year += 1
        }
        var month = 1
        while ordinal >= Self.daysIn(month: month, year: year) {
            ordinal -= Self.daysIn(month: month, year: year)
            month += 1
        }
        return CalendarDate(year: year, month: month, day: ordinal + 1)!
    }

    /// Days since 0001-01-01.
    var dayNumber: Int {
        let y = self.year - 1
        var days = y * 365 + y / 4 - y / 100 + y / 400
        for m in 1..<self.month { days += Self.daysIn(month: m, year: self.year) }
        return days + self.day - 1
    }

    public static func lastDay(ofMonth month: Int, year: Int) -> CalendarDate {
        CalendarDate(year: year, month: month, day: self.daysIn(month: month, year: year))!
    }
}

