import Foundation
import GRDB
import Ledger

// MARK: - Loket connections

extension AppDatabase {
    /// Registers a new Loket connection (the client secret goes to the credentials file, not here).
    public func createConnection(
        name: String, environment: String, authURL: String, apiURL: String, clientId: String, externalRedirectURI: String?, at now: Date
    ) throws -> LoketConnectionRecord {
        try self.writer.write { db in
            var record = LoketConnectionRecord(
                id: nil, name: name, environment: environment, authUrl: authURL, apiUrl: apiURL, clientId: clientId,
                externalRedirectUri: externalRedirectURI, status: .new, accessTokenExpiresAt: nil, lastRefreshAt: nil, lastError: nil,
                connectedAt: nil, companiesFetchedAt: nil, createdAt: now, updatedAt: now
            )
            try record.insert(db)
            try self.auditEntry(nil, "Loket-verbinding \(name)", "aangemaakt", "\(environment): \(authURL)", now, db)
            return record
        }
    }

    public func connection(id: ConnectionID) throws -> LoketConnectionRecord? {
        try self.writer.read { try LoketConnectionRecord.fetchOne($0, key: id) }
    }

    public func connections() throws -> [LoketConnectionRecord] {
        try self.writer.read { try LoketConnectionRecord.order(Column("id")).fetchAll($0) }
    }

    /// After a successful login.
    public func markConnected(id: ConnectionID, accessTokenExpiresAt: Date, at now: Date) throws {
        try self.updateConnection(id) { record in
            record.status = .connected
            record.accessTokenExpiresAt = accessTokenExpiresAt
            record.connectedAt = now
            record.lastError = nil
        }
        try self.writer.write { try self.auditEntry(nil, "Loket-verbinding \(id)", "verbonden", "", now, $0) }
    }

    public func recordTokenRefresh(id: ConnectionID, accessTokenExpiresAt: Date, at now: Date) throws {
        try self.updateConnection(id) { record in
            record.accessTokenExpiresAt = accessTokenExpiresAt
            record.lastRefreshAt = now
            if record.status == .reconnect { record.status = .connected }
        }
    }

    /// The refresh token was refused: links and drafts stay, the user must log in again.
    public func markReconnectNeeded(id: ConnectionID, reason: String, at now: Date) throws {
        try self.updateConnection(id) { record in
            record.status = .reconnect
            record.lastError = reason
            record.accessTokenExpiresAt = nil
        }
    }

    public func markDisconnected(id: ConnectionID, at now: Date) throws {
        try self.updateConnection(id) { record in
            record.status = .disconnected
            record.accessTokenExpiresAt = nil
        }
        try self.writer.write { try self.auditEntry(nil, "Loket-verbinding \(id)", "verbroken", "sleutels vergeten; koppelingen blijven", now, $0) }
    }

    /// The last problem seen on this connection (shown as its health), or nil to clear it.
    public func recordConnectionError(id: ConnectionID, _ message: String?, at now: Date) throws {
        try self.updateConnection(id) { $0.lastError = message }
    }

    private func updateConnection(_ id: ConnectionID, _ change: (inout LoketConnectionRecord) -> Void) throws {
        try self.writer.write { db in
            guard var record = try LoketConnectionRecord.fetchOne(db, key: id) else { throw StorageError.connectionNotFound }
            change(&record)
            try record.update(db)
        }
    }
}

// MARK: - Company list

