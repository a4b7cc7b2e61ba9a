import Foundation
import LoketClient
import LoketSandbox
import Testing

/// The `/v2` half of the contract, endpoint by endpoint, over real loopback HTTP.
@Suite struct APIContractTests {
    static let bakery = "00002000-0000-4000-8000-000000000001"
    static let careHome = "00002000-0000-4000-8000-000000000004"
    static let detailed = "00002000-0000-4000-8000-000000000002"

    @Test func employersAdministrationsAndJournalConfigurations() async throws {
        try await Simulator.run { sim in
            let (client, _) = try await sim.connectedClient()
            let employers = try await client.employers()
            #expect(employers.map(\.companyName) == [
                "Bakkerij De Gouden Korst B.V.", "Installatiebedrijf Van Dijk B.V.", "Stichting Zorg Thuis", "Hoveniersbedrijf Groen", "Oefenbedrijf B.V.",
                "Holding Zonder Rechten B.V.",
            ])
            #expect(employers[0].chamberOfCommerceNumber == "12345678")
            let vanDijk = try await client.payrollAdministrations(employerId: employers[1].id)
            #expect(vanDijk.map(\.name) == ["Van Dijk Techniek", "Van Dijk Oproepkrachten (4-weken)"])
            #expect(vanDijk[1].payrollPeriodType?.key == 3)
            #expect(vanDijk[0].clientNumber == 5002)
            #expect(try await client.journalConfigurations(payrollAdministrationId: Self.careHome).isEmpty)
            let configured = try await client.journalConfigurations(payrollAdministrationId: Self.bakery)
            #expect(configured.count == 1 && configured[0].journalProfile?.description == "Journaalprofiel loonkosten")
        }
    }

    @Test func employersArePagedToTheEnd() async throws {
        var configuration = SandboxConfiguration()
        configuration.employers = 12
        try await Simulator.run(configuration) { sim in
            var (client, _) = try await sim.connectedClient()
            client.pageSize = 5
            let employers = try await client.employers()
            #expect(employers.count == 13)  // 12 and the one without rights
            #expect(Set(employers.map(\.id)).count == 13)
            #expect(sim.handle.apiRequests == 3)
        }
    }

    @Test func journalRunsDetailAndResultsInExactCents() async throws {
        try await Simulator.run { sim in
            let (client, _) = try await sim.connectedClient()
            let runs = try await client.journalRuns(payrollAdministrationId: Self.bakery)
            #expect(runs.map(\.sequenceNumber) == [9, 8, 7, 6, 5, 4, 3, 2, 1])
            #expect(Set(runs.map(\.journalRunStatus.key)) == [0, 1, 2, 3, 4, 7])
            let march = try #require(runs.first { $0.sequenceNumber == 3 })
            let period = try #require(march.payrollRun?.payrollPeriod)
            #expect(period.year == 2026 && period.periodNumber == 3)
            #expect(period.periodStartDate == "2026-03-01" && period.periodEndDate == "2026-03-31")
            let detail = try await client.journalRun(id: march.id)
            #expect(detail == march)
            let lines = try await client.journalRunResults(id: march.id)
            #expect(lines.reduce(0) { $0 + $1.debitCents } == lines.reduce(0) { $0 + $1.creditCents })
            #expect(lines.contains { $0.generalLedgerAccount.code == "4050" && $0.payrollComponent?.description == "KINDEROPV.BEL" })
            #expect(lines.contains { $0.costCenter?.code == "PRD010" && $0.costUnit?.code == "02" && $0.payrollComponent?.key == 10 })
            #expect(lines.contains { $0.payrollComponent == nil })
            #expect(lines.allSatisfy { ($0.debitCents == 0) != ($0.creditCents == 0) })
            let recalculation = try #require(runs.first { $0.sequenceNumber == 4 })
            #expect(recalculation.payrollRun?.payrollRunId == march.payrollRun?.payrollRunId)
            #expect(recalculation.methodOfCreation?.value == "Herberekening")
            let differences = try await client.journalRunResults(id: recalculation.id)
            #expect(differences.map(\.debitCents) == [0, 50_000])
        }
    }

    @Test func aRunWithMoreThan250LinesComesCompleteOverTwoPages() async throws {
        try await Simulator.run { sim in
            let (client, _) = try await sim.connectedClient()
            let run = try #require(try await client.journalRuns(payrollAdministrationId: Self.detailed).first { $0.sequenceNumber == 1 })
            let before = sim.handle.apiRequests
            let lines = try await client.journalRunResults(id: run.id)
            #expect(lines.count == 303)
            #expect(sim.handle.apiRequests - before == 2)
            let debit = lines.reduce(Int64(0)) { $0 + $1.debitCents }
            #expect(debit == lines.reduce(Int64(0)) { $0 + $1.creditCents })
            let consolidated = try await client.journalRunResults(id: run.id, consolidate: "Always")
            #expect(consolidated.count < lines.count)
            #expect(consolidated.reduce(Int64(0)) { $0 + $1.debitCents } == debit)
        }
    }

    @Test func resultsOfRunsWithoutResultsAreRefused() async throws {
        try await Simulator.run { sim in
            let (client, _) = try await sim.connectedClient()
            let queued = try #require(try await client.journalRuns(payrollAdministrationId: Self.bakery).first { $0.journalRunStatus.key == 0 })
            await #expect(throws: LoketError.self) { _ = try await client.journalRunResults(id: queued.id) }
            do {
                _ = try await client.journalRunResults(id: queued.id)
            } catch let LoketError.badRequest(endpoint, message) {
                #expect(endpoint.hasSuffix("/results"))
                #expect(message?.contains("geen resultaten") == true)
            }
        }
    }

    @Test func markAsProcessedOnlyFromStatus4To7() async throws {
        try await Simulator.run { sim in
            let (client, _) = try await sim.connectedClient()
            let runs = try await client.journalRuns(payrollAdministrationId: Self.bakery)
            let ready = try #require(runs.first { $0.journalRunStatus.key == 4 })
            try await client.markJournalRun(id: ready.id, action: .markAsProcessed, message: "Geboekt in loonjournaal")
            #expect(sim.handle.journalRunStatus(ready.id) == 7)
            #expect(sim.handle.patches.last?.message == "Geboekt in loonjournaal")
            #expect(try await client.journalRun(id: ready.id).journalRunStatus.key == 7)
            let queued = try #require(runs.first { $0.journalRunStatus.key == 0 })
            await #expect(throws: LoketError.self) { try await client.markJournalRun(id: queued.id, action: .markAsProcessed, message: nil) }
            do {
                try await client.markJournalRun(id: queued.id, action: .markAsProcessed, message: nil)
            } catch let LoketError.conflict(_, message) {
                #expect(message?.contains("alleen bij status 4, 5, 6 of 7") == true)
            }
        }
    }

    @Test func forbiddenAndUnknownIdsAreTyped() async throws {
        try await Simulator.run { sim in
            let (client, _) = try await sim.connectedClient()
            do {
                _ = try await client.payrollAdministrations(employerId: "00001000-0000-4000-8000-00000000ffff")
                Issue.record("expected 403")
            } catch let LoketError.forbidden(_, message) {
                #expect(message?.contains("rechten") == true)
                #expect(LoketError.forbidden(endpoint: "x", message: message).explanation.contains("geen webservicegebruiker"))
            }
            await #expect(throws: LoketError.notFound(endpoint: "GET /v2/providers/employers/payrolladministrations/journalruns/00000000-0000-4000-8000-000000000000")) {
                _ = try await client.journalRun(id: "00000000-0000-4000-8000-000000000000")
            }
        }
    }

    @Test func expiredTokensAreRefreshedOnceForConcurrentCallers() async throws {
        try await Simulator.run { sim in
            let (client, session) = try await sim.connectedClient()
            _ = try await client.employers()
            // Loket forgets every access token: the next calls get 401 and share one refresh.
            sim.handle.expireAccessTokens()
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 { group.addTask { try await client.employers().count } }
                for try await count in group { #expect(count == 6) }
            }
            #expect(await session.refreshes == 1)
            // Ahead of expiry (3599 s, margin 120 s) the token is refreshed before use.
            sim.clock.advance(3500)
            _ = try await client.employers()
            #expect(await session.refreshes == 2)
        }
    }

    @Test func deadRefreshTokenAsksToReconnectAndKeepsTheSecret() async throws {
        try await Simulator.run { sim in
            let store = InMemoryTokenStore()
            let (client, _) = try await sim.connectedClient(store: store)
            sim.handle.revokeRefreshTokens()
            sim.handle.expireAccessTokens()
            await #expect(throws: LoketError.reconnectNeeded("vernieuwingssleutel geweigerd")) { _ = try await client.employers() }
            let left = await store.credentials(for: 1)
            #expect(left == LoketCredentials(clientSecret: "demo-secret"))
        }
    }

    @Test func versionHeaderIsSentAndHonoured() async throws {
        try await Simulator.run { sim in
            let (client, session) = try await sim.connectedClient()
            _ = try await client.employers()
            let token = try await session.accessToken()
            let old = try await sim.transport.send(
                LoketHTTPRequest(method: "GET", url: sim.url + "/v2/providers/employers", headers: [("Authorization", "Bearer \(token)"), ("Accept", "application/json;version=2017-01-01")]),
                timeout: Simulator.patience
            )
            #expect(old.status == 406)
            let current = try await sim.transport.send(
                LoketHTTPRequest(method: "GET", url: sim.url + "/v2/providers/employers", headers: [("Authorization", "Bearer \(token)"), ("Accept", "application/json;version=2018-01-01")]),
                timeout: Simulator.patience
            )
            #expect(current.header("Content-Type") == "application/json;version=2018-01-01")
            let anonymous = try await sim.transport.send(LoketHTTPRequest(method: "GET", url: sim.url + "/v2/providers/employers"), timeout: Simulator.patience)
            #expect(anonymous.status == 401)
            #expect(String(decoding: anonymous.body, as: UTF8.self) == #"{"message":"Authorization has been denied for this request."}"#)
        }
    }
}

