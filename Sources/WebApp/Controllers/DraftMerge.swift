import Foundation
import Ledger
import Storage

/// Two tabs saved the same draft: a three-way merge of what this tab posted ("mine"), what is
/// stored now ("theirs") and what this tab started from ("base", carried by the form as
/// fingerprints). A field only one side changed takes that side's value, so both changes
/// survive; a field both changed differently is a conflict the user decides per field.
struct DraftMerge {
    struct Conflict: Sendable, Equatable {
        /// `description`, `entryDate`, `period`, or `line_<lineId>`.
        let key: String
        let label: String
        let mine: String
        let theirs: String
        /// The user may take the other tab's value (otherwise it is only told).
        var choosable = true
    }

    var description: String
    var entryDate: String
    var period: String
    var lines: [EditableLine]
    var conflicts: [Conflict]
    /// Lines the other tab deleted that this tab had not changed: dropped.
    var droppedLines: Int

    /// The stored line's values, as the form's `base_N` field carries them.
    static func fingerprint(_ row: EntryLineRow) -> String {
        self.fingerprint(accountId: row.accountId, description: row.description, costCenter: row.costCenter ?? "", costUnit: row.costUnit ?? "", debit: row.debitCents, credit: row.creditCents)
    }

    static func fingerprint(_ line: EditableLine) -> String {
        self.fingerprint(accountId: line.accountId, description: line.description, costCenter: line.costCenter, costUnit: line.costUnit, debit: line.debit.cents, credit: line.credit.cents)
    }

    /// FNV-1a (64 bit) of the values; only compared, never trusted for anything else.
    static func fingerprint(accountId: Int64?, description: String, costCenter: String, costUnit: String, debit: Int64, credit: Int64) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(accountId ?? -1)\u{1F}\(description)\u{1F}\(costCenter)\u{1F}\(costUnit)\u{1F}\(debit)\u{1F}\(credit)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16)
    }

    static func describe(_ line: EditableLine, accounts: [Int64: LedgerAccountRecord]) -> String {
        let account = line.accountId.flatMap { accounts[$0] }.map { "\($0.number) \($0.name)" } ?? "(geen rekening)"
        let amount = line.debit.isZero ? "credit \(line.credit.dutch)" : "debet \(line.debit.dutch)"
        return [account, line.description, amount].filter { !$0.isEmpty }.joined(separator: " · ")
    }

    /// `posted` was parsed without requiring every stored line (the other tab may have added or
    /// deleted some); `removed` are the stored lines this tab removed, with their base.
    static func merge(
        posted: ParsedEntryForm, form: FormData, entry: JournalEntryRecord, stored: [EntryLineRow], accounts: [Int64: LedgerAccountRecord]
    ) -> DraftMerge {
        var conflicts: [Conflict] = []
        func field(_ key: String, _ label: String, mine: String, theirs: String) -> String {
            let base = form["base_\(key)"]
            if mine == base || mine == theirs { return theirs }
            if theirs == base { return mine }
            conflicts.append(Conflict(key: key, label: label, mine: mine, theirs: theirs))
            return mine
        }
        let description = field("description", "Omschrijving", mine: posted.descriptionText.trimmedForInput, theirs: entry.description)
        let entryDate = field("entryDate", "Boekdatum", mine: posted.dateText.trimmedForInput, theirs: entry.date?.dutch ?? entry.entryDate)
        let period = field("period", "Periode", mine: posted.periodText, theirs: String(entry.period))

        let storedById = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let postedIds = Set(posted.lines.compactMap(\.lineId)).union(posted.removed.map(\.id))
        var lines: [EditableLine] = []
        var dropped = 0
        for var line in posted.lines {
            guard let lineId = line.lineId else {
                lines.append(line)  // new in this tab
                continue
            }
            let base = line.base ?? ""
            let mine = Self.fingerprint(line)
            guard let theirs = storedById[lineId] else {
                // Deleted in the other tab: gone, unless this tab changed it (then kept as a new line).
                if mine == base {
                    dropped += 1
                } else {
                    line.lineId = nil
                    line.original = nil
                    line.errors = [:]
                    conflicts.append(
                        Conflict(
                            key: "deleted_\(lineId)", label: "Een regel die u wijzigde", mine: Self.describe(line, accounts: accounts),
                            theirs: "verwijderd in het andere venster (uw regel blijft, als nieuwe regel)", choosable: false
                        )
                    )
                    lines.append(line)
                }
                continue
            }
            line.errors["account"] = line.errors["account"] == "Deze regel hoort niet bij deze boeking; laad de pagina opnieuw." ? nil : line.errors["account"]
            line.original = theirs
            let theirsPrint = Self.fingerprint(theirs)
            if mine == base || mine == theirsPrint {
                lines.append(EditableLine(theirs))
            } else if theirsPrint == base {
                lines.append(line)
            } else {
                conflicts.append(
                    Conflict(
                        key: "line_\(lineId)", label: "Regel \(theirs.position)", mine: Self.describe(line, accounts: accounts),
                        theirs: Self.describe(EditableLine(theirs), accounts: accounts)
                    )
                )
                lines.append(line)
            }
        }
        for removed in posted.removed {
            // Removed here; changed in the other tab meanwhile: kept, and the user is told.
            guard let theirs = storedById[removed.id], Self.fingerprint(theirs) != removed.base else { continue }
            conflicts.append(
                Conflict(
                    key: "removed_\(removed.id)", label: "Regel \(theirs.position) (door u verwijderd, intussen gewijzigd)", mine: "verwijderd",
                    theirs: Self.describe(EditableLine(theirs), accounts: accounts), choosable: false
                )
            )
            lines.append(EditableLine(theirs))
        }
        // Added in the other tab: kept.
        for row in stored where !postedIds.contains(row.id) {
            lines.append(EditableLine(row))
        }
        return DraftMerge(description: description, entryDate: entryDate, period: period, lines: lines, conflicts: conflicts, droppedLines: dropped)
    }
}
