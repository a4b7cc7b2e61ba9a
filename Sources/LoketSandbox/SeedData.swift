import Foundation

/// One journal line as the simulator keeps it (cents; one side only, never negative).
struct SimLine: Sendable {
    var accountKey: Int
    var accountCode: String
    var accountDescription: String
    var costCenter: (key: Int, code: String, description: String)?
    var costUnit: (key: Int, code: String, description: String)?
    var component: (key: Int, description: String)?
    var debitCents: Int64
    var creditCents: Int64
}

struct SimPeriod: Sendable {
    var year: Int
    var number: Int
    var start: String
    var end: String
    var testYear: Bool = false
    var id: Int { self.year * 100 + self.number }
}

struct SimJournalRun: Sendable {
    var id: String
    var sequenceNumber: Int
    var payrollRunId: String
    var sequenceNumberApproved: Int
    var period: SimPeriod
    var status: Int
    var methodOfCreation: (key: Int, value: String)
    var requestTime: String
    var lines: [SimLine]
    /// A run started through `initiate`: status 0 until this moment, then 4 with `pendingLines`.
    var readyAt: Date? = nil
    var pendingLines: [SimLine] = []
}

struct SimPayrollAdministration: Sendable {
    var id: String
    var employerId: String
    var name: String
    var clientNumber: Int
    var periodType: (key: Int, value: String)
    /// nil: the administration journals with Journaal Basis / the old journal module.
    var journalProfile: (id: String, key: Int, description: String)?
    var automaticJournalRuns: Bool
    var periods: [SimPeriod]
    var runs: [SimJournalRun]
    var payrollRuns: [SimPayrollRun] = []
    var taxReturns: [SimTaxReturn] = []
    /// The user may journalise this administration but not see its tax returns (403).
    var taxReturnsForbidden = false
    var wageTaxNumber = ""
}

struct SimEmployer: Sendable {
    var id: String
    var number: Int
    var name: String
    var chamberOfCommerceNumber: String
    /// false: listed for the demo user, but every request about it is refused (403) — the user
    /// lacks the rights (or the employer lacks product 940).
    var visible: Bool
    var administrations: [SimPayrollAdministration]
}

/// Journal status texts as Loket shows them.
let journalRunStatusText: [Int: String] = [
    0: "Staat klaar voor journaliseren", 1: "Geen journaal resultaten", 2: "Fout bij aanmaken", 3: "Verwijderd door gebruiker",
    4: "Journaal gereed", 5: "Wordt geëxporteerd", 6: "Exporteren mislukt", 7: "Journaal geëxporteerd",
]

/// Deterministic demo data that shows every branch of the product (see DESIGN.md "The simulator").
enum SeedData {
    /// A GUID-shaped id that is stable per kind and number.
    static func guid(_ kind: Int, _ number: Int) -> String {
        let hex = String(number, radix: 16)
        let padded = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        let kindHex = String(kind, radix: 16)
        return "\(String(repeating: "0", count: max(0, 8 - kindHex.count)) + kindHex)-0000-4000-8000-\(padded)"
    }

    static let monthly = (key: 2, value: "month")
    static let fourWeekly = (key: 3, value: "four weeks")