extension AppDatabase {
    /// Replaces the cached company list of a connection in one transaction.
    public func replaceCompanyList(
        connectionId: ConnectionID, employers: [CachedEmployer], administrations: [CachedPayrollAdministration], at now: Date
    ) throws {
        try self.writer.write { db in
            guard var connection = try LoketConnectionRecord.fetchOne(db, key: connectionId) else { throw StorageError.connectionNotFound }
            try db.execute(sql: "DELETE FROM loket_employers WHERE connection_id = ?", arguments: [connectionId])
            for employer in employers {
                try db.execute(
                    sql: """
                        INSERT INTO loket_employers (connection_id, employer_id, name, employer_number, chamber_of_commerce_number, error)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [connectionId, employer.employerId, employer.name, employer.employerNumber, employer.chamberOfCommerceNumber, employer.error]
                )
            }
            for admin in administrations {
                try db.execute(
                    sql: """
                        INSERT INTO loket_payroll_administrations
                          (connection_id, employer_id, payroll_administration_id, name, client_number, period_type,
                           has_journal_profile, journal_profile, automatic_journal_runs, error)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        connectionId, admin.employerId, admin.payrollAdministrationId, admin.name, admin.clientNumber, admin.periodType,
                        admin.hasJournalProfile, admin.journalProfile, admin.automaticJournalRuns, admin.error,
                    ]
                )
            }
            connection.companiesFetchedAt = now
            connection.lastError = nil
            try connection.update(db)
        }
    }

    /// Employers with their payroll administrations and links, by employer name.
    public func companyList(connectionId: ConnectionID) throws -> [CompanyListRow] {
        try self.writer.read { db in
            try CompanyListRow.fetchAll(
                db,
                sql: """
                    SELECT e.employer_id, e.name AS employer_name, e.employer_number, e.chamber_of_commerce_number AS employer_kvk,
                           e.error AS employer_error,
                           p.payroll_administration_id, p.name, p.client_number, p.period_type, p.has_journal_profile,
                           p.journal_profile, p.automatic_journal_runs, p.error,
                           l.id AS link_id, l.connection_id AS linked_connection_id, a.id AS administration_id,
                           a.code AS administration_code, a.name AS administration_name
                    FROM loket_employers e
                    LEFT JOIN loket_payroll_administrations p ON p.connection_id = e.connection_id AND p.employer_id = e.employer_id
                    LEFT JOIN loket_links l ON l.payroll_administration_id = p.payroll_administration_id
                    LEFT JOIN administrations a ON a.id = l.administration_id
                    WHERE e.connection_id = ?
                    ORDER BY e.name COLLATE NOCASE, e.employer_id, p.name COLLATE NOCASE
                    """,
                arguments: [connectionId]
            )
        }
    }

    public func links() throws -> [LoketLinkRecord] {
        try self.writer.read { try LoketLinkRecord.order(Column("id")).fetchAll($0) }
    }

    /// The links of these administrations (one page of the dashboard).
    public func links(administrationIds: [AdministrationID]) throws -> [LoketLinkRecord] {
        try self.writer.read { try LoketLinkRecord.filter(administrationIds.contains(Column("administration_id"))).fetchAll($0) }
    }

    public func linkCount() throws -> Int {
        try self.writer.read { try LoketLinkRecord.fetchCount($0) }
    }

    public func link(administrationId: AdministrationID) throws -> LoketLinkRecord? {
        try self.writer.read { try LoketLinkRecord.filter(Column("administration_id") == administrationId).fetchOne($0) }
    }

    public func link(id: Int64) throws -> LoketLinkRecord? {
        try self.writer.read { try LoketLinkRecord.fetchOne($0, key: id) }
    }
}

// MARK: - Linking

extension AppDatabase {
    /// Links a fetched payroll administration to an existing local administration.
    public func link(connectionId: ConnectionID, payrollAdministrationId: String, toAdministration administrationId: AdministrationID, at now: Date) throws -> LoketLinkRecord {
        try self.writer.write { db in
            let source = try self.cachedAdministration(connectionId, payrollAdministrationId, db)
            guard let administration = try AdministrationRecord.fetchOne(db, key: administrationId) else { throw StorageError.administrationNotFound }
            return try self.insertLink(source, administration: administration, connectionId: connectionId, at: now, db)
        }
    }

    /// Creates a local administration from a fetched payroll administration (name and KvK taken
    /// over) and links it, in one transaction.
    public func linkToNewAdministration(connectionId: ConnectionID, payrollAdministrationId: String, fiscalYear: Int, at now: Date) throws -> LoketLinkRecord {
        try self.writer.write { db in
            let source = try self.cachedAdministration(connectionId, payrollAdministrationId, db)
            let administration = try self.createAdministration(from: source, fiscalYear: fiscalYear, at: now, db)
            return try self.insertLink(source, administration: administration, connectionId: connectionId, at: now, db)
        }
    }

