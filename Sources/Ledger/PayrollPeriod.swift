/// How long a payroll period is.
public enum PayrollPeriodKind: String, Sendable, Equatable {
    case month
    case fourWeeks
    case week

    /// From Loket's Dutch period-type text (`maand`, `4 weken`, `week`).
    public init(dutch text: String?) {
        switch text {
        case "4 weken": self = .fourWeeks
        case "week": self = .week
        default: self = .month
        }
    }
}

/// Which financial period an entry date falls in, per administration.
public enum FinancialPeriodRule: String, Sendable, Equatable, CaseIterable {
    /// The month of the entry date (1–12). The default.
    case calendarMonth = "month"
    /// The payroll period number itself (1–12, or 1–13 for 4-weekly payroll).
    case payrollPeriod = "payroll"

    public var label: String {
        switch self {
        case .calendarMonth: "maand van de boekdatum (1–12)"
        case .payrollPeriod: "loonperiode (1–12 of 1–13)"
        }
    }
}

/// Dates and periods of payroll journal entries.
public enum PayrollCalendar {
    /// The entry date of a payroll run: the last day of its payroll period, never outside the
    /// payroll year. Uses Loket's end date when given, else computes it from the kind.
    public static func entryDate(year: Int, period: Int, kind: PayrollPeriodKind, loketEndDate: CalendarDate?) -> CalendarDate? {
        let yearEnd = CalendarDate(year: year, month: 12, day: 31)
        if let loketEndDate {
            if loketEndDate.year > year { return yearEnd }
            if loketEndDate.year == year { return loketEndDate }
        }
        switch kind {
        case .month:
            guard (1...12).contains(period) else { return nil }
            return CalendarDate.lastDay(ofMonth: period, year: year)
        case .fourWeeks:
            guard (1...13).contains(period), let first = CalendarDate(year: year, month: 1, day: 1) else { return nil }
            if period == 13 { return yearEnd }
            return first.adding(days: 28 * period - 1)
        case .week:
            guard (1...53).contains(period), let first = CalendarDate(year: year, month: 1, day: 1) else { return nil }
            let end = first.adding(days: 7 * period - 1)
            return end.year > year ? yearEnd : end
        }
    }

    /// The financial period of an entry.
    public static func financialPeriod(date: CalendarDate, payrollPeriod: Int?, rule: FinancialPeriodRule) -> Int {
        switch rule {
        case .calendarMonth: date.month
        case .payrollPeriod: payrollPeriod.map { min(max($0, 1), 13) } ?? date.month
        }
    }

    /// `Loonjournaal 2026 periode 03 (run 2)`, with `herberekening` for a difference entry.
    public static func description(year: Int, period: Int, run: Int, isDifference: Bool) -> String {
        let padded = period < 10 ? "0\(period)" : String(period)
        return "Loonjournaal \(year) periode \(padded) (run \(run)\(isDifference ? ", herberekening" : ""))"
    }
}
