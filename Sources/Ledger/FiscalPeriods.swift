/// The periods of a bookkeeping year as a Dutch bookkeeper names them: months (januari …
/// december) for a year of twelve; "periode 1" … "periode 13" for a 4-weekly year.
public enum FiscalPeriods {
    public static let monthNames = [
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december",
    ]

    /// 13 only when entries follow 4-weekly payroll periods; otherwise 12.
    public static func count(rule: FinancialPeriodRule, payroll kind: PayrollPeriodKind) -> Int {
        rule == .payrollPeriod && kind == .fourWeeks ? 13 : 12
    }

    /// "maart" (12 periods) or "periode 3" (13 periods); a period 13 in a year of 12 (a closing
    /// entry typed by hand) is "periode 13".
    public static func name(_ period: Int, count: Int) -> String {
        if count == 12, (1...12).contains(period) { return self.monthNames[period - 1] }
        return "periode \(period)"
    }

    /// The periods a year offers: 1…count, plus 13 when something is booked in it anyway.
    public static func periods(count: Int, used: Set<Int> = []) -> [Int] {
        Array(1...count) + (count < 13 && used.contains(13) ? [13] : [])
    }
}
