/// One line of an entry as the ledger rules see it.
public struct EntryLine: Equatable, Sendable {
    public var position: Int
    /// The local account number, or nil when the Loket code is not mapped yet.
    public var accountNumber: String?
    /// Whether that account is active (nil when unknown).
    public var accountActive: Bool?
    /// For messages: the Loket code when there is no local account.
    public var originalCode: String?
    public var debit: Money
    public var credit: Money

    public init(position: Int, accountNumber: String?, accountActive: Bool?, originalCode: String? = nil, debit: Money, credit: Money) {
        self.position = position
        self.accountNumber = accountNumber
        self.accountActive = accountActive
        self.originalCode = originalCode
        self.debit = debit
        self.credit = credit
    }
}

/// Debit and credit totals and which side is short.
public struct Balance: Equatable, Sendable {
    public let debit: Money
    public let credit: Money
    /// Debit minus credit.
    public let difference: Money

    public init(lines: [EntryLine]) throws(MoneyOverflow) {
        try self.init(debit: Money.sum(lines.lazy.map(\.debit)), credit: Money.sum(lines.lazy.map(\.credit)))
    }

    public init(debit: Money, credit: Money) throws(MoneyOverflow) {
        self.debit = debit
        self.credit = credit
        self.difference = try debit - credit
    }

    public var isBalanced: Bool { self.difference.isZero }

    /// "Er ontbreekt € 21,00 credit" — the side that needs more.
    public var shortfallText: String? {
        if self.isBalanced { return nil }
        let side = self.difference.cents > 0 ? "credit" : "debet"
        return "het verschil is \(self.difference.magnitude.euro): er ontbreekt \(self.difference.magnitude.euro) \(side)"
    }
}

/// Everything that stops an entry from being booked; all are reported at once.
public enum BookingProblem: Equatable, Sendable {
    case noLines
    case notBalanced(Balance)
    case unmappedAccount(line: Int, loketCode: String?)
    case inactiveAccount(line: Int, number: String)
    case emptyLine(line: Int)
    case bothSides(line: Int)
    case closedPeriod(year: Int, period: Int)
    case periodOutOfRange(period: Int)
    /// The booking date is in another year than the entry's fiscal year.
    case dateOutsideYear(date: CalendarDate, year: Int)
    /// The booking date is in another month than the entry's period.
    case dateOutsidePeriod(date: CalendarDate, period: Int)
    /// A recalculation (only the differences) of a payroll period whose original run is still a
    /// draft: booked first, the ledger would show the correction before what it corrects.
    case originalNotBooked(original: String)
    case alreadyBooked
    /// Too many lines, an amount out of range, or a total beyond what the ledger can hold.
    case beyondLimits(String)

    public var message: String {
        switch self {
        case .noLines: "De boeking heeft geen regels."
        case .notBalanced(let balance): "De boeking is niet in balans: \(balance.shortfallText ?? "")."
        case .unmappedAccount(let line, let code):
            "Regel \(line): Loket-rekening \(code ?? "?") bestaat niet in deze administratie. Koppel haar aan een eigen rekening of maak haar aan."
        case .inactiveAccount(let line, let number): "Regel \(line): rekening \(number) is gedeactiveerd."
        case .emptyLine(let line): "Regel \(line) heeft geen bedrag."
        case .bothSides(let line): "Regel \(line) heeft zowel een debet- als een creditbedrag; zet het verschil aan één kant."
        case .closedPeriod(let year, let period): "Periode \(period) van \(year) is afgesloten."
        case .periodOutOfRange(let period): "Periode \(period) bestaat niet (kies 1 tot en met 13)."
        case .alreadyBooked: "Deze boeking is al geboekt."
        case .originalNotBooked(let original):
            "Dit is een herberekening (alleen de verschillen); de oorspronkelijke run van deze loonperiode is nog een concept (\u{201C}\(original)\u{201D}). "
                + "Boek eerst het origineel, of kies \u{2018}Toch boeken\u{2019} als de volgorde er voor u niet toe doet."
        case .dateOutsideYear(let date, let year):
            "De boekdatum \(date.dutch) valt niet in boekjaar \(year). Kies een datum in \(year)."
        case .dateOutsidePeriod(let date, let period):
            period == 13
                ? "De boekdatum \(date.dutch) valt niet in december, en periode 13 hoort bij december. Kies een datum in december of een andere periode."
                : "De boekdatum \(date.dutch) valt in \(FiscalPeriods.monthNames[date.month - 1]), niet in periode \(period) (\(FiscalPeriods.monthNames[period - 1])). "
                    + "Kies een datum in \(FiscalPeriods.monthNames[period - 1]) of zet de periode op \(date.month)."
        case .beyondLimits(let message): message
        }
    }
}

/// The accounting rules of an entry, free of I/O.
public enum JournalRules {
    /// All problems that stop booking.
    /// `date` and `rule`, when given, also check that the booking date lies in the entry's
    /// year and (for calendar-month periods) in its period: a 31-01 booking in period 2 is named
    /// with the fix.
    public static func bookingProblems(
        lines: [EntryLine], isBooked: Bool, year: Int, period: Int, closedPeriods: Set<Int>,
        date: CalendarDate? = nil, rule: FinancialPeriodRule = .calendarMonth
    ) -> [BookingProblem] {
        var problems: [BookingProblem] = []
        if isBooked { problems.append(.alreadyBooked) }
        if lines.isEmpty { problems.append(.noLines) }
        for line in lines {
            if line.accountNumber == nil {
                problems.append(.unmappedAccount(line: line.position, loketCode: line.originalCode))
            } else if line.accountActive == false {
                problems.append(.inactiveAccount(line: line.position, number: line.accountNumber!))
            }
            if line.debit.isZero && line.credit.isZero { problems.append(.emptyLine(line: line.position)) }
            if !line.debit.isZero && !line.credit.isZero { problems.append(.bothSides(line: line.position)) }
        }
        if let limit = JournalLimits.problem(amounts: lines.map { ($0.debit.cents, $0.credit.cents) }) {
            problems.append(.beyondLimits(limit))
        } else if let balance = try? Balance(lines: lines), !lines.isEmpty && !balance.isBalanced {
            problems.append(.notBalanced(balance))
        }
        if !(1...13).contains(period) { problems.append(.periodOutOfRange(period: period)) }
        if closedPeriods.contains(period) { problems.append(.closedPeriod(year: year, period: period)) }
        if let date, (1...13).contains(period) {
            if date.year != year {
                problems.append(.dateOutsideYear(date: date, year: year))
            } else if rule == .calendarMonth && period <= 12 && date.month != period {
                problems.append(.dateOutsidePeriod(date: date, period: period))
            } else if rule == .calendarMonth && period == 13 && date.month != 12 {
                problems.append(.dateOutsidePeriod(date: date, period: period))
            }
        }
        return problems
    }

    /// The lines of a reversal: every line mirrored (debit ↔ credit).
    public static func reversed(_ lines: [EntryLine]) -> [EntryLine] {
        lines.map { EntryLine(position: $0.position, accountNumber: $0.accountNumber, accountActive: $0.accountActive, originalCode: $0.originalCode, debit: $0.credit, credit: $0.debit) }
    }

    /// The next entry number in a year, given the numbers used so far.
    public static func nextNumber(after highest: Int?) -> Int { (highest ?? 0) + 1 }
}
