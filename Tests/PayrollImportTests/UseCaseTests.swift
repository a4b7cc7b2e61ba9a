import Foundation
import Ledger
import LoketSandbox
import PayrollImport
import Storage
import Testing

/// The use cases the pages, `sync` and `check` share: one import path, one booking path.
@Suite struct UseCaseTests {
    /// The runs page's import lists the runs once, fetches each run's results once, and makes
    /// exactly the drafts a bulk sync makes of the same runs (the same path: `store`).
    @Test func thePageImportAndTheBulkSyncMakeTheSameDrafts() async throws {
        try await SyncWorld.run(SandboxConfiguration(employers: 2)) { world in
            let targets = try world.targets()
            let first = targets[0]
            let others = Array(targets.dropFirst())
            let importer = world.sync.importer
            let importable = world.handle.importableRuns[first.payrollAdministrationId] ?? []
            #expect(importable.count >= 2)
            let before = world.handle.apiRequests
            let outcomes = try await importer.importRuns(administrationId: first.administrationId, .allNew)
            #expect(outcomes.count == importable.count)
            #expect(outcomes.allSatisfy { (try? $0.result.get().created) == true })
            // One run list, then one results call per run (no list per run any more), and the
            // run's evidence: the journal report and the overview per employee.
            let results = importable.count + (first.name.contains("Van Dijk") ? 1 : 0)
            #expect(world.handle.apiRequests - before == 1 + results + 2 * importable.count)
            // Again: nothing new; a chosen run that has an entry returns that entry.
            #expect(try await importer.importRuns(administrationId: first.administrationId, .allNew).isEmpty)
            let chosen = try await importer.importRuns(administrationId: first.administrationId, .runs([importable[0]]))
            #expect((try? chosen.first?.result.get().created) == false)
            #expect((try? chosen.first?.result.get().entryId) == outcomes.first { $0.runId == importable[0] }.flatMap { try? $0.result.get().entryId })
            // Unknown run: named, nothing stored.
            let unknown = try await importer.importRuns(administrationId: first.administrationId, .runs(["bestaat-niet"]))
            guard case .failure(.runNotFound) = unknown.first?.result else {
                Issue.record("an unknown run should be refused: \(String(describing: unknown.first?.result))")
                return
            }
            // The bulk sync of the other administrations goes through the same store: same shape of drafts.
            let bulk = await world.run(others)
            #expect(!bulk.isEmpty && bulk.allSatisfy { $0.error == nil })
            for target in targets {
                for entry in try world.database.entries(administrationId: target.administrationId) {
                    #expect(entry.source == .loket && entry.status == .draft && entry.sourceSequence == 1)
                    let lines = try world.database.entryLines(entryId: entry.id!)
                    #expect(!lines.isEmpty)
                    #expect(lines.reduce(0) { $0 + $1.debitCents } == entry.loketDebitCents)
                    #expect(lines.allSatisfy { $0.originalAccountCode != nil })
                }
            }
            try world.expectEveryImportableRunExactlyOnce()
        }
    }

    /// Booking and telling Loket is one call with one outcome: booked + marked, booked + not asked,
    /// or refused with every problem (and nothing told to Loket).
    @Test func bookingTellsLoketOnceAndSaysWhatHappened() async throws {
        try await SyncWorld.run(SandboxConfiguration(employers: 1)) { world in
            let target = try #require(try world.targets().first)
            let importer = world.sync.importer
            let outcomes = try await importer.importRuns(administrationId: target.administrationId, .allNew)
            let ids = outcomes.compactMap { try? $0.result.get().entryId }
            #expect(ids.count >= 2)
            let bookkeeping = Bookkeeping(database: world.database)
            // Not asked: the administration does not mark runs processed.
            try bookkeeping.saveSettings(administrationId: target.administrationId, AdministrationSettings(markProcessedInLoket: false))
            let quiet = try await self.bookable(ids, world, importer, target)
            #expect(quiet.loket == .notAsked && quiet.entry.isBooked)
            #expect(world.handle.patches.isEmpty)
            try bookkeeping.saveSettings(administrationId: target.administrationId, AdministrationSettings(markProcessedInLoket: true))
            let told = try await self.bookable(ids.filter { $0 != quiet.entry.id }, world, importer, target)
            #expect(told.loket == .marked)
            #expect(world.handle.patches.map(\.id) == [told.entry.sourceReference!])
            #expect(world.handle.journalRunStatus(told.entry.sourceReference!) == 7)
            // Refused: already booked — every problem named, Loket not asked again.
            await #expect {
                _ = try await importer.book(entryId: told.entry.id!, administrationId: target.administrationId)
            } throws: { error in
                guard case EntryError.bookingRefused(let problems) = error else { return false }
                return problems.contains(.alreadyBooked)
            }
            #expect(world.handle.patches.count == 1)
        }
    }

    /// Books the first draft of `ids` that passes every check (drafts whose Loket accounts are
    /// unknown in the starter chart are mapped to the suspense account first).
    func bookable(_ ids: [EntryID], _ world: SyncWorld, _ importer: RunImporter, _ target: SyncTarget) async throws -> BookingResult {
        let bookkeeping = Bookkeeping(database: world.database)
        let accounts = try world.database.accounts(administrationId: target.administrationId)
        let suspense = try #require(accounts.first { $0.number == "2000" })
        for id in ids {
            for line in try world.database.entryLines(entryId: id) where line.accountId == nil {
                _ = try bookkeeping.mapLoketCode(administrationId: target.administrationId, code: line.originalAccountCode!, accountId: suspense.id!)
            }
            if let result = try? await importer.book(entryId: id, administrationId: target.administrationId) { return result }
        }
        throw BookingFailed()
    }

    struct BookingFailed: Error {}
}
