import Foundation
import Hummingbird
import Ledger
import PayrollImport
import Storage

/// The loonaangifte of one administration: which accounts carry the loonheffing (confirmed
/// once, copyable to other administrations), and the rounding line on an entry.
struct WageTaxController {
    let pages: PageSupport
    let control: MonthEndControl

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post(.wageTax(0), use: self.save)
        router.post(.copyWageTax(0), use: self.copy)
        router.post(.roundingLine(0, entry: 0), use: self.roundingLine)
    }

    /// POST /administraties/:id/loonaangifte — confirms the wage-tax account(s) and the rounding account.
    @Sendable func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let id = administration.id!
        let back = Route.settings(id).path + "#loonaangifte"
        let form = context.postedForm
        let own = Set(try self.pages.database.accounts(administrationId: id).compactMap(\.id))
        let values = form.values("wageTaxAccount")
        guard values.count <= 1000 else { throw AppError.badRequest("Te veel rekeningen gekozen.") }
        let accountIds = values.compactMap { Int64($0) }.filter(own.contains)
        guard accountIds.count == values.count, !accountIds.isEmpty else {
            return self.pages.redirect(
                to: back, flash: FlashMessage(.error, "Kies minstens één rekening van deze administratie waarop de af te dragen loonheffing staat. Er is niets gewijzigd."),
                context: context
            )
        }
        var rounding: Int64? = nil
        let roundingText = form["roundingAccount"]
        if !roundingText.isEmpty {
            guard let value = Int64(roundingText), own.contains(value), !accountIds.contains(value) else {
                return self.pages.redirect(
                    to: back, flash: FlashMessage(.error, "De rekening voor afrondingsverschillen moet een andere rekening van deze administratie zijn. Er is niets gewijzigd."),
                    context: context
                )
            }
            rounding = value
        }
        try self.control.confirmWageTaxAccounts(administrationId: id, accountIds: accountIds, roundingAccountId: rounding)
        return self.pages.redirect(to: back, flash: FlashMessage(.success, "Loonheffingsrekening(en) bevestigd. De controle met de loonaangifte gebruikt voortaan deze rekening(en)."), context: context)
    }

    /// POST /administraties/:id/loonaangifte/kopieren — the confirmed setting to other administrations, by account number.
    @Sendable func copy(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let id = administration.id!
        let back = Route.settings(id).path + "#loonaangifte"
        let form = context.postedForm
        let all = try self.pages.database.administrationSummaries()
        let targets: [AdministrationID]
        if form["all"] == "1" {
            targets = all.map(\.id).filter { $0 != id }
        } else {
            let values = form.values("target")
            guard values.count <= 10_000 else { throw AppError.badRequest("Te veel administraties gekozen.") }
            let known = Set(all.map(\.id))
            targets = values.compactMap { AdministrationID($0) }.filter { known.contains($0) && $0 != id }
        }
        guard !targets.isEmpty else {
            return self.pages.redirect(to: back, flash: FlashMessage(.error, "Kies de administraties waarnaar u de instelling kopieert."), context: context)
        }
        guard try self.pages.database.wageTaxSetting(administrationId: id).confirmed else {
            return self.pages.redirect(to: back, flash: FlashMessage(.error, "Bevestig eerst de loonheffingsrekening van deze administratie; daarna kunt u haar kopiëren."), context: context)
        }
        let (copied, skipped) = try self.control.copyWageTaxAccounts(from: id, to: targets)
        let codes = Dictionary(all.map { ($0.id, $0.code) }, uniquingKeysWith: { first, _ in first })
        var text = "Gekopieerd naar \(DutchFormat.count(copied.count)) administratie(s)."
        if !skipped.isEmpty {
            text += " Overgeslagen (rekeningnummer ontbreekt daar): " + skipped.compactMap { codes[$0] }.joined(separator: ", ") + "."
        }
        return self.pages.redirect(to: back, flash: FlashMessage(skipped.isEmpty ? .success : .info, text), context: context)
    }

    /// POST /administraties/:id/boekingen/:entryId/afronding — the rounding line for a rounding
    /// difference with the aangifte: into the draft, or (booked) into a new draft.
    @Sendable func roundingLine(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let id = administration.id!
        guard let entryId = context.parameters.get("entryId", as: EntryID.self), try self.pages.database.entry(id: entryId, administrationId: id) != nil else {
            throw AppError.notFound("Deze boeking bestaat niet (meer) in deze administratie.")
        }
        let back = Route.entry(id, entry: entryId).path
        var rounding: Int64? = nil
        let text = context.postedForm["roundingAccount"]
        if !text.isEmpty {
            guard let value = Int64(text), value > 0 else {
                return self.pages.redirect(to: back, flash: FlashMessage(.error, "Kies de rekening voor het afrondingsverschil."), context: context)
            }
            rounding = value
        }
        do {
            let draft = try self.control.addRoundingLine(entryId: entryId, administrationId: id, roundingAccountId: rounding)
            let message = draft == entryId
                ? "De afrondingsregel is aan dit concept toegevoegd. Boek het concept; de controle met de aangifte toont dan \(Money(cents: 0).euro)."
                : "De boeking is al geboekt en blijft ongewijzigd: de afrondingsregel staat in een nieuw concept. Boek dat concept."
            return self.pages.redirect(to: Route.entry(id, entry: draft).path, flash: FlashMessage(.success, message), context: context)
        } catch let error as MonthEndControl.ControlError {
            return self.pages.redirect(to: back, flash: FlashMessage(.error, error.explanation), context: context)
        } catch StorageError.accountNotFound {
            return self.pages.redirect(to: back, flash: FlashMessage(.error, "Die rekening hoort niet bij deze administratie of is niet actief; kies een andere."), context: context)
        } catch EntryError.notFound {
            throw AppError.notFound("Deze boeking bestaat niet (meer) in deze administratie.")
        }
    }
}
