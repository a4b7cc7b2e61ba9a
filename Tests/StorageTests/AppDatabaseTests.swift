import Foundation
import GRDB
import Ledger
import Testing

@testable import Storage

/// A fresh temp directory per test, removed afterwards.
final class TempDirectory {
    let url: URL

    init() throws {
        self.url = FileManager.default.temporaryDirectory.appending(path: "loonjournaal-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: self.url) }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}

let jan = Date(timeIntervalSince1970: 1_769_860_800)  // 31-01-2026

func openDatabase(_ temp: TempDirectory) throws -> AppDatabase {
    let directory = DataDirectory(url: temp.url.appending(path: "data"))
    try directory.prepare()
    return try AppDatabase.openLive(at: directory.databaseURL, backupDirectory: directory.backupsURL, now: jan)
}

func details(_ code: String, name: String = "Bakkerij Jansen") -> AdministrationDetails {
    AdministrationDetails(code: code, name: name, fiscalYear: 2026)
}

@Suite struct DurabilityTests {
    @Test func writerIsWALWithSynchronousFullAndForeignKeys() throws {
        let temp = try TempDirectory()
        let database = try openDatabase(temp)
        let (journal, synchronous, foreignKeys) = try database.writer.writeWithoutTransaction { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
            )
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)
        #expect(foreignKeys == 1)
    }

    @Test func directoryIs0700AndDatabaseFilesAre0600() throws {
        let temp = try TempDirectory()
        let database = try openDatabase(temp)
        _ = try database.createAdministration(details("A1"), at: jan)
        let data = temp.url.appending(path: "data")
        #expect(try temp.mode(data.path) == 0o700)
        for suffix in ["", "-wal", "-shm"] {
            let path = data.appending(path: "loonjournaal.sqlite").path + suffix
            if FileManager.default.fileExists(atPath: path) {
                #expect(try temp.mode(path) == 0o600, "\(path)")
            }
        }
    }

    @Test func existingUnmigratedDatabaseIsBackedUpFirst() throws {
        let temp = try TempDirectory()
        let directory = DataDirectory(url: temp.url.appending(path: "data"))
        try directory.prepare()
        // Given a database written by an older version (no migrations of ours yet)
        let old = try DatabaseQueue(path: directory.databaseURL.path)
        try old.write { try $0.execute(sql: "CREATE TABLE legacy(x); INSERT INTO legacy VALUES (42)") }
        try old.close()
        // When it is opened
        _ = try AppDatabase.openLive(at: directory.databaseURL, backupDirectory: directory.backupsURL, now: jan)
        // Then a copy of the old state sits in backups/
        let backups = try FileManager.default.contentsOfDirectory(atPath: directory.backupsURL.path)
        #expect(backups.count == 1)
        let copy = try DatabaseQueue(path: directory.backupsURL.appending(path: backups[0]).path)
        #expect(try copy.read { try Int.fetchOne($0, sql: "SELECT x FROM legacy") } == 42)
        // And a second open of the now current database makes no new backup.
        _ = try AppDatabase.openLive(at: directory.databaseURL, backupDirectory: directory.backupsURL, now: jan)
        let after = try FileManager.default.contentsOfDirectory(atPath: directory.backupsURL.path)
        #expect(after.filter { $0.hasSuffix(".sqlite") }.count == 1, "\(after)")
    }

    @Test func secondInstanceOnTheSameDataDirectoryIsRefused() throws {
        let temp = try TempDirectory()
        let directory = DataDirectory(url: temp.url)
        let lock = try directory.acquireLock()
        #expect(throws: DataDirectoryError.inUse(path: temp.url.path)) { _ = try directory.acquireLock() }
        withExtendedLifetime(lock) {}
    }

    @Test func dataDirectoryResolution() {
        #expect(DataDirectory.resolve(explicit: "/x/y", environment: ["LOONJOURNAAL_DATA_DIR": "/a"]).url.path == "/x/y")
        #expect(DataDirectory.resolve(explicit: nil, environment: ["LOONJOURNAAL_DATA_DIR": "/a", "XDG_DATA_HOME": "/b"]).url.path == "/a")
        #expect(DataDirectory.resolve(explicit: nil, environment: ["XDG_DATA_HOME": "/b", "HOME": "/h"]).url.path == "/b/loonjournaal")
        #expect(DataDirectory.resolve(explicit: nil, environment: ["HOME": "/h"]).url.path == "/h/.local/share/loonjournaal")
    }
}

@Suite struct AdministrationStorageTests {
    @Test func duplicateCodeIsRefusedCaseInsensitivelyAndOnlyOneRecordExists() throws {
        let temp = try TempDirectory()
        let database = try openDatabase(temp)
        _ = try database.createAdministration(details("BAKKER01"), at: jan)
        #expect(throws: StorageError.duplicateAdministrationCode("bakker01")) {
            _ = try database.createAdministration(details("bakker01"), at: jan)
        }
        #expect(try database.administrationSummaries().count == 1)
    }

    @Test func updateIsAuditedAndTheAuditLogIsAppendOnly() throws {
        let temp = try TempDirectory()
        let database = try openDatabase(temp)
        let created = try database.createAdministration(details("A1"), at: jan)
        _ = try database.updateAdministration(id: created.id!, details("A1", name: "Nieuwe naam"), at: jan)
        let audit = try database.auditEntries(administrationId: created.id!)
        #expect(audit.first?.details == "naam: Bakkerij Jansen → Nieuwe naam")
        #expect(throws: DatabaseError.self) { try database.writer.write { try $0.execute(sql: "UPDATE audit_log SET details = 'x'") } }
        #expect(throws: DatabaseError.self) { try database.writer.write { try $0.execute(sql: "DELETE FROM audit_log") } }
    }

    @Test func schemaRefusesDuplicateAccountNumbersAndOrphans() throws {
        let temp = try TempDirectory()
        let database = try openDatabase(temp)
        let admin = try database.createAdministration(details("A1"), at: jan)
        _ = try database.addAccount(administrationId: admin.id!, ChartAccount(number: "4000", name: "Lonen", type: .profitAndLoss), at: jan)
        #expect(throws: DatabaseError.self) {
            try database.writer.write {
                try $0.execute(
                    sql: "INSERT INTO ledger_accounts (administration_id, number, name, type, created_at, updated_at) VALUES (?, '4000', 'x', 'W', 0, 0)",
                    arguments: [admin.id!]
                )
            }
        }
        #expect(throws: DatabaseError.self) {
            try database.writer.write {
                try $0.execute(
                    sql: "INSERT INTO ledger_accounts (administration_id, number, name, type, created_at, updated_at) VALUES (999, '1', 'x', 'W', 0, 0)"
                )
            }
        }
        #expect(throws: DatabaseError.self) {
            try database.writer.write { try $0.execute(sql: "DELETE FROM administrations") }
        }
    }
}

