import PayrollImport

/// The rows of a CSV attachment shown as a table (up to thousands of cells), written by a
/// builder like the other long lists. Every text is escaped.
enum AttachmentTableHTML {
    static func header(_ table: CSVTable) -> SafeHTML {
        var html = SafeHTML.Builder(reservingCapacity: table.header.count * 40)
        for (index, name) in table.header.enumerated() {
            html.markup(table.numericColumns[index] ? "<th class=\"num\">" : "<th>")
            html.text(name)
            html.markup("</th>")
        }
        return html.html
    }

    static func rows(_ table: CSVTable) -> SafeHTML {
        var html = SafeHTML.Builder(reservingCapacity: table.rows.count * table.header.count * 30)
        for row in table.rows {
            let isTotal = row.first?.text.lowercased().hasPrefix("totaal") == true
            html.markup(isTotal ? "<tr class=\"total\">" : "<tr>")
            for cell in row {
                html.markup(cell.isNumber ? "<td class=\"num\">" : "<td>")
                html.text(cell.text)
                html.markup("</td>")
            }
            html.markup("</tr>\n")
        }
        return html.html
    }
}
