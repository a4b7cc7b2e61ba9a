import Foundation
import Ledger
import LoketClient
import LoketSandbox
import Testing

/// The month-end endpoints of the control excerpt over real loopback HTTP: tax returns to the
/// cent, the seeded branches, the provider-wide status lists, and starting a journal run.
@Suite struct ControlContractTests {
    static let bakery = "00002000-0000-4000-8000-000000000001"
    static let vanDijk = "00002000-0000-4000-8000-000000000002"
    static let fourWeekly = "00002000-0000-4000-8000-000000000003"
    static let gardener = "00002000-0000-4000-8000-000000000005"

    /// Loonheffing of a journal: credit minus debit on 1700.
    static func wageTax(_ lines: [LoketJournalLine]) -> Int64 {
        lines.filter { $0.generalLedgerAccount.code == "1700" }.reduce(0) { $0 + $1.creditCents - $1.debitCents }
    }

    @Test func taxReturnsOfTheBakeryShowEveryBranch() async throws {
        try await Simulator.run { sim in
            let (client, _) = try await sim.connectedClient()
            let returns = try await client.payrollTaxReturns(payrollAdministrationId: Self.bakery)
            #expect(returns.compactMap(\.period?.periodNumber) == [4, 3, 2, 1])
            let runs = try await client.journalRuns(payrollAdministrationId: Self.bakery)
            func journal(_ month: Int) async throws -> Int64 {
                var total: Int64 = 0
                for run in runs where run.payrollRun?.payrollPeriod?.periodNumber == month && run.journalRunStatus.key >= 4 {
                    total += Self.wageTax(try await client.journalRunResults(id: run.id))
                }
                return total
            }
            let byMonth = Dictionary(uniqueKeysWithValues: returns.map { ($0.period?.periodNumber ?? 0, $0) })
            // January: to the cent.
            let january = try await journal(1)
            #expect(byMonth[1]?.periodCents == january && byMonth[1]?.correctionCents == 0)
            #expect(WageTaxOutcome.compare(journalCents: january, periodCents: byMonth[1]?.periodCents, correctionCents: 0) == .matches)
            // February: whole euros, a few euros less: rounding.
            let february = try await journal(2)
            let aangifte = try #require(byMonth[2]?.periodCents)
            #expect(aangifte % 100 == 0 && february - aangifte > 0 && february - aangifte <= WageTaxOutcome.roundingMarginCents)
            #expect(WageTaxOutcome.compare(journalCents: february, periodCents: aangifte, correctionCents: 0) == .rounding(difference: february - aangifte))
            // March: the period matches, a correction of € 412,00 comes on top.
            let march = try #require(byMonth[3])
            #expect(march.periodCents == (try await journal(3)) && march.correctionCents == 41_200 && march.totalCents == march.periodCents! + 41_200)
            #expect(WageTaxOutcome.compare(journalCents: march.periodCents, periodCents: march.periodCents, correctionCents: 41_200) == .correction(amount: 41_200))
            // April: still being made: null amounts are tolerated.
            #expect(byMonth[4]?.status?.key == 1 && byMonth[4]?.periodCents == nil && byMonth[4]?.totalCents == nil)
            #expect(WageTaxOutcome.compare(journalCents: try await journal(4), periodCents: nil, correctionCents: nil) == .returnNotReady)
            // Detail, payable facts.
            let detail = try await client.payrollTaxReturn(id: march.id)
            #expect(detail == march)
            #expect(march.paymentReference?.count == 16 && march.deadlineForPayment == "2026-04-30" && march.iban == "NL86INGB0002445588")
            #expect(PaymentReference.formatted(march.paymentReference!).split(separator: " ").count == 4)
        }
    }

    @Test func noRightsOnTaxReturnsIsA403AndFourWeeklyHasPeriod13() async throws {
        try await Simulator.run { sim in
            let (client, _) = try await sim.connectedClient()
            await #expect(throws: LoketError.self) { try await client.payrollTaxReturns(payrollAdministrationId: Self.vanDijk) }
            do {
                _ = try await client.payrollTaxReturns(payrollAdministrationId: Self.vanDijk)
            } catch LoketError.forbidden {
            } catch {
                Issue.record("expected 403, got \(error)")
            }
            let fourWeekly = try await client.payrollTaxReturns(payrollAdministrationId: Self.fourWeekly)
            #expect(fourWeekly.compactMap(\.period?.periodNumber) == [13, 12])
            #expect(fourWeekly[0].period?.periodEndDate == "2026-12-31")
            // The provider-wide list leaves out the administration without rights.
            let status = try await client.taxReturnStatuses(payrollPeriodId: 202_601)
            #expect(!status.contains { $0.id == Self.vanDijk } && status.contains { $0.id == Self.bakery })
        }
    }

    @Test func providerWideStatusCoversEveryAdministrationInAFewRequests() async throws {
        var configuration = SandboxConfiguration()
        configuration.employers = 40
        try await Simulator.run(configuration) { sim in
            let (client, _) = try await sim.connectedClient()
            let before = sim.handle.apiRequests
            let payroll = try await client.payrollStatuses(payrollPeriodId: 202_604)
            #expect(sim.handle.apiRequests - before == 1)
            // 40 employers, Van Dijk with two administrations; the one without rights is left out.
            #expect(payroll.count == 41)
            #expect(payroll.allSatisfy { $0.payrollPeriod?.payrollPeriodId == 202_604 })
            let approved = payroll.filter { $0.payroll?.status?.key == 6 }
            // April: the bakery, and every generated employer (approved but not journalised).
            #expect(approved.count == 36)
        }
    }

    @Test func initiateMakesAJournalRunThatBecomesReady() async throws {
        var configuration = SandboxConfiguration()
        configuration.journalDelaySeconds = 30
        try await Simulator.run(configuration) { sim in
            let (client, _) = try await sim.connectedClient()
            #expect(try await client.journalRuns(payrollAdministrationId: Self.gardener).isEmpty)
            let started = try await client.initiateJournalRun(payrollAdministrationId: Self.gardener)
            #expect(started.journalRunStatus.key == 0)
            #expect(started.payrollRun?.payrollPeriod?.periodNumber == 1)
            // Payroll runs go in order: the next call journalises February.
            let second = try await client.initiateJournalRun(payrollAdministrationId: Self.gardener)
            #expect(second.payrollRun?.payrollPeriod?.periodNumber == 2)
            #expect(try await client.journalRun(id: started.id).journalRunStatus.key == 0)
            sim.clock.advance(31)
            let ready = try await client.journalRun(id: started.id)
            #expect(ready.journalRunStatus.key == 4)
            let lines = try await client.journalRunResults(id: started.id)
            let returns = try await client.payrollTaxReturns(payrollAdministrationId: Self.gardener)
            #expect(returns.first { $0.period?.periodNumber == 1 }?.periodCents == Self.wageTax(lines))
            // Without a journal profile Loket refuses.
            do {
                _ = try await client.initiateJournalRun(payrollAdministrationId: "00002000-0000-4000-8000-000000000004")
                Issue.record("expected a refusal")
            } catch LoketError.badRequest(_, let message) {
                #expect(message?.contains("journaalprofiel") == true)
            }
        }
    }
}
