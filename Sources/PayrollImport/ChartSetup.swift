import Foundation
import Ledger
import Storage

/// Set-up for an office with many administrations: one chart applied to many at once, the
/// office's default chart for new ones, mappings copied between administrations, and the one
/// screen per administration that settles every unknown Loket account of its drafts.
extension Bookkeeping {
    /// Where the accounts to apply come from.
    public enum ChartSource: Sendable {
        case template(ChartTemplate)
        /// A chart file (`nummer;naam;soort[;RGS]`), already read.
        case file(name: String, accounts: [ChartAccount])
    }

    public struct ChartApplied: Equatable, Sendable {
        public let administrations: Int
        public let accountsAdded: Int
        /// Administrations that had every account already.
        public let unchanged: Int
    }

    public enum ChartSetupError: Error, Equatable {
        case noAdministrations
        case emptyChart
    }

    /// Adds the chart's accounts each administration lacks (existing numbers stay as they are)
    /// and re-checks their drafts; all administrations or none.
    public func applyChart(_ source: ChartSource, to administrations: [AdministrationID]) throws -> ChartApplied {
        guard !administrations.isEmpty else { throw ChartSetupError.noAdministrations }
        let accounts: [ChartAccount]
        let name: String
        switch source {
        case .template(let template):
            accounts = try self.database.chartAccounts(of: template)
            name = try self.database.chartTemplateName(template)
        case .file(let file, let parsed):
            accounts = parsed
            name = file.isEmpty ? "een CSV-bestand" : file
        }
        guard !accounts.isEmpty else { throw ChartSetupError.emptyChart }
        let added = try self.database.applyChart(accounts, to: administrations, source: name, at: self.now())
        return ChartApplied(
            administrations: administrations.count,
            accountsAdded: added.values.reduce(0, +),
            unchanged: added.values.filter { $0 == 0 }.count
        )
    }

    public func setDefaultChart(_ template: ChartTemplate) throws {
        try self.database.setDefaultChart(template, at: self.now())
    }

    /// Copies one administration's mappings to others (by account number); returns copied and
    /// skipped (the target has no account with that number) over all targets.
    public func copyMappings(from source: AdministrationID, to targets: [AdministrationID]) throws -> (copied: Int, skipped: Int) {
        guard !targets.isEmpty else { throw ChartSetupError.noAdministrations }
        let result = try self.database.copyMappings(from: source, to: targets, at: self.now())
        return (result.values.map(\.copied).reduce(0, +), result.values.map(\.skipped).reduce(0, +))
    }

    // MARK: - Unknown Loket accounts

    /// One unknown Loket account with what the screen proposes for it.
    public struct UnknownAccountProposal: Equatable, Sendable {
        public enum Proposal: Equatable, Sendable {
            /// Book on this existing account.
            case existing(accountId: Int64, label: String)
            /// Create an account with Loket's number and name.
            case create(ChartAccount)
        }

        public let account: UnknownAccount
        public let proposal: Proposal
        /// An account with Loket's number exists but is called otherwise: the user confirms
        /// once (the choice is remembered).
        public let nameDiffers: String?
        /// Whether an account with Loket's number can still be created here.
        public let numberIsFree: Bool
    }

    /// Every unknown Loket account of the administration's drafts, with a proposal: the
    /// account with the same number (a warning when the names differ), else the account whose
    /// name is most alike, else a new account typed by its number (0–3 balance, 4–9 P&L).
    public func unknownAccountProposals(administrationId: AdministrationID) throws -> [UnknownAccountProposal] {
        let unknown = try self.database.unknownAccounts(administrationId: administrationId)
        guard !unknown.isEmpty else { return [] }
        let accounts = try self.database.accounts(administrationId: administrationId)
        let byNumber = Dictionary(accounts.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        let active = accounts.filter(\.isActive).map { ($0, AccountMatching.words($0.name)) }
        return unknown.map { item in
            if let same = byNumber[item.code] {
                let differs =
                    AccountMatching.namesAgree(item.description, same.name)
                    ? nil
                    : "Rekening \(same.number) heet hier \u{201C}\(same.name)\u{201D}, in Loket \u{201C}\(item.description)\u{201D}. Kies bewust: dezelfde rekening, of een andere."
                return UnknownAccountProposal(
                    account: item, proposal: .existing(accountId: same.id!, label: "\(same.number) \(same.name)"), nameDiffers: differs, numberIsFree: false
                )
            }
            let words = AccountMatching.words(item.description)
            let best = active.map { ($0.0, AccountMatching.similarity(words: words, $0.1)) }.max { $0.1 < $1.1 }
            if let (account, score) = best, score >= 0.5 {
                return UnknownAccountProposal(
                    account: item, proposal: .existing(accountId: account.id!, label: "\(account.number) \(account.name)"), nameDiffers: nil,
                    numberIsFree: (try? AccountRules.number(item.code)) != nil
                )
            }
            let name = TextRules.cleaned(item.description.isEmpty ? "Loket-rekening \(item.code)" : item.description, max: AccountRules.maxNameLength)
            return UnknownAccountProposal(
                account: item, proposal: .create(ChartAccount(number: item.code, name: name, type: AccountMatching.proposedType(number: item.code))),
                nameDiffers: nil, numberIsFree: (try? AccountRules.number(item.code)) != nil
            )
        }
    }

    /// Applies every decision of the screen in one transaction; returns how many drafts changed.
    public func resolveUnknownAccounts(administrationId: AdministrationID, _ decisions: [UnknownAccountDecision]) throws -> Int {
        try self.database.resolveUnknownAccounts(administrationId: administrationId, decisions, at: self.now())
    }
}
