/// The account rows of a trial balance section, written by a builder like `EntryLinesHTML`: an
/// administration of 500 accounts spent most of the page's time in the template engine's
/// per-name lookups. Every text is escaped.
enum TrialBalanceRowsHTML {
    static func render(_ rows: [TrialBalancePage.Row]) -> SafeHTML {
        var html = SafeHTML.Builder(reservingCapacity: rows.count * 360)
        for row in rows {
            html.markup("    <tr><td><a href=\"")
            html.text(row.cardLink)
            html.markup("\">")
            html.text(row.number)
            html.markup("</a></td><td>")
            html.text(row.name)
            html.markup("</td><td>")
            html.text(row.type)
            for amount in [row.debit, row.credit, row.debitToDate, row.creditToDate, row.balanceDebit, row.balanceCredit] {
                html.markup("</td><td class=\"num\">")
                html.text(amount)
            }
            html.markup("</td></tr>\n")
        }
        return html.html
    }
}