    static func monthPeriod(_ year: Int, _ month: Int, testYear: Bool = false) -> SimPeriod {
        let days = [31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        let mm = month < 10 ? "0\(month)" : "\(month)"
        return SimPeriod(year: year, number: month, start: "\(year)-\(mm)-01", end: "\(year)-\(mm)-\(days)", testYear: testYear)
    }

    /// 4-weekly periods: 13 × 28 days from 1 January, period 13 running to 31 December.
    static func fourWeekPeriod(_ year: Int, _ number: Int) -> SimPeriod {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let first = calendar.date(from: DateComponents(year: year, month: 1, day: 1))!
        let start = calendar.date(byAdding: .day, value: 28 * (number - 1), to: first)!
        let end = number == 13 ? calendar.date(from: DateComponents(year: year, month: 12, day: 31))! : calendar.date(byAdding: .day, value: 27, to: start)!
        func text(_ date: Date) -> String {
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        }
        return SimPeriod(year: year, number: number, start: text(start), end: text(end))
    }

    static let costCenters = [(1, "SAL073", "Sales Den Bosch"), (2, "PRD010", "Productie Utrecht"), (3, "IT001", "IT")]
    static let costUnits = [(1, "01", "Bakkerij"), (2, "02", "Winkel")]

    /// A balanced payroll journal for `gross` cents of wages, split over cost centres when asked.
    static func payrollLines(gross: Int64, travel: Int64, withCostCentres: Bool, childcare: Int64 = 0) -> [SimLine] {
        let holiday = gross * 8 / 100
        let social = gross * 18 / 100
        let zvw = gross * 651 / 10_000
        let pensionEmployer = gross * 10 / 100
        let pensionEmployee = gross * 5 / 100
        let wageTax = (gross - pensionEmployee) * 30 / 100
        let net = gross - wageTax - pensionEmployee + travel
        var lines: [SimLine] = []
        if withCostCentres {
            let shares: [Int64] = [50, 30, 20]
            var remaining = gross
            for (index, center) in self.costCenters.enumerated() {
                let part = index == self.costCenters.count - 1 ? remaining : gross * shares[index] / 100
                remaining -= part
                let unit = self.costUnits[index % self.costUnits.count]
                lines.append(
                    SimLine(
                        accountKey: 11, accountCode: "4000", accountDescription: "Lonen en salarissen",
                        costCenter: center, costUnit: unit, component: (10, "SALARIS"), debitCents: part, creditCents: 0
                    )
                )
            }
        } else {
            lines.append(SimLine(accountKey: 11, accountCode: "4000", accountDescription: "Lonen en salarissen", component: nil, debitCents: gross, creditCents: 0))
        }
        lines += [
            SimLine(accountKey: 12, accountCode: "4010", accountDescription: "Vakantiegeld", component: (30, "VAK.GELD"), debitCents: holiday, creditCents: 0),
            SimLine(accountKey: 13, accountCode: "4100", accountDescription: "Sociale lasten", component: nil, debitCents: social, creditCents: 0),
            SimLine(accountKey: 14, accountCode: "4110", accountDescription: "Werkgeversheffing Zvw", component: (215, "WG HEFF ZVW"), debitCents: zvw, creditCents: 0),
            SimLine(accountKey: 15, accountCode: "4200", accountDescription: "Pensioenlasten", component: (250, "PENSIOEN WG"), debitCents: pensionEmployer, creditCents: 0),
        ]
        if travel > 0 {
            lines.append(SimLine(accountKey: 16, accountCode: "4300", accountDescription: "Reiskostenvergoeding", component: (60, "REISKOSTEN"), debitCents: travel, creditCents: 0))
        }
        if childcare > 0 {
            // An account the starter chart does not have: the import must ask for a mapping.
            lines.append(SimLine(accountKey: 21, accountCode: "4050", accountDescription: "Kinderopvang werkgeversbijdrage", component: (286, "KINDEROPV.BEL"), debitCents: childcare, creditCents: 0))
        }
        lines += [
            SimLine(accountKey: 31, accountCode: "1700", accountDescription: "Af te dragen loonheffingen", component: nil, debitCents: 0, creditCents: wageTax + social + zvw),
            SimLine(accountKey: 32, accountCode: "1710", accountDescription: "Te betalen nettolonen", component: nil, debitCents: 0, creditCents: net),
            SimLine(accountKey: 33, accountCode: "1720", accountDescription: "Reservering vakantiegeld", component: nil, debitCents: 0, creditCents: holiday),
            SimLine(accountKey: 34, accountCode: "1730", accountDescription: "Pensioenpremies te betalen", component: nil, debitCents: 0, creditCents: pensionEmployer + pensionEmployee),
        ]
        if childcare > 0 {
            lines.append(SimLine(accountKey: 35, accountCode: "1740", accountDescription: "Te betalen kinderopvangbijdrage", component: nil, debitCents: 0, creditCents: childcare))
        }
        return lines
    }

    /// Per employee, per component and cost centre (Verdichten = Nee): more than 250 lines.
    static func detailedLines(employees: Int) -> [SimLine] {
        var lines: [SimLine] = []
        var totalGross: Int64 = 0
        var totalHoliday: Int64 = 0
        var totalSocial: Int64 = 0
        for employee in 1...employees {
            let gross = Int64(250_000 + employee * 1_237)
            let center = self.costCenters[employee % self.costCenters.count]
            let unit = self.costUnits[employee % self.costUnits.count]
            let holiday = gross * 8 / 100
            let social = gross * 18 / 100
            totalGross += gross
            totalHoliday += holiday
            totalSocial += social
            lines.append(SimLine(accountKey: 11, accountCode: "4000", accountDescription: "Lonen en salarissen", costCenter: center, costUnit: unit, component: (10, "SALARIS"), debitCents: gross, creditCents: 0))
            lines.append(SimLine(accountKey: 12, accountCode: "4010", accountDescription: "Vakantiegeld", costCenter: center, costUnit: unit, component: (30, "VAK.GELD"), debitCents: holiday, creditCents: 0))
            lines.append(SimLine(accountKey: 13, accountCode: "4100", accountDescription: "Sociale lasten", costCenter: center, costUnit: unit, component: (200, "WG PREMIES"), debitCents: social, creditCents: 0))
        }
        let wageTax = totalGross * 30 / 100
        lines += [
            SimLine(accountKey: 31, accountCode: "1700", accountDescription: "Af te dragen loonheffingen", component: nil, debitCents: 0, creditCents: wageTax + totalSocial),
            SimLine(accountKey: 32, accountCode: "1710", accountDescription: "Te betalen nettolonen", component: nil, debitCents: 0, creditCents: totalGross - wageTax),
            SimLine(accountKey: 33, accountCode: "1720", accountDescription: "Reservering vakantiegeld", component: nil, debitCents: 0, creditCents: totalHoliday),
        ]
        return lines
    }

    static func run(
        admin: Int, _ sequence: Int, payrollRun: Int, approved: Int, period: SimPeriod, status: Int,
        method: (Int, String) = (2, "Individueel"), lines: [SimLine]
    ) -> SimJournalRun {
        SimJournalRun(
            id: self.guid(0x4A00 + admin, sequence),
            sequenceNumber: sequence,
            payrollRunId: self.guid(0x5000 + admin, payrollRun),
            sequenceNumberApproved: approved,
            period: period,
            status: status,
            methodOfCreation: method,
            requestTime: "\(period.end)T16:30:00+01:00",
            lines: status >= 4 ? lines : []
        )
    }

    static func profile(_ number: Int) -> (id: String, key: Int, description: String) {
        (self.guid(0x9000, number), number, "Journaalprofiel loonkosten")
    }

    /// The seeded employers; with `employers` above five, generated ones are added.
    static func employers(count: Int? = nil) -> [SimEmployer] {
        let year = 2026
        // 1: one monthly administration with every run status, a recalculation and a removed run.
        let bakery = SimPayrollAdministration(
            id: self.guid(0x2000, 1), employerId: self.guid(0x1000, 1), name: "De Gouden Korst - maandloon", clientNumber: 5001,
            periodType: self.monthly, journalProfile: self.profile(1), automaticJournalRuns: true,
            periods: (1...12).map { self.monthPeriod(year, $0) },
            runs: [
                self.run(admin: 1, 1, payrollRun: 1, approved: 1, period: self.monthPeriod(year, 1), status: 7,
                         lines: self.payrollLines(gross: 1_845_000, travel: 32_000, withCostCentres: false)),
                self.run(admin: 1, 2, payrollRun: 2, approved: 2, period: self.monthPeriod(year, 2), status: 4,
                         lines: self.payrollLines(gross: 1_912_345, travel: 32_000, withCostCentres: true)),
                self.run(admin: 1, 3, payrollRun: 3, approved: 3, period: self.monthPeriod(year, 3), status: 4,
                         lines: self.payrollLines(gross: 1_933_310, travel: 30_500, withCostCentres: true, childcare: 45_000)),
                // Recalculation of March: only the differences (cost unit moved from Winkel to Bakkerij).
                self.run(admin: 1, 4, payrollRun: 3, approved: 3, period: self.monthPeriod(year, 3), status: 4, method: (3, "Herberekening"), lines: [
                    SimLine(accountKey: 11, accountCode: "4000", accountDescription: "Lonen en salarissen", costCenter: self.costCenters[0], costUnit: self.costUnits[1], component: (10, "SALARIS"), debitCents: 0, creditCents: 50_000),
                    SimLine(accountKey: 11, accountCode: "4000", accountDescription: "Lonen en salarissen", costCenter: self.costCenters[0], costUnit: self.costUnits[0], component: (10, "SALARIS"), debitCents: 50_000, creditCents: 0),
                ]),
                self.run(admin: 1, 5, payrollRun: 4, approved: 4, period: self.monthPeriod(year, 4), status: 3,
                         lines: []),
                self.run(admin: 1, 6, payrollRun: 4, approved: 4, period: self.monthPeriod(year, 4), status: 4,
                         lines: self.payrollLines(gross: 1_950_000, travel: 30_500, withCostCentres: false)),
                self.run(admin: 1, 7, payrollRun: 5, approved: 5, period: self.monthPeriod(year, 5), status: 2, lines: []),
                self.run(admin: 1, 8, payrollRun: 6, approved: 6, period: self.monthPeriod(year, 6), status: 1, lines: []),
                self.run(admin: 1, 9, payrollRun: 7, approved: 7, period: self.monthPeriod(year, 7), status: 0, lines: []),
            ]
        )
        // 2: two administrations: monthly with a 300+-line run, and 4-weekly with period 13.
        let installMonthly = SimPayrollAdministration(
            id: self.guid(0x2000, 2), employerId: self.guid(0x1000, 2), name: "Van Dijk Techniek", clientNumber: 5002,
            periodType: self.monthly, journalProfile: self.profile(2), automaticJournalRuns: true,
            periods: (1...12).map { self.monthPeriod(year, $0) },
            runs: [
                self.run(admin: 2, 1, payrollRun: 1, approved: 1, period: self.monthPeriod(year, 1), status: 4, lines: self.detailedLines(employees: 100)),
                self.run(admin: 2, 2, payrollRun: 2, approved: 2, period: self.monthPeriod(year, 2), status: 7,
                         lines: self.payrollLines(gross: 7_512_000, travel: 120_000, withCostCentres: true)),
            ]
        )
        let installFourWeekly = SimPayrollAdministration(
            id: self.guid(0x2000, 3), employerId: self.guid(0x1000, 2), name: "Van Dijk Oproepkrachten (4-weken)", clientNumber: 5003,
            periodType: self.fourWeekly, journalProfile: self.profile(3), automaticJournalRuns: false,
            periods: (1...13).map { self.fourWeekPeriod(year, $0) },
            runs: [
                self.run(admin: 3, 1, payrollRun: 12, approved: 1, period: self.fourWeekPeriod(year, 12), status: 4,
                         lines: self.payrollLines(gross: 612_050, travel: 0, withCostCentres: false)),
                self.run(admin: 3, 2, payrollRun: 13, approved: 2, period: self.fourWeekPeriod(year, 13), status: 4,
                         lines: self.payrollLines(gross: 655_075, travel: 8_000, withCostCentres: false)),
            ]
        )
        // 3: still on Journaal Basis / the old journal module: no journal configuration, no runs.
        let careHome = SimPayrollAdministration(
            id: self.guid(0x2000, 4), employerId: self.guid(0x1000, 3), name: "Zorg Thuis", clientNumber: 5004,
            periodType: self.monthly, journalProfile: nil, automaticJournalRuns: false,
            periods: (1...12).map { self.monthPeriod(year, $0) }, runs: []
        )
        // 4: journal profile present, but no journal run made yet.
        let gardener = SimPayrollAdministration(
            id: self.guid(0x2000, 5), employerId: self.guid(0x1000, 4), name: "Groen Hoveniers", clientNumber: 5005,
            periodType: self.monthly, journalProfile: self.profile(5), automaticJournalRuns: false,
            periods: (1...12).map { self.monthPeriod(year, $0) }, runs: []
        )
        // 5: a test year (results are test data).
        let practice = SimPayrollAdministration(
            id: self.guid(0x2000, 6), employerId: self.guid(0x1000, 5), name: "Oefenadministratie (testjaar)", clientNumber: 5006,
            periodType: self.monthly, journalProfile: self.profile(6), automaticJournalRuns: true,
            periods: (1...12).map { self.monthPeriod(year, $0, testYear: true) },
            runs: [
                self.run(admin: 6, 1, payrollRun: 1, approved: 1, period: self.monthPeriod(year, 1, testYear: true), status: 4,
                         lines: self.payrollLines(gross: 300_000, travel: 0, withCostCentres: false)),
            ]
        )
        var employers = [
            SimEmployer(id: self.guid(0x1000, 1), number: 1001, name: "Bakkerij De Gouden Korst B.V.", chamberOfCommerceNumber: "12345678", visible: true, administrations: [bakery]),
            SimEmployer(id: self.guid(0x1000, 2), number: 1002, name: "Installatiebedrijf Van Dijk B.V.", chamberOfCommerceNumber: "23456789", visible: true, administrations: [installMonthly, installFourWeekly]),
            SimEmployer(id: self.guid(0x1000, 3), number: 1003, name: "Stichting Zorg Thuis", chamberOfCommerceNumber: "34567890", visible: true, administrations: [careHome]),
            SimEmployer(id: self.guid(0x1000, 4), number: 1004, name: "Hoveniersbedrijf Groen", chamberOfCommerceNumber: "45678901", visible: true, administrations: [gardener]),
            SimEmployer(id: self.guid(0x1000, 5), number: 1005, name: "Oefenbedrijf B.V.", chamberOfCommerceNumber: "56789012", visible: true, administrations: [practice]),
        ]
        if let count {
            if count < employers.count {
                employers = Array(employers.prefix(max(count, 0)))
            } else if count > employers.count {
                for number in (employers.count + 1)...count {
                    employers.append(self.generatedEmployer(number, year: year))
                }
            }
        }
        // Listed, but the demo user lacks the rights for it: its details get 403.
        employers.append(
            SimEmployer(id: self.hiddenEmployerId, number: 9999, name: "Holding Zonder Rechten B.V.", chamberOfCommerceNumber: "99999999", visible: false, administrations: [
                SimPayrollAdministration(
                    id: self.guid(0x2000, 0xFFFF), employerId: self.hiddenEmployerId, name: "Verborgen", clientNumber: 9999,
                    periodType: self.monthly, journalProfile: self.profile(99), automaticJournalRuns: false, periods: [], runs: []
                )
            ])
        )
        self.addControlData(&employers)
        return employers
    }

    static let hiddenEmployerId = guid(0x1000, 0xFFFF)

    /// Employer n (> 5) for benchmarks: one monthly administration with three ready runs.
    static func generatedEmployer(_ number: Int, year: Int) -> SimEmployer {
        let employerId = self.guid(0x1000, number)
        let admin = 100 + number
        let administration = SimPayrollAdministration(
            id: self.guid(0x2000, admin), employerId: employerId, name: "Loonadministratie \(number)", clientNumber: 6000 + number,
            periodType: self.monthly, journalProfile: self.profile(admin), automaticJournalRuns: true,
            periods: (1...12).map { self.monthPeriod(year, $0) },
            runs: (1...3).map { month in
                self.run(admin: admin, month, payrollRun: month, approved: month, period: self.monthPeriod(year, month), status: 4,
                         lines: self.payrollLines(gross: Int64(1_000_000 + number * 1_000 + month * 10), travel: 10_000, withCostCentres: true))
            }
        )
        let padded = String(repeating: "0", count: max(0, 3 - String(number).count)) + String(number)
        return SimEmployer(
            id: employerId, number: 1000 + number, name: "Werkgever \(padded) B.V.",
            chamberOfCommerceNumber: String(format: "%08d", 60_000_000 + number), visible: true, administrations: [administration]
        )
    }
}
