import Storage

import Foundation
import Ledger

/// What every page's frame needs: title, navigation state, one-time messages and the CSRF token
/// for its forms.
struct Layout: Sendable {
    let title: String
    let signedIn: Bool
    let csrfToken: String
    let flash: [FlashView]
    let section: String
    /// The administration whose sub-navigation is shown, if any.
    let administration: AdministrationHeader?
    // Stored (not computed) so that the templates can see them.
    let isDashboard: Bool
    let isAdministrations: Bool
    let isLoket: Bool
    let isMonthEnd: Bool
    let isYearEnd: Bool
    /// The app's own paths for links and forms: `{{layout.paths.sync}}`.
    let paths = AppPaths()

    init(title: String, signedIn: Bool, csrfToken: String, flash: [FlashView], section: String, administration: AdministrationHeader?) {
        self.title = title
        self.signedIn = signedIn
        self.csrfToken = csrfToken
        self.flash = flash
        self.section = section
        self.administration = administration
        self.isDashboard = section == "dashboard"
        self.isAdministrations = section == "administrations"
        self.isLoket = section == "loket"
        self.isMonthEnd = section == "monthEnd"
        self.isYearEnd = section == "yearEnd"
    }

    static func plain(title: String) -> Layout {
        Layout(title: title, signedIn: false, csrfToken: "", flash: [], section: "", administration: nil)
    }
}

struct FlashView: Sendable {
    let kind: String
    let text: String
}

/// Code and name of the administration a page is about, for the header and sub-navigation.
struct AdministrationHeader: Sendable {
    let id: AdministrationID
    let code: String
    let name: String
    let onOverview: Bool
    let onAccounts: Bool
    let onRuns: Bool
    let onEntries: Bool
    let onSettings: Bool
    let onLedger: Bool
    let onYearEnd: Bool
}

/// One input of a form: what was typed and the message for it, if any.
struct FieldView: Sendable {
    let value: String
    let error: String?

    init(_ value: String, _ errors: ValidationErrors?, _ name: String) {
        self.value = value
        self.error = errors?.message(for: name)
    }
}

/// Dutch formatting of dates and times for pages (Europe/Amsterdam).
enum DutchFormat {
    static let timeZone = TimeZone(identifier: "Europe/Amsterdam") ?? .current

    /// `31-01-2026 14:05`
    static func dateTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = self.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%02d-%02d-%04d %02d:%02d", c.day ?? 0, c.month ?? 0, c.year ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// A sentence ending in one full stop, also after a name that ends in one ("… B.V.").
    static func sentence(_ text: String) -> String {
        text.hasSuffix(".") ? text : text + "."
    }

    /// `1.234` for counts.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, char) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(".") }
            result.append(char)
        }
        return value < 0 ? "-" + result : result
    }
}
