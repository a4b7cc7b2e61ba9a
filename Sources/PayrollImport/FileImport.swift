import Crypto
import Foundation
import Ledger
import Storage

/// Payroll journals from other packages, as a file: mapped columns, then a draft through the same
/// pipeline as a Loket run (account mapping, checks, one entry per file and period).
public struct PayrollFileImporter: Sendable {
    public let database: AppDatabase
    public let now: @Sendable () -> Date

    public init(database: AppDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    public enum FileImportError: Error, Equatable {
        case problems(ImportErrors)
        case alreadyImported(entryId: EntryID, period: Int, year: Int)
        case invalidHeader([String])
    }

    /// The SHA-256 of the file, hex.
    public static func contentHash(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: Data(bytes)).map { String(format: "%02x", $0) }.joined()
    }

    /// A key for remembering the column roles of files that look alike.
    public static func signature(_ table: PayrollFile.Table) -> String {
        if let header = table.header { return "kop:" + header.map { $0.lowercased() }.joined(separator: "|") }
        return "kolommen:\(table.rows.first?.fields.count ?? 0)"
    }

    /// Roles remembered for this kind of file, else guessed from the header.
    public func suggestedRoles(administrationId: AdministrationID, table: PayrollFile.Table) -> [PayrollColumnRole] {
        let width = table.rows.first?.fields.count ?? 0
        if let remembered = try? self.database.columnRoles(administrationId: administrationId, signature: Self.signature(table)), remembered.count == width {
            return remembered.map { PayrollColumnRole(rawValue: $0) ?? .ignore }
        }
        guard let header = table.header else {
            // The generic layout: account;description;debit;credit;cost centre
            let generic: [PayrollColumnRole] = [.account, .description, .debit, .credit, .costCenter, .costUnit]
            return (0..<width).map { $0 < generic.count ? generic[$0] : .ignore }
        }
        return header.map(PayrollColumnRole.guess)
    }

    /// Makes the draft. Refuses a file (same content) already imported for the same period.
    public func importFile(
        administrationId: AdministrationID, bytes: [UInt8], table: PayrollFile.Table, roles: [PayrollColumnRole], date: CalendarDate, period: Int,
        description: String, fileName: String
    ) throws(FileImportError) -> EntryID {
        let lines: [PayrollFile.Line]
        do {
            lines = try PayrollFile.lines(table, roles: roles)
        } catch {
            throw .problems(error)
        }
        let reference = "sha256:\(Self.contentHash(bytes)):\(date.year)-\(period)"
        if let existing = try? self.database.entry(administrationId: administrationId, source: .file, reference: reference) {
            throw .alreadyImported(entryId: existing.id!, period: period, year: date.year)
        }
        do {
            let accounts = try self.database.accountLookup(administrationId: administrationId)
            let draft = NewDraft(
                administrationId: administrationId, source: .file, sourceReference: reference,
                description: description.isEmpty ? "Loonjournaal \(date.year) periode \(period < 10 ? "0" : "")\(period) (\(fileName.prefix(80)))" : description,
                entryDate: date, period: period,
                lines: lines.map { line in
                    NewLine(
                        accountId: accounts.account(code: line.account, description: nil), description: line.description, costCenter: line.costCenter, costUnit: line.costUnit,
                        debit: line.debit, credit: line.credit,
                        original: NewLine.Original(
                            accountCode: line.account, accountDescription: line.description, costCenter: line.costCenter, costUnit: line.costUnit,
                            component: "bestandsregel \(line.fileLine)", debit: line.debit, credit: line.credit
                        )
                    )
                }
            )
            let (entryId, created) = try self.database.insertImportedDraft(draft, at: self.now())
            if !created { throw FileImportError.alreadyImported(entryId: entryId, period: period, year: date.year) }
            try? self.database.rememberColumnRoles(administrationId: administrationId, signature: Self.signature(table), roles: roles.map(\.rawValue), at: self.now())
            return entryId
        } catch let error as FileImportError {
            throw error
        } catch EntryError.beyondLimits(let reason) {
            throw .problems(ImportErrors(line: nil, reason))
        } catch {
            throw .problems(ImportErrors(line: nil, "Het concept kon niet worden opgeslagen; er is niets geïmporteerd."))
        }
    }
}
