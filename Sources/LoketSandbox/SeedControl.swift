import Foundation

/// A payroll run (verloning) as the simulator keeps it. `pendingLines`: the journal a journal run
/// of this payroll run will carry once someone journalises it (`journalruns/initiate`).
struct SimPayrollRun: Sendable {
    var id: String
    var period: SimPeriod
    var sequenceNumber: Int
    /// Loket's payroll-run status key (9 = "Verloning goedgekeurd.").
    var status: Int
    var approvalTime: String?
    var pendingLines: [SimLine]
}

/// A payroll tax return (loonaangifte) of one period. Amounts in cents; nil while Loket is still
/// making the return (status 1 or 2), which the real API may send as null.
struct SimTaxReturn: Sendable {
    var id: String
    var period: SimPeriod
    var status: Int
    var periodCents: Int64?
    var correctionCents: Int64?
    var deadline: String
    var paymentReference: String
    var messageReference: String
    var sequenceNumber: Int
}

/// Payroll-run status texts as Loket names them (keys 3 and 4 are not listed in the spec).
let payrollRunStatusText: [Int: String] = [
    0: "Staat klaar voor verloning.", 1: "Verloning gereed.", 2: "Proforma verloning gereed.", 5: "Verwijderd door gebruiker",
    6: "Verloning geannuleerd door gebruiker.", 7: "Fout tijdens verloning.", 8: "Geen loonresultaten, verloning geannuleerd.",
    9: "Verloning goedgekeurd.",
]

/// Tax-return status texts (`payrollTaxReturnStatus`, keys 1–7).
let taxReturnStatusText: [Int: String] = [
    1: "Verzoek tot aanmaak loonaangifte", 2: "Fout bij aanmaken loonaangifte", 3: "Loonaangifte aangemaakt",
    4: "Loonaangifte geannuleerd", 5: "Loonaangifte bevestigd", 6: "Loonaangifte verzonden", 7: "Loonaangifte verwijderd",
]

/// How the seeded tax return of a period relates to its journal, so every branch of the
/// month-end check shows.
enum TaxReturnShape {
    /// The aangifte's amount is the journal's loonheffing to the cent.
    case exact
    /// Whole euros per component, rounded down: a few euros below the journal.
    case rounded
    /// The period's own amount matches; a correction over an earlier period comes on top.
    case correction(cents: Int64)
    /// Loket is still making it: status 1, amounts null.
    case inProgress
}

extension SeedData {
    /// Loonheffing in a journal: credit minus debit on the payable account 1700.
    static func wageTax(_ lines: [SimLine]) -> Int64 {
        lines.filter { $0.accountCode == "1700" }.reduce(0) { $0 + $1.creditCents - $1.debitCents }
    }

    /// The Belastingdienst's betalingskenmerk: 16 digits, from the wage-tax number and period.
    static func paymentReference(clientNumber: Int, year: Int, period: Int) -> String {
        let body = String(format: "%07d%02d%02d%04d", clientNumber % 10_000_000, year % 100, period % 100, (clientNumber * 7 + period) % 10_000)
        // A check digit in front (modulus 11 over the 15 digits, as the real ones carry one).
        let weights = [2, 4, 8, 5, 10, 9, 7, 3, 6, 1, 2, 4, 8, 5, 10]
        let digits = body.compactMap(\.wholeNumberValue)
        let sum = zip(digits.reversed(), weights).reduce(0) { $0 + $1.0 * $1.1 }
        let check = (11 - sum % 11) % 10
        return "\(check)\(body)"
    }

    static func wageTaxNumber(_ clientNumber: Int) -> String {
        String(format: "%09dL01", 800_000_000 + clientNumber)
    }