/// Faults the simulator injects and what the client makes of them.
@Suite struct FaultTests {
    @Test func serverErrorsAreRetriedThenNamed() async throws {
        var configuration = SandboxConfiguration()
        configuration.faults = try SandboxFaults.parse("5xx=1")
        try await Simulator.run(configuration) { sim in
            let (client, _) = try await sim.connectedClient()
            do {
                _ = try await client.employers()
                Issue.record("expected a server error")
            } catch let LoketError.server(endpoint, status) {
                #expect(endpoint == "GET /v2/providers/employers")
                #expect(status == 500 || status == 503)
            }
            #expect(sim.handle.apiRequests == 4)
        }
    }

    @Test func malformedJSONNamesTheEndpoint() async throws {
        var configuration = SandboxConfiguration()
        configuration.faults = try SandboxFaults.parse("malformed=1")
        try await Simulator.run(configuration) { sim in
            let (client, _) = try await sim.connectedClient()
            await #expect(throws: LoketError.malformed(endpoint: "GET /v2/providers/employers", detail: "geen geldige JSON")) {
                _ = try await client.employers()
            }
        }
    }

    @Test func aCutOffBodyOfAReadIsAskedAgain() async throws {
        var configuration = SandboxConfiguration()
        configuration.faults = try SandboxFaults.parse("malformed=0.5")
        try await Simulator.run(configuration) { sim in
            let (client, _) = try await sim.connectedClient(retry: RetryPolicy(maxAttempts: 12, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2)))
            let before = sim.handle.apiRequests
            for _ in 0..<5 { #expect(try await client.employers().count == 6) }
            #expect(sim.handle.faultsInjected > 0)
            #expect(sim.handle.apiRequests - before == 5 + sim.handle.faultsInjected)
        }
    }

    @Test func stallsTimeOutAfterRetries() async throws {
        var configuration = SandboxConfiguration()
        configuration.faults = try SandboxFaults.parse("stall=1,stall-seconds=2")
        try await Simulator.run(configuration) { sim in
            let (client, _) = try await sim.connectedClient(timeout: .milliseconds(200), retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2)))
            await #expect(throws: LoketError.timeout(endpoint: "GET /v2/providers/employers")) { _ = try await client.employers() }
        }
    }

    @Test func tooManyRequestsHonoursRetryAfter() async throws {
        var configuration = SandboxConfiguration()
        configuration.faults = try SandboxFaults.parse("429=1")
        try await Simulator.run(configuration) { sim in
            let (client, session) = try await sim.connectedClient()
            let waits = WaitRecorder()
            let recording = LoketAPIClient(apiURL: sim.url, session: session, transport: sim.transport, retry: RetryPolicy(maxAttempts: 3), sleep: { await waits.add($0) })
            await #expect(throws: LoketError.rateLimited(endpoint: "GET /v2/providers/employers")) { _ = try await recording.employers() }
            #expect(await waits.all == [.seconds(1), .seconds(1)])
            _ = client
        }
    }

    @Test func faultSpecParses() throws {
        let faults = try SandboxFaults.parse("5xx=0.2,429=0.1,stall=0.05,token-ttl=30,malformed=0.01")
        #expect(faults.serverError == 0.2 && faults.tooManyRequests == 0.1 && faults.stall == 0.05 && faults.tokenTTL == 30 && faults.malformed == 0.01)
        #expect(throws: SandboxFaults.ParseError.self) { try SandboxFaults.parse("boem=1") }
        #expect(throws: SandboxFaults.ParseError.self) { try SandboxFaults.parse("5xx=2") }
    }
}

