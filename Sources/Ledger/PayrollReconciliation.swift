/// The year-end payroll reconciliation (jaaraansluiting lonen) of one administration: per payroll
/// account our ledger (booked, the fiscal year) beside Loket's cumulative journal results of the
/// payroll year, and for loonheffing beside the year's payroll tax returns — with, per difference,
/// the entries and periods that explain it. Pure: the caller reads the facts, this compares them.
/// Amounts are cents, debit positive and credit negative; sums saturate instead of trapping.
public enum PayrollReconciliation {
    public enum EntryKind: Sendable, Equatable {
        case loket
        case file
        case manual
        case reversal
    }

    public struct Line: Sendable, Equatable {
        public let position: Int
        public let accountNumber: String?
        /// Debit − credit as booked.
        public let net: Int64
        /// What Loket sent for this line; nil for a line the user added.
        public let originalCode: String?
        public let originalNet: Int64?

        public init(position: Int, accountNumber: String?, net: Int64, originalCode: String?, originalNet: Int64?) {
            self.position = position
            self.accountNumber = accountNumber
            self.net = net
            self.originalCode = originalCode
            self.originalNet = originalNet
        }
    }

    /// A booked entry of the fiscal year, or of the payroll year booked in another fiscal year.
    public struct Entry: Sendable, Equatable {
        public let id: Int64
        /// How the user knows it: "2026-14".
        public let label: String
        public let description: String
        public let kind: EntryKind
        public let fiscalYear: Int
        public let payrollYear: Int?
        public let payrollPeriod: Int?
        public let lines: [Line]

        public init(id: Int64, label: String, description: String, kind: EntryKind, fiscalYear: Int, payrollYear: Int?, payrollPeriod: Int?, lines: [Line]) {
            self.id = id
            self.label = label
            self.description = description
            self.kind = kind
            self.fiscalYear = fiscalYear
            self.payrollYear = payrollYear
            self.payrollPeriod = payrollPeriod
            self.lines = lines
        }
    }

    /// A Loket account's journal result (debit − credit).
    public struct LoketTotal: Sendable, Equatable {
        public let code: String
        public let description: String?
        public let net: Int64

        public init(code: String, description: String?, net: Int64) {
            self.code = code
            self.description = description
            self.net = net
        }
    }

    /// A journal run of the year with results that has no booked entry here.
    public struct OpenRun: Sendable, Equatable {
        public let sequence: Int
        public let period: Int
        /// A draft exists (imported, not booked) rather than nothing at all.
        public let hasDraft: Bool
        public let totals: [LoketTotal]

        public init(sequence: Int, period: Int, hasDraft: Bool, totals: [LoketTotal]) {
            self.sequence = sequence
            self.period = period
            self.hasDraft = hasDraft
            self.totals = totals
        }
    }

    public struct TaxReturn: Sendable, Equatable {
        public let period: Int
        /// nil while Loket is still making the return.
        public let periodCents: Int64?
        public let correctionCents: Int64?

        public init(period: Int, periodCents: Int64?, correctionCents: Int64?) {
            self.period = period
            self.periodCents = periodCents
            self.correctionCents = correctionCents
        }
    }

    public struct Input: Sendable {
        public var year: Int
        /// Our account numbers and names.
        public var accountNames: [String: String]
        /// Loket code → our account number (the administration's mapping, or how its lines were booked).
        public var accountForCode: [String: String]
        public var entries: [Entry]
        /// nil: not fetched from Loket yet.
        public var loket: [LoketTotal]?
        public var openRuns: [OpenRun]
        public var wageTaxAccounts: Set<String>
        /// nil: not fetched, or no rights.
        public var taxReturns: [TaxReturn]?
        /// "periode 3" or "maart 2026".
        public var periodName: @Sendable (Int) -> String

        public init(
            year: Int, accountNames: [String: String], accountForCode: [String: String], entries: [Entry], loket: [LoketTotal]?, openRuns: [OpenRun],
            wageTaxAccounts: Set<String>, taxReturns: [TaxReturn]?, periodName: @escaping @Sendable (Int) -> String
        ) {
            self.year = year
            self.accountNames = accountNames
            self.accountForCode = accountForCode
            self.entries = entries
            self.loket = loket
            self.openRuns = openRuns
            self.wageTaxAccounts = wageTaxAccounts
            self.taxReturns = taxReturns
            self.periodName = periodName
        }
    }

    public enum Cause: String, Sendable, Equatable {
        case editedLine
        case manualEntry
        case reversal
        case runNotImported
        case draftNotBooked
        case otherYear
        case taxReturnDifference
        case taxReturnCorrection
        case taxReturnMissing
        case unexplained

