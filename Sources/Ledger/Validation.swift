import Foundation

/// A problem with one field of user input, phrased in Dutch for the bookkeeper.
public struct FieldError: Error, Equatable, Sendable {
    /// The form field (or CSV column) the message belongs to.
    public let field: String
    /// The Dutch message shown next to the field.
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// All problems found in one piece of input; never empty when thrown.
public struct ValidationErrors: Error, Equatable, Sendable {
    public let errors: [FieldError]

    public init(_ errors: [FieldError]) {
        self.errors = errors
    }

    /// The message for one field, if any.
    public func message(for field: String) -> String? {
        self.errors.first { $0.field == field }?.message
    }
}

/// Collects field errors while a form is checked, then throws them all at once.
public struct ValidationCollector: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func add(_ field: String, _ message: String) {
        self.errors.append(FieldError(field: field, message: message))
    }

    /// Runs a check and records its error instead of throwing; returns the value on success.
    public mutating func check<T>(_ field: String, _ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let error as FieldError {
            self.errors.append(FieldError(field: field, message: error.message))
        } catch let error as ValidationErrors {
            self.errors.append(contentsOf: error.errors)
        } catch {
            self.add(field, "Ongeldige invoer.")
        }
        return nil
    }

    public func throwIfAny() throws {
        if !self.errors.isEmpty { throw ValidationErrors(self.errors) }
    }
}

extension String {
    /// The string with leading and trailing white space (including non-breaking spaces) removed.
    public var trimmedForInput: String {
        self.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// True when every character is an ASCII digit (and there is at least one).
    var isAllASCIIDigits: Bool {
        !self.isEmpty && self.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}

/// Text as the database and the XAF schema see it. The database's CHECK constraints count
/// Unicode scalars (SQLite's `length()` counts code points, and stops at NUL); XML 1.0 allows no
/// control characters but tab, line feed and carriage return, and neither U+FFFE nor U+FFFF.
/// Forms refuse such text with a message; text from outside (Loket, files) that we keep anyway
/// is cleaned by `cleaned`; the XAF and CSV writers strip what is left, as a last guard.
public enum TextRules {
    /// The length in the unit of the CHECK constraints.
    public static func length(_ text: String) -> Int { text.unicodeScalars.count }

    /// True for a scalar XML 1.0 does not allow at all.
    public static func isNotXML(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: false
        case 0..<0x20, 0xFFFE, 0xFFFF: true
        default: false
        }
    }

    /// True for a scalar that has no place in a one-line field: every control character
    /// (including tab and new line, and DEL…U+009F) and what XML 1.0 does not allow.
    public static func isForbiddenInLine(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || self.isNotXML(scalar)
    }

    /// The first forbidden scalar of a one-line text, if any.
    public static func forbiddenScalar(_ text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first(where: self.isForbiddenInLine)
    }

    /// `U+FFFF` — how a forbidden character is named in a message.
    public static func name(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Checks a one-line text field (after trimming): no forbidden character, at most `max`
    /// scalars. `what` names the field in the message ("De omschrijving"). Returns the trimmed text.
    public static func line(_ raw: String, max: Int, what: String, field: String) throws(FieldError) -> String {
        let value = raw.trimmedForInput
        if let scalar = self.forbiddenScalar(value) {
            throw FieldError(field: field, message: "\(what) bevat een onzichtbaar of ongeldig teken (\(self.name(scalar))); haal het weg.")
        }
        let length = self.length(value)
        if length > max {
            let note = length != value.count ? " Letters met accenten en emoji tellen soms als meer dan één teken." : ""
            throw FieldError(field: field, message: "\(what) is te lang (\(length) tekens; maximaal \(max)).\(note)")
        }
        return value
    }

    /// The message for a one-line field, or nil when it is fine.
    public static func lineProblem(_ raw: String, max: Int, what: String) -> String? {
        do {
            _ = try self.line(raw, max: max, what: what, field: "")
            return nil
        } catch {
            return error.message
        }
    }

    /// Text from outside kept as far as it fits: forbidden scalars replaced by a space, then
    /// at most `max` scalars, cut at a character boundary (never inside an emoji or accent).
    public static func cleaned(_ text: String, max: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { scalars.append(self.isForbiddenInLine(scalar) ? " " : scalar) }
        let clean = String(scalars).trimmedForInput
        guard self.length(clean) > max else { return clean }
        var result = ""
        var used = 0
        for character in clean {
            let size = character.unicodeScalars.count
            if used + size > max { break }
            result.append(character)
            used += size
        }
        return result
    }

    /// What XML 1.0 allows of a text (for the writers): disallowed scalars removed.
    public static func xmlSafe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: self.isNotXML) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !self.isNotXML(scalar) { scalars.append(scalar) }
        return String(scalars)
    }
}
