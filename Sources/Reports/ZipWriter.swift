import Foundation

/// Writes a ZIP archive (stored, not compressed: PDFs and images are compressed already) to a
/// sink, entry by entry, with the central directory at the end. File names are UTF-8. Refuses
/// what needs ZIP64 (an entry or the archive beyond 4 GB, more than 65,535 entries) instead of
/// writing a broken archive.
public final class ZipWriter {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooLarge
        case badName(String)

        public var description: String {
            switch self {
            case .tooLarge: "het zip-bestand zou groter worden dan 4 GB of meer dan 65.535 bestanden bevatten"
            case .badName(let name): "ongeldige bestandsnaam in het zip-bestand: \(name)"
            }
        }
    }

    private struct Central {
        let name: [UInt8]
        let crc: UInt32
        let size: UInt32
        let offset: UInt32
    }

    private let sink: ([UInt8]) throws -> Void
    private var offset: UInt64 = 0
    private var entries: [Central] = []
    private var names: Set<String> = []
    /// MS-DOS time and date of every entry (the export's moment).
    private let dosTime: UInt16
    private let dosDate: UInt16

    public init(date: Date, sink: @escaping ([UInt8]) throws -> Void) {
        self.sink = sink
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Amsterdam") ?? .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        self.dosTime = UInt16((c.hour ?? 0) << 11 | (c.minute ?? 0) << 5 | (c.second ?? 0) / 2)
        self.dosDate = UInt16(max(0, min(127, (c.year ?? 1980) - 1980)) << 9 | (c.month ?? 1) << 5 | (c.day ?? 1))
    }

    /// Adds one file. `name` uses `/` between folders; no leading `/`, no `..`.
    public func add(name: String, bytes: [UInt8]) throws {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.split(separator: "/").contains(".."), !self.names.contains(name), name.utf8.count < 65_535 else {
            throw Failure.badName(name)
        }
        guard bytes.count < Int(UInt32.max), self.entries.count < 65_535 else { throw Failure.tooLarge }
        let nameBytes = Array(name.utf8)
        let header = UInt64(30 + nameBytes.count)
        guard self.offset + header + UInt64(bytes.count) < UInt64(UInt32.max) else { throw Failure.tooLarge }
        let crc = CRC32.checksum(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(30 + nameBytes.count)
        out += Self.le32(0x0403_4b50)
        out += Self.le16(20)  // version needed: 2.0
        out += Self.le16(0x0800)  // flags: UTF-8 names
        out += Self.le16(0)  // stored
        out += Self.le16(self.dosTime) + Self.le16(self.dosDate)
        out += Self.le32(crc) + Self.le32(UInt32(bytes.count)) + Self.le32(UInt32(bytes.count))
        out += Self.le16(UInt16(nameBytes.count)) + Self.le16(0)
        out += nameBytes
        try self.sink(out)
        try self.sink(bytes)
        self.entries.append(Central(name: nameBytes, crc: crc, size: UInt32(bytes.count), offset: UInt32(self.offset)))
        self.names.insert(name)
        self.offset += header + UInt64(bytes.count)
    }

    /// Writes the central directory and the end record.
    public func finish() throws {
        var directory: [UInt8] = []
        for entry in self.entries {
            directory += Self.le32(0x0201_4b50)
            directory += Self.le16(0x0314)  // made by: Unix, 2.0
            directory += Self.le16(20) + Self.le16(0x0800) + Self.le16(0)
            directory += Self.le16(self.dosTime) + Self.le16(self.dosDate)
            directory += Self.le32(entry.crc) + Self.le32(entry.size) + Self.le32(entry.size)
            directory += Self.le16(UInt16(entry.name.count)) + Self.le16(0) + Self.le16(0)
            directory += Self.le16(0) + Self.le16(0)
            directory += Self.le32(0o100600 << 16)  // external attributes: a regular file, 0600
            directory += Self.le32(entry.offset)
            directory += entry.name
        }
        guard self.offset + UInt64(directory.count) < UInt64(UInt32.max) else { throw Failure.tooLarge }
        var end: [UInt8] = Self.le32(0x0605_4b50) + Self.le16(0) + Self.le16(0)
        end += Self.le16(UInt16(self.entries.count)) + Self.le16(UInt16(self.entries.count))
        end += Self.le32(UInt32(directory.count)) + Self.le32(UInt32(self.offset)) + Self.le16(0)
        try self.sink(directory)
        try self.sink(end)
        self.offset += UInt64(directory.count + end.count)
    }

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    static func le32(_ value: UInt32) -> [UInt8] { [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)] }
}

/// CRC-32 (IEEE 802.3), as ZIP uses it.
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = self.table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