        public var label: String {
            switch self {
            case .editedLine: "Gewijzigd t.o.v. Loket"
            case .manualEntry: "Handmatige correctie"
            case .reversal: "Terugboeking"
            case .runNotImported: "Run niet geïmporteerd"
            case .draftNotBooked: "Concept niet geboekt"
            case .otherYear: "Ander boekjaar"
            case .taxReturnDifference: "Verschil met aangifte"
            case .taxReturnCorrection: "Correctie in aangifte"
            case .taxReturnMissing: "Aangifte ontbreekt"
            case .unexplained: "Onverklaard"
            }
        }
    }

    /// One reason for (part of) a difference: its share in cents, in the same sign as the difference.
    public struct Explanation: Sendable, Equatable {
        public let cause: Cause
        public let text: String
        public let cents: Int64
        public let entryId: Int64?
    }

    public struct Row: Sendable, Equatable {
        public let accountNumber: String
        public let accountName: String
        public let isWageTax: Bool
        /// Our ledger, debit − credit, the fiscal year.
        public let ledger: Int64
        /// Loket's cumulative results mapped to this account; nil when not fetched.
        public let loket: Int64?
        public let loketDifference: Int64?
        public let loketExplanations: [Explanation]
        /// For loonheffing: − the sum of the year's returns (a debt, so credit); nil otherwise.
        public let taxReturns: Int64?
        public let taxDifference: Int64?
        public let taxExplanations: [Explanation]

        public var reconciles: Bool { (self.loketDifference ?? 0) == 0 && (self.taxDifference ?? 0) == 0 }
    }

    public struct Result: Sendable, Equatable {
        public let rows: [Row]
        public let loketFetched: Bool
        public let taxReturnsFetched: Bool

        public var reconciles: Bool { self.loketFetched && self.rows.allSatisfy(\.reconciles) }
        public var differenceCount: Int { self.rows.filter { !$0.reconciles }.count }
    }