    /// What "Alles koppelen" did.
    public struct LinkAllResult: Equatable, Sendable {
        public let linked: Int
        /// Payroll administrations left alone because Loket has no journal profile for them
        /// (nothing to import; linking them would only make empty administrations).
        public let withoutJournalProfile: [String]
    }

    /// Creates and links an administration for every unlinked payroll administration of the
    /// connection that has a journal profile, all in one transaction; one that was linked before
    /// goes back to its former administration.
    public func linkAllUnlinked(connectionId: ConnectionID, fiscalYear: Int, at now: Date) throws -> LinkAllResult {
        try self.writer.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.payroll_administration_id, p.name, p.has_journal_profile, f.administration_id AS former
                    FROM loket_payroll_administrations p
                    JOIN loket_employers e ON e.connection_id = p.connection_id AND e.employer_id = p.employer_id
                    LEFT JOIN loket_former_links f ON f.payroll_administration_id = p.payroll_administration_id
                      AND f.administration_id NOT IN (SELECT administration_id FROM loket_links)
                    WHERE p.connection_id = ? AND p.payroll_administration_id NOT IN (SELECT payroll_administration_id FROM loket_links)
                    ORDER BY e.name COLLATE NOCASE, p.name COLLATE NOCASE
                    """,
                arguments: [connectionId]
            )
            var linked = 0
            var skipped: [String] = []
            var formersUsed = Set<AdministrationID>()
            for row in rows {
                if row["has_journal_profile"] as Bool? == false {
                    skipped.append(row["name"])
                    continue
                }
                let source = try self.cachedAdministration(connectionId, row["payroll_administration_id"], db)
                let administration: AdministrationRecord
                if let former = row["former"] as AdministrationID?, formersUsed.insert(former).inserted,
                    let record = try AdministrationRecord.fetchOne(db, key: former)
                {
                    administration = record
                } else {
                    administration = try self.createAdministration(from: source, fiscalYear: fiscalYear, at: now, db)
                }
                _ = try self.insertLink(source, administration: administration, connectionId: connectionId, at: now, db)
                linked += 1
            }
            return LinkAllResult(linked: linked, withoutJournalProfile: skipped)
        }
    }

    /// The administration a payroll administration was linked to before (nil: never, or that
    /// administration is linked to something else now).
    public func formerAdministrations() throws -> [String: AdministrationID] {
        try self.writer.read { db in
            var result: [String: AdministrationID] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT payroll_administration_id, administration_id FROM loket_former_links
                    WHERE administration_id NOT IN (SELECT administration_id FROM loket_links)
                    """
            ) {
                result[row["payroll_administration_id"]] = row["administration_id"]
            }
            return result
        }
    }

    /// Removes a link; the administration, its accounts and its entries stay.
    public func unlink(linkId: Int64, at now: Date) throws -> LoketLinkRecord {
        try self.writer.write { db in
            guard let link = try LoketLinkRecord.fetchOne(db, key: linkId) else { throw StorageError.linkNotFound }
            try LoketLinkRecord.deleteOne(db, key: linkId)
            try db.execute(
                sql: """
                    INSERT INTO loket_former_links (payroll_administration_id, administration_id, unlinked_at) VALUES (?, ?, ?)
                    ON CONFLICT(payroll_administration_id) DO UPDATE SET administration_id = excluded.administration_id, unlinked_at = excluded.unlinked_at
                    """,
                arguments: [link.payrollAdministrationId, link.administrationId, now]
            )
            try self.auditEntry(
                link.administrationId, "Loket-koppeling", "ontkoppeld",
                "\(link.employerName) – \(link.payrollAdministrationName)", now, db
            )
            return link
        }
    }

    struct CachedRow: Decodable, FetchableRecord {
        static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
        var employerId: String
        var employerName: String
        var employerKvk: String?
        var employerAdministrationCount: Int
        var payrollAdministrationId: String
        var name: String
        var clientNumber: Int?
        var periodType: String?
    }

    private func cachedAdministration(_ connectionId: ConnectionID, _ payrollAdministrationId: String, _ db: Database) throws -> CachedRow {
        let row = try CachedRow.fetchOne(
            db,
            sql: """
                SELECT p.employer_id, e.name AS employer_name, e.chamber_of_commerce_number AS employer_kvk,
                       (SELECT COUNT(*) FROM loket_payroll_administrations q WHERE q.connection_id = p.connection_id AND q.employer_id = p.employer_id)
                         AS employer_administration_count,
                       p.payroll_administration_id, p.name, p.client_number, p.period_type
                FROM loket_payroll_administrations p
                JOIN loket_employers e ON e.connection_id = p.connection_id AND e.employer_id = p.employer_id
                WHERE p.connection_id = ? AND p.payroll_administration_id = ?
                """,
            arguments: [connectionId, payrollAdministrationId]
        )
        guard let row else { throw StorageError.payrollAdministrationNotFound }
        return row
    }

    private func insertLink(_ source: CachedRow, administration: AdministrationRecord, connectionId: ConnectionID, at now: Date, _ db: Database) throws -> LoketLinkRecord {
        if let existing = try LoketLinkRecord.filter(Column("payroll_administration_id") == source.payrollAdministrationId).fetchOne(db) {
            let code = try String.fetchOne(db, sql: "SELECT code FROM administrations WHERE id = ?", arguments: [existing.administrationId]) ?? "?"
            throw StorageError.payrollAdministrationAlreadyLinked(administrationCode: code)
        }
        if try LoketLinkRecord.filter(Column("administration_id") == administration.id).fetchCount(db) > 0 {
            throw StorageError.administrationAlreadyLinked(administrationCode: administration.code)
        }
        var link = LoketLinkRecord(
            id: nil, administrationId: administration.id!, connectionId: connectionId, employerId: source.employerId,
            employerName: source.employerName, payrollAdministrationId: source.payrollAdministrationId,
            payrollAdministrationName: source.name, clientNumber: source.clientNumber, periodType: source.periodType, linkedAt: now
        )
        try link.insert(db)
        try self.auditEntry(administration.id, "Loket-koppeling", "gekoppeld", "\(source.employerName) – \(source.name)", now, db)
        return link
    }

    /// A new administration named after the employer (and the payroll administration when the
    /// employer has several), with a unique code from the Loket client number.
    private func createAdministration(from source: CachedRow, fiscalYear: Int, at now: Date, _ db: Database) throws -> AdministrationRecord {
        let base = source.clientNumber.map { "L\($0)" } ?? "LOKET"
        var code = base
        var suffix = 2
        while try AdministrationRecord.filter(AdministrationRecord.Columns.code == code).fetchCount(db) > 0 {
            code = "\(base)-\(suffix)"
            suffix += 1
        }
        var name = source.employerAdministrationCount > 1 ? "\(source.employerName) – \(source.name)" : source.employerName
        if name.count > AdministrationRules.maxNameLength { name = String(name.prefix(AdministrationRules.maxNameLength)) }
        let kvk = source.employerKvk.flatMap { value -> String? in
            let digits = value.filter(\.isNumber)
            return digits.count == 8 ? digits : nil
        }
        var record = AdministrationRecord(
            id: nil, code: code, name: name, fiscalYear: fiscalYear, chamberOfCommerceNumber: kvk, vatNumber: nil, rsin: nil,
            street: nil, postalCode: nil, city: nil, country: "NL", createdAt: now, updatedAt: now
        )
        try record.insert(db)
        try self.auditEntry(record.id, "administratie", "aangemaakt", "\(code) \(name) (uit Loket)", now, db)
        try self.applyDefaultChart(to: record.id!, now, db)
        return record
    }

    func auditEntry(_ administrationId: AdministrationID?, _ subject: String, _ action: String, _ details: String, _ now: Date, _ db: Database) throws {
        var entry = AuditEntry(administrationId: administrationId, occurredAt: now, subject: subject, action: action, details: details)
        try entry.insert(db)
    }
}