    /// The last day to pay a return of a period ending on `end` (`yyyy-mm-dd`): the end of the next month.
    static func deadline(afterPeriodEnd end: String) -> String {
        let parts = end.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return end }
        var (year, month) = (parts[0], parts[1] + 1)
        if month == 13 { (year, month) = (year + 1, 1) }
        return self.monthPeriod(year, month).end
    }

    static func taxReturn(admin: SimPayrollAdministration, number: Int, period: SimPeriod, journal: [SimLine], shape: TaxReturnShape) -> SimTaxReturn {
        let tax = self.wageTax(journal)
        var periodCents: Int64? = tax
        var correction: Int64? = 0
        var status = 6
        switch shape {
        case .exact: break
        case .rounded: periodCents = tax - tax % 100 - 200
        case .correction(let cents): correction = cents
        case .inProgress:
            periodCents = nil
            correction = nil
            status = 1
        }
        return SimTaxReturn(
            id: self.guid(0x6000 + admin.clientNumber % 0x1000, number), period: period, status: status, periodCents: periodCents,
            correctionCents: correction, deadline: self.deadline(afterPeriodEnd: period.end),
            paymentReference: self.paymentReference(clientNumber: admin.clientNumber, year: period.year, period: period.number),
            messageReference: "VSP\(self.wageTaxNumber(admin.clientNumber))\(period.year)\(String(format: "%02d", period.number))",
            sequenceNumber: number
        )
    }

    /// One approved payroll run per payroll run its journal runs name, in period order.
    static func approvedPayrollRuns(_ admin: SimPayrollAdministration) -> [SimPayrollRun] {
        var seen: [String: SimPayrollRun] = [:]
        for run in admin.runs.sorted(by: { $0.sequenceNumber < $1.sequenceNumber }) where seen[run.payrollRunId] == nil {
            seen[run.payrollRunId] = SimPayrollRun(
                id: run.payrollRunId, period: run.period, sequenceNumber: run.sequenceNumberApproved, status: 9,
                approvalTime: "\(run.period.end)T12:00:00+01:00", pendingLines: []
            )
        }
        return seen.values.sorted { $0.period.id < $1.period.id }
    }

    /// An approved payroll run that nobody journalised yet.
    static func unjournalisedRun(admin: Int, number: Int, period: SimPeriod, lines: [SimLine]) -> SimPayrollRun {
        SimPayrollRun(
            id: self.guid(0x5000 + admin, number), period: period, sequenceNumber: number, status: 9,
            approvalTime: "\(period.end)T12:00:00+01:00", pendingLines: lines
        )
    }

    /// Journal of the finished runs of one period (recalculations included).
    static func journal(of admin: SimPayrollAdministration, period: SimPeriod) -> [SimLine] {
        admin.runs.filter { $0.period.id == period.id && $0.status >= 4 }.flatMap(\.lines)
    }

    /// Payroll runs and tax returns for the seeded administrations (see DESIGN.md "The simulator"):
    /// - bakery: January matches, February a rounding difference, March a correction over
    ///   January, April's return is still being made;
    /// - Van Dijk Techniek: the user lacks the rights on tax returns (403);
    /// - Van Dijk 4-weekly: periods 12 and 13 match;
    /// - Groen Hoveniers: three approved payroll runs never journalised (initiate makes them);
    /// - Zorg Thuis: approved payroll and returns, but no journal profile;
    /// - generated employers: months 1–3 journalised and matching, April approved but not journalised.
    static func addControlData(_ employers: inout [SimEmployer]) {
        for e in employers.indices {
            for a in employers[e].administrations.indices {
                var admin = employers[e].administrations[a]
                admin.wageTaxNumber = self.wageTaxNumber(admin.clientNumber)
                admin.payrollRuns = self.approvedPayrollRuns(admin)
                let number = admin.clientNumber
                func returns(_ shapes: [(SimPeriod, TaxReturnShape)]) -> [SimTaxReturn] {
                    shapes.enumerated().map { index, item in
                        let lines = self.journal(of: admin, period: item.0) + admin.payrollRuns.filter { $0.period.id == item.0.id }.flatMap(\.pendingLines)
                        return self.taxReturn(admin: admin, number: index + 1, period: item.0, journal: lines, shape: item.1)
                    }
                }
                switch number {
                case 5001:
                    admin.taxReturns = returns([
                        (self.monthPeriod(2026, 1), .exact), (self.monthPeriod(2026, 2), .rounded),
                        (self.monthPeriod(2026, 3), .correction(cents: 41_200)), (self.monthPeriod(2026, 4), .inProgress),
                    ])
                case 5002:
                    admin.taxReturnsForbidden = true
                    admin.taxReturns = returns([(self.monthPeriod(2026, 1), .exact), (self.monthPeriod(2026, 2), .exact)])
                case 5003:
                    admin.taxReturns = returns([(self.fourWeekPeriod(2026, 12), .exact), (self.fourWeekPeriod(2026, 13), .exact)])
                case 5004, 5005:
                    let id = 100 + number % 100
                    admin.payrollRuns = (1...3).map { month in
                        self.unjournalisedRun(admin: id, number: month, period: self.monthPeriod(2026, month),
                                              lines: self.payrollLines(gross: Int64(900_000 + month * 12_345), travel: 6_000, withCostCentres: false))
                    }
                    admin.taxReturns = returns((1...3).map { (self.monthPeriod(2026, $0), .exact) })
                case 5006:
                    break  // a test year files no returns
                case 6006...:
                    let generated = number - 6000
                    admin.payrollRuns.append(
                        self.unjournalisedRun(admin: 100 + generated, number: 4, period: self.monthPeriod(2026, 4),
                                              lines: self.payrollLines(gross: Int64(1_000_000 + generated * 1_000 + 40), travel: 10_000, withCostCentres: true))
                    )
                    admin.taxReturns = returns((1...4).map { (self.monthPeriod(2026, $0), .exact) })
                default:
                    break
                }
                employers[e].administrations[a] = admin
            }
        }
    }
}