actor WaitRecorder {
    var all: [Duration] = []
    func add(_ duration: Duration) { self.all.append(duration) }
}

@Suite struct MoneyDecodingTests {
    @Test func amountsBecomeExactCents() throws {
        let json = #"{"generalLedgerAccount":{"key":4,"code":"4002020","description":"Cars"},"costCenter":null,"costUnit":null,"payrollComponent":null,"debetAmount":500.87,"creditAmount":0}"#
        let line = try JSONDecoder().decode(LoketJournalLine.self, from: Data(json.utf8))
        #expect(line.debitCents == 50087)
        #expect(line.creditCents == 0)
        for (text, cents) in [("0.1", Int64(10)), ("19.99", 1999), ("1234567.89", 123_456_789), ("0.29", 29), ("1e2", 10_000), ("999999999999.99", 99_999_999_999_999)] {
            let decoded = try JSONDecoder().decode(LoketJournalLine.self, from: Data(json.replacingOccurrences(of: "500.87", with: text).utf8))
            #expect(decoded.debitCents == cents, "\(text)")
        }
        for bad in ["1.005", "-5", "\"12\"", "2000000000000"] {
            #expect(throws: DecodingError.self, "\(bad)") {
                try JSONDecoder().decode(LoketJournalLine.self, from: Data(json.replacingOccurrences(of: "500.87", with: bad).utf8))
            }
        }
    }
}
