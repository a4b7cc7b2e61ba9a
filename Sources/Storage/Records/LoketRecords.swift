import Foundation
import GRDB

/// One Loket login (environment + client + tokens kept elsewhere) and its health.
public struct LoketConnectionRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "loket_connections"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public enum Status: String, Codable, Sendable {
        /// Created, login not finished.
        case new
        case connected
        /// The refresh token was refused: "opnieuw verbinden".
        case reconnect
        /// The user forgot the tokens.
        case disconnected
    }

    public var id: ConnectionID?
    public var name: String
    public var environment: String
    public var authUrl: String
    public var apiUrl: String
    public var clientId: String
    public var externalRedirectUri: String?
    public var status: Status
    public var accessTokenExpiresAt: Date?
    public var lastRefreshAt: Date?
    public var lastError: String?
    public var connectedAt: Date?
    public var companiesFetchedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        self.id = ConnectionID(inserted.rowID)
    }
}

/// An employer as last fetched from Loket (the company list is cached per connection).
public struct CachedEmployer: Equatable, Sendable {
    public var employerId: String
    public var name: String
    public var employerNumber: Int?
    public var chamberOfCommerceNumber: String?
    /// Why its payroll administrations could not be read (e.g. 403), if so.
    public var error: String?

    public init(employerId: String, name: String, employerNumber: Int?, chamberOfCommerceNumber: String?, error: String?) {
        self.employerId = employerId
        self.name = name
        self.employerNumber = employerNumber
        self.chamberOfCommerceNumber = chamberOfCommerceNumber
        self.error = error
    }
}

/// A payroll administration as last fetched, with its journal-profile status.
public struct CachedPayrollAdministration: Equatable, Sendable {
    public var employerId: String
    public var payrollAdministrationId: String
    public var name: String
    public var clientNumber: Int?
    public var periodType: String?
    public var hasJournalProfile: Bool
    public var journalProfile: String?
    public var automaticJournalRuns: Bool?
    public var error: String?

    public init(
        employerId: String, payrollAdministrationId: String, name: String, clientNumber: Int?, periodType: String?,
        hasJournalProfile: Bool, journalProfile: String?, automaticJournalRuns: Bool?, error: String?
    ) {
        self.employerId = employerId
        self.payrollAdministrationId = payrollAdministrationId
        self.name = name
        self.clientNumber = clientNumber
        self.periodType = periodType
        self.hasJournalProfile = hasJournalProfile
        self.journalProfile = journalProfile
        self.automaticJournalRuns = automaticJournalRuns
        self.error = error
    }
}

/// One row of the company list: the payroll administration and, if linked, its local administration.
public struct CompanyListRow: Equatable, Sendable, FetchableRecord, Decodable {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public var employerId: String
    public var employerName: String
    public var employerNumber: Int?
    public var employerKvk: String?
    public var employerError: String?
    public var payrollAdministrationId: String?
    public var name: String?
    public var clientNumber: Int?
    public var periodType: String?
    public var hasJournalProfile: Bool?
    public var journalProfile: String?
    public var automaticJournalRuns: Bool?
    public var error: String?
    public var linkId: Int64?
    public var linkedConnectionId: ConnectionID?
    public var administrationId: AdministrationID?
    public var administrationCode: String?
    public var administrationName: String?
}

/// A link between a local administration and one Loket payroll administration.
public struct LoketLinkRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "loket_links"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var administrationId: AdministrationID
    public var connectionId: ConnectionID
    public var employerId: String
    public var employerName: String
    public var payrollAdministrationId: String
    public var payrollAdministrationName: String
    public var clientNumber: Int?
    public var periodType: String?
    public var linkedAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        self.id = inserted.rowID
    }
}

extension LoketLinkRecord {
    /// Read by name without Codable: the dashboard reads every link.
    public init(row: Row) throws {
        self.id = row["id"]
        self.administrationId = row["administration_id"]
        self.connectionId = row["connection_id"]
        self.employerId = row["employer_id"]
        self.employerName = row["employer_name"]
        self.payrollAdministrationId = row["payroll_administration_id"]
        self.payrollAdministrationName = row["payroll_administration_name"]
        self.clientNumber = row["client_number"]
        self.periodType = row["period_type"]
        self.linkedAt = row["linked_at"]
    }
}
