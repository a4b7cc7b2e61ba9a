import Foundation

/// Injected misbehaviour, e.g. `5xx=0.2,429=0.1,stall=0.05,token-ttl=30,malformed=0.01`.
public struct SandboxFaults: Sendable, Equatable {
    public var serverError: Double = 0
    public var tooManyRequests: Double = 0
    public var stall: Double = 0
    public var malformed: Double = 0
    /// Access-token lifetime in seconds, overriding the default 3599.
    public var tokenTTL: Int?
    /// How long a stalled response waits before answering.
    public var stallSeconds: Double = 30

    public init() {}

    public enum ParseError: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self {
            case .invalid(let part):
                "Onbekende storing \u{201C}\(part)\u{201D}. Gebruik bijvoorbeeld 5xx=0.2,429=0.1,stall=0.05,token-ttl=30,malformed=0.01"
            }
        }
    }

    public static func parse(_ spec: String) throws -> SandboxFaults {
        var faults = SandboxFaults()
        for part in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, let value = Double(pair[1]), value >= 0 else { throw ParseError.invalid(part) }
            switch pair[0] {
            case "5xx": faults.serverError = value
            case "429": faults.tooManyRequests = value
            case "stall": faults.stall = value
            case "malformed": faults.malformed = value
            case "token-ttl": faults.tokenTTL = Int(value)
            case "stall-seconds": faults.stallSeconds = value
            default: throw ParseError.invalid(part)
            }
            if ["5xx", "429", "stall", "malformed"].contains(pair[0]) && value > 1 { throw ParseError.invalid(part) }
        }
        return faults
    }
}

/// SplitMix64: a seeded generator, so fault runs can be repeated.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
