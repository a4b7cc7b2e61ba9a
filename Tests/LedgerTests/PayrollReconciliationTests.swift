import Testing

@testable import Ledger

/// The jaaraansluiting lonen, pure: every difference is split into the entries and periods that
/// make it, to the cent, and what cannot be explained is named as such.
@Suite struct PayrollReconciliationTests {
    typealias R = PayrollReconciliation

    static func loketEntry(_ id: Int64, period: Int, lines: [R.Line], fiscalYear: Int = 2026, payrollYear: Int = 2026) -> R.Entry {
        R.Entry(id: id, label: "\(fiscalYear)-\(id)", description: "Loonjournaal periode \(period)", kind: .loket, fiscalYear: fiscalYear, payrollYear: payrollYear, payrollPeriod: period, lines: lines)
    }

    static func line(_ position: Int, _ account: String, _ net: Int64, original: (String, Int64)? = nil) -> R.Line {
        R.Line(position: position, accountNumber: account, net: net, originalCode: original?.0, originalNet: original?.1)
    }

    static func input(entries: [R.Entry], loket: [R.LoketTotal], open: [R.OpenRun] = [], returns: [R.TaxReturn]? = nil) -> R.Input {
        R.Input(
            year: 2026, accountNames: ["4000": "Lonen", "4010": "Vakantiegeld", "1700": "Loonheffing", "1710": "Netto"],
            accountForCode: ["4000": "4000", "4010": "4010", "1700": "1700", "1710": "1710"], entries: entries, loket: loket, openRuns: open,
            wageTaxAccounts: ["1700"], taxReturns: returns, periodName: { "periode \($0)" }
        )
    }

    @Test func everythingBookedAsSentReconciles() {
        let january = Self.loketEntry(1, period: 1, lines: [
            Self.line(1, "4000", 100_000, original: ("4000", 100_000)), Self.line(2, "1700", -30_000, original: ("1700", -30_000)),
            Self.line(3, "1710", -70_000, original: ("1710", -70_000)),
        ])
        let result = R.reconcile(Self.input(
            entries: [january], loket: [.init(code: "4000", description: nil, net: 100_000), .init(code: "1700", description: nil, net: -30_000), .init(code: "1710", description: nil, net: -70_000)],
            returns: [.init(period: 1, periodCents: 30_000, correctionCents: 0)]
        ))
        #expect(result.reconciles)
        #expect(result.rows.map(\.accountNumber) == ["1700", "1710", "4000"])
        #expect(result.rows.first { $0.accountNumber == "1700" }?.taxDifference == 0)
    }

    @Test func editedLineOpenRunManualEntryAndTaxCorrectionAddUpToTheDifference() {
        // January: 200,00 of holiday pay moved from 4010 to 4000.
        let january = Self.loketEntry(1, period: 1, lines: [
            Self.line(1, "4000", 120_000, original: ("4000", 100_000)), Self.line(2, "4010", 0, original: ("4010", 20_000)),
            Self.line(3, "1700", -36_000, original: ("1700", -36_000)), Self.line(4, "1710", -84_000, original: ("1710", -84_000)),
        ])
        // A manual correction of 5,00 on the wage-tax account.
        let manual = R.Entry(id: 9, label: "2026-9", description: "Afronding", kind: .manual, fiscalYear: 2026, payrollYear: nil, payrollPeriod: nil, lines: [
            Self.line(1, "1700", 500), Self.line(2, "4000", -500),
        ])
        // February exists in Loket only.
        let february = R.OpenRun(sequence: 2, period: 2, hasDraft: false, totals: [
            .init(code: "4000", description: nil, net: 110_000), .init(code: "1700", description: nil, net: -33_000), .init(code: "1710", description: nil, net: -77_000),
        ])
        let loket: [R.LoketTotal] = [
            .init(code: "4000", description: nil, net: 210_000), .init(code: "4010", description: nil, net: 20_000),
            .init(code: "1700", description: nil, net: -69_000), .init(code: "1710", description: nil, net: -161_000),
        ]
        let returns: [R.TaxReturn] = [.init(period: 1, periodCents: 35_900, correctionCents: 0), .init(period: 2, periodCents: 33_000, correctionCents: 4_120)]
        let result = R.reconcile(Self.input(entries: [january, manual], loket: loket, open: [february], returns: returns))
        #expect(!result.reconciles)
        for row in result.rows {
            // The explanations add up to the difference exactly, and none is "unexplained".
            #expect(row.loketExplanations.reduce(0) { $0 + $1.cents } == (row.loketDifference ?? 0), "\(row.accountNumber)")
            #expect(row.taxExplanations.reduce(0) { $0 + $1.cents } == (row.taxDifference ?? 0), "\(row.accountNumber)")
            #expect(!(row.loketExplanations + row.taxExplanations).contains { $0.cause == .unexplained }, "\(row)")
        }
        let wages = result.rows.first { $0.accountNumber == "4000" }!
        #expect(wages.loketDifference == 120_000 - 500 - 210_000)
        #expect(wages.loketExplanations.map(\.cause) == [.editedLine, .manualEntry, .runNotImported])
        #expect(wages.loketExplanations.map(\.cents) == [20_000, -500, -110_000])
        let tax = result.rows.first { $0.accountNumber == "1700" }!
        #expect(tax.taxReturns == -(35_900 + 33_000 + 4_120))
        let causes = tax.taxExplanations.map(\.cause)
        #expect(causes.contains(.taxReturnDifference) && causes.contains(.taxReturnCorrection) && causes.contains(.manualEntry))
        #expect(tax.taxExplanations.first { $0.cause == .taxReturnDifference }?.text.contains("periode 1") == true)
    }

    @Test func whatCannotBeExplainedIsNamedAndSumsNeverTrap() {
        let january = Self.loketEntry(1, period: 1, lines: [Self.line(1, "4000", 100_000, original: ("4000", 100_000)), Self.line(2, "1710", -100_000, original: ("1710", -100_000))])
        // Loket now says more than the imported run held (changed after the import).
        let result = R.reconcile(Self.input(entries: [january], loket: [.init(code: "4000", description: nil, net: 100_100), .init(code: "1710", description: nil, net: -100_100)]))
        let wages = result.rows.first { $0.accountNumber == "4000" }!
        #expect(wages.loketExplanations.map(\.cause) == [.unexplained])
        #expect(wages.loketExplanations.first?.cents == -100)
        #expect(R.add(.max, 1) == .max && R.add(.min, -1) == .min && R.negate(.min) == .max)
        // A Loket account without an account here gets its own row.
        let unmapped = R.reconcile(Self.input(entries: [], loket: [.init(code: "4999", description: "Bonus", net: 5_000)]))
        #expect(unmapped.rows.contains { $0.accountNumber == "Loket 4999" && $0.loketDifference == -5_000 })
        // Not fetched yet: no Loket column, no verdict.
        let notFetched = R.reconcile(R.Input(year: 2026, accountNames: [:], accountForCode: [:], entries: [january], loket: nil, openRuns: [], wageTaxAccounts: [], taxReturns: nil, periodName: { "\($0)" }))
        #expect(!notFetched.reconciles && notFetched.rows.allSatisfy { $0.loket == nil })
    }
}
