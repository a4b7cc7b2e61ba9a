import Foundation

/// The fields of a posted form (`application/x-www-form-urlencoded` or `multipart/form-data`).
public struct FormData: Sendable {
    /// Text fields in order, as posted.
    public private(set) var fields: [(name: String, value: String)] = []
    /// Uploaded files by field name.
    public private(set) var files: [String: UploadedFile] = [:]
    /// Where each name first occurs in `fields`: the draft editor reads ~8 fields for each of up
    /// to 10.000 lines, so a lookup must not walk the whole form.
    private var firstIndex: [String: Int] = [:]

    public init() {}

    /// The first value of a field, or "" when absent.
    public subscript(_ name: String) -> String {
        self.firstIndex[name].map { self.fields[$0].value } ?? ""
    }

    public func has(_ name: String) -> Bool {
        self.firstIndex[name] != nil
    }

    /// All values of a repeated field.
    public func values(_ name: String) -> [String] {
        self.fields.filter { $0.name == name }.map(\.value)
    }

    mutating func append(_ name: String, _ value: String) {
        if self.firstIndex[name] == nil { self.firstIndex[name] = self.fields.count }
        self.fields.append((name, value))
    }

    mutating func attach(_ file: UploadedFile, as name: String) {
        self.files[name] = file
    }

    /// Parses `a=1&b=two+words`; invalid percent escapes are kept as typed.
    public static func urlEncoded(_ body: String) -> FormData {
        var form = FormData()
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = self.decode(parts[0])
            let value = parts.count > 1 ? self.decode(parts[1]) : ""
            form.append(name, value)
        }
        return form
    }

    static func decode(_ part: Substring) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

/// A file from a multipart form.
public struct UploadedFile: Sendable {
    public let filename: String
    public let contentType: String?
    public let bytes: [UInt8]
}

/// A minimal `multipart/form-data` reader (RFC 7578) for our own upload forms.
enum MultipartParser {
    enum Failure: Error { case malformed }

    /// The boundary from a `multipart/form-data; boundary=…` content type.
    static func boundary(from contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.count > 200 ? nil : value
        }
        return nil
    }

    static func parse(_ body: [UInt8], boundary: String) throws(Failure) -> FormData {
        let delimiter = Array("--\(boundary)".utf8)
        var form = FormData()
        var positions: [Int] = []
        var searchFrom = 0
        while let found = self.find(delimiter, in: body, from: searchFrom) {
            positions.append(found)
            searchFrom = found + delimiter.count
        }
        guard positions.count >= 2 else { throw .malformed }
        for (start, end) in zip(positions, positions.dropFirst()) {
            var partStart = start + delimiter.count
            // Skip the CRLF after the delimiter line.
            if partStart + 1 < body.count, body[partStart] == 0x0D, body[partStart + 1] == 0x0A { partStart += 2 }
            var partEnd = end
            if partEnd >= 2, body[partEnd - 2] == 0x0D, body[partEnd - 1] == 0x0A { partEnd -= 2 }
            guard partStart <= partEnd else { throw .malformed }
            let part = Array(body[partStart..<partEnd])
            guard let headerEnd = self.find([0x0D, 0x0A, 0x0D, 0x0A], in: part, from: 0) else { throw .malformed }
            let headerText = String(decoding: part[..<headerEnd], as: UTF8.self)
            let content = Array(part[(headerEnd + 4)...])
            var name: String?
            var filename: String?
            var contentType: String?
            for line in headerText.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    name = self.parameter("name", in: line)
                    filename = self.parameter("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    contentType = String(line.dropFirst("content-type:".count)).trimmingCharacters(in: .whitespaces)
                }
            }
            guard let name else { throw .malformed }
            if let filename {
                form.attach(UploadedFile(filename: filename, contentType: contentType, bytes: content), as: name)
            } else {
                form.append(name, String(decoding: content, as: UTF8.self))
            }
        }
        return form
    }

    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