    public static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }

    public static func negate(_ a: Int64) -> Int64 { a == .min ? .max : -a }

    public static func sum<S: Sequence>(_ values: S) -> Int64 where S.Element == Int64 { values.reduce(0, add) }

    public static func reconcile(_ input: Input) -> Result {
        let year = input.year
        let mapped: (String) -> String? = { input.accountForCode[$0] }
        let inYear = input.entries.filter { $0.fiscalYear == year }
        // Which accounts are payroll accounts: Loket's, the Loket entries' and the wage-tax ones.
        var accounts = Set(input.wageTaxAccounts)
        for total in input.loket ?? [] { if let account = mapped(total.code) { accounts.insert(account) } }
        for entry in input.entries where entry.kind == .loket {
            for line in entry.lines { if let account = line.accountNumber { accounts.insert(account) } }
        }
        for run in input.openRuns { for total in run.totals { if let account = mapped(total.code) { accounts.insert(account) } } }
        let unmappedCodes = Set(((input.loket ?? []) + input.openRuns.flatMap(\.totals)).map(\.code).filter { mapped($0) == nil })

        func ledger(_ account: String) -> Int64 {
            self.sum(inYear.flatMap(\.lines).filter { $0.accountNumber == account }.map(\.net))
        }
        func loket(_ key: String, unmapped: Bool) -> Int64? {
            guard let totals = input.loket else { return nil }
            return self.sum(totals.filter { unmapped ? $0.code == key : mapped($0.code) == key }.map(\.net))
        }

        func loketExplanations(_ key: String, unmapped: Bool, difference: Int64) -> [Explanation] {
            var result: [Explanation] = []
            let isKey: (String?) -> Bool = { code in
                guard let code else { return false }
                return unmapped ? code == key : mapped(code) == key
            }
            for entry in inYear {
                let onAccount = unmapped ? 0 : self.sum(entry.lines.filter { $0.accountNumber == key }.map(\.net))
                switch entry.kind {
                case .loket where entry.payrollYear == year:
                    let original = self.sum(entry.lines.filter { isKey($0.originalCode) }.compactMap(\.originalNet))
                    let share = self.add(onAccount, self.negate(original))
                    if share != 0 {
                        let changed = entry.lines.filter { line in
                            (line.accountNumber == key || isKey(line.originalCode))
                                && (line.originalCode == nil || mapped(line.originalCode!) != line.accountNumber || line.originalNet != line.net)
                        }
                        let details = changed.prefix(5).map { line -> String in
                            if let code = line.originalCode, let net = line.originalNet {
                                return "regel \(line.position): Loket \(code) \(Self.amount(net)) → geboekt \(line.accountNumber ?? "?") \(Self.amount(line.net))"
                            }
                            return "regel \(line.position): toegevoegd \(line.accountNumber ?? "?") \(Self.amount(line.net))"
                        }
                        result.append(Explanation(
                            cause: .editedLine, text: "Boeking \(entry.label) (\(entry.description)) wijkt af van wat Loket stuurde: " + details.joined(separator: "; "),
                            cents: share, entryId: entry.id
                        ))
                    }
                case .loket:
                    if onAccount != 0 {
                        result.append(Explanation(
                            cause: .otherYear, text: "Boeking \(entry.label) (\(entry.description)) hoort bij loonjaar \(entry.payrollYear.map(String.init) ?? "?"), maar staat in boekjaar \(year)",
                            cents: onAccount, entryId: entry.id
                        ))
                    }
                case .reversal:
                    if onAccount != 0 {
                        result.append(Explanation(cause: .reversal, text: "Terugboeking \(entry.label): \(entry.description)", cents: onAccount, entryId: entry.id))
                    }
                case .manual, .file:
                    if onAccount != 0 {
                        let what = entry.kind == .manual ? "Memoriaalboeking" : "Boeking uit salarisbestand"
                        result.append(Explanation(cause: .manualEntry, text: "\(what) \(entry.label): \(entry.description)", cents: onAccount, entryId: entry.id))
                    }
                }
            }
            // Loket counts it in this payroll year, our ledger books it in another fiscal year.
            for entry in input.entries where entry.fiscalYear != year && entry.kind == .loket && entry.payrollYear == year {
                let original = self.sum(entry.lines.filter { isKey($0.originalCode) }.compactMap(\.originalNet))
                if original != 0 {
                    result.append(Explanation(
                        cause: .otherYear, text: "Boeking \(entry.label) (\(entry.description)) van loonjaar \(year) staat in boekjaar \(entry.fiscalYear)",
                        cents: self.negate(original), entryId: entry.id
                    ))
                }
            }
            for run in input.openRuns {
                let share = self.sum(run.totals.filter { isKey($0.code) }.map(\.net))
                if share != 0 {
                    let text = run.hasDraft
                        ? "Run \(run.sequence) (\(input.periodName(run.period))) is geïmporteerd maar staat nog als concept: niet geboekt"
                        : "Run \(run.sequence) (\(input.periodName(run.period))) is niet geïmporteerd"
                    result.append(Explanation(cause: run.hasDraft ? .draftNotBooked : .runNotImported, text: text + (unmapped ? " (Loket-rekening nog niet gekoppeld)" : ""), cents: self.negate(share), entryId: nil))
                }
            }
            let rest = self.add(difference, self.negate(self.sum(result.map(\.cents))))
            if rest != 0 {
                result.append(Explanation(
                    cause: .unexplained,
                    text: "Niet uit de boekingen te verklaren: is een run na de import in Loket gewijzigd of verwijderd, of een boeking buiten loonjournaal gemaakt?",
                    cents: rest, entryId: nil
                ))
            }
            return result
        }

        // Loonheffing against the returns (credit-positive inside, shown debit-positive).
        let wageTaxLedger = self.sum(input.wageTaxAccounts.map(ledger))
        var taxTotal: Int64? = nil
        var taxExplanations: [Explanation] = []
        if let returns = input.taxReturns {
            let byPeriod = Dictionary(returns.map { ($0.period, $0) }, uniquingKeysWith: { _, last in last })
            taxTotal = self.negate(self.sum(returns.map { self.add($0.periodCents ?? 0, $0.correctionCents ?? 0) }))
            let difference = self.add(wageTaxLedger, self.negate(taxTotal!))
            var journalPerPeriod: [Int: Int64] = [:]
            for entry in inYear {
                let onTax = self.sum(entry.lines.filter { $0.accountNumber.map(input.wageTaxAccounts.contains) == true }.map(\.net))
                guard onTax != 0 else { continue }
                if entry.kind == .loket, entry.payrollYear == year, let period = entry.payrollPeriod {
                    journalPerPeriod[period] = self.add(journalPerPeriod[period] ?? 0, onTax)
                } else {
                    let cause: Cause = entry.kind == .reversal ? .reversal : entry.kind == .loket ? .otherYear : .manualEntry
                    taxExplanations.append(Explanation(cause: cause, text: "Boeking \(entry.label): \(entry.description)", cents: onTax, entryId: entry.id))
                }
            }
            for period in Set(journalPerPeriod.keys).union(byPeriod.keys).sorted() {
                let journal = journalPerPeriod[period] ?? 0
                let name = input.periodName(period)
                guard let taxReturn = byPeriod[period] else {
                    taxExplanations.append(Explanation(cause: .taxReturnMissing, text: "Geen aangifte over \(name) in Loket gevonden", cents: journal, entryId: nil))
                    continue
                }
                guard let declared = taxReturn.periodCents else {
                    taxExplanations.append(Explanation(cause: .taxReturnMissing, text: "De aangifte over \(name) wordt in Loket nog gemaakt (nog geen bedrag)", cents: journal, entryId: nil))
                    continue
                }
                // Both credit: the journal's −journal against the return's declared amount.
                let share = self.add(journal, declared)
                if share != 0 {
                    let outcome = WageTaxOutcome.compare(journalCents: self.negate(journal), periodCents: declared, correctionCents: nil)
                    let why = if case .rounding = outcome { "afronding in de aangifte (hele euro’s)" } else { "geen afronding" }
                    taxExplanations.append(Explanation(
                        cause: .taxReturnDifference,
                        text: "\(name): loonheffing in het journaal \(Money(cents: self.negate(journal)).euro), aangifte \(Money(cents: declared).euro) — \(why)",
                        cents: share, entryId: nil
                    ))
                }
                if let correction = taxReturn.correctionCents, correction != 0 {
                    taxExplanations.append(Explanation(
                        cause: .taxReturnCorrection, text: "De aangifte over \(name) bevat een correctie over eerdere periode(n) van \(Money(cents: correction).euro)",
                        cents: correction, entryId: nil
                    ))
                }
            }
            let rest = self.add(difference, self.negate(self.sum(taxExplanations.map(\.cents))))
            if rest != 0 {
                taxExplanations.append(Explanation(cause: .unexplained, text: "Niet uit de boekingen en aangiften te verklaren", cents: rest, entryId: nil))
            }
        }

        var rows: [Row] = []
        let taxOnOneRow = input.wageTaxAccounts.count == 1
        for account in accounts.sorted(by: Self.accountOrder) {
            let ledgerAmount = ledger(account)
            let loketAmount = loket(account, unmapped: false)
            let difference = loketAmount.map { self.add(ledgerAmount, self.negate($0)) }
            let isTax = input.wageTaxAccounts.contains(account)
            let showTax = isTax && taxOnOneRow && taxTotal != nil
            rows.append(Row(
                accountNumber: account, accountName: input.accountNames[account] ?? "", isWageTax: isTax, ledger: ledgerAmount, loket: loketAmount,
                loketDifference: difference, loketExplanations: difference.map { loketExplanations(account, unmapped: false, difference: $0) } ?? [],
                taxReturns: showTax ? taxTotal : nil, taxDifference: showTax ? self.add(ledgerAmount, self.negate(taxTotal!)) : nil,
                taxExplanations: showTax ? taxExplanations : []
            ))
        }
        for code in unmappedCodes.sorted(by: Self.accountOrder) {
            let loketAmount = loket(code, unmapped: true)
            let difference = loketAmount.map { self.negate($0) }
            let description = ((input.loket ?? []) + input.openRuns.flatMap(\.totals)).first { $0.code == code }?.description ?? ""
            rows.append(Row(
                accountNumber: "Loket \(code)", accountName: "\(description) (niet gekoppeld aan een grootboekrekening)", isWageTax: false, ledger: 0,
                loket: loketAmount, loketDifference: difference, loketExplanations: difference.map { loketExplanations(code, unmapped: true, difference: $0) } ?? [],
                taxReturns: nil, taxDifference: nil, taxExplanations: []
            ))
        }
        if !taxOnOneRow, let taxTotal, !input.wageTaxAccounts.isEmpty {
            rows.append(Row(
                accountNumber: input.wageTaxAccounts.sorted().joined(separator: "+"), accountName: "Loonheffingsrekeningen samen", isWageTax: true,
                ledger: wageTaxLedger, loket: nil, loketDifference: nil, loketExplanations: [], taxReturns: taxTotal,
                taxDifference: self.add(wageTaxLedger, self.negate(taxTotal)), taxExplanations: taxExplanations
            ))
        }
        return Result(rows: rows, loketFetched: input.loket != nil, taxReturnsFetched: input.taxReturns != nil)
    }

    static func amount(_ net: Int64) -> String {
        net >= 0 ? "debet \(Money(cents: net).euro)" : "credit \(Money(cents: Self.negate(net)).euro)"
    }

    /// Numbers in numeric order ("900" before "1700"), others after.
    static func accountOrder(_ a: String, _ b: String) -> Bool {
        switch (Int(a), Int(b)) {
        case let (x?, y?): x == y ? a < b : x < y
        case (.some, nil): true
        case (nil, .some): false
        default: a < b
        }
    }
}
