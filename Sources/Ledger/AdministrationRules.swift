/// The company data of a local bookkeeping administration, as entered on the form.
public struct AdministrationInput: Equatable, Sendable {
    public var code: String
    public var name: String
    public var fiscalYear: String
    public var chamberOfCommerceNumber: String
    public var vatNumber: String
    public var rsin: String
    public var street: String
    public var postalCode: String
    public var city: String
    public var country: String

    public init(
        code: String = "",
        name: String = "",
        fiscalYear: String = "",
        chamberOfCommerceNumber: String = "",
        vatNumber: String = "",
        rsin: String = "",
        street: String = "",
        postalCode: String = "",
        city: String = "",
        country: String = "NL"
    ) {
        self.code = code
        self.name = name
        self.fiscalYear = fiscalYear
        self.chamberOfCommerceNumber = chamberOfCommerceNumber
        self.vatNumber = vatNumber
        self.rsin = rsin
        self.street = street
        self.postalCode = postalCode
        self.city = city
        self.country = country
    }
}

/// Checked and normalised company data; optional fields are nil when left empty.
public struct AdministrationDetails: Equatable, Sendable {
    public let code: String
    public let name: String
    public let fiscalYear: Int
    public let chamberOfCommerceNumber: String?
    public let vatNumber: String?
    public let rsin: String?
    public let street: String?
    public let postalCode: String?
    public let city: String?
    public let country: String

    public init(
        code: String,
        name: String,
        fiscalYear: Int,
        chamberOfCommerceNumber: String? = nil,
        vatNumber: String? = nil,
        rsin: String? = nil,
        street: String? = nil,
        postalCode: String? = nil,
        city: String? = nil,
        country: String = "NL"
    ) {
        self.code = code
        self.name = name
        self.fiscalYear = fiscalYear
        self.chamberOfCommerceNumber = chamberOfCommerceNumber
        self.vatNumber = vatNumber
        self.rsin = rsin
        self.street = street
        self.postalCode = postalCode
        self.city = city
        self.country = country
    }
}

/// Validation of administrations: every problem of a form is reported at once.
public enum AdministrationRules {
    public static let maxCodeLength = 20
    public static let maxNameLength = 100
    public static let maxAddressLength = 100

    public static func validate(_ input: AdministrationInput) throws(ValidationErrors) -> AdministrationDetails {
        var errors = ValidationCollector()
        let code = input.code.trimmedForInput.uppercased()
        if code.isEmpty {
            errors.add("code", "Vul een code in, bijvoorbeeld de klantcode (zoals BAKKER01).")
        } else if code.count > self.maxCodeLength {
            errors.add("code", "De code is te lang (\(code.count) tekens; maximaal \(self.maxCodeLength)).")
        } else if !code.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }) {
            errors.add("code", "Een code bestaat alleen uit letters, cijfers, - en _ (geen spaties).")
        }
        let name = input.name.trimmedForInput
        if name.isEmpty {
            errors.add("name", "Vul de naam van de administratie in.")
        } else if let problem = TextRules.lineProblem(name, max: self.maxNameLength, what: "De naam") {
            errors.add("name", problem)
        }
        let yearText = input.fiscalYear.trimmedForInput
        var fiscalYear = 0
        if let year = Int(yearText), yearText.isAllASCIIDigits, (1990...2100).contains(year) {
            fiscalYear = year
        } else {
            errors.add("fiscalYear", "Vul een boekjaar in tussen 1990 en 2100, bijvoorbeeld 2026.")
        }
        let kvk = input.chamberOfCommerceNumber.filter { !$0.isWhitespace && $0 != "." }
        if !kvk.isEmpty && !(kvk.count == 8 && kvk.isAllASCIIDigits) {
            errors.add("chamberOfCommerceNumber", "Een KvK-nummer bestaat uit 8 cijfers.")
        }
        let vat = input.vatNumber.uppercased().filter { !$0.isWhitespace && $0 != "." }
        if !vat.isEmpty && !self.isDutchVATNumber(vat) {
            errors.add("vatNumber", "Een btw-identificatienummer ziet eruit als NL123456789B01.")
        }
        let rsin = input.rsin.filter { !$0.isWhitespace && $0 != "." }
        if !rsin.isEmpty && !self.isElevenProof(rsin) {
            errors.add("rsin", "Een RSIN bestaat uit 9 cijfers en moet de elfproef doorstaan; controleer het nummer.")
        }
        let street = input.street.trimmedForInput
        let city = input.city.trimmedForInput
        if let problem = TextRules.lineProblem(street, max: self.maxAddressLength, what: "Het adres") { errors.add("street", problem) }
        if let problem = TextRules.lineProblem(city, max: self.maxAddressLength, what: "De plaatsnaam") { errors.add("city", problem) }
        let country = input.country.trimmedForInput.uppercased()
        let countryCode = country.isEmpty ? "NL" : country
        if !(countryCode.count == 2 && countryCode.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic })) {
            errors.add("country", "Gebruik een landcode van twee letters, zoals NL.")
        }
        var postalCode = input.postalCode.uppercased().filter { !$0.isWhitespace }
        if !postalCode.isEmpty {
            if countryCode == "NL" {
                let digits = postalCode.prefix(4)
                let letters = postalCode.dropFirst(4)
                if postalCode.count == 6 && String(digits).isAllASCIIDigits && digits.first != "0"
                    && letters.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic })
                {
                    postalCode = "\(digits) \(letters)"
                } else {
                    errors.add("postalCode", "Een Nederlandse postcode ziet eruit als 1234 AB.")
                }
            } else if let problem = TextRules.lineProblem(postalCode, max: 12, what: "De postcode") {
                errors.add("postalCode", problem)
            }
        }
        if !errors.errors.isEmpty { throw ValidationErrors(errors.errors) }
        return AdministrationDetails(
            code: code,
            name: name,
            fiscalYear: fiscalYear,
            chamberOfCommerceNumber: kvk.isEmpty ? nil : kvk,
            vatNumber: vat.isEmpty ? nil : vat,
            rsin: rsin.isEmpty ? nil : rsin,
            street: street.isEmpty ? nil : street,
            postalCode: postalCode.isEmpty ? nil : postalCode,
            city: city.isEmpty ? nil : city,
            country: countryCode
        )
    }

    /// NL + 9 digits + B + 2 digits (the format of the btw-identificatienummer).
    static func isDutchVATNumber(_ value: String) -> Bool {
        let chars = Array(value)
        guard chars.count == 14, chars[0] == "N", chars[1] == "L", chars[11] == "B" else { return false }
        return String(chars[2..<11]).isAllASCIIDigits && String(chars[12..<14]).isAllASCIIDigits
    }

    /// The elfproef used for RSIN and BSN: Σ digit × weight (9…2, last −1) divisible by 11.
    public static func isElevenProof(_ value: String) -> Bool {
        guard value.count == 9, value.isAllASCIIDigits else { return false }
        let digits = value.utf8.map { Int($0) - 48 }
        var sum = 0
        for (index, digit) in digits.enumerated() {
            sum += digit * (index == 8 ? -1 : 9 - index)
        }
        return sum % 11 == 0 && sum != 0
    }
}
