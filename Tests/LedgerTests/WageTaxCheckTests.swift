import Ledger
import Testing

/// The loonaangifte comparison: each outcome, and the formats the Belastingdienst prints.
@Suite struct WageTaxCheckTests {
    @Test func outcomes() {
        #expect(WageTaxOutcome.compare(journalCents: 1_234_56, periodCents: 1_234_56, correctionCents: 0) == .matches)
        #expect(WageTaxOutcome.compare(journalCents: 1_234_56, periodCents: 1_232_00, correctionCents: 0) == .rounding(difference: 2_56))
        // Beyond the margin, or an aangifte with cents: not rounding.
        #expect(WageTaxOutcome.compare(journalCents: 1_234_56, periodCents: 1_229_00, correctionCents: 0) == .unexplained(difference: 5_56))
        #expect(WageTaxOutcome.compare(journalCents: 1_234_56, periodCents: 1_233_50, correctionCents: 0) == .unexplained(difference: 1_06))
        #expect(WageTaxOutcome.compare(journalCents: 1_000_00, periodCents: 1_000_00, correctionCents: 412_00) == .correction(amount: 412_00))
        #expect(WageTaxOutcome.compare(journalCents: 1_412_00, periodCents: 1_000_00, correctionCents: 412_00) == .matchesWithCorrection(correction: 412_00))
        #expect(WageTaxOutcome.compare(journalCents: 1_000_00, periodCents: nil, correctionCents: nil) == .returnNotReady)
        #expect(WageTaxOutcome.compare(journalCents: nil, periodCents: 1_000_00, correctionCents: 0) == .noJournal)
        // Extreme amounts never trap.
        #expect(WageTaxOutcome.compare(journalCents: .max, periodCents: .min, correctionCents: 0) == .unexplained(difference: .max))
        #expect(WageTaxOutcome.rounding(difference: 2_56).explanation(periodName: "februari 2026").contains("\u{20AC} 2,56"))
    }

    @Test func paymentReferenceAndIBANAsPrinted() {
        #expect(PaymentReference.formatted("8111111116529080") == "8111 1111 1652 9080")
        #expect(PaymentReference.formatted("12-34") == "12-34")
        #expect(PaymentReference.iban("NL86INGB0002445588") == "NL86 INGB 0002 4455 88")
    }
}
