/// The rows of the lines table of an entry page. Written here rather than in `entry.mustache`:
/// a payroll entry can have hundreds of lines, and the template engine spent most of the page's
/// time on them (see BENCHMARKS.md).
/// The markup is the same the template had; every text goes through `SafeHTML.Builder.text`.
enum EntryLinesHTML {
    static func render(_ lines: [EntryPage.Line], isDraft: Bool, isBooked: Bool, originalPrefix: String) -> SafeHTML {
        var html = SafeHTML.Builder(reservingCapacity: lines.count * 2048)
        for line in lines {
            let index = String(line.index)
            html.markup("<tr class=\"")
            if line.unmapped { html.markup("unmapped-line") }
            html.markup(" ")
            if line.changed { html.markup("changed") }
            html.markup(" ")
            if line.isEmptyRow { html.markup("new-line") }
            html.markup("\" data-line=\"")
            html.text(index)
            html.markup("\">\n        <td>")
            if line.isEmptyRow { html.markup("+") } else { html.text(String(line.index + 1)) }
            html.markup("<input type=\"hidden\" name=\"line_id_")
            html.text(index)
            html.markup("\" value=\"")
            html.text(line.lineId)
            html.markup("\">")
            if !line.base.isEmpty {
                html.markup("<input type=\"hidden\" name=\"base_")
                html.text(index)
                html.markup("\" value=\"")
                html.text(line.base)
                html.markup("\">")
            }
            html.markup("</td>\n        <td>")
            if isDraft {
                // A typed account number with suggestions from the page's one list (#account-list):
                // a select of the whole chart on every line made a 300-line page megabytes.
                html.markup("<input name=\"account_")
                html.text(index)
                html.markup("\" value=\"")
                html.text(line.accountValue)
                html.markup("\" list=\"account-list\" class=\"account\" autocomplete=\"off\" maxlength=\"120\" aria-label=\"Rekening regel ")
                html.text(index)
                html.markup("\" placeholder=\"")
                if line.isEmptyRow {
                    html.markup("rekeningnummer")
                } else if line.unmapped {
                    html.text(line.accountLabel)
                }
                html.markup("\"")
                if line.accountError != nil { html.markup(" aria-invalid=\"true\"") }
                html.markup(">")
            }
            if isBooked { html.text(line.accountLabel) }
            if line.inactive { html.markup("<p class=\"field-error\">gedeactiveerd</p>") }
            if let error = line.accountError {
                html.markup("<p class=\"field-error\">")
                html.text(error)
                html.markup("</p>")
            }
            if let loket = line.loket {
                html.markup("<p class=\"loket-original\" title=\"Het origineel\">")
                html.text(originalPrefix)
                html.markup(": ")
                html.text(loket)
                html.markup("</p>")
            }
            html.markup("\n        </td>\n        ")
            self.input(&html, "desc_", index, line.description, extra: "maxlength=\"200\"", readonly: isBooked)
            self.input(&html, "cc_", index, line.costCenter, extra: "maxlength=\"40\" class=\"short\"", readonly: isBooked)
            self.input(&html, "cu_", index, line.costUnit, extra: "maxlength=\"40\" class=\"short\"", readonly: isBooked)
            self.amount(&html, "debit_", index, line.debit, error: line.debitError, readonly: isBooked)
            self.amount(&html, "credit_", index, line.credit, error: line.creditError, readonly: isBooked)
            if isDraft {
                html.markup("<td>")
                if !line.isEmptyRow {
                    html.markup("<input type=\"checkbox\" name=\"remove_")
                    html.text(index)
                    html.markup("\" value=\"1\" aria-label=\"Regel verwijderen\"")
                    if line.removed { html.markup(" checked") }
                    html.markup(">")
                }
                html.markup("</td>")
            }
            html.markup("\n      </tr>\n")
        }
        return html.html
    }

    /// A booked entry is immutable: its values are text, not boxes that look editable.
    private static func input(_ html: inout SafeHTML.Builder, _ prefix: StaticString, _ index: String, _ value: String, extra: StaticString, readonly: Bool) {
        if readonly {
            html.markup("<td><span class=\"booked-text\">")
            html.text(value)
            html.markup("</span></td>\n        ")
            return
        }
        html.markup("<td><input name=\"")
        html.markup(prefix)
        html.text(index)
        html.markup("\" value=\"")
        html.text(value)
        html.markup("\" ")
        html.markup(extra)
        if readonly { html.markup(" readonly") }
        html.markup("></td>\n        ")
    }

    private static func amount(_ html: inout SafeHTML.Builder, _ prefix: StaticString, _ index: String, _ value: String, error: String?, readonly: Bool) {
        if readonly {
            html.markup("<td class=\"num\">")
            html.text(value)
            html.markup("</td>\n        ")
            return
        }
        html.markup("<td class=\"num\"><input name=\"")
        html.markup(prefix)
        html.text(index)
        html.markup("\" value=\"")
        html.text(value)
        html.markup("\" class=\"amount\" inputmode=\"decimal\"")
        if error != nil { html.markup(" aria-invalid=\"true\"") }
        if readonly { html.markup(" readonly") }
        html.markup(">")
        if let error {
            html.markup("<p class=\"field-error\">")
            html.text(error)
            html.markup("</p>")
        }
        html.markup("</td>\n        ")
    }
}
