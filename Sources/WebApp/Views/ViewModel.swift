import Mustache
import Synchronization

/// Page view models answer the template's lookups themselves. swift-mustache otherwise asks
/// `Mirror` for every name and scans every field of every object on the context stack, which
/// made a 300-line draft page take over a second. The default below reads one field by its
/// remembered position; the hottest row types spell their fields out.
protocol ViewModel: MustacheParent {}

extension ViewModel {
    func child(named name: String) -> Any? {
        FieldPositions.value(named: name, in: self)
    }
}

/// Field positions per view-model type, learned from `Mirror` once.
enum FieldPositions {
    private static let positions = Mutex<[ObjectIdentifier: [String: Int]]>([:])

    static func value<T>(named name: String, in object: T) -> Any? {
        let mirror = Mirror(reflecting: object)
        let key = ObjectIdentifier(T.self)
        let known = self.positions.withLock { $0[key] }
        let map: [String: Int]
        if let known {
            map = known
        } else {
            var learned: [String: Int] = [:]
            for (index, child) in mirror.children.enumerated() {
                if let label = child.label { learned[label] = index }
            }
            self.positions.withLock { $0[key] = learned }
            map = learned
        }
        guard let index = map[name] else { return nil }
        let children = mirror.children
        let value = children[children.index(children.startIndex, offsetBy: index)].value
        if let optional = value as? any OptionalValue { return optional.wrappedValue }
        return value
    }
}

/// Lets a field of optional type read as "absent" when it is nil.
protocol OptionalValue {
    var wrappedValue: Any? { get }
}

extension Optional: OptionalValue {
    var wrappedValue: Any? { self.map { $0 as Any } }
}

// MARK: - Hot rows: spelled out (hundreds or thousands per page)

extension EntryPage.Option: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "value": self.value
        case "label": self.label
        case "selected": self.selected
        default: nil
        }
    }
}

extension DashboardPage.Row: ViewModel {}

// MARK: - Everything else: by remembered position

extension Layout: ViewModel {}
extension FlashView: ViewModel {}
extension AdministrationHeader: ViewModel {}
extension FieldView: ViewModel {}
extension RunsPage: ViewModel {}
extension RunsPage.Row: ViewModel {}
extension EntryPage: ViewModel {}
extension EntryPage.Unmapped: ViewModel {}
extension EntryPage.HistoryRow: ViewModel {}
extension EntryPage.EntryLink: ViewModel {}
extension EntryPage.ReversalProposal: ViewModel {}
extension EntryPage.Conflict: ViewModel {}
extension EvidenceSection: ViewModel {}
extension EntryPage.Rescued: ViewModel {}
extension EvidenceSection.Item: ViewModel {}
extension EvidenceSection.Pending: ViewModel {}
extension AttachmentTablePage: ViewModel {}
extension YearEndPage: ViewModel {}
extension YearEndPage.Row: ViewModel {}
extension YearEndPage.Explanation: ViewModel {}
extension YearEndPage.YearOption: ViewModel {}
extension YearEndSummaryPage: ViewModel {}
extension YearEndSummaryPage.Row: ViewModel {}
extension MappingsPage: ViewModel {}
extension MappingsPage.Row: ViewModel {}
extension EntriesPage: ViewModel {}
extension EntriesPage.Row: ViewModel {}
extension LedgerPage: ViewModel {}
extension LedgerPage.Line: ViewModel {}
extension LedgerPage.Option: ViewModel {}
extension LedgerPage.Export: ViewModel {}
extension AccountCardPage: ViewModel {}
extension AccountCardPage.Line: ViewModel {}
extension TrialBalancePage: ViewModel {}
extension TrialBalancePage.Amounts: ViewModel {}
extension TrialBalancePage.Section: ViewModel {}
extension PeriodsPage: ViewModel {}
extension PeriodsPage.Row: ViewModel {}
extension PayrollFilePage: ViewModel {}
extension PayrollFilePage.Option: ViewModel {}
extension PayrollFilePage.Column: ViewModel {}
extension PayrollFilePage.Row: ViewModel {}
extension LoketPage: ViewModel {}
extension LoketPage.Connection: ViewModel {}
extension LoketPage.EnvironmentOption: ViewModel {}
extension LoketPastePage: ViewModel {}
extension LoketLoginProblemPage: ViewModel {}
extension OAuthContinuePage: ViewModel {}
extension CompanyListPage: ViewModel {}
extension CompanyListPage.Employer: ViewModel {}
extension CompanyListPage.Administration: ViewModel {}
extension CompanyListPage.Choice: ViewModel {}
extension UnlinkConfirmPage: ViewModel {}
extension SignInRequiredPage: ViewModel {}
extension ErrorPage: ViewModel {}
extension DashboardPage: ViewModel {}
extension DashboardPage.Connection: ViewModel {}
extension AdministrationListPage: ViewModel {}
extension AdministrationFormPage: ViewModel {}
extension AdministrationPage: ViewModel {}
extension AdministrationPage.Fact: ViewModel {}
extension AdministrationPage.AuditRow: ViewModel {}
extension AccountsPage: ViewModel {}
extension AccountsPage.Row: ViewModel {}
extension AccountsPage.EncodingOption: ViewModel {}
extension AccountFormPage: ViewModel {}
extension SyncPage: ViewModel {}
extension SyncPage.Progress: ViewModel {}
extension SyncPage.ResultRow: ViewModel {}
extension SyncPage.Summary: ViewModel {}
extension SyncPage.HistoryRow: ViewModel {}
extension SyncPage.DeadConnection: ViewModel {}
extension MonthEndPage: ViewModel {}
extension MonthEndPage.Option: ViewModel {}
extension MonthEndPage.FilterLink: ViewModel {}
extension StartJournalsConfirmPage: ViewModel {}
extension StartJournalsConfirmPage.Item: ViewModel {}
extension WageTaxSection: ViewModel {}
extension EntryWageTaxCheck: ViewModel {}
