#!/usr/bin/env python3
"""Writes loonjournaal(1) in man(7) roff from the argument parser's own description
(`loonjournaal --experimental-dump-help`), so the man page says what the program accepts."""
import datetime
import json
import sys


def roff(text):
    """Escapes text for roff: backslashes, and a leading dot or quote."""
    text = (text or "").replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + line) if line.startswith((".", "'")) else line for line in text.splitlines())


def flag(argument):
    names = []
    for name in argument.get("names", []):
        names.append(("--" if name["kind"] == "long" else "-") + name["name"])
    text = ", ".join(f"\\fB{roff(n)}\\fR" for n in names) or f"\\fI{roff(argument.get('valueName', ''))}\\fR"
    if argument["kind"] == "option":
        text += f" \\fI{roff(argument.get('valueName', 'waarde'))}\\fR"
    return text


def arguments(command):
    out = []
    for argument in command.get("arguments", []):
        if not argument.get("shouldDisplay", True) or argument.get("preferredName", {}).get("name") in ("help", "version", "experimental-dump-help"):
            continue
        out.append(".TP")
        out.append(flag(argument))
        line = roff(argument.get("abstract", ""))
        if argument.get("defaultValue"):
            line += f" (standaard: {roff(argument['defaultValue'])})"
        out.append(line)
    return out


def main():
    version = sys.argv[1]
    data = json.load(sys.stdin)["command"]
    date = datetime.date.fromtimestamp(int(sys.argv[2])) if len(sys.argv) > 2 else datetime.date.today()
    out = [
        f'.TH LOONJOURNAAL 1 "{date.isoformat()}" "loonjournaal {roff(version)}" "Gebruikershandleiding"',
        ".SH NAAM",
        f"loonjournaal \\- {roff(data.get('abstract', ''))}",
        ".SH OVERZICHT",
        ".B loonjournaal",
        "\\fIopdracht\\fR [\\fIopties\\fR]",
        ".SH BESCHRIJVING",
        "loonjournaal haalt loonjournaalposten uit Loket.nl, laat ze controleren en corrigeren, boekt ze en "
        "beantwoordt de vragen van de maandafsluiting en de jaaraansluiting lonen. Het draait op deze computer en "
        "is alleen bereikbaar op 127.0.0.1, in de browser.",
        ".SH OPDRACHTEN",
    ]
    for sub in data.get("subcommands", []):
        if not sub.get("shouldDisplay", True) or sub["commandName"] == "help":
            continue
        out.append(f".SS {roff(sub['commandName'])}")
        out.append(roff(sub.get("abstract", "")))
        if sub.get("discussion"):
            out.append(".PP")
            out.append(roff(sub["discussion"]))
        out += arguments(sub)
    out += [
        ".SH BESTANDEN",
        ".TP",
        "\\fI$XDG_DATA_HOME/loonjournaal\\fR (meestal \\fI~/.local/share/loonjournaal\\fR)",
        "De gegevensmap (0700): de database, de Loket-inloggegevens en de socket waarlangs \\fBloonjournaal open\\fR een nieuwe startlink vraagt. "
        "Het verwijderen van het pakket laat deze map staan.",
        ".TP",
        "\\fI/usr/lib/systemd/user/loonjournaal\\-sync.timer\\fR",
        "Haalt op werkdagen om 07:00 de nieuwe runs op (niet vanzelf aan): \\fBsystemctl \\-\\-user enable \\-\\-now loonjournaal\\-sync.timer\\fR",
        ".SH AFSLUITCODES",
        "0 gelukt; 1 fout (een Nederlandse melding op stderr); 2 onjuiste opties.",
        ".SH ZIE OOK",
        "\\fBsystemctl\\fR(1), \\fBxdg\\-open\\fR(1)",
    ]
    print("\n".join(out))


main()
