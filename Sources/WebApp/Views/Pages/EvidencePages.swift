/// The "Bijlagen" section of the entry page.
struct EvidenceSection: Sendable {
    struct Item: Sendable {
        let id: Int64
        let name: String
        let kind: String
        let size: String
        let hash: String
        let fullHash: String
        let added: String
        let openLink: Route
        let tableLink: Route?
        let isDownload: Bool
        let removeLink: Route?
    }
    struct Pending: Sendable {
        let kind: String
        let attempts: Int
        let state: String
        let error: String?
        let lastAttempt: String?
    }
    let items: [Item]
    let pending: [Pending]
    let canFetch: Bool
    let canAdd: Bool
    let isBooked: Bool
    let maxSize: String
}

/// A CSV attachment shown as a table.
struct AttachmentTablePage: Sendable {
    let layout: Layout
    let title: String
    let kind: String
    let entryLabel: String
    let entryLink: Route
    let downloadLink: Route
    let headerHTML: SafeHTML
    let rowsHTML: SafeHTML
    let rowCount: String
    let truncated: Bool
}
