import Testing

@testable import Ledger

@Suite struct MoneyTests {
    @Test func parsesWhatDutchBookkeepersType() throws {
        let cases: [(String, Int64)] = [
            ("1.234,56", 123_456), ("1234,56", 123_456), ("1234.56", 123_456), ("1234", 123_400), ("0,5", 50), ("€ 12,50", 1250),
            ("1.234.567,89", 123_456_789), ("1.234", 123_400), (" 7,1 ", 710), (",99", 99), ("1 234,56", 123_456), ("1.000.000.000", 100_000_000_000),
        ]
        for (text, cents) in cases {
            #expect(try Money.parse(text).cents == cents, "\(text)")
        }
        #expect(try Money.parse("-12,00", allowNegative: true).cents == -1200)
        #expect(try Money.parse("(12,00)", allowNegative: true).cents == -1200)
    }

    @Test func refusesLettersThreeDecimalsHugeAndNegative() {
        for bad in ["12a", "abc", "1,234,56", "1,005", "12.345,678", "1.23.4,00", "", "--5", "1.000.000.000,01", "1.000.000.000.000", "99999999999999"] {
            #expect(throws: FieldError.self, "\(bad)") { try Money.parse(bad) }
        }
        #expect(throws: FieldError.self) { try Money.parse("-5") }
        do {
            _ = try Money.parse("1,005")
        } catch {
            #expect(error.message.contains("meer dan twee decimalen"))
        }
    }

    @Test func formatsInDutch() {
        #expect(Money(cents: 123_456).dutch == "1.234,56")
        #expect(Money(cents: 5).dutch == "0,05")
        #expect(Money(cents: -100_000_00).euro == "€ -100.000,00")
        #expect(Money(cents: 100_000_000_000_000).dutch == "1.000.000.000.000,00")
        #expect(Money(cents: 0).euro == "€ 0,00")
    }

    @Test func roundTrip() throws {
        for cents in [Int64(0), 1, 99, 100, 123_456_789, 999_999_999_99] {
            #expect(try Money.parse(Money(cents: cents).dutch).cents == cents)
        }
    }
}

@Suite struct CalendarAndPeriodTests {
    @Test func datesParseAndFormat() throws {
        #expect(try CalendarDate.parse("31-01-2026").iso == "2026-01-31")
        #expect(try CalendarDate.parse("2026-02-28").dutch == "28-02-2026")
        #expect(try CalendarDate.parse("1-3-2026").dutch == "01-03-2026")
        #expect(throws: FieldError.self) { try CalendarDate.parse("31-02-2026") }
        #expect(throws: FieldError.self) { try CalendarDate.parse("morgen") }
        #expect(throws: FieldError.self) { try CalendarDate.parse("12-12-12") }
        #expect(CalendarDate(year: 2028, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2027, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2026, month: 1, day: 1)!.adding(days: 364).iso == "2026-12-31")
        #expect(CalendarDate(year: 2026, month: 12, day: 31)!.adding(days: 1).iso == "2027-01-01")
    }

    @Test func monthlyEntryDatesAreTheLastDayOfTheMonth() {
        #expect(PayrollCalendar.entryDate(year: 2026, period: 2, kind: .month, loketEndDate: nil)?.iso == "2026-02-28")
        #expect(PayrollCalendar.entryDate(year: 2028, period: 2, kind: .month, loketEndDate: nil)?.iso == "2028-02-29")
        #expect(PayrollCalendar.entryDate(year: 2026, period: 12, kind: .month, loketEndDate: nil)?.iso == "2026-12-31")
        #expect(PayrollCalendar.entryDate(year: 2026, period: 13, kind: .month, loketEndDate: nil) == nil)
    }

