import Testing

@testable import Ledger

/// Money arithmetic cannot trap; text is measured and cleaned as the database and XML see it.
@Suite struct LimitsAndTextTests {
    @Test func moneyArithmeticThrowsInsteadOfTrapping() throws {
        let max = Money(cents: .max)
        #expect(throws: MoneyOverflow.self) { try max + Money(cents: 1) }
        #expect(throws: MoneyOverflow.self) { try Money(cents: .min) - Money(cents: 1) }
        #expect(throws: MoneyOverflow.self) { try Money.sum([max, max]) }
        #expect(throws: MoneyOverflow.self) { try Balance(debit: max, credit: Money(cents: -1)) }
        #expect(try Money.sum([Money(cents: 5), Money(cents: -2)]) == Money(cents: 3))
        #expect(Money(cents: .min).magnitude == max)
        #expect(Money(cents: .min).dutch == "-92.233.720.368.547.758,08")
        #expect(MoneyOverflow().message.contains("10.000 regels"))
    }

    @Test func theLimitsKeepEverySumInsideInt64() {
        // The worst entry, the worst administration, and 9.000 of them together.
        let entry = JournalLimits.lineAmountCents.multipliedReportingOverflow(by: Int64(JournalLimits.maxLinesPerEntry))
        #expect(!entry.overflow && entry.partialValue <= JournalLimits.administrationTotalCents)
        let office = JournalLimits.administrationTotalCents.multipliedReportingOverflow(by: 9_000)
        #expect(!office.overflow)
        #expect(JournalLimits.problem(amounts: [(JournalLimits.lineAmountCents, 0)]) == nil)
        #expect(JournalLimits.problem(amounts: [(0, JournalLimits.lineAmountCents + 1)])?.contains("Regel 1") == true)
        #expect(JournalLimits.problem(amounts: [(-1, 0)])?.contains("negatief") == true)
        #expect(JournalLimits.problem(amounts: Array(repeating: (1, 0), count: 10_001))?.contains("10.001") == true)
        let lines = (1...3).map { EntryLine(position: $0, accountNumber: "4000", accountActive: true, debit: Money(cents: .max / 2), credit: .zero) }
        let problems = JournalRules.bookingProblems(lines: lines, isBooked: false, year: 2026, period: 1, closedPeriods: [])
        #expect(problems.contains { if case .beyondLimits = $0 { true } else { false } })
    }

    @Test func textIsMeasuredInUnicodeScalarsAndRefusedWhenXMLCannotHoldIt() throws {
        let family = "👨‍👩‍👧‍👦"
        #expect(TextRules.length(family) == 7)
        #expect(TextRules.length(String(repeating: "e\u{301}", count: 150)) == 300)
        #expect(throws: FieldError.self) { try TextRules.line(String(repeating: family, count: 30), max: 200, what: "De naam", field: "name") }
        do {
            _ = try TextRules.line(String(repeating: "🇳🇱", count: 51), max: 100, what: "De naam", field: "name")
            Issue.record("51 flags are 102 code points")
        } catch {
            #expect(error.message == "De naam is te lang (102 tekens; maximaal 100). Letters met accenten en emoji tellen soms als meer dan één teken.")
        }
        for bad in ["a\u{0}", "a\u{FFFE}", "a\u{FFFF}", "a\u{7}", "a\tb", "a\u{85}"] {
            #expect(TextRules.forbiddenScalar(bad) != nil, "\(bad.unicodeScalars.map(\.value))")
        }
        #expect(try TextRules.line("  Café \(family) 🇳🇱 e\u{301}  ", max: 100, what: "De naam", field: "name") == "Café \(family) 🇳🇱 e\u{301}")
        #expect(TextRules.name("\u{FFFF}") == "U+FFFF" && TextRules.name("\u{0}") == "U+0000")
    }

    @Test func outsideTextIsCleanedAndCutBetweenCharacters() {
        #expect(TextRules.cleaned("Loon\u{0}\u{FFFF}x", max: 200) == "Loon  x")
        let cut = TextRules.cleaned(String(repeating: "👨‍👩‍👧‍👦", count: 30), max: 200)
        #expect(TextRules.length(cut) == 196 && cut.count == 28)  // 28 whole families, never half of one
        #expect(TextRules.xmlSafe("a\u{0}b\u{FFFE}c\td") == "abc\td")
        #expect(AuditfileWriter.escape("x\u{FFFF}<") == "x &lt;")
        #expect(LedgerCSV.field("a\u{0}b") == "ab")
    }
}
