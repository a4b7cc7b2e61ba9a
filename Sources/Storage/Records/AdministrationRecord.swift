import Foundation
import GRDB

/// A local bookkeeping administration (one client of the accountant).
public struct AdministrationRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "administrations"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: AdministrationID?
    public var code: String
    public var name: String
    public var fiscalYear: Int
    public var chamberOfCommerceNumber: String?
    public var vatNumber: String?
    public var rsin: String?
    public var street: String?
    public var postalCode: String?
    public var city: String?
    public var country: String
    public var createdAt: Date
    public var updatedAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        self.id = AdministrationID(inserted.rowID)
    }

    public enum Columns {
        public static let id = Column("id")
        public static let code = Column("code")
        public static let name = Column("name")
    }
}

/// An administration with what the overview pages show about it.
public struct AdministrationSummary: Equatable, Sendable, FetchableRecord, Decodable {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public var id: AdministrationID
    public var code: String
    public var name: String
    public var fiscalYear: Int
    public var accountCount: Int
    public var activeAccountCount: Int
    public var draftCount: Int
}

extension AdministrationSummary {
    /// Read by name without Codable: the dashboard lists every administration.
    public init(row: Row) throws {
        self.id = row["id"]
        self.code = row["code"]
        self.name = row["name"]
        self.fiscalYear = row["fiscal_year"]
        self.accountCount = row["account_count"]
        self.activeAccountCount = row["active_account_count"]
        self.draftCount = row["draft_count"]
    }
}
