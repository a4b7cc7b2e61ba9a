import Foundation
import GRDB
import Ledger

/// One account of an administration's chart of accounts (grootboekrekening).
public struct LedgerAccountRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "ledger_accounts"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var administrationId: Int64
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
