/// The rows of the dashboard's administration table, written by a builder rather than the
/// template for the same reason as `EntryLinesHTML`: the template engine's per-name lookups
/// were most of the dashboard's time (BENCHMARKS.md). Every text is escaped.
enum DashboardRowsHTML {
    static func render(_ rows: [DashboardPage.Row]) -> SafeHTML {
        var html = SafeHTML.Builder(reservingCapacity: rows.count * 400)
        for row in rows {
            html.markup("    <tr>\n      <td><a href=\"")
            html.text(Route.administration(row.id).path)
            html.markup("\">")
            html.text(row.code)
            html.markup("</a></td>\n      <td>")
            html.text(row.name)
            html.markup("</td>\n      <td>")
            html.text(String(row.fiscalYear))
            html.markup("</td>\n      <td>")
            if let link = row.loketLink {
                html.text(link)
            } else {
                html.markup("<span class=\"muted\">niet gekoppeld</span>")
            }
            html.markup("</td>\n      <td class=\"num\">")
            html.text(row.accounts)
            html.markup("</td>\n      <td>")
            if row.hasNoAccounts {
                html.markup("<a href=\"")
                html.text(Route.accounts(row.id).path)
                html.markup("\">Rekeningschema vastleggen</a>")
            } else if row.hasDrafts {
                html.markup("<a href=\"")
                html.text(Route.entries(row.id).path)
                html.markup("\">")
                html.text(String(row.drafts))
                html.markup(" concept(en) te controleren</a>")
            } else if row.loketLink != nil {
                html.markup("<a href=\"")
                html.text(Route.runs(row.id).path)
                html.markup("\">Loonjournaalruns bekijken</a>")
            } else {
                html.markup("<span class=\"muted\">nog niet aan Loket gekoppeld</span>")
            }
            html.markup("</td>\n    </tr>\n")
        }
        return html.html
    }
}
