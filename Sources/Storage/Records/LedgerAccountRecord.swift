import Foundation
import GRDB
import Ledger

/// One account of an administration's chart of accounts (grootboekrekening).
public struct LedgerAccountRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "ledger_accounts"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var administrationId: AdministrationID
    public var number: String
    public var name: String
    public var type: String
    public var rgsCode: String?
    public var isActive: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public var accountType: AccountType { AccountType(rawValue: self.type) ?? .balance }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        self.id = inserted.rowID
    }

    public enum Columns {
        public static let id = Column("id")
        public static let administrationId = Column("administration_id")
        public static let number = Column("number")
    }
}

extension LedgerAccountRecord {
    /// Read by name without Codable: every draft page and import reads the whole chart.
    public init(row: Row) throws {
        self.id = row["id"]
        self.administrationId = row["administration_id"]
        self.number = row["number"]
        self.name = row["name"]
        self.type = row["type"]
        self.rgsCode = row["rgs_code"]
        self.isActive = row["is_active"]
        self.createdAt = row["created_at"]
        self.updatedAt = row["updated_at"]
    }
}
