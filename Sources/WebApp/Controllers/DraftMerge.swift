import Foundation
import Ledger
import Storage

/// Two tabs saved the same draft: a three-way merge of what this tab posted ("mine"), what is
/// stored now ("theirs") and what this tab started from ("base", carried by the form as
/// fingerprints per field). A field only one side changed takes that side's value, so both
/// changes survive — also two different fields of one line; a field both changed differently is
/// a conflict the user decides per field.
struct DraftMerge {
    struct Conflict: Sendable, Equatable {
        /// `description`, `entryDate`, `period`, or `line_<lineId>_<field>`.
        let key: String
        let label: String
        let mine: String
        let theirs: String
        /// The user may take the other tab's value (otherwise it is only told).
        var choosable = true
    }

    /// The fields of a line that merge on their own.
    enum LineField: String, CaseIterable {
        case account, description, costCenter, costUnit, amount

        var label: String {
            switch self {
            case .account: "rekening"
            case .description: "omschrijving"
            case .costCenter: "kostenplaats"
            case .costUnit: "kostendrager"
            case .amount: "bedrag"
            }
        }
    }

    var description: String
    var entryDate: String
    var period: String
    var lines: [EditableLine]
    var conflicts: [Conflict]

    /// The values of a line per field, as compared (and as `base_N` carries them, hashed).
    static func values(_ line: EditableLine) -> [LineField: String] {
        [
            .account: String(line.accountId ?? -1), .description: line.description, .costCenter: line.costCenter, .costUnit: line.costUnit,
            .amount: "\(line.debit.cents)|\(line.credit.cents)",
        ]
    }

    /// The form's `base_N`: one short hash per field, dot-separated.
    static func fingerprint(_ row: EntryLineRow) -> String { self.fingerprint(EditableLine(row)) }

    static func fingerprint(_ line: EditableLine) -> String {
        let values = self.values(line)
        return LineField.allCases.map { self.hash(values[$0] ?? "") }.joined(separator: ".")
    }

