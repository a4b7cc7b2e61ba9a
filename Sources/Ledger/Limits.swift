/// The limits that make overflow impossible. Every door (the draft form, payroll files, Loket
/// JSON, chart files) checks them, and the database enforces them once more, so that no sum the
/// app ever computes — of an entry, a period, a year, or all years of an administration — can
/// leave `Int64`:
///
/// - one line is at most `lineAmountCents` (10^11 cents, € 1.000.000.000,00) on one side;
/// - one entry has at most `maxLinesPerEntry` (10.000) lines, so one side of an entry is at most
///   10^15 cents;
/// - all booked entries of one administration together are at most `administrationTotalCents`
///   (10^15 cents, € 10.000.000.000.000,00) per side, checked at every booking and reversal.
///
/// Every ledger sum (trial balance, journal, account card, running balance, export totals) is
/// then at most 10^15 in magnitude, and even the sum over 9.000 administrations at their limit
/// (9 × 10^18) stays inside `Int64.max` (9,22 × 10^18). Sums over administrations are computed
/// with checked arithmetic all the same.
public enum JournalLimits {
    /// The largest amount of one line on one side: € 1.000.000.000,00.
    public static let lineAmountCents: Int64 = 100_000_000_000
    /// The most lines one entry may have.
    public static let maxLinesPerEntry = 10_000
    /// The largest total of one side (debit or credit) of all booked entries of an administration.
    public static let administrationTotalCents: Int64 = 1_000_000_000_000_000

    public static var maxLinesText: String { dutchCount(maxLinesPerEntry) }

    /// `10.000` — a count with Dutch thousands dots.
    public static func dutchCount(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, char) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(".") }
            grouped.append(char)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// Why a set of lines cannot be one entry, or nil when it can: too many lines, an amount out
    /// of range (an entry's sides are then at most 10^15 cents each).
    public static func problem(amounts: [(debit: Int64, credit: Int64)]) -> String? {
        if amounts.count > self.maxLinesPerEntry {
            return "Een boeking heeft hoogstens \(self.maxLinesText) regels; deze heeft er \(self.dutchCount(amounts.count)). Er is niets opgeslagen."
        }
        for (index, amount) in amounts.enumerated() {
            for value in [amount.debit, amount.credit] where value < 0 || value > self.lineAmountCents {
                let shown = value < 0 ? "een negatief bedrag" : Money(cents: value).euro
                return "Regel \(index + 1) heeft \(shown); één regel gaat van € 0,00 tot \(Money(cents: self.lineAmountCents).euro). Er is niets opgeslagen."
            }
        }
        return nil
    }
}
