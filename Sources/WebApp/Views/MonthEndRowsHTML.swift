/// The rows of the month-end overview (up to hundreds of administrations), written by a builder
/// like the dashboard's rows. Every text is escaped.
enum MonthEndRowsHTML {
    static func render(_ rows: [MonthEndPage.Row]) -> SafeHTML {
        var html = SafeHTML.Builder(reservingCapacity: rows.count * 1200)
        for row in rows {
            html.markup("    <tr data-administration=\"")
            html.text(row.code)
            html.markup(row.needsAction ? "\" class=\"needs-action\">\n" : "\" class=\"in-order\">\n")
            html.markup("      <td><input type=\"checkbox\" name=\"administration\" value=\"")
            html.text(String(row.id))
            html.markup("\" aria-label=\"Kies ")
            html.text(row.code)
            html.markup(row.canStartJournal ? "\" data-start-journal></td>\n" : "\"></td>\n")
            html.markup("      <td><a href=\"")
            html.text(Route.runs(row.id).path)
            html.markup("\">")
            html.text(row.code)
            html.markup("</a><br><span class=\"muted\">")
            html.text(row.name)
            html.markup("</span></td>\n      <td>")
            html.text(row.payrollStatus)
            if !row.periodDates.isEmpty {
                html.markup("<br><span class=\"muted\">")
                html.text(row.periodDates)
                html.markup("</span>")
            }
            html.markup("</td>\n      <td class=\"journal\">")
            html.text(row.journal)
            html.markup("</td>\n      <td>")
            if row.hasDrafts {
                html.markup("<a href=\"")
                html.text(Route.entries(row.id).path)
                html.markup("\">")
                html.text(row.bookkeeping)
                html.markup("</a>")
            } else {
                html.text(row.bookkeeping)
            }
            html.markup("</td>\n      <td>")
            html.text(row.taxReturnStatus)
            html.markup("</td>\n      <td class=\"num\">")
            html.text(row.taxReturnAmount)
            if !row.correction.isEmpty {
                html.markup("<br><span class=\"muted\">correctie ")
                html.text(row.correction)
                html.markup("</span>")
            }
            html.markup("</td>\n      <td class=\"num\">")
            html.text(row.totalDue)
            if !row.paymentReference.isEmpty {
                html.markup("<br><span class=\"muted\" title=\"Betalingskenmerk\">")
                html.text(row.paymentReference)
                html.markup("</span>")
            }
            html.markup("</td>\n      <td>")
            html.text(row.deadline)
            html.markup("</td>\n      <td class=\"num\">")
            html.text(row.journalWageTax)
            html.markup("</td>\n      <td class=\"num\">")
            html.text(row.difference)
            html.markup("</td>\n      <td class=\"check ")
            html.text(row.checkClass)
            html.markup("\">")
            html.text(row.check)
            html.markup("</td>\n      <td class=\"todo\">")
            if row.gaps.isEmpty {
                html.markup("<span class=\"balanced\">In orde</span>")
            } else {
                html.markup("<ul class=\"gaps\">")
                for gap in row.gaps {
                    html.markup("<li>")
                    html.text(gap)
                    html.markup("</li>")
                }
                html.markup("</ul>")
            }
            html.markup("</td>\n    </tr>\n")
        }
        return html.html
    }
}
