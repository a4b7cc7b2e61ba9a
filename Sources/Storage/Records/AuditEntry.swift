import Foundation
import GRDB

/// One line of the append-only audit log: who changed what, when (the database refuses
/// updates and deletes of these rows).
public struct AuditEntry: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "audit_log"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var administrationId: AdministrationID?
    public var occurredAt: Date
    public var subject: String
    public var action: String
    public var details: String

    public init(administrationId: AdministrationID?, occurredAt: Date, subject: String, action: String, details: String) {
        self.administrationId = administrationId
        self.occurredAt = occurredAt
        self.subject = subject
        self.action = action
        self.details = details
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        self.id = inserted.rowID
    }
}
