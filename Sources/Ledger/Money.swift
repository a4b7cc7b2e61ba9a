/// A sum that would leave `Int64`; thrown instead of trapping.
public struct MoneyOverflow: Error, Equatable, Sendable {
    public init() {}
    public var message: String {
        "Dit totaal is te groot om te berekenen; er is niets opgeslagen. Eén regel gaat tot \(Money(cents: JournalLimits.lineAmountCents).euro), "
            + "één boeking tot \(JournalLimits.maxLinesText) regels."
    }
}

/// An amount in euro cents. Never a floating-point number.
public struct Money: Equatable, Comparable, Hashable, Sendable, Codable {
    public let cents: Int64

    public init(cents: Int64) {
        self.cents = cents
    }

    public static let zero = Money(cents: 0)
    /// The largest amount of one line: see `JournalLimits.lineAmountCents`.
    public static let limit: Int64 = JournalLimits.lineAmountCents

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }

    /// Addition that cannot trap: beyond `Int64` it throws (the limits at every door make that
    /// unreachable; a mistake in a limit becomes a Dutch message, not a dead process).
    public static func + (lhs: Money, rhs: Money) throws(MoneyOverflow) -> Money {
        let (sum, overflow) = lhs.cents.addingReportingOverflow(rhs.cents)
        guard !overflow else { throw MoneyOverflow() }
        return Money(cents: sum)
    }

    public static func - (lhs: Money, rhs: Money) throws(MoneyOverflow) -> Money {
        let (difference, overflow) = lhs.cents.subtractingReportingOverflow(rhs.cents)
        guard !overflow else { throw MoneyOverflow() }
        return Money(cents: difference)
    }

    /// The sum of amounts, checked.
    public static func sum<S: Sequence>(_ amounts: S) throws(MoneyOverflow) -> Money where S.Element == Money {
        var total = Money.zero
        for amount in amounts { total = try total + amount }
        return total
    }

    /// The amount without its sign (`Int64.min` has no positive counterpart: it stays at
    /// `Int64.max`, a value no limit lets through).
    public var magnitude: Money { Money(cents: self.cents == .min ? .max : (self.cents < 0 ? -self.cents : self.cents)) }
    public var isZero: Bool { self.cents == 0 }

    /// `1.234,56` (Dutch grouping and decimal comma), with a minus sign when negative.
    public var dutch: String {
        let negative = self.cents < 0
        let absolute = self.cents.magnitude
        let euros = String(absolute / 100)
        var grouped = ""
        for (index, char) in euros.enumerated() {
            if index > 0 && (euros.count - index) % 3 == 0 { grouped.append(".") }
            grouped.append(char)
        }
        let rest = absolute % 100
        return (negative ? "-" : "") + grouped + "," + (rest < 10 ? "0" : "") + String(rest)
    }

    /// `€ 1.234,56` (and `€ -1.234,56`).
    public var euro: String { "€ " + self.dutch }

    /// Parses what a Dutch bookkeeper types: `1.234,56`, `1234,56`, `1234.56`, `1234`, `-12,00`,
    /// `€ 12,50`. Refuses letters, more than two decimals and amounts beyond a trillion euros.
    /// Negative amounts only when `allowNegative`.
    public static func parse(_ raw: String, allowNegative: Bool = false) throws(FieldError) -> Money {
        var text = raw.trimmedForInput.replacingOccurrences(of: "€", with: "").replacingOccurrences(of: "\u{00A0}", with: "")
        text = text.replacingOccurrences(of: " ", with: "")
        guard !text.isEmpty else { throw FieldError(field: "amount", message: "Vul een bedrag in.") }
        var negative = false
        if text.hasPrefix("-") {
            negative = true
            text.removeFirst()
        } else if text.hasPrefix("(") && text.hasSuffix(")") && text.count > 2 {
            negative = true
            text = String(text.dropFirst().dropLast())
        }
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == ",") }), text.contains(where: \.isNumber) else {
            throw FieldError(field: "amount", message: "\u{201C}\(raw.prefix(30))\u{201D} is geen bedrag. Gebruik cijfers, bijvoorbeeld 1.234,56.")
        }
        let commas = text.filter { $0 == "," }.count
        let dots = text.filter { $0 == "." }.count
        var integerPart = text
        var fraction = ""
        if commas > 1 {
            throw FieldError(field: "amount", message: "\u{201C}\(raw.prefix(30))\u{201D} heeft meer dan één komma. Schrijf bijvoorbeeld 1.234,56.")
        } else if commas == 1 {
            // Comma is the decimal separator; dots group thousands.
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            integerPart = String(parts[0])
            fraction = String(parts[1])
            guard self.validGrouping(integerPart, separator: ".") else {
                throw FieldError(field: "amount", message: "\u{201C}\(raw.prefix(30))\u{201D}: de punten staan niet op de plaats van duizendtallen.")
            }
            integerPart = integerPart.replacingOccurrences(of: ".", with: "")
        } else if dots == 1 {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            // `1.234` is ambiguous; with exactly three digits after one dot it is read as thousands.
            if parts[1].count == 3 && !parts[0].isEmpty {
                integerPart = String(parts[0]) + String(parts[1])
            } else {
                integerPart = String(parts[0])
                fraction = String(parts[1])
            }
        } else if dots > 1 {
            guard self.validGrouping(text, separator: ".") else {
                throw FieldError(field: "amount", message: "\u{201C}\(raw.prefix(30))\u{201D}: de punten staan niet op de plaats van duizendtallen.")
            }
            integerPart = text.replacingOccurrences(of: ".", with: "")
        }
        guard fraction.count <= 2 else {
            throw FieldError(field: "amount", message: "\u{201C}\(raw.prefix(30))\u{201D} heeft meer dan twee decimalen; bedragen gaan tot op de cent.")
        }
        if integerPart.isEmpty { integerPart = "0" }
        let digits = integerPart.drop { $0 == "0" }
        let tooLarge = FieldError(field: "amount", message: "Dit bedrag is te groot: één regel gaat tot \(Money(cents: self.limit).euro).")
        guard digits.count <= 13, let euros = Int64(integerPart) else { throw tooLarge }
        // At most 13 digits: euros × 100 + cents stays far inside Int64.
        let cents = euros * 100 + (Int64(fraction.padding(toLength: 2, withPad: "0", startingAt: 0)) ?? 0)
        guard cents <= self.limit else { throw tooLarge }
        if negative && cents != 0 && !allowNegative {
            throw FieldError(field: "amount", message: "Een negatief bedrag kan hier niet; zet het bedrag aan de andere kant (debet of credit).")
        }
        return Money(cents: negative ? -cents : cents)
    }

    static func validGrouping(_ text: String, separator: Character) -> Bool {
        let groups = text.split(separator: separator, omittingEmptySubsequences: false)
        guard groups.count > 1 else { return true }
        guard let first = groups.first, (1...3).contains(first.count) else { return false }
        return groups.dropFirst().allSatisfy { $0.count == 3 }
    }
}