@Suite struct ChartStorageTests {
    @Test func importIsAllOrNothing() throws {
        let temp = try TempDirectory()
        let database = try openDatabase(temp)
        let admin = try database.createAdministration(details("A1"), at: jan)
        _ = try database.addAccount(administrationId: admin.id!, ChartAccount(number: "4010", name: "Vakantiegeld", type: .profitAndLoss), at: jan)
        let accounts = [
            ChartAccount(number: "4000", name: "Lonen", type: .profitAndLoss),
            ChartAccount(number: "4010", name: "Vakantiegeld", type: .profitAndLoss),
        ]
        #expect(throws: StorageError.existingAccountNumbers([.init(line: 3, number: "4010")])) {
            _ = try database.importAccounts(administrationId: admin.id!, accounts, lines: [2, 3], source: "test.csv", at: jan)
        }
        #expect(try database.accounts(administrationId: admin.id!).map(\.number) == ["4010"])
    }

    @Test func starterChartAddsOnlyWhatIsMissing() throws {
        let temp = try TempDirectory()
        let database = try openDatabase(temp)
        let admin = try database.createAdministration(details("A1"), at: jan)
        #expect(try database.addStarterChart(administrationId: admin.id!, at: jan) == StarterChart.accounts.count)
        #expect(try database.addStarterChart(administrationId: admin.id!, at: jan) == 0)
        #expect(try database.accounts(administrationId: admin.id!).count == StarterChart.accounts.count)
    }

    @Test func deactivatedAccountsStay() throws {
        let temp = try TempDirectory()
        let database = try openDatabase(temp)
        let admin = try database.createAdministration(details("A1"), at: jan)
        let account = try database.addAccount(administrationId: admin.id!, ChartAccount(number: "4000", name: "Lonen", type: .profitAndLoss), at: jan)
        let off = try database.setAccountActive(id: account.id!, administrationId: admin.id!, active: false, at: jan)
        #expect(off.isActive == false)
        #expect(try database.accounts(administrationId: admin.id!).count == 1)
        // An account of another administration cannot be reached through this one.
        let other = try database.createAdministration(details("A2"), at: jan)
        #expect(throws: StorageError.accountNotFound) {
            _ = try database.setAccountActive(id: account.id!, administrationId: other.id!, active: true, at: jan)
        }
    }
}
