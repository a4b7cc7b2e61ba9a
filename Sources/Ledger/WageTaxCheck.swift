/// The loonaangifte check: the loonheffing in the journal of a payroll period against the
/// amount of the payroll tax return of that period, with the likely cause of a difference.
/// Pure: the inputs are cents, the result is a fact (the difference) plus our inference (the cause).
public enum WageTaxOutcome: Equatable, Sendable {
    /// The journal carries exactly the aangifte's amount of the period.
    case matches
    /// The journal also carries the aangifte's correction over earlier periods (journal = total).
    case matchesWithCorrection(correction: Int64)
    /// A difference of at most the margin against an aangifte in whole euros: rounding per component.
    case rounding(difference: Int64)
    /// The period itself matches; the aangifte adds a correction over earlier periods that this
    /// period's journal does not carry.
    case correction(amount: Int64)
    /// A difference we cannot explain by rounding or a correction.
    case unexplained(difference: Int64)
    /// Loket is still making the aangifte (no amount yet), or there is none.
    case returnNotReady
    /// There is an aangifte, but no journal entry for the period here.
    case noJournal

    /// The Belastingdienst's aangifte rounds each component down to whole euros; a return has a
    /// handful of components (loonheffing, premies volksverzekeringen, werknemersverzekeringen,
    /// Zvw, …), so a difference up to five euros is what rounding can make.
    public static let roundingMarginCents: Int64 = 500

    /// `journal − aangifte` in cents (positive: the journal carries more than the aangifte).
    public var difference: Int64 {
        switch self {
        case .matches, .matchesWithCorrection, .returnNotReady, .noJournal: 0
        case .rounding(let d), .unexplained(let d): d
        case .correction(let amount): 0 &- amount
        }
    }

    public var isInOrder: Bool {
        switch self {
        case .matches, .matchesWithCorrection: true
        default: false
        }
    }

    public static func compare(journalCents: Int64?, periodCents: Int64?, correctionCents: Int64?) -> WageTaxOutcome {
        guard let period = periodCents else { return .returnNotReady }
        guard let journal = journalCents else { return .noJournal }
        let correction = correctionCents ?? 0
        let (difference, overflow) = journal.subtractingReportingOverflow(period)
        if overflow { return .unexplained(difference: .max) }
        if difference == 0 { return correction == 0 ? .matches : .correction(amount: correction) }
        if correction != 0 && difference == correction { return .matchesWithCorrection(correction: correction) }
        if period % 100 == 0 && difference.magnitude <= UInt64(self.roundingMarginCents) { return .rounding(difference: difference) }
        return .unexplained(difference: difference)
    }

    /// The cause in Dutch: what is a fact from Loket and what is our inference.
    public func explanation(periodName: String) -> String {
        switch self {
        case .matches:
            "De loonheffing in het journaal is gelijk aan de aangifte over \(periodName)."
        case .matchesWithCorrection(let correction):
            "Gelijk: het journaal bevat ook de correctie over eerdere periode(n) van \(Money(cents: correction).euro) die in deze aangifte staat."
        case .rounding(let difference):
            "Waarschijnlijk afronding: de aangifte rekent per onderdeel in hele euro\u{2019}s (afgerond), het journaal in centen. "
                + "Verschil \(Money(cents: difference).euro), binnen de marge van \(Money(cents: Self.roundingMarginCents).euro). "
                + "Boek een afrondingsregel om de schuld gelijk te maken aan de aangifte."
        case .correction(let amount):
            "De aangifte over \(periodName) bevat een correctie over een eerdere periode van \(Money(cents: amount).euro) (Loket meldt niet welke periode). "
                + "Het journaal van deze periode bevat die correctie niet: controleer of de gecorrigeerde periode in de boekhouding is aangepast "
                + "(herberekening geïmporteerd en geboekt)."
        case .unexplained(let difference):
            "Verschil van \(Money(cents: difference).euro) dat niet uit afronding of een correctie volgt. Mogelijke oorzaken: looncomponenten die niet "
                + "gejournaliseerd worden (controleer het journaalprofiel in Loket), een handmatig gewijzigde boekingsregel, of een verkeerde "
                + "loonheffingsrekening."
        case .returnNotReady:
            "De aangifte over \(periodName) is er nog niet (of Loket maakt haar nog): er is nog geen bedrag om mee te vergelijken."
        case .noJournal:
            "Er is een aangifte, maar nog geen journaalpost voor \(periodName) in loonjournaal."
        }
    }
}

/// How the Belastingdienst prints a betalingskenmerk: 16 digits in groups of four.
public enum PaymentReference {
    public static func formatted(_ raw: String) -> String {
        let digits = raw.filter { !$0.isWhitespace && $0 != "." }
        guard digits.count == 16, digits.allSatisfy(\.isNumber) else { return raw }
        var groups: [String] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let end = digits.index(index, offsetBy: 4)
            groups.append(String(digits[index..<end]))
            index = end
        }
        return groups.joined(separator: " ")
    }

    /// `NL86 INGB 0002 4455 88`
    public static func iban(_ raw: String) -> String {
        let compact = raw.filter { !$0.isWhitespace }
        var groups: [String] = []
        var index = compact.startIndex
        while index < compact.endIndex {
            let end = compact.index(index, offsetBy: 4, limitedBy: compact.endIndex) ?? compact.endIndex
            groups.append(String(compact[index..<end]))
            index = end
        }
        return groups.joined(separator: " ")
    }
}
