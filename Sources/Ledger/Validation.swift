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

    /// True when the text holds control characters other than tab (never valid in a name).
    var containsControlCharacters: Bool {
        self.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
