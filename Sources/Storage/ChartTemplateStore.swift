import Foundation
import GRDB
import Ledger

/// Where a chart of accounts to apply comes from.
public enum ChartTemplate: Equatable, Sendable {
    case none
    /// The starter chart for payroll (`StarterChart`).
    case starter
    /// The chart of an existing administration (its active accounts).
    case administration(AdministrationID)
}

extension AppDatabase {
    /// The chart new administrations from the company list start with.
    public func defaultChart() throws -> ChartTemplate {
        try self.writer.read { try self.defaultChart($0) }
    }

    func defaultChart(_ db: Database) throws -> ChartTemplate {
        guard let row = try Row.fetchOne(db, sql: "SELECT default_chart, default_chart_administration_id FROM app_settings WHERE id = 1") else { return .none }
        switch row["default_chart"] as String {
        case "starter": return .starter
        case "administration":
            guard let id = row["default_chart_administration_id"] as AdministrationID? else { return .none }
            return .administration(id)
        default: return .none
        }
    }

    public func setDefaultChart(_ template: ChartTemplate, at now: Date) throws {
        try self.writer.write { db in
            let (kind, id): (String, AdministrationID?)
            switch template {
            case .none: (kind, id) = ("none", nil)
            case .starter: (kind, id) = ("starter", nil)
            case .administration(let source):
                guard try AdministrationRecord.filter(key: source).fetchCount(db) == 1 else { throw StorageError.administrationNotFound }
                (kind, id) = ("administration", source)
            }
            try db.execute(sql: "UPDATE app_settings SET default_chart = ?, default_chart_administration_id = ? WHERE id = 1", arguments: [kind, id])
            try self.auditEntry(nil, "instellingen", "gewijzigd", "standaardschema voor nieuwe administraties: \(try self.describe(template, db))", now, db)
        }
    }

    /// The accounts of a template, in chart order.
    public func chartAccounts(of template: ChartTemplate) throws -> [ChartAccount] {
        try self.writer.read { try self.chartAccounts(of: template, $0) }
    }

    func chartAccounts(of template: ChartTemplate, _ db: Database) throws -> [ChartAccount] {
        switch template {
        case .none: return []
        case .starter: return StarterChart.accounts
        case .administration(let id):
            return try LedgerAccountRecord.filter(Column("administration_id") == id && Column("is_active") == true).order(Column("number")).fetchAll(db).map {
                ChartAccount(number: $0.number, name: $0.name, type: AccountType(rawValue: $0.type) ?? .balance, rgsCode: $0.rgsCode)
            }
        }
    }

    /// "het standaardschema", "het schema van KLANT1 Bakkerij" — for messages and the audit log.
    public func chartTemplateName(_ template: ChartTemplate) throws -> String {
        try self.writer.read { try self.describe(template, $0) }
    }

    func describe(_ template: ChartTemplate, _ db: Database) throws -> String {
        switch template {
        case .none: return "geen rekeningschema (een leeg schema)"
        case .starter: return "het standaardschema"
        case .administration(let id):
            let row = try Row.fetchOne(db, sql: "SELECT code, name FROM administrations WHERE id = ?", arguments: [id])
            return "het schema van \(row.map { "\($0["code"] as String) \($0["name"] as String)" } ?? "administratie \(id)")"
        }
    }

    /// Gives a new administration the office's default chart, inside its creating transaction.
    func applyDefaultChart(to administrationId: AdministrationID, _ now: Date, _ db: Database) throws {
        let template = try self.defaultChart(db)
        let accounts = try self.chartAccounts(of: template, db)
        guard !accounts.isEmpty else { return }
        for account in accounts {
            _ = try self.insertAccount(account, administrationId: administrationId, at: now, db)
        }
        try self.auditEntry(administrationId, "rekeningschema", "standaardschema van het kantoor", "\(accounts.count) rekeningen uit \(try self.describe(template, db))", now, db)
    }
}
