import GRDB

/// The row id of one kind of record. An entry id cannot be passed where an administration id is
/// expected: `Identifier<AdministrationTag>` and `Identifier<EntryTag>` are different types, though
/// both are stored as the same INTEGER and printed as the same digits.
public struct Identifier<Tag>: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int64

    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    public var description: String { String(self.rawValue) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

public enum AdministrationTag {}
public enum EntryTag {}
public enum ConnectionTag {}

/// A local administration (`administrations.id`).
public typealias AdministrationID = Identifier<AdministrationTag>
/// A journal entry, draft or booked (`journal_entries.id`).
public typealias EntryID = Identifier<EntryTag>
/// A Loket connection (`loket_connections.id`); the Loket client itself keys tokens by its raw value.
public typealias ConnectionID = Identifier<ConnectionTag>

extension Identifier: Codable {
    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.rawValue)
    }
}

extension Identifier: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { self.rawValue.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Self? {
        guard let value = Int64.fromDatabaseValue(dbValue) else { return nil }
        return Self(value)
    }
}

extension Identifier: StatementColumnConvertible {
    public init?(sqliteStatement: SQLiteStatement, index: CInt) {
        self.init(Int64(sqliteStatement: sqliteStatement, index: index))
    }
}

extension Identifier: LosslessStringConvertible {
    /// The id from a path or form value; nil unless it is a positive whole number (so a route
    /// parameter such as `:entryId` reads as `EntryID` and an id of 0 or -1 is not found).
    public init?(_ description: String) {
        guard description.utf8.count <= 19, let value = Int64(description), value > 0 else { return nil }
        self.init(value)
    }
}

/// A literal id (`0` for a route written to register its pattern, fixed ids in tests). Values
/// read at run time are never literals, so two kinds of id still cannot be mixed up.
extension Identifier: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self.init(value)
    }
}