    @Test func fourWeeklyPeriodsAndPeriod13StayInTheirYear() {
        #expect(PayrollCalendar.entryDate(year: 2026, period: 1, kind: .fourWeeks, loketEndDate: nil)?.iso == "2026-01-28")
        #expect(PayrollCalendar.entryDate(year: 2026, period: 12, kind: .fourWeeks, loketEndDate: nil)?.iso == "2026-12-02")
        #expect(PayrollCalendar.entryDate(year: 2026, period: 13, kind: .fourWeeks, loketEndDate: nil)?.iso == "2026-12-31")
        // Loket's own end date wins, but never past the year.
        let spill = CalendarDate(year: 2027, month: 1, day: 3)
        #expect(PayrollCalendar.entryDate(year: 2026, period: 13, kind: .fourWeeks, loketEndDate: spill)?.iso == "2026-12-31")
        #expect(PayrollCalendar.entryDate(year: 2026, period: 3, kind: .fourWeeks, loketEndDate: CalendarDate(year: 2026, month: 3, day: 25))?.iso == "2026-03-25")
        #expect(PayrollCalendar.entryDate(year: 2026, period: 53, kind: .week, loketEndDate: nil)?.iso == "2026-12-31")
    }

    @Test func financialPeriodRules() {
        let date = CalendarDate(year: 2026, month: 12, day: 31)!
        #expect(PayrollCalendar.financialPeriod(date: date, payrollPeriod: 13, rule: .calendarMonth) == 12)
        #expect(PayrollCalendar.financialPeriod(date: date, payrollPeriod: 13, rule: .payrollPeriod) == 13)
        #expect(PayrollCalendar.description(year: 2026, period: 3, run: 2, isDifference: false) == "Loonjournaal 2026 periode 03 (run 2)")
        #expect(PayrollCalendar.description(year: 2026, period: 3, run: 4, isDifference: true) == "Loonjournaal 2026 periode 03 (run 4, herberekening)")
    }
}

@Suite struct JournalRulesTests {
    func line(_ position: Int, _ account: String?, debit: Int64 = 0, credit: Int64 = 0, active: Bool = true) -> EntryLine {
        EntryLine(position: position, accountNumber: account, accountActive: account == nil ? nil : active, originalCode: "4050", debit: Money(cents: debit), credit: Money(cents: credit))
    }

    @Test func balancedEntryBooks() {
        let lines = [self.line(1, "4000", debit: 100_00), self.line(2, "1710", credit: 100_00)]
        #expect(JournalRules.bookingProblems(lines: lines, isBooked: false, year: 2026, period: 3, closedPeriods: []).isEmpty)
    }

    @Test func everyProblemIsListedAtOnce() throws {
        let lines = [
            self.line(1, "4000", debit: 100_00), self.line(2, nil, debit: 21_00), self.line(3, "1710", credit: 100_00),
            self.line(4, "9999", credit: 1_00, active: false), self.line(5, "1700"), self.line(6, "1700", debit: 1, credit: 1),
        ]
        let problems = JournalRules.bookingProblems(lines: lines, isBooked: true, year: 2026, period: 3, closedPeriods: [3])
        #expect(problems.contains(.alreadyBooked))
        #expect(problems.contains(.unmappedAccount(line: 2, loketCode: "4050")))
        #expect(problems.contains(.inactiveAccount(line: 4, number: "9999")))
        #expect(problems.contains(.emptyLine(line: 5)))
        #expect(problems.contains(.bothSides(line: 6)))
        #expect(problems.contains(.closedPeriod(year: 2026, period: 3)))
        let balance = try Balance(lines: lines)
        #expect(problems.contains(.notBalanced(balance)))
        #expect(balance.difference.cents == 20_00)
        #expect(BookingProblem.notBalanced(balance).message == "De boeking is niet in balans: het verschil is € 20,00: er ontbreekt € 20,00 credit.")
        #expect(JournalRules.bookingProblems(lines: [], isBooked: false, year: 2026, period: 14, closedPeriods: []) == [.noLines, .periodOutOfRange(period: 14)])
    }

    @Test func reversalMirrorsEveryLineAndNumberingCounts() throws {
        let lines = [self.line(1, "4000", debit: 123_45), self.line(2, "1710", credit: 123_45)]
        let mirrored = JournalRules.reversed(lines)
        #expect(mirrored.map(\.credit.cents) == [123_45, 0])
        #expect(mirrored.map(\.debit.cents) == [0, 123_45])
        #expect(try Balance(lines: lines + mirrored).debit == Balance(lines: lines + mirrored).credit)
        #expect(JournalRules.nextNumber(after: nil) == 1)
        #expect(JournalRules.nextNumber(after: 41) == 42)
    }
}