    /// FNV-1a (64 bit) of a value; only compared, never trusted for anything else.
    static func hash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16)
    }

    static func describe(_ line: EditableLine, accounts: [Int64: LedgerAccountRecord]) -> String {
        [Self.show(.account, line, accounts), line.description, Self.show(.amount, line, accounts)].filter { !$0.isEmpty }.joined(separator: " · ")
    }

    /// One field of a line as the bookkeeper reads it.
    static func show(_ field: LineField, _ line: EditableLine, _ accounts: [Int64: LedgerAccountRecord]) -> String {
        switch field {
        case .account: line.accountId.flatMap { accounts[$0] }.map { "\($0.number) \($0.name)" } ?? "(geen rekening)"
        case .description: line.description.isEmpty ? "(leeg)" : line.description
        case .costCenter: line.costCenter.isEmpty ? "(leeg)" : line.costCenter
        case .costUnit: line.costUnit.isEmpty ? "(leeg)" : line.costUnit
        case .amount: line.debit.isZero ? "credit \(line.credit.dutch)" : "debet \(line.debit.dutch)"
        }
    }

    /// Sets one field of `line` to the value `source` has.
    static func take(_ field: LineField, from source: EditableLine, into line: inout EditableLine) {
        switch field {
        case .account:
            line.accountId = source.accountId
            line.accountText = nil
        case .description: line.description = source.description
        case .costCenter: line.costCenter = source.costCenter
        case .costUnit: line.costUnit = source.costUnit
        case .amount:
            (line.debit, line.credit) = (source.debit, source.credit)
            (line.debitText, line.creditText) = (source.debitText, source.creditText)
        }
    }

    /// Whether a post with an old version is an honest earlier page of this entry, which can be
    /// merged: a version this entry had, the header's base, and every line it was rendered with
    /// (kept or removed) with its base. Anything else (a cut-off form, a made-up version) is a
    /// plain conflict: nothing is saved.
    static func canMerge(_ posted: ParsedEntryForm, form: FormData, currentVersion: Int) -> Bool {
        guard let version = Int(form["version"]), version >= 1, version < currentVersion,
            form.has("base_description"), form.has("base_entryDate"), form.has("base_period"),
            let baseCount = Int(form["base_line_count"])
        else { return false }
        let kept = posted.lines.filter { $0.lineId != nil }
        let ids = Set(kept.compactMap(\.lineId)).union(posted.removed.map(\.id))
        return ids.count == baseCount && kept.allSatisfy { !($0.base ?? "").isEmpty } && posted.removed.allSatisfy { !$0.base.isEmpty }
    }

    /// `posted` was parsed without requiring every stored line (the other tab may have added or
    /// deleted some); `posted.removed` are the stored lines this tab removed, with their base.
    static func merge(
        posted: ParsedEntryForm, form: FormData, entry: JournalEntryRecord, stored: [EntryLineRow], accounts: [Int64: LedgerAccountRecord]
    ) -> DraftMerge {
        var conflicts: [Conflict] = []
        func field(_ key: String, _ label: String, mine: String, theirs: String) -> String {
            let base = form["base_\(key)"]
            // Chosen on an earlier merge panel: the other's value, whatever it has become since.
            if form["take_\(key)"] == "theirs" { return theirs }
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
        for var line in posted.lines {
            guard let lineId = line.lineId else {
                lines.append(line)  // new in this tab
                continue
            }
            let base = (line.base ?? "").split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let mine = Self.fingerprint(line)
            guard let row = storedById[lineId] else {
                // Deleted in the other tab: gone, unless this tab changed it (then kept as a new line).
                if mine != line.base {
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
            if line.errors["account"] == "Deze regel hoort niet bij deze boeking; laad de pagina opnieuw." { line.errors["account"] = nil }
            let theirs = EditableLine(row)
            var merged = line
            merged.original = row
            let mineValues = Self.values(line), theirValues = Self.values(theirs)
            for (index, field) in LineField.allCases.enumerated() {
                let baseHash = index < base.count ? base[index] : ""
                let mineHash = Self.hash(mineValues[field] ?? ""), theirHash = Self.hash(theirValues[field] ?? "")
                let takesTheirs = form["take_line_\(lineId)_\(field.rawValue)"] == "theirs"
                if takesTheirs || mineHash == baseHash || mineValues[field] == theirValues[field] {
                    Self.take(field, from: theirs, into: &merged)
                    if field == .account { merged.errors["account"] = nil }
                    if field == .amount { merged.errors["debit"] = nil; merged.errors["credit"] = nil }
                } else if theirHash != baseHash {
                    conflicts.append(
                        Conflict(
                            key: "line_\(lineId)_\(field.rawValue)", label: "Regel \(row.position) – \(field.label)",
                            mine: Self.show(field, line, accounts), theirs: Self.show(field, theirs, accounts)
                        )
                    )
                }
            }
            lines.append(merged)
        }
        for removed in posted.removed {
            guard let row = storedById[removed.id] else { continue }  // deleted there too
            guard Self.fingerprint(row) != removed.base else {
                // Removed here, untouched there: removed (and shown ticked if the page comes back).
                var line = EditableLine(row)
                line.removed = true
                lines.append(line)
                continue
            }
            // Removed here; changed in the other tab meanwhile: kept, and the user is told.
            conflicts.append(
                Conflict(
                    key: "removed_\(removed.id)", label: "Regel \(row.position) (door u verwijderd, intussen gewijzigd)", mine: "verwijderd",
                    theirs: Self.describe(EditableLine(row), accounts: accounts), choosable: false
                )
            )
            lines.append(EditableLine(row))
        }
        // Added in the other tab: kept.
        for row in stored where !postedIds.contains(row.id) {
            lines.append(EditableLine(row))
        }
        return DraftMerge(description: description, entryDate: entryDate, period: period, lines: lines, conflicts: conflicts)
    }
}
