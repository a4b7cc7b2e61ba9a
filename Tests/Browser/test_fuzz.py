"""Issue 10: no input may crash the app, drop a line or break a ledger.

A bounded, seeded fuzz test against the real release binary (`loonjournaal demo`: the app and the
built-in Loket simulator). It signs in with the launch link, builds realistic state through the
app's own forms (an administration with the starter chart, payroll files imported as drafts, one
booked, a Loket connection with a linked payroll administration and imported runs), and then sends
a few thousand random and boundary values to every POST form and upload and to the numeric GET
parameters and path ids. Almost every request carries the session cookie, the CSRF token and the
exact Origin, so that it reaches the controllers; a small share breaks one of them and must be
refused.

It fails on: any 5xx, any answer that is not a well-formed HTTP response (reset, hang), the
process having exited, a redirect off our origin, a refused-security request being accepted, a
draft save that answered 303 but stored another number of lines than the form held, and any
inconsistency in the SQLite file (integrity, foreign keys, booked entries unbalanced / without
lines / changed / gone).

Seed: LOONJOURNAAL_FUZZ_SEED (default below, printed); size: LOONJOURNAAL_FUZZ_REQUESTS (3000)
and LOONJOURNAAL_FUZZ_SECONDS (90). Requests of every failure are written to
test-artifacts/fuzz-seed<SEED>/ as raw HTTP, to replay with e.g. `curl --data-binary`.
"""
import collections
import html
import http.client
import os
import random
import re
import shutil
import sqlite3
import string
import time
import urllib.parse

from conftest import ARTIFACTS

SEED = int(os.environ.get("LOONJOURNAAL_FUZZ_SEED", "10"))
MAX_REQUESTS = int(os.environ.get("LOONJOURNAAL_FUZZ_REQUESTS", "3000"))
BUDGET_SECONDS = float(os.environ.get("LOONJOURNAAL_FUZZ_SECONDS", "90"))
MAX_BODY = 2 * 1024 * 1024  # the app's form and upload limit (AppRequestContext.maxUploadSize)
BAKERY = "De Gouden Korst - maandloon"

# ---------------------------------------------------------------------------------------------
# Values

FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466"
CONTROLS = [chr(c) for c in range(1, 32)] + ["\x7f", "\x85"]
HOSTILE = [
    "", " ", "-1", "0", "1", "-0", "+1", "00", "007", " 1", "1 ",
    "2147483647", "2147483648", "4294967296", "9007199254740993",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "18446744073709551616", "1e309", "-1e309", "NaN", "inf", "0x10", "1_000",
    "9" * 40, "9" * 400, "1" + "0" * 4000,
    "1.000.000.000.000,00", "1.000.000.000.000,01", "999.999.999.999,99", "999999999999999,99",
    "100000000000000", "1000000000000", "-1000000000000", "12,3,4", "1.2.3", ",", ".", "-", "--1",
    "€", "€ -0,01", "(1,00)", "0,001", "1,234.56",
    "abc", "\x00", "\x00abc", "abc\x00", "\x00" * 3, "\ufffe", "\uffff", "\ufffd", "\U0010ffff",
    "\u200b", "\u202e", "\ufeff", "\u00a0", "\u2028", "\u0301",
    FAMILY * 30, "e\u0301" * 150, "\U0001F1F3\U0001F1F1" * 101, "\U0001F642" * 2000,
    "x" * 10000, "a" * 21, "a" * 41, "a" * 101, "a" * 201, "ß" * 100, "\ufb03" * 20, "İ" * 30,
    "\u0663\u0664", "\uff11\uff12",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'; DROP TABLE journal_lines; --",
    "{{layout.csrfToken}}", "{{{linesHTML}}}", "%00", "%", "%zz", "\\", "../../etc/passwd",
    "\r\n", "\n" * 50, "\t", "Fuzz\x07naam", "javascript:alert(1)",
]
ALPHABETS = [
    string.ascii_letters + string.digits + "  ",
    string.punctuation,
    "éèëïöüçßøåÆŒ€£¥ĳ",
    "\u0301\u0308\u0327\u20dd",
    "\U0001F600\U0001F642\U0001F44D\U0001F3FD\U0001F1F3\U0001F1F1" + FAMILY,
    "漢字かなカナ한글",
    "مرحباשלום\u202e\u202d",
    "\u200b\u200c\u200d\u2060\ufeff\u00a0\u2028\u2029",
    "".join(CONTROLS),
    "\ufffe\uffff\ufffd\U0010ffff",
]
ROLES = ["negeren", "rekening", "omschrijving", "debet", "credit", "bedrag", "kostenplaats", "kostendrager"]
STARTER = ["1000", "1100", "1300", "1600", "1700", "1710", "1720", "1725", "1730", "1740", "2000", "2010",
           "4000", "4010", "4020", "4030", "4100", "4110", "4200", "4300", "4310", "4320", "4400", "4900", "8000"]
# Foundation's whitespacesAndNewlines (what `trimmedForInput` removes), per unicode scalar.
SWIFT_WHITESPACE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {chr(c) for c in range(0x2000, 0x200B)}


def describe(value):
    """A short, exact-enough label for a value in a report."""
    if isinstance(value, bytes):
        return f"bytes{value[:40]!r}" + (f"…(len {len(value)})" if len(value) > 40 else "")
    if len(value) <= 50:
        return repr(value)
    for unit in range(1, 13):
        if len(value) % unit == 0 and value == value[:unit] * (len(value) // unit):
            return f"{value[:unit]!r}*{len(value) // unit}"
    return f"{value[:30]!r}…(len {len(value)})"


def dutch(cents, grouping=True):
    euros, rest = divmod(abs(cents), 100)
    text = f"{euros:,}".replace(",", ".") if grouping else str(euros)
    return ("-" if cents < 0 else "") + f"{text},{rest:02d}"


def swift_int(text):
    """Swift's `Int(String)` / `Int64(String)`: optional sign, ASCII digits, no overflow."""
    if not isinstance(text, str) or not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def trimmed_is_empty(text):
    return all(ch in SWIFT_WHITESPACE for ch in text)


def swift_trim(text):
    return text.strip("".join(SWIFT_WHITESPACE))


# ---------------------------------------------------------------------------------------------
# HTTP

class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def header(self, name):
        return self.headers.get(name.lower())


def encode_value(value, plus=True):
    if isinstance(value, bytes):
        return urllib.parse.quote_from_bytes(value, safe="")
    return urllib.parse.quote_plus(value, safe="") if plus else urllib.parse.quote(value, safe="")


def encode_pairs(pairs):
    return "&".join(f"{encode_value(name)}={encode_value(value)}" for name, value in pairs).encode()


def encode_multipart(parts, boundary):
    """parts: (name, value) text fields or (name, filename, content_type, bytes) files."""
    out = bytearray()
    for part in parts:
        out += f"--{boundary}\r\n".encode()
        if len(part) == 2:
            name, value = part
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            out += value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        else:
            name, filename, content_type, data = part
            out += f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'.encode("utf-8", "surrogatepass")
            if content_type:
                out += f"Content-Type: {content_type}\r\n".encode()
            out += b"\r\n" + data
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def raw_request(port, method, target, headers, body, timeout):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for key, value in headers.items():
            conn.putheader(key, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        data = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# HTML forms

ATTRIBUTE = re.compile(r'([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*"([^"]*)")?')
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
CONTROL = re.compile(r"<(input|button)\b([^>]*)>|<select\b([^>]*)>(.*?)</select>", re.S | re.I)
OPTION = re.compile(r"<option\b([^>]*)>", re.I)


def attributes(text):
    return {name.lower(): (html.unescape(value) if value is not None else None) for name, value in ATTRIBUTE.findall(text)}


def forms_of(text):
    """The forms of a page: action, fields as a browser would post them (document order), buttons
    and the options of every select. A regex reader: the app's templates quote every attribute
    with double quotes, and pages of thousands of lines are too slow for html.parser here."""
    forms = []
    for form_attrs, body in FORM.findall(text):
        a = attributes(form_attrs)
        form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "id": a.get("id") or "",
                "fields": [], "buttons": [], "options": {}, "files": []}
        for tag, tag_attrs, select_attrs, select_body in CONTROL.findall(body):
            if tag:
                c = attributes(tag_attrs)
                name = c.get("name")
                if not name:
                    continue
                kind = (c.get("type") or ("submit" if tag.lower() == "button" else "text")).lower()
                value = c.get("value") or ""
                if kind in ("checkbox", "radio"):
                    form["options"].setdefault(name, []).append(value or "on")
                    if "checked" in c:
                        form["fields"].append((name, value or "on"))
                elif kind in ("submit", "button", "image", "reset"):
                    form["buttons"].append((name, value))
                elif kind == "file":
                    form["files"].append(name)
                else:
                    form["fields"].append((name, value))
            else:
                name = attributes(select_attrs).get("name")
                if not name:
                    continue
                options = [attributes(o) for o in OPTION.findall(select_body)]
                values = [o.get("value") or "" for o in options]
                chosen = next((o.get("value") or "" for o in options if "selected" in o), values[0] if values else "")
                form["fields"].append((name, chosen))
                form["options"][name] = values
        forms.append(form)
    return forms


def form_with(text, *, form_id=None, action_suffix=None):
    for form in forms_of(text):
        if form["method"] != "post":
            continue
        if form_id is not None and form["id"] == form_id:
            return form
        if action_suffix is not None and form["action"].endswith(action_suffix):
            return form
    return None


# ---------------------------------------------------------------------------------------------
# The database, read-only while the app runs (WAL)

def open_database(path):
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, isolation_level=None)
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return connection
    except sqlite3.OperationalError:
        # Some SQLite builds cannot open a WAL file read-only without write access to -shm.
        return sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=30, isolation_level=None)


def database_problems(path, booked_before):
    """Inconsistencies in the file; fills `booked_before` with what every booked entry is now."""
    problems = []
    connection = open_database(path)
    try:
        connection.execute("BEGIN")
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"PRAGMA integrity_check: {integrity[:5]}")
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
        if foreign:
            problems.append(f"PRAGMA foreign_key_check: {len(foreign)} rows, e.g. {foreign[:5]}")
        booked = {row[0]: {"admin": row[1], "number": row[2], "year": row[3], "lines": 0, "debit": 0, "credit": 0, "unassigned": 0,
                           "missing": 0, "foreign": 0, "sides": 0}
                  for row in connection.execute(
                      "SELECT id, administration_id, number, fiscal_year FROM journal_entries WHERE status = 'booked'")}
        for entry_id, debit, credit, account_id, account_admin in connection.execute(
            """SELECT l.entry_id, l.debit_cents, l.credit_cents, l.account_id, a.administration_id
               FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
               LEFT JOIN ledger_accounts a ON a.id = l.account_id
               WHERE e.status = 'booked'"""):
            entry = booked[entry_id]
            entry["lines"] += 1
            entry["debit"] += debit
            entry["credit"] += credit
            if account_id is None:
                entry["unassigned"] += 1
            elif account_admin is None:
                entry["missing"] += 1
            elif account_admin != entry["admin"]:
                entry["foreign"] += 1
            if (debit > 0) == (credit > 0):
                entry["sides"] += 1
        for entry_id, entry in sorted(booked.items()):
            label = f"booked entry {entry_id} ({entry['year']}-{entry['number']}, administration {entry['admin']})"
            if entry["lines"] == 0:
                problems.append(f"{label} has no lines")
            if entry["debit"] != entry["credit"]:
                problems.append(f"{label} is not balanced: debit {entry['debit']} ≠ credit {entry['credit']} cents")
            if entry["unassigned"]:
                problems.append(f"{label} has {entry['unassigned']} line(s) without an account")
            if entry["missing"]:
                problems.append(f"{label} has {entry['missing']} line(s) on an account that does not exist")
            if entry["foreign"]:
                problems.append(f"{label} has {entry['foreign']} line(s) on an account of another administration")
            if entry["sides"]:
                problems.append(f"{label} has {entry['sides']} line(s) with neither or both of debit and credit")
            before = booked_before.get(entry_id)
            if before is not None and before != entry:
                problems.append(f"{label} changed after booking: was {before}, is {entry}")
        for entry_id in sorted(set(booked_before) - set(booked)):
            problems.append(f"booked entry {entry_id} disappeared (or became a draft)")
        booked_before.clear()
        booked_before.update(booked)
        duplicates = connection.execute(
            """SELECT administration_id, source, source_reference, source_sequence, count(*) FROM journal_entries
               WHERE source_reference IS NOT NULL GROUP BY 1, 2, 3, 4 HAVING count(*) > 1""").fetchall()
        if duplicates:
            problems.append(f"entries imported twice: {duplicates[:5]}")
        connection.execute("COMMIT")
    finally:
        connection.close()
    return problems


# ---------------------------------------------------------------------------------------------
# The fuzzer

class Fuzzer:
    def __init__(self, app, rng):
        self.app = app
        self.rng = rng
        self.port = app.port
        self.origin = app.origin
        self.db_path = app.data_dir / "loonjournaal.sqlite"
        self.artifacts = ARTIFACTS / f"fuzz-seed{SEED}"
        shutil.rmtree(self.artifacts, ignore_errors=True)
        self.cookie = None
        self.csrf = None
        self.csrf_rotations = 0
        self.requests = 0          # requests of the fuzz phase
        self.setup_requests = 0
        self.phase = "setup"
        self.by_status = collections.Counter()
        self.by_route = collections.Counter()
        self.failures = []
        self.recent = collections.deque(maxlen=6)
        self.dead = False
        self.wedged = False
        self.security_breaks = 0
        self.unexpected_403 = []
        self.valid_security_posts = 0
        self.upstream_502 = 0
        self.line_checks = 0
        self.closed_on_oversize = 0
        self.booked_snapshot = {}
        self.database_checks = 0
        self.cycles = {}
        self.bases = {}            # entry id -> the posted fields of its page's form
        self.uploads = []          # (administration id, [fields of the mapping form])
        self.big_files = 0
        self.huge_posts = 0
        self.heavy = set()
        self.too_big_files = 0
        self.run_ids = []
        self.tickets = []
        self.main_admin = None
        self.deadline = time.time() + BUDGET_SECONDS
        self.main_connection = None
        self.pools = {}
        self.next_security = None
        self.log = []
        self.slowest = []

    # -- values ---------------------------------------------------------------------------------

    def cycle(self, name, items):
        """The next item of a shuffled round through `items`: every boundary value gets its turn."""
        queue = self.cycles.get(name)
        if not queue:
            queue = list(items)
            self.rng.shuffle(queue)
            self.cycles[name] = queue
        return queue.pop()

    def hostile(self):
        if self.rng.random() < 0.12:
            return self.cycle("controls", CONTROLS)
        return self.cycle("hostile", HOSTILE)

    def text(self, maxlen=300):
        rng = self.rng
        n = rng.choice([0, 1, 2, 3, 5, 8, 13, 20, 21, 40, 41, 99, 100, 101, 199, 200, 201, 500]) if rng.random() < 0.8 else rng.randint(0, maxlen)
        chars = "".join(rng.sample(ALPHABETS, k=rng.randint(1, 3)))
        return "".join(rng.choice(chars) for _ in range(n))

    def number(self):
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            return str(self.cycle("numbers", [-1, 0, 1, 2, 12, 13, 14, 16, 17, 99, 100, 1989, 1990, 2026, 2100, 2101, 2**31 - 1, 2**31,
                                              2**32, 2**53 + 1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64, 10**6, -(10**6)]))
        if r < 0.6:
            return str(rng.randint(-10**6, 10**6))
        if r < 0.72:
            return str(rng.randint(-(2**70), 2**70))
        if r < 0.85:
            return rng.choice(["1e309", "-1e309", "NaN", "inf", "1.5", "1,5", "0x1F", "+5", "-0", "00", "007", " 5", "5 ", "\u0663", "\uff15", "5\x00"])
        return "9" * rng.choice([19, 20, 40, 309, 1000, 5000])

    def amount(self):
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            cents = rng.choice([0, 1, 99, 100, 12345, rng.randint(1, 10**8), rng.randint(1, 10**14), 10**14, 10**14 + 1, 10**14 - 1,
                                10**15, 2**63 - 1, 2**63])
            return dutch(cents, grouping=rng.random() < 0.5)
        if r < 0.7:
            return self.cycle("amounts", ["-12,00", "€ 1.234,56", "1234.56", "1.234", "1,234.56", "(12,00)", " 12,00 ", "12,345", "0,001",
                                          "1.000.000.000.000,00", "1.000.000.000.000,01", "999.999.999.999,99", "999999999999999,99",
                                          "12,3,4", ",5", "5,", ".", ",", "-", "--5", "+5", "1.23.456,00", "١٢٣,٤٥", "1e3", "0,00",
                                          "00000000000000000000001,00", "9" * 13 + ",99", "9" * 14])
        if r < 0.85:
            return self.hostile()
        return self.text(40)

    def date(self):
        rng = self.rng
        if rng.random() < 0.3:
            return rng.choice(["31-03-2026", "28-02-2026", "2026-03-31", "31/03/2026", "01-01-1990", "31-12-2100"])
        if rng.random() < 0.4:
            return self.cycle("dates", ["29-02-2025", "29-02-2024", "31-04-2026", "00-01-2026", "01-00-2026", "32-01-2026", "31-13-2026",
                                        "31-12-1989", "01-01-2101", "1-1-1", "0000-00-00", "9999-12-31", "99999-01-01", "01-01-99999999999999999999",
                                        "31-03-26", "2026-3-31", "2026/03/31", "31.03.2026", "31 03 2026", "--", "-1--1-2026", "+1-+1-2026",
                                        "31-03-2026\x00", "\u0663\u0661-03-2026", "31-03-2026-01"])
        y = rng.choice([1, 1899, 1989, 1990, 2025, 2026, 2027, 2100, 2101, 9999, rng.randint(1, 99999)])
        m = rng.choice([0, 1, 2, 12, 13, rng.randint(1, 12)])
        d = rng.choice([0, 1, 28, 29, 30, 31, 32, rng.randint(1, 31)])
        return rng.choice([f"{d:02d}-{m:02d}-{y:04d}", f"{y:04d}-{m:02d}-{d:02d}", f"{d}/{m}/{y}", f"{d}-{m}-{y}"])

    def value(self, kind):
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            return self.hostile()
        if r < 0.4:
            return self.text()
        if kind == "number":
            return self.number()
        if kind == "amount":
            return self.amount()
        if kind == "date":
            return self.date()
        if kind == "period":
            return rng.choice([str(rng.randint(1, 13)), "0", "14", "-1", "13", "1", self.number()])
        if kind == "year":
            return rng.choice(["2026", "2025", "2027", "1989", "1990", "2100", "2101", "0", "-1", self.number()])
        if kind == "account":
            accounts = self.pools.get("accounts") or []
            if accounts and rng.random() < 0.6:
                account = rng.choice(accounts)
                return account["number"] if rng.random() < 0.5 else f"{account['number']} {account['name']}"
            return rng.choice([rng.choice(STARTER), str(rng.randint(0, 99999)), self.number(), " 4000 ", "4000\x00", "4000 Lonen", "  "])
        if kind == "id":
            pool = [str(x) for x in (self.pools.get("account_ids") or []) + (self.pools.get("entry_ids") or []) + (self.pools.get("admin_ids") or [])]
            return rng.choice(pool) if pool and rng.random() < 0.5 else self.number()
        if kind == "lineid":
            lines = self.pools.get("line_ids") or []
            return str(rng.choice(lines)) if lines and rng.random() < 0.5 else self.number()
        if kind == "code":
            return rng.choice(["FZ" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(rng.randint(1, 18))),
                               "a" * rng.choice([1, 20, 21]), "FZ-_1", "fz lower", "ÄÖÜ", "FUZZ1", self.text(25)])
        if kind == "flag":
            return rng.choice(["1", "0", "", "on", "true", "01", " 1"])
        if kind == "role":
            return rng.choice(ROLES + ["", "REKENING", "rekening ", "debit"])
        if kind == "url":
            return self.safe_url()
        if kind == "choice":
            return self.hostile()
        return self.text()

    def safe_url(self):
        """URL-ish values that never make the app talk to anything but 127.0.0.1."""
        sandbox = f"http://127.0.0.1:{self.app.sandbox_port}"
        return self.rng.choice([
            sandbox, sandbox + "/", f"http://127.0.0.1:{self.app.sandbox_port}/%2e%2e", "http://127.0.0.1:1", "http://127.0.0.1:0",
            "http://127.0.0.1:99999", "http://127.0.0.1", "http://localhost:1", "ftp://127.0.0.1", "http://", "://", "", " ", "127.0.0.1",
            f"http://127.0.0.1:{self.port}/oauth/callback", "http://127.0.0.1:9/oauth/callback?x=1#frag", "http://[::1]:1",
            "http://127.0.0.1:1/" + "a" * 3000, "javascript:alert(1)", "<script>alert(1)</script>", self.hostile().replace(":", ""),
        ])

    # -- ids and paths --------------------------------------------------------------------------

    def hostile_segment(self):
        return self.cycle("segments", ["-1", "0", "00", "+1", "01", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                                       "18446744073709551616", "1e3", "1.0", "1,0", "abc", "nieuw", "\x00", " ", "/", "\u0663", "\uff11",
                                       "\U0001F600", "9" * 40, "9" * 400, "%", "..", "1;2", "1 OR 1=1", b"\xff\xfe"])

    def segment(self, real, p_hostile=0.1):
        if real is None or self.rng.random() < p_hostile:
            return encode_value(self.hostile_segment(), plus=False)
        return str(real)

    def pick(self, name, p_none=0.0):
        pool = self.pools.get(name) or []
        if not pool or self.rng.random() < p_none:
            return None
        return self.rng.choice(pool)

    def admin_id(self):
        if self.rng.random() < 0.65 or not self.pools.get("admin_ids"):
            return self.main_admin
        return self.rng.choice(self.pools["admin_ids"])

    def refresh_pools(self):
        connection = open_database(self.db_path)
        try:
            connection.execute("BEGIN")
            self.pools["admin_ids"] = [r[0] for r in connection.execute("SELECT id FROM administrations")]
            self.pools["admins"] = [dict(zip(("id", "code", "name", "fiscalYear", "kvk", "vat", "rsin", "street", "postal", "city", "country"), r))
                                    for r in connection.execute(
                                        "SELECT id, code, name, fiscal_year, chamber_of_commerce_number, vat_number, rsin, street, postal_code, city, country FROM administrations")]
            self.pools["accounts"] = [dict(zip(("id", "admin", "number", "name", "type", "rgs", "active"), r))
                                      for r in connection.execute("SELECT id, administration_id, number, name, type, rgs_code, is_active FROM ledger_accounts")]
            self.pools["account_ids"] = [a["id"] for a in self.pools["accounts"]]
            self.pools["entries"] = [dict(zip(("id", "admin", "status", "source", "reference", "lines"), r))
                                     for r in connection.execute(
                                         """SELECT e.id, e.administration_id, e.status, e.source, e.source_reference,
                                                   (SELECT count(*) FROM journal_lines l WHERE l.entry_id = e.id)
                                            FROM journal_entries e""")]
            self.pools["entry_ids"] = [e["id"] for e in self.pools["entries"]]
            self.pools["line_ids"] = [r[0] for r in connection.execute("SELECT id FROM journal_lines ORDER BY id DESC LIMIT 400")]
            self.pools["connection_ids"] = [r[0] for r in connection.execute("SELECT id FROM loket_connections")]
            self.pools["link_ids"] = [r[0] for r in connection.execute("SELECT id FROM loket_links")]
            self.pools["payroll_ids"] = [r[0] for r in connection.execute("SELECT payroll_administration_id FROM loket_payroll_administrations")]
            self.pools["loket_codes"] = [r[0] for r in connection.execute(
                "SELECT DISTINCT original_account_code FROM journal_lines WHERE original_account_code IS NOT NULL LIMIT 200")]
            connection.execute("COMMIT")
        finally:
            connection.close()

    def entries(self, status, admin=None):
        return [e for e in self.pools.get("entries", []) if e["status"] == status and (admin is None or e["admin"] == admin)]

    def accounts_of(self, admin, active=True):
        return [a for a in self.pools.get("accounts", []) if a["admin"] == admin and (not active or a["active"])]

    # -- sending --------------------------------------------------------------------------------

    def send(self, method, path, route, *, pairs=None, parts=None, raw=None, content_type=None, note="", refusal_expected=False,
             timeout=60, counted=True):
        """One request; classifies the answer and records failures. None when there was no answer."""
        rng = self.rng
        if counted and self.phase == "fuzz":
            self.requests += 1
        else:
            self.setup_requests += 1
        headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "close"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        security = None
        if self.phase == "fuzz" and self.next_security is not None:
            security, self.next_security = self.next_security, None
            # GETs can only lose the cookie or the Host; /oauth/callback is public by design.
            if method != "POST" and (security not in ("no-cookie", "foreign-host") or (security == "no-cookie" and path.startswith("/oauth/callback"))):
                security = None
        body = None
        if method == "POST":
            headers["Origin"] = self.origin
            if rng.random() < 0.85:
                headers["Sec-Fetch-Site"] = "same-origin"
            if security in ("no-csrf", "bad-csrf"):
                token = None if security == "no-csrf" else rng.choice(["", self.csrf[:-1], self.csrf + "A", self.csrf.upper(), "x" * len(self.csrf)])
                if pairs is not None:
                    pairs = [(n, v) for n, v in pairs if n != "_csrf"] + ([("_csrf", token)] if token is not None else [])
                elif parts is not None:
                    parts = [p for p in parts if p[0] != "_csrf"] + ([("_csrf", token)] if token is not None else [])
                else:
                    security = None  # a raw body: leave it alone
            if pairs is not None:
                body = encode_pairs(pairs)
                headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
            elif parts is not None:
                boundary = "----loonjournaal-fuzz-" + "".join(rng.choice("0123456789abcdef") for _ in range(24))
                body = encode_multipart(parts, boundary)
                headers["Content-Type"] = content_type or f"multipart/form-data; boundary={boundary}"
            else:
                body = raw if raw is not None else b""
                headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
            if security == "foreign-origin":
                headers["Origin"] = rng.choice(["http://evil.example", f"http://127.0.0.1:{self.port + 1}", f"http://localhost:{self.port}",
                                                f"https://127.0.0.1:{self.port}", "null"])
                headers.pop("Sec-Fetch-Site", None)
            elif security == "cross-site":
                headers["Sec-Fetch-Site"] = rng.choice(["cross-site", "same-site", "none"])
            elif security == "not-a-form":
                headers["Content-Type"] = rng.choice(["text/plain", "application/json", "text/html", "multipart/form-data", "multipart/mixed; boundary=x", ""])
        if security == "no-cookie":
            headers.pop("Cookie", None)
        elif security == "foreign-host":
            headers["Host"] = rng.choice(["evil.example", f"evil.example:{self.port}", f"127.0.0.1:{self.port + 1}", f"127.0.0.2:{self.port}"])
        if security is not None:
            self.security_breaks += 1
        elif method == "POST" and not refusal_expected:
            self.valid_security_posts += 1
        label = f"{method} {route}"
        self.by_route[label] += 1
        record = {"method": method, "path": path, "route": label, "note": note + (f" [security: {security}]" if security else ""),
                  "headers": headers, "body": body}
        self.recent.append(record)
        began = time.time()
        try:
            answer = raw_request(self.port, method, path, headers, body, timeout)
        except (OSError, http.client.HTTPException) as error:
            self.by_status["no answer"] += 1
            self.log.append(f"--- {label} {path[:160]} {record['note'][:300]} ({type(error).__name__})")
            limit = 16 * 1024 * 1024 if re.fullmatch(r"/administraties/\d+/boekingen/\d+", path) else MAX_BODY
            self.transport_failure(record, error, oversized=body is not None and len(body) > limit)
            return None
        self.by_status[answer.status] += 1
        took = time.time() - began
        self.slowest.append((took, label, record["note"][:160]))
        self.slowest = sorted(self.slowest, reverse=True)[:5]
        self.log.append(f"{answer.status} {took:6.3f}s {label} {path[:160]} {record['note'][:300]}")
        self.check_answer(record, answer, security, refusal_expected)
        return answer

    def transport_failure(self, record, error, oversized):
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.app.process.poll() is not None:
                self.dead = True
                tail = self.app.stderr_path.read_text(errors="replace")[-3000:]
                self.fail("crash", record, detail=f"{type(error).__name__}: {error}; exit code {self.app.process.returncode}; stderr tail:\n{tail}")
                return
            try:
                health = raw_request(self.port, "GET", "/health", {"Host": f"127.0.0.1:{self.port}", "Connection": "close"}, None, 3)
                if health.status == 200:
                    break
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.25)
        else:
            self.wedged = True
            self.fail("no answer (app wedged)", record, detail=f"{type(error).__name__}: {error}; /health does not answer either; stderr tail:\n"
                      + self.app.stderr_path.read_text(errors="replace")[-2000:])
            return
        if oversized:
            # A server may answer 413 and close while the client is still sending a body beyond the limit.
            self.closed_on_oversize += 1
            return
        self.fail("no well-formed answer", record, detail=f"{type(error).__name__}: {error}")

    def check_answer(self, record, answer, security, refusal_expected):
        status = answer.status
        if status >= 500:
            if status == 502 and record["method"] == "GET" and record["route"].endswith("/runs") and 'id="runs-error"' in answer.text:
                self.upstream_502 += 1  # the runs page names an unreachable Loket (its designed answer)
            else:
                code = re.search(r"noem dan code ([A-Za-z0-9_-]+)", answer.text)
                self.fail(f"HTTP {status}", record, detail=f"support code {code.group(1) if code else '?'}", code=code.group(1) if code else None)
        if security is not None and 200 <= status < 400:
            self.fail("refused-security request accepted", record, detail=f"HTTP {status} without a valid {security}")
        if security is None and status == 403 and record["method"] == "POST" and not refusal_expected:
            self.unexpected_403.append(record["route"] + " " + record["note"][:100])
        if 300 <= status < 400 and record["route"] != "GET /loket/naar-loket":  # that one sends the browser to the configured Loket
            location = answer.header("Location") or ""
            cleaned = re.sub(r"[\t\r\n]", "", location)
            same_origin = (cleaned.startswith("/") and not cleaned.startswith("//") and not cleaned.startswith("/\\")) \
                or cleaned.startswith(self.origin + "/") or cleaned.startswith("http://127.0.0.1:")
            if not same_origin:
                self.fail("redirect off our origin", record, detail=f"HTTP {status} Location: {location!r}")
        if answer.body and b'name="csrf-token"' in answer.body:
            match = re.search(r'name="csrf-token" content="([^"]+)"', answer.text)
            if match and match.group(1) != self.csrf and security is None:
                if self.csrf is not None:
                    self.csrf_rotations += 1
                self.csrf = match.group(1)

    def fail(self, kind, record, detail="", code=None):
        number = len(self.failures) + 1
        request_file = None
        if number <= 60:
            self.artifacts.mkdir(parents=True, exist_ok=True)
            request_file = self.artifacts / f"{number:03d}-{re.sub(r'[^A-Za-z0-9]+', '-', kind).strip('-')}.http"
            head = f"{record['method']} {record['path']} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in record["headers"].items())
            body = record["body"] or b""
            request_file.write_bytes(head.encode("utf-8", "replace") + (f"Content-Length: {len(body)}\r\n" if record["body"] is not None else "").encode()
                                     + b"\r\n" + body)
        self.failures.append({"kind": kind, "route": record["route"], "path": record["path"], "note": record["note"], "detail": detail,
                              "file": str(request_file) if request_file else None, "code": code, "phase": self.phase,
                              "body_size": len(record["body"] or b"")})

    # -- small helpers on top of send -----------------------------------------------------------

    def get(self, path, route, **kw):
        return self.send("GET", path, route, **kw)

    def post(self, path, route, pairs, **kw):
        return self.send("POST", path, route, pairs=[("_csrf", self.csrf)] + list(pairs), **kw)

    def mutate(self, pairs, kinds, count=None, protect=("_csrf",)):
        """Changes one to three fields of a valid post: a fuzzed value, a removed field, a repeated
        field (the app reads the first) or an extra one."""
        rng = self.rng
        pairs = list(pairs)
        notes = []
        for _ in range(count or rng.choice([1, 1, 1, 2, 2, 3])):
            names = [n for n, _ in pairs if n not in protect] + [k for k in kinds if k not in protect]
            if not names:
                break
            name = rng.choice(names)
            op = rng.random()
            if op < 0.72:
                value = self.value(kinds.get(name, "text"))
                for index, (n, _) in enumerate(pairs):
                    if n == name:
                        pairs[index] = (n, value)
                        break
                else:
                    pairs.append((name, value))
                notes.append(f"{name}={describe(value)}")
            elif op < 0.82:
                pairs = [(n, v) for n, v in pairs if n != name]
                notes.append(f"{name} missing")
            elif op < 0.9:
                value = self.value(kinds.get(name, "text"))
                first = next((i for i, (n, _) in enumerate(pairs) if n == name), len(pairs))
                pairs.insert(first if rng.random() < 0.5 else len(pairs), (name, value))
                notes.append(f"{name} twice (+{describe(value)})")
            elif op < 0.96:
                extra = rng.choice(["", " ", "\x00", "a" * 300, "line_count", "_csrf2", "x[]", "%ZZ", FAMILY, "account_-1", "debit_99999999999999999999"])
                value = self.value("text")
                pairs.append((extra, value))
                notes.append(f"extra field {describe(extra)}={describe(value)}")
            else:
                value = rng.choice([b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\x80", b"abc\xff", bytes(range(256))])
                for index, (n, _) in enumerate(pairs):
                    if n == name:
                        pairs[index] = (n, value)
                        break
                else:
                    pairs.append((name, value))
                notes.append(f"{name}={describe(value)}")
        return pairs, notes

    def post_mutated(self, path, route, base, kinds, p_mutate=0.85):
        pairs = [("_csrf", self.csrf)] + list(base)
        notes = []
        if self.rng.random() < p_mutate:
            pairs, notes = self.mutate(pairs, kinds)
        return self.send("POST", path, route, pairs=pairs, note=", ".join(notes) or "valid post")

    # -- setup ----------------------------------------------------------------------------------

    def sign_in(self):
        split = urllib.parse.urlsplit(self.app.launch_url)
        answer = self.get(f"{split.path}?{split.query}", "/launch")
        assert answer is not None and answer.status == 303, "the launch link did not sign in"
        self.cookie = answer.header("Set-Cookie").split(";")[0]
        home = self.get("/", "/")
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', home.text).group(1)

    def expect_redirect(self, answer, what, pattern=r".*"):
        assert answer is not None and answer.status in (302, 303), f"setup: {what}: HTTP {answer.status if answer else 'no answer'}: {answer.text[:2000] if answer else ''}"
        location = answer.header("Location")
        match = re.match(pattern, location)
        assert match, f"setup: {what}: redirected to {location}"
        return match

    def upload_payroll(self, admin, data, filename="loon.csv", encoding="utf-8", route_note=""):
        parts = [("_csrf", self.csrf), ("file", filename, "text/csv", data), ("encoding", encoding)]
        return self.send("POST", f"/administraties/{admin}/salarisbestand", "/administraties/:id/salarisbestand", parts=parts, note=route_note)

    def mapping_form(self, answer):
        if answer is None or answer.status != 200:
            return None
        form = form_with(answer.text, form_id="mapping-form")
        return form["fields"] if form else None

    def import_file(self, admin, fields, entry_date, period, description=""):
        pairs = [(n, v) for n, v in fields if n not in ("entryDate", "period", "description")]
        pairs += [("entryDate", entry_date), ("period", period), ("description", description)]
        return self.send("POST", f"/administraties/{admin}/salarisbestand/importeren", "/administraties/:id/salarisbestand/importeren",
                         pairs=pairs, note="valid import")

    def make_file_draft(self, admin, month, tag):
        csv = ("Grootboekrekening;Omschrijving;Debet;Credit;Kostenplaats\n"
               f"4000;Lonen {tag};10.000,00;;SAL073\n1700;Loonheffing;;3.000,00;\n1710;Netto;;7.000,00;\n4100;Sociale lasten {tag};1.234,56;;\n"
               "1730;Pensioen;;1.234,56;\n").encode()
        fields = self.mapping_form(self.upload_payroll(admin, csv, filename=f"journaal-{tag}.csv"))
        if fields is None:
            return None
        answer = self.import_file(admin, fields, f"28-{month:02d}-2026", str(month), f"Loonjournaal {tag}")
        if answer is None or answer.status != 303:
            return None
        match = re.search(r"/boekingen/(\d+)$", answer.header("Location") or "")
        return int(match.group(1)) if match else None

    def entry_form(self, admin, entry_id, route_note="", counted=True):
        answer = self.get(f"/administraties/{admin}/boekingen/{entry_id}", "/administraties/:id/boekingen/:entryId", note=route_note, counted=counted)
        if answer is None or answer.status != 200:
            return None
        form = form_with(answer.text, form_id="entry-form")
        if form is None:
            return None
        self.bases[entry_id] = [(n, v) for n, v in form["fields"]]
        return self.bases[entry_id]

    def book(self, admin, entry_id):
        fields = self.entry_form(admin, entry_id)
        assert fields is not None, f"setup: entry {entry_id} has no form"
        answer = self.send("POST", f"/administraties/{admin}/boekingen/{entry_id}", "/administraties/:id/boekingen/:entryId",
                           pairs=fields + [("action", "book")], note="valid booking")
        return answer is not None and answer.status == 303

    def connect_loket(self):
        answer = self.post("/loket/verbindingen", "/loket/verbindingen", [("environment", "simulator"), ("name", "Loket simulator"), ("clientId", ""), ("clientSecret", ""),
                                                    ("authURL", ""), ("apiURL", ""), ("externalRedirectURI", "")])
        ticket = self.expect_redirect(answer, "connect", r"/loket/doorsturen\?ticket=(.+)$").group(1)
        answer = self.get(f"/loket/naar-loket?ticket={ticket}", "/loket/naar-loket")
        authorize = self.expect_redirect(answer, "to Loket", rf"http://127\.0\.0\.1:{self.app.sandbox_port}/authorize\?.*").group(0)
        query = urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query)
        form = query + [("username", "demo"), ("password", "demo"), ("action", "login")]
        login = raw_request(self.app.sandbox_port, "POST", "/authorize",
                            {"Host": f"127.0.0.1:{self.app.sandbox_port}", "Content-Type": "application/x-www-form-urlencoded", "Connection": "close"},
                            urllib.parse.urlencode(form).encode(), 30)
        assert login.status in (302, 303), f"setup: simulator login: HTTP {login.status}"
        callback = urllib.parse.urlsplit(login.header("Location"))
        assert callback.path == "/oauth/callback", login.header("Location")
        answer = self.get(f"{callback.path}?{callback.query}", "/oauth/callback")
        return int(self.expect_redirect(answer, "callback", r"/loket/verbindingen/(\d+)$").group(1))

    def setup(self):
        self.sign_in()
        answer = self.post("/administraties", "/administraties", [("code", "FUZZ1"), ("name", "Fuzz Loon B.V."), ("fiscalYear", "2026"), ("chamberOfCommerceNumber", "12345678"),
                                               ("vatNumber", "NL123456789B01"), ("rsin", ""), ("street", "Dorpsstraat 1"), ("postalCode", "1234 AB"),
                                               ("city", "Utrecht"), ("country", "NL")])
        self.main_admin = admin = int(self.expect_redirect(answer, "create administration", r"/administraties/(\d+)$").group(1))
        self.expect_redirect(self.post(f"/administraties/{admin}/rekeningschema/standaard", "/administraties/:id/rekeningschema/standaard", []), "starter chart")
        draft = self.make_file_draft(admin, 3, "maart")
        assert draft, "setup: the payroll file did not become a draft"
        booked = self.make_file_draft(admin, 2, "februari")
        assert booked and self.book(admin, booked), "setup: the second payroll file could not be booked"
        self.make_file_draft(admin, 4, "april")
        self.main_connection = connection = self.connect_loket()
        self.refresh_pools()
        bakery = sqlite_one(self.db_path, "SELECT payroll_administration_id FROM loket_payroll_administrations WHERE name = ?", (BAKERY,))
        assert bakery, "setup: the simulator's bakery is not in the company list"
        self.expect_redirect(self.post(f"/loket/verbindingen/{connection}/koppelen", "/loket/verbindingen/:connectionId/koppelen", [("payrollAdministrationId", bakery), ("administrationId", str(admin))]), "link")
        runs = self.get(f"/administraties/{admin}/runs", "/administraties/:id/runs")
        assert runs is not None and runs.status == 200, f"setup: runs page: {runs.status if runs else 'no answer'}"
        self.run_ids = sorted(set(re.findall(r'data-run="([^"]+)"', runs.text)))
        self.expect_redirect(self.post(f"/administraties/{admin}/runs/import", "/administraties/:id/runs/import", [("all", "1")]), "import all runs")
        self.refresh_pools()
        for entry in self.entries("draft", admin):
            if entry["source"] == "loket" and self.book(admin, entry["id"]):
                break
        self.expect_redirect(self.post(f"/loket/verbindingen/{connection}/alles-koppelen", "/loket/verbindingen/:connectionId/alles-koppelen", []), "link all")
        self.refresh_pools()
        assert self.entries("draft") and self.entries("booked"), "setup: no draft or no booked entry"

    # -- targets --------------------------------------------------------------------------------

    def t_draft(self):
        """The draft editor: a valid post from the page's own form, mutated one to a few fields at a time."""
        rng = self.rng
        # Entries of thousands of lines cost seconds per post: they get the two big posts only.
        # A post to a draft of thousands of lines costs the app a second or more: mostly small ones.
        limit = 300 if rng.random() < 0.85 else 3000
        drafts = [e for e in self.entries("draft") if e["lines"] <= limit and e["id"] not in self.heavy]
        booked = [e for e in self.entries("booked") if e["lines"] <= limit]
        r = rng.random()
        entry = rng.choice(drafts) if drafts and r < 0.8 else (rng.choice(booked) if booked and r < 0.95 else None)
        if entry is None:
            admin = self.admin_id()
            path = f"/administraties/{self.segment(admin, 0.3)}/boekingen/{self.segment(self.pick('entry_ids'), 0.6)}"
            base = [("version", "1"), ("line_count", "0"), ("entryDate", "31-03-2026"), ("period", "3"), ("description", "x")]
            return self.send("POST", path, "/administraties/:id/boekingen/:entryId",
                             pairs=[("_csrf", self.csrf)] + base + [("action", "save")], note="random entry id")
        admin, entry_id = entry["admin"], entry["id"]
        base = self.bases.get(entry_id) or self.entry_form(admin, entry_id)
        if base is None:
            return None
        pairs = [("_csrf", self.csrf)] + [(n, v) for n, v in base if n != "_csrf"]
        pairs.append(("action", rng.choice(["save"] * 6 + ["book"] * 3 + [self.hostile()])))
        line_indices = sorted({int(m.group(1)) for n, _ in pairs for m in [re.match(r"(?:line_id|account|debit|credit)_(\d+)$", n)] if m})
        with_id = {n for n, v in pairs if v and n.startswith("line_id_")}
        real = [i for i in line_indices if f"line_id_{i}" in with_id]
        kinds = {"description": "text", "entryDate": "date", "period": "period", "version": "number", "line_count": "number", "action": "choice"}
        for i in line_indices:
            kinds.update({f"line_id_{i}": "lineid", f"account_{i}": "account", f"desc_{i}": "text", f"cc_{i}": "text", f"cu_{i}": "text",
                          f"debit_{i}": "amount", f"credit_{i}": "amount", f"remove_{i}": "flag"})
        strategy = rng.random()
        notes = []

        def put(name, value):
            nonlocal pairs
            for index, (n, _) in enumerate(pairs):
                if n == name:
                    pairs[index] = (n, value)
                    break
            else:
                pairs.append((name, value))
            notes.append(f"{name}={describe(value)}")

        if strategy < 0.5:
            pairs, notes = self.mutate(pairs, kinds)
        elif strategy < 0.68:
            op = rng.random()
            if op < 0.45:
                put("line_count", self.cycle("line_count", ["-1", "-2", "0", "1", "2", "x", "", "2000", "2001", "2147483648", "9223372036854775807",
                                                            "9223372036854775808", "-9223372036854775808", str(10**6), "1e3", " 3", "+3", "\x00"]))
            elif op < 0.6 and real:
                put(f"remove_{rng.choice(real)}", "1")
            elif op < 0.75 and len(real) >= 2:
                i, j = rng.sample(real, 2)
                put(f"line_id_{j}", dict(pairs)[f"line_id_{i}"])  # two lines claim the same id
            elif op < 0.9 and real:
                put(f"line_id_{rng.choice(real)}", self.value("lineid"))
            else:
                put("version", rng.choice(["0", "-1", "2", "999999999999999999999", "", "x", str(int(dict(pairs).get("version", "1")) + 1)]))
        elif strategy < 0.9:
            # A valid edit: a balanced pair of new lines, another account, another date / period / text.
            accounts = self.accounts_of(admin)
            free = [i for i in line_indices if i not in real]
            op = rng.random()
            if op < 0.5 and accounts and len(free) >= 2:
                amount = dutch(rng.choice([1, 100, 12345, rng.randint(1, 10**10), rng.randint(1, 10**14), 10**14]), rng.random() < 0.5)
                first, second = free[:2]
                put(f"account_{first}", rng.choice(accounts)["number"])
                put(f"debit_{first}", amount)
                put(f"account_{second}", rng.choice(accounts)["number"])
                put(f"credit_{second}", amount)
                if rng.random() < 0.5:
                    put(f"desc_{first}", self.text(60))
            elif op < 0.7 and accounts and real:
                account = rng.choice(accounts)
                put(f"account_{rng.choice(real)}", account["number"] if rng.random() < 0.5 else f"{account['number']} {account['name']}")
            elif op < 0.85:
                month = rng.randint(1, 12)
                put("entryDate", f"{rng.randint(1, 28):02d}-{month:02d}-{rng.choice([2025, 2026, 2027])}")
                put("period", str(rng.choice([month, rng.randint(1, 13)])))
            else:
                put("description", rng.choice([self.text(200), "Loonjournaal " + self.text(20), FAMILY * rng.choice([1, 30, 50]),
                                                "e\u0301" * rng.choice([100, 150, 201])]))
        elif strategy < 0.95:
            # Many lines at once: the stored lines as the page has them, then new ones (balanced pairs).
            accounts = self.accounts_of(admin) or [{"number": "4000", "name": ""}]
            stored = len(real)
            # Posts of ~10,000 lines (the limit) take seconds each: two per run.
            heavy_allowed = self.huge_posts < 2 and time.time() < self.deadline - 45
            sizes = [300, 1000, 1999, 2000, 2001, 2002] + ([9998, 10000, 10001, 10002, 10003, 10004] if heavy_allowed else [])
            total = rng.choice(sizes)
            if total > 9000:
                self.huge_posts += 1
                self.heavy.add(entry_id)
            keep_old = rng.random() < 0.8
            first_new = stored if keep_old else 0
            total = max(total, first_new + 1)
            def keep(name):
                match = re.match(r"(?:line_id|account|desc|cc|cu|debit|credit|remove)_(\d+)$", name)
                return name != "line_count" and (match is None or int(match.group(1)) < first_new)

            pairs = [(n, v) for n, v in pairs if keep(n)]
            pairs.append(("line_count", str(total)))
            huge = rng.random() < 0.4
            for i in range(first_new, total):
                side = "debit" if (i - first_new) % 2 == 0 else "credit"
                pairs += [(f"line_id_{i}", ""), (f"account_{i}", rng.choice(accounts)["number"]),
                          (f"{side}_{i}", rng.choice(["1.000.000.000,00", "1.000.000.000,01", "999.999.999.999,99"]) if huge else dutch(rng.randint(1, 10**6)))]
            notes.append(f"line_count={total}: {total - first_new} new lines ({'huge' if huge else 'small'} amounts) after "
                         + (f"the {stored} stored ones" if keep_old else "no stored line"))
        else:
            # A body that is not quite a form, with a valid token first.
            garbage = rng.choice([b"%", b"=&=&&", b"line_count=%ZZ", b"line_count", b"&line_count=-1=1", b"debit_0=%FF%FE", bytes(rng.randrange(256) for _ in range(300))])
            body = encode_pairs(pairs) + b"&" + garbage
            return self.send("POST", f"/administraties/{admin}/boekingen/{entry_id}", "/administraties/:id/boekingen/:entryId",
                             raw=body, note=f"form + raw {describe(garbage)}")
        # What is stored before the post: a form of an older version is merged with it (the
        # other "tab" is this fuzzer's own earlier save), which has its own invariant.
        version_before = sqlite_one(self.db_path, "SELECT version FROM journal_entries WHERE id = ?", (entry_id,))
        ids_before = {row[0] for row in sqlite_all(self.db_path, "SELECT id FROM journal_lines WHERE entry_id = ?", (entry_id,))}
        answer = self.send("POST", f"/administraties/{admin}/boekingen/{entry_id}", "/administraties/:id/boekingen/:entryId",
                           pairs=pairs, note=", ".join(notes) or "valid post", timeout=180 if len(pairs) > 40000 else 60)
        if answer is None:
            return None
        if answer.status in (303, 409):
            self.bases.pop(entry_id, None)
        if answer.status == 303 and entry["status"] == "draft":
            sent = dict(pairs).get("version", "")
            if sent.strip() == str(version_before):
                self.check_saved_lines(entry_id, pairs, notes)
            else:
                self.check_merged_lines(entry_id, pairs, ids_before)
        return answer

    def check_merged_lines(self, entry_id, pairs, ids_before):
        """A form of an older version saved with 303 was merged: no stored line may be gone that
        the form did not remove itself (a line the other side deleted was gone before)."""
        first = {}
        for name, value in pairs:
            first.setdefault(name, value)
        if any(isinstance(v, bytes) for v in first.values()):
            return
        removed = {swift_int(first.get(f"line_id_{m.group(1)}", "")) for n, v in first.items()
                   for m in [re.match(r"remove_(\d+)$", n)] if m and v == "1"}
        after = {row[0] for row in sqlite_all(self.db_path, "SELECT id FROM journal_lines WHERE entry_id = ?", (entry_id,))}
        self.line_checks += 1
        lost = sorted(ids_before - after - removed)
        if lost:
            self.fail("line lost in a merge", self.recent[-1], detail=f"entry {entry_id}: stored lines {lost[:5]} are gone but the form did not remove them")

    def check_saved_lines(self, entry_id, pairs, notes):
        """A draft saved with 303 must hold exactly the lines its form held (by the form's own
        rules: N < line_count, not removed, not an untouched empty row)."""
        first = {}
        for name, value in pairs:
            # Foundation's percent-decoding drops a byte-order mark at the start of a value
            # (seen on `desc_N` = U+FEFF alone): the app reads such a field without it.
            if isinstance(value, str) and value.startswith("\ufeff"):
                value = value[1:]
            first.setdefault(name, value)
        values = list(first.values())
        if any(isinstance(v, bytes) for v in values):
            return
        # Whether white space around line_count / line_id_N is trimmed differs between versions: no verdict then.
        if any(swift_trim(v) != v for n, v in first.items() if n == "line_count" or n.startswith("line_id_")):
            return
        count = swift_int(first.get("line_count", "")) or 0
        indices = sorted({int(m.group(1)) for n in first for m in [re.match(r"(?:line_id|account|desc|cc|cu|debit|credit|remove)_(\d+)$", n)] if m})
        kept = 0
        for index in indices:
            if index >= count:
                continue
            if first.get(f"remove_{index}", "") == "1":
                continue
            line_id = swift_int(first.get(f"line_id_{index}", ""))
            if line_id is None and first.get(f"account_{index}", "") == "" and all(
                    trimmed_is_empty(first.get(f"{f}_{index}", "")) for f in ("debit", "credit", "desc")):
                continue
            kept += 1
        stored = sqlite_one(self.db_path, "SELECT count(*) FROM journal_lines WHERE entry_id = ?", (entry_id,))
        self.line_checks += 1
        if stored != kept:
            record = self.recent[-1]
            self.fail("line dropped (or added) on save", record,
                      detail=f"entry {entry_id}: the form held {kept} line(s) (line_count={first.get('line_count')!r}), the database has {stored}")

    def t_get(self):
        rng = self.rng
        a = self.segment(self.admin_id(), 0.12)
        account = self.segment(self.pick("account_ids"), 0.25)
        entry = self.segment(self.pick("entry_ids"), 0.25)
        connection = self.segment(self.pick("connection_ids"), 0.25)
        link = self.segment(self.pick("link_ids"), 0.25)
        pages = [
            ("/", "/", {"pagina": "number", "zoek": "text"}, 4),
            (f"/administraties/{a}", "/administraties/:id", {}, 2),
            (f"/administraties/{a}/wijzigen", "/administraties/:id/wijzigen", {}, 1),
            (f"/administraties/{a}/rekeningen", "/administraties/:id/rekeningen", {}, 1),
            (f"/administraties/{a}/rekeningen/{account}", "/administraties/:id/rekeningen/:accountId", {}, 2),
            (f"/administraties/{a}/runs", "/administraties/:id/runs", {}, 1),
            (f"/administraties/{a}/boekingen", "/administraties/:id/boekingen", {}, 1),
            (f"/administraties/{a}/boekingen/{entry}", "/administraties/:id/boekingen/:entryId", {}, 2),
            (f"/administraties/{a}/instellingen", "/administraties/:id/instellingen", {}, 1),
            (f"/administraties/{a}/salarisbestand", "/administraties/:id/salarisbestand", {}, 1),
            (f"/administraties/{a}/grootboek", "/administraties/:id/grootboek",
             {"jaar": "year", "periode": "period", "rekening": "id", "bron": "choice", "pagina": "number"}, 5),
            (f"/administraties/{a}/grootboek/rekening/{account}", "/administraties/:id/grootboek/rekening/:accountId", {"jaar": "year", "pagina": "number"}, 4),
            (f"/administraties/{a}/proefbalans", "/administraties/:id/proefbalans", {"jaar": "year", "periode": "period"}, 3),
            (f"/administraties/{a}/perioden", "/administraties/:id/perioden", {"jaar": "year"}, 2),
            (f"/administraties/{a}/export", "/administraties/:id/export", {"jaar": "year", "formaat": "choice"}, 1),
            (f"/loket/verbindingen/{connection}", "/loket/verbindingen/:connectionId", {}, 1),
            (f"/loket/verbindingen/{connection}/aanmelden", "/loket/verbindingen/:connectionId/aanmelden", {}, 1),
            (f"/loket/koppelingen/{link}/ontkoppelen", "/loket/koppelingen/:linkId/ontkoppelen", {}, 1),
            ("/loket/doorsturen", "/loket/doorsturen", {"ticket": "text"}, 1),
            ("/loket/naar-loket", "/loket/naar-loket", {"ticket": "text"}, 1),
            ("/oauth/callback", "/oauth/callback", {"code": "text", "state": "text", "error": "text", "error_description": "text", "doorgaan": "text"}, 1),
            ("/bijwerken", "/bijwerken", {}, 1),
            ("/bijwerken/voortgang", "/bijwerken/voortgang", {}, 1),
            ("/administraties", "/administraties", {}, 1),
            ("/administraties/nieuw", "/administraties/nieuw", {}, 1),
            ("/maandafsluiting", "/maandafsluiting", {"periode": "text", "filter": "text"}, 2),
            ("/maandafsluiting/csv", "/maandafsluiting/csv", {"periode": "text"}, 1),
            ("/loket", "/loket", {}, 1),
            (f"/administraties/{a}/jaaraansluiting", "/administraties/:id/jaaraansluiting", {"jaar": "year"}, 2),
            (f"/administraties/{a}/jaaraansluiting/csv", "/administraties/:id/jaaraansluiting/csv", {"jaar": "year"}, 1),
            (f"/administraties/{a}/export/bewijsstukken", "/administraties/:id/export/bewijsstukken", {"jaar": "year"}, 1),
            ("/jaaraansluiting", "/jaaraansluiting", {"jaar": "year", "filter": "text"}, 1),
            ("/jaaraansluiting/csv", "/jaaraansluiting/csv", {"jaar": "year"}, 1),
            (f"/administraties/{a}/boekingen/{entry}/bijlagen/{self.segment(self.rng.randrange(1, 40), 0.5)}",
             "/administraties/:id/boekingen/:entryId/bijlagen/:attachmentId", {}, 1),
            (f"/administraties/{a}/boekingen/{entry}/bijlagen/{self.segment(self.rng.randrange(1, 40), 0.5)}/tabel",
             "/administraties/:id/boekingen/:entryId/bijlagen/:attachmentId/tabel", {}, 1),
        ]
        path, route, params, _ = rng.choices(pages, weights=[p[3] for p in pages])[0]
        query = []
        notes = []
        for name, kind in params.items():
            if rng.random() < 0.75:
                if kind == "choice" and name == "bron":
                    value = rng.choice(["loket", "file", "manual", "reversal", self.hostile()])
                elif kind == "choice":
                    value = rng.choice(["xaf", "xaf4", "csv", "pdf", self.hostile()])
                elif name == "ticket" and self.tickets and rng.random() < 0.3:
                    value = rng.choice(self.tickets)
                else:
                    value = self.value(kind)
                if isinstance(value, str):
                    value = value[:1500]
                query.append((name, value))
                notes.append(f"{name}={describe(value)}")
        target = path + ("?" + encode_pairs(query).decode() if query else "")
        return self.get(target, route, note=", ".join(notes))

    def t_admin_create(self):
        base = [("code", "FZ" + str(self.rng.randint(1, 10**9))), ("name", "Fuzz B.V."), ("fiscalYear", "2026"), ("chamberOfCommerceNumber", ""),
                ("vatNumber", ""), ("rsin", ""), ("street", ""), ("postalCode", ""), ("city", ""), ("country", "NL")]
        return self.post_mutated("/administraties", "/administraties", base, ADMIN_KINDS)

    def t_admin_update(self):
        admins = self.pools.get("admins") or []
        admin = next((a for a in admins if a["id"] == self.admin_id()), None) or (admins[0] if admins else None)
        if admin is None:
            return None
        base = [("code", admin["code"]), ("name", admin["name"]), ("fiscalYear", str(admin["fiscalYear"])), ("chamberOfCommerceNumber", admin["kvk"] or ""),
                ("vatNumber", admin["vat"] or ""), ("rsin", admin["rsin"] or ""), ("street", admin["street"] or ""), ("postalCode", admin["postal"] or ""),
                ("city", admin["city"] or ""), ("country", admin["country"] or "")]
        return self.post_mutated(f"/administraties/{self.segment(admin['id'], 0.1)}", "/administraties/:id", base, ADMIN_KINDS)

    def t_account_add(self):
        admin = self.admin_id()
        base = [("number", str(self.rng.randint(10000, 999999))), ("name", "Fuzzrekening"), ("type", self.rng.choice("BW")), ("rgsCode", "")]
        return self.post_mutated(f"/administraties/{self.segment(admin)}/rekeningen", "/administraties/:id/rekeningen", base, ACCOUNT_KINDS)

    def t_account_update(self):
        accounts = self.pools.get("accounts") or []
        if not accounts:
            return None
        account = self.rng.choice(accounts)
        base = [("number", account["number"]), ("name", account["name"]), ("type", account["type"]), ("rgsCode", account["rgs"] or "")]
        path = f"/administraties/{self.segment(account['admin'], 0.05)}/rekeningen/{self.segment(account['id'], 0.1)}"
        return self.post_mutated(path, "/administraties/:id/rekeningen/:accountId", base, ACCOUNT_KINDS, p_mutate=0.9)

    def t_account_toggle(self):
        accounts = self.pools.get("accounts") or []
        if not accounts:
            return None
        account = self.rng.choice(accounts)
        action = self.rng.choice(["deactiveren", "activeren", "activeren"])
        path = f"/administraties/{self.segment(account['admin'], 0.05)}/rekeningen/{self.segment(account['id'], 0.15)}/{action}"
        extra = [] if self.rng.random() < 0.8 else [("accountId", self.number())]
        return self.post(path, f"/administraties/:id/rekeningen/:accountId/{action}", extra)

    def t_starter(self):
        return self.post(f"/administraties/{self.segment(self.admin_id())}/rekeningschema/standaard", "/administraties/:id/rekeningschema/standaard", [])

    def t_chart_import(self):
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            rows = [f"{rng.randint(10000, 9999999)};{rng.choice(['Kas', 'Bank', 'Lonen', self.text(30)])};{rng.choice('BW')}"
                    + (f";{rng.choice(['BLimKas', 'WPerLes', '', self.text(12)])}" if rng.random() < 0.5 else "") for _ in range(rng.randint(1, 40))]
            text, label = ("nummer;naam;soort;rgs\n" if rng.random() < 0.5 else "") + "\n".join(rows), f"{len(rows)} random accounts"
        elif r < 0.6:
            rows = [";".join(self.value(kind) for kind in ("number", "text", "choice", "text")[:rng.choice([2, 3, 4, 5])]) for _ in range(rng.randint(1, 30))]
            text, label = "\n".join(rows), f"{len(rows)} rows of hostile cells"
        elif r < 0.7:
            text, label = "4000;Lonen;W\n4000;Lonen;W\n", "existing and duplicate numbers"
        else:
            data, label = self.odd_bytes()
            parts = [("_csrf", self.csrf), ("file", self.filename(), "text/csv", data), ("encoding", rng.choice(["utf-8", "windows-1252", self.hostile()]))]
            return self.send("POST", f"/administraties/{self.segment(self.admin_id())}/rekeningschema/import", "/administraties/:id/rekeningschema/import",
                             parts=parts, note=label)
        encoding = rng.choice(["utf-8", "utf-8", "windows-1252", self.hostile()])
        data = text.encode("cp1252", "replace") if encoding == "windows-1252" and rng.random() < 0.7 else text.encode("utf-8", "surrogatepass")
        parts = [("_csrf", self.csrf), ("file", self.filename(), "text/csv", data), ("encoding", encoding)]
        return self.send("POST", f"/administraties/{self.segment(self.admin_id())}/rekeningschema/import", "/administraties/:id/rekeningschema/import",
                         parts=parts, note=f"{label}, encoding={describe(encoding)}")

    def filename(self):
        return self.rng.choice(["loon.csv", "journaal maart.csv", "", "a" * 300 + ".csv", "\U0001F600.csv", "x.exe", "../../etc/passwd", "a\x00b.csv", "é.csv", "a;b=c.csv"])

    def odd_bytes(self):
        rng = self.rng
        return rng.choice([
            (bytes(rng.randrange(256) for _ in range(rng.randint(0, 5000))), "random bytes"),
            (b"", "empty file"),
            (b"\xef\xbb\xbf", "only a BOM"),
            ("rekening;debet;credit\n4000;1,00;\n1700;;1,00\n".encode("utf-16"), "UTF-16 with BOM"),
            ("rekening;omschrijving;debet\n4000;Café € ß;1,00\n".encode("cp1252"), "Windows-1252 bytes"),
            (b"rekening;debet\n4000;\x81\x8d\x8f\x90\x9d\n", "bytes undefined in Windows-1252"),
            (b"rekening;debet\n\xc0\xaf;\xed\xa0\x80\n", "overlong UTF-8 and an encoded surrogate"),
            (b"rekening;debet\x00;credit\n4000\x00;1,00;\n", "NUL bytes"),
            (b"rekening;debet;credit\r4000;1,00;\r1700;;1,00\r", "CR line ends"),
            (b"\n" * 50000, "50,000 empty lines"),
            (b"rekening;" * 20000 + b"\n", "20,000 columns"),
            (b"4000;" + b"9" * 500000, "one line of 500 kB"),
            (b'rekening;omschrijving;debet\n4000;"Lonen; maart";1,00\n4000;"open quote;1,00\n', "quotes"),
        ])

    def payroll_file(self):
        """A payroll journal file: (bytes, encoding field, label)."""
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            header = rng.choice(["rekening;omschrijving;debet;credit;kostenplaats", "rekening;debet;credit", "rekening;bedrag",
                                 "Grootboekrekening;Omschrijving;Debet;Credit", None])
            rows = rng.choice([1, 2, 3, 5, 10, 30, 100, 300, 1000, 2500])
            cents = [rng.choice([1, 100, rng.randint(1, 10**7), rng.randint(1, 10**12)]) for _ in range(rows)]
            total = sum(cents)
            lines = []
            sep = ";"
            for value in cents:
                account = rng.choice(STARTER[12:] + [str(rng.randint(1, 9999))])
                lines.append(self.payroll_row(header, account, value, "Lonen " + "".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(0, 12)))))
            while total > 0:
                part = min(total, 10**14 - 1)
                lines.append(self.payroll_row(header, rng.choice(["1700", "1710", "1730"]), -part, "Af te dragen"))
                total -= part
            body = ((header + "\n") if header else "") + "\n".join(lines) + "\n"
            return body.replace(";", sep).encode(), "utf-8", f"balanced file, header {header!r}, {len(lines)} rows"
        if r < 0.5:
            header = rng.choice(["rekening;debet;credit", "rekening;bedrag", "rekening;omschrijving;debet;credit;kostenplaats;kostendrager", ""])
            width = max(2, header.count(";") + 1)
            rows = rng.choice([1, 5, 50, 500, 3000])
            lines = [";".join(rng.choice([self.amount(), self.value("account"), self.hostile()]) .replace("\n", " ").replace(";", ",") for _ in range(width)) for _ in range(rows)]
            return (header + "\n" + "\n".join(lines)).encode("utf-8", "surrogatepass"), rng.choice(["utf-8", "windows-1252"]), f"{rows} rows of random cells under {header!r}"
        if r < 0.56 and self.big_files < 4:
            self.big_files += 1
            header, row = rng.choice([("rekening;debet", "4000;1000000000000"), ("rekening;bedrag", "4000;-1000000000000"),
                                      ("rekening;debet;credit", "4000;999999999999,99;")])
            count = min(rng.randint(92300, 104000), (MAX_BODY - 4096) // (len(row) + 1))
            return (header + "\n" + "\n".join([row] * count) + "\n").encode(), "utf-8", f"{header!r} + {count}×{row!r} (sum beyond Int64)"
        if r < 0.58 and self.too_big_files < 2:
            self.too_big_files += 1
            return b"rekening;debet\n" + b"4000;1,00\n" * (MAX_BODY // 10 + 100), "utf-8", "file beyond 2 MB"
        if r < 0.7:
            text = "rekening;omschrijving;debet;credit\n4000;Café ß € ñ;1,00;\n1700;Loonheffing;;1,00\n"
            return rng.choice([(text.encode("cp1252"), "utf-8", "Windows-1252 bytes sent as UTF-8"),
                               (text.encode("utf-8"), "windows-1252", "UTF-8 bytes sent as Windows-1252"),
                               (text.encode("utf-16-le"), "utf-8", "UTF-16LE without BOM"),
                               (b"\xef\xbb\xbf" + text.encode(), "utf-8", "UTF-8 with BOM"),
                               (text.encode(), self.hostile(), "unknown encoding name")])
        if r < 0.85:
            cells = [self.hostile().replace("\n", " ").replace(";", ",") for _ in range(rng.choice([2, 4, 6]))]
            body = "rekening;omschrijving;debet;credit\n" + "\n".join(
                f"{rng.choice(STARTER)};{c};{self.amount()};{self.amount()}" for c in cells) + "\n4000;" + ";".join(cells[:3]) + "\n"
            return body.encode("utf-8", "surrogatepass"), "utf-8", "hostile cells " + ", ".join(describe(c) for c in cells)
        data, label = self.odd_bytes()
        return data, rng.choice(["utf-8", "windows-1252"]), label

    def payroll_row(self, header, account, cents, description):
        rng = self.rng
        amount = dutch(abs(cents), rng.random() < 0.5)
        if header in ("rekening;bedrag",):
            return f"{account};{dutch(cents)}"
        if header == "rekening;debet;credit" or header is None:
            return f"{account};{amount if cents > 0 else ''};{'' if cents > 0 else amount}"
        extra = ";SAL073" if header.endswith("kostenplaats") else ""
        return f"{account};{description};{amount if cents > 0 else ''};{'' if cents > 0 else amount}{extra}"

    def t_payroll_upload(self):
        rng = self.rng
        admin = self.admin_id()
        data, encoding, label = self.payroll_file()
        answer = self.upload_payroll(self.segment(admin, 0.05), data, filename=self.filename() if rng.random() < 0.3 else "loon.csv",
                                     encoding=encoding if rng.random() < 0.9 else self.hostile(), route_note=f"file: {label}")
        fields = self.mapping_form(answer)
        if fields is None:
            return answer
        self.uploads.append((admin, fields))
        if "Int64" in label or rng.random() < 0.65:
            return self.t_payroll_import(self.uploads[-1], p_mutate=0.0 if "Int64" in label else 0.5, label=label)
        return answer

    def t_payroll_import(self, upload=None, p_mutate=0.85, label=""):
        rng = self.rng
        if upload is None:
            if not self.uploads or rng.random() < 0.1:
                admin = self.admin_id()
                fields = [("token", self.value("text")), ("role_0", "rekening"), ("role_1", "debet"), ("entryDate", "31-03-2026"), ("period", "3"), ("description", "")]
            else:
                admin, fields = rng.choice(self.uploads)
        else:
            admin, fields = upload
        base = [(n, v) for n, v in fields if n not in ("_csrf", "entryDate", "period")]
        month = rng.randint(1, 12)
        base += [("entryDate", f"{rng.randint(1, 28):02d}-{month:02d}-{rng.choice([2025, 2026, 2027])}"), ("period", str(month))]
        kinds = {n: ("role" if n.startswith("role_") else "text") for n, _ in base}
        kinds.update({"entryDate": "date", "period": "period", "description": "text", "token": "text"})
        pairs = [("_csrf", self.csrf)] + base
        notes = [f"after upload of {label}"] if label else []
        if rng.random() < p_mutate:
            pairs, more = self.mutate(pairs, kinds)
            notes += more
        answer = self.send("POST", f"/administraties/{self.segment(admin, 0.03)}/salarisbestand/importeren", "/administraties/:id/salarisbestand/importeren",
                           pairs=pairs, note=", ".join(notes) or "valid import")
        if answer is not None and answer.status == 303:
            self.uploads = [u for u in self.uploads if u[1] is not fields]
        return answer

    def t_entry_action(self):
        rng = self.rng
        entry = self.pick_entry()
        action = rng.choice(["verwijderen", "terugboeken", "terugboeken", "loket"])
        if entry is None:
            path = f"/administraties/{self.segment(self.admin_id())}/boekingen/{self.segment(None)}/{action}"
        else:
            path = f"/administraties/{self.segment(entry['admin'], 0.05)}/boekingen/{self.segment(entry['id'], 0.1)}/{action}"
        confirmed = rng.choice(["1", "1", "", "0", "true", self.hostile()]) if action != "loket" else None
        pairs = [("confirmed", confirmed)] if confirmed is not None else []
        return self.post(path, f"/administraties/:id/boekingen/:entryId/{action}", pairs, note=f"confirmed={describe(confirmed)}" if confirmed is not None else "")

    def pick_entry(self):
        entries = self.pools.get("entries") or []
        if not entries or self.rng.random() < 0.05:
            return None
        booked = [e for e in entries if e["status"] == "booked"]
        return self.rng.choice(booked if booked and self.rng.random() < 0.6 else entries)

    def t_mapping(self):
        rng = self.rng
        admin = self.admin_id()
        accounts = self.accounts_of(admin, active=False) or self.pools.get("accounts") or [{"id": 1, "number": "4000"}]
        code = rng.choice((self.pools.get("loket_codes") or []) + ["9999", self.hostile(), self.text(30)])
        entry = self.pick_entry()
        returns = [f"/administraties/{admin}/boekingen/{entry['id'] if entry else 1}", f"/administraties/{admin}/instellingen", "//evil.example",
                   "https://evil.example/", f"/administraties/{admin}//evil.example", f"/administraties/{admin}/\\evil", f"/administraties/{admin}/\t/evil.example",
                   f"/administraties/{admin}/\r\nSet-Cookie: x=1", f"/administraties/{admin}/" + "a" * 3000, "", self.hostile()]
        if rng.random() < 0.5:
            base = [("code", code), ("returnTo", rng.choice(returns)), ("accountId", str(rng.choice(accounts)["id"]))]
            kinds = {"code": "text", "returnTo": "text", "accountId": "id"}
            return self.post_mutated(f"/administraties/{self.segment(admin)}/rekeningkoppelingen", "/administraties/:id/rekeningkoppelingen", base, kinds, 0.6)
        base = [("code", code), ("returnTo", rng.choice(returns)), ("name", rng.choice(["Loket-rekening", self.text(120)])), ("type", rng.choice("WB"))]
        kinds = {"code": "code", "returnTo": "text", "name": "text", "type": "choice"}
        return self.post_mutated(f"/administraties/{self.segment(admin)}/rekeningkoppelingen/aanmaken", "/administraties/:id/rekeningkoppelingen/aanmaken",
                                 base, kinds, 0.6)

    def t_settings(self):
        base = [("periodRule", self.rng.choice(["month", "payroll"])), ("markProcessed", self.rng.choice(["1", "0", ""]))]
        return self.post_mutated(f"/administraties/{self.segment(self.admin_id())}/instellingen", "/administraties/:id/instellingen", base,
                                 {"periodRule": "choice", "markProcessed": "flag"}, 0.7)

    def t_period(self):
        rng = self.rng
        period = rng.choice([str(rng.randint(1, 13))] * 3 + [self.cycle("period-path", ["0", "14", "-1", "13", "1", "9223372036854775808", "abc", "1e1", " 1", "\u0663"])])
        action = rng.choice(["afsluiten", "heropenen", "heropenen"])
        base = [("jaar", rng.choice(["2026", "2026", "2025", "2027"]))]
        kinds = {"jaar": "year"}
        if action == "heropenen":
            base.append(("reason", rng.choice(["Correctie loonjournaal", "", " ", self.text(200)])))
            kinds["reason"] = "text"
        path = f"/administraties/{self.segment(self.admin_id())}/perioden/{encode_value(period, plus=False)}/{action}"
        return self.post_mutated(path, f"/administraties/:id/perioden/:period/{action}", base, kinds, 0.6)

    def t_runs(self):
        rng = self.rng
        admin = self.admin_id()
        runs = self.run_ids or ["00004a01-0000-4000-8000-000000000002"]
        if rng.random() < 0.75:
            base = [("runId", rng.choice(runs + [self.hostile(), self.text(40)])) for _ in range(rng.choice([1, 1, 2, 3]))]
            if rng.random() < 0.2:
                base.append(("all", rng.choice(["1", "0", self.hostile()])))
            return self.post_mutated(f"/administraties/{self.segment(admin)}/runs/import", "/administraties/:id/runs/import", base,
                                     {"runId": "text", "all": "flag"}, 0.4)
        base = [("runId", rng.choice(runs + [self.hostile()]))]
        return self.post_mutated(f"/administraties/{self.segment(admin)}/runs/opnieuw", "/administraties/:id/runs/opnieuw", base, {"runId": "text"}, 0.5)

    def t_loket(self):
        rng = self.rng
        connections = self.pools.get("connection_ids") or [self.main_connection]
        connection = rng.choice(connections)
        others = [c for c in connections if c != self.main_connection]
        r = rng.random()
        if r < 0.18:
            base = [("environment", rng.choice(["simulator", "custom"])), ("name", "Fuzz " + str(rng.randint(1, 999))), ("clientId", ""), ("clientSecret", ""),
                    ("authURL", f"http://127.0.0.1:{self.app.sandbox_port}"), ("apiURL", f"http://127.0.0.1:{self.app.sandbox_port}"), ("externalRedirectURI", "")]
            kinds = {"environment": "choice", "name": "text", "clientId": "text", "clientSecret": "text", "authURL": "url", "apiURL": "url", "externalRedirectURI": "url"}
            answer = self.post_mutated("/loket/verbindingen", "/loket/verbindingen", base, kinds, 0.85)
            self.follow_ticket(answer)
            return answer
        if r < 0.3:
            answer = self.post(f"/loket/verbindingen/{self.segment(connection)}/verbinden", "/loket/verbindingen/:connectionId/verbinden",
                               [("open", rng.choice(["1", "", self.hostile()]))] if rng.random() < 0.5 else [])
            self.follow_ticket(answer)
            return answer
        if r < 0.42:
            url = rng.choice([f"http://127.0.0.1:{self.port}/oauth/callback?code={self.text(20)}&state={self.text(20)}",
                              f"http://127.0.0.1:{self.port}/oauth/callback?error=access_denied", "?code=x&state=y", self.safe_url(), self.hostile(), self.text(200)])
            return self.post(f"/loket/verbindingen/{self.segment(connection)}/code", "/loket/verbindingen/:connectionId/code", [("url", url)], note=f"url={describe(url)}")
        if r < 0.5:
            # Never the connection the linked administrations use: that would only test Loket being gone.
            target = self.segment(rng.choice(others) if others else None, 0.3)
            if swift_int(urllib.parse.unquote(target)) == self.main_connection:
                target = "0"
            return self.post(f"/loket/verbindingen/{target}/verbreken", "/loket/verbindingen/:connectionId/verbreken", [])
        if r < 0.6:
            return self.post(f"/loket/verbindingen/{self.segment(connection)}/vernieuwen", "/loket/verbindingen/:connectionId/vernieuwen", [])
        if r < 0.82:
            payroll = self.pools.get("payroll_ids") or ["x"]
            base = [("payrollAdministrationId", rng.choice(payroll)), ("administrationId", rng.choice(["nieuw", "", str(self.admin_id())]))]
            return self.post_mutated(f"/loket/verbindingen/{self.segment(connection)}/koppelen", "/loket/verbindingen/:connectionId/koppelen", base,
                                     {"payrollAdministrationId": "text", "administrationId": "id"}, 0.7)
        if r < 0.88:
            return self.post(f"/loket/verbindingen/{self.segment(connection)}/alles-koppelen", "/loket/verbindingen/:connectionId/alles-koppelen", [])
        link = self.pick("link_ids")
        confirmed = rng.choice(["1", "", "0", self.hostile()])
        return self.post(f"/loket/koppelingen/{self.segment(link, 0.3)}/ontkoppelen", "/loket/koppelingen/:linkId/ontkoppelen", [("confirmed", confirmed)],
                         note=f"confirmed={describe(confirmed)}")

    def follow_ticket(self, answer):
        if answer is not None and answer.status == 303:
            match = re.search(r"ticket=([A-Za-z0-9_-]+)", answer.header("Location") or "")
            if match:
                self.tickets = (self.tickets + [match.group(1)])[-10:]
                if self.rng.random() < 0.5:
                    self.get(f"/loket/doorsturen?ticket={match.group(1)}", "/loket/doorsturen")

    def t_sync(self):
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            value = rng.choice(["1", "4", "16", "0", "17", self.number(), self.hostile()])
            return self.post("/bijwerken/instellingen", "/bijwerken/instellingen", [("concurrency", value)], note=f"concurrency={describe(value)}")
        action = rng.choice(["", "/opnieuw", "/annuleren", "/annuleren"])
        return self.post(f"/bijwerken{action}", f"/bijwerken{action}", [])

    def t_month_end(self):
        """The month-end actions with real, foreign and hostile periods, ids and accounts."""
        rng = self.rng
        period = rng.choice(["2026-01", "2026-03", "2026-04", "2026-13", "2026-00", "1899-01", "2026-1", self.hostile()])
        ids = [str(self.admin_id()) for _ in range(rng.randrange(0, 4))] + ([self.hostile()] if rng.random() < 0.2 else [])
        note = f"periode={describe(period)}, administration={','.join(describe(i) for i in ids)}"
        r = rng.random()
        if r < 0.2:
            return self.post("/maandafsluiting/vernieuwen", "/maandafsluiting/vernieuwen", [("periode", period)], note=note)
        if r < 0.55:
            action = rng.choice(["journaliseren", "boeken", "loonheffingsrekening"])
            fields = [("periode", period), ("filter", rng.choice(["alle", "actie", "orde", self.hostile()]))] + [("administration", i) for i in ids]
            if rng.random() < 0.5:
                fields.append(("confirmed", "1"))
            return self.post(f"/maandafsluiting/{action}", f"/maandafsluiting/{action}", fields, note=note)
        a = self.admin_id()
        if r < 0.85:
            accounts = [str(self.pick("account_ids") or self.number()) for _ in range(rng.randrange(0, 3))]
            rounding = rng.choice(["", str(self.pick("account_ids") or 1), self.number(), self.hostile()])
            if rng.random() < 0.3:
                return self.post(f"/administraties/{a}/loonaangifte/kopieren", "/administraties/:id/loonaangifte/kopieren",
                                 [("all", rng.choice(["1", ""]))] + [("target", i) for i in ids], note=note)
            return self.post(f"/administraties/{a}/loonaangifte", "/administraties/:id/loonaangifte",
                             [("wageTaxAccount", x) for x in accounts] + [("roundingAccount", rounding)], note=f"accounts={','.join(accounts)}, rounding={describe(rounding)}")
        entry = str(self.pick("entry_ids") or self.number())
        rounding = rng.choice(["", str(self.pick("account_ids") or 1), self.hostile()])
        return self.post(f"/administraties/{a}/boekingen/{entry}/afronding", "/administraties/:id/boekingen/:entryId/afronding",
                         [("roundingAccount", rounding)], note=f"entry={describe(entry)}")

    def t_raw_forms(self):
        """Malformed bodies and content types on a form route (a 400/403 is the right answer)."""
        rng = self.rng
        admin = self.main_admin
        path, route = rng.choice([(f"/administraties/{admin}/rekeningen", "/administraties/:id/rekeningen"),
                                  (f"/administraties/{admin}/salarisbestand", "/administraties/:id/salarisbestand"),
                                  (f"/administraties/{admin}/rekeningschema/import", "/administraties/:id/rekeningschema/import")])
        token = self.csrf.encode()
        boundary = "b" * rng.choice([1, 10, 70, 201])
        choice = rng.randrange(8)
        if choice == 0:
            return self.send("POST", path, route, raw=b"--" + boundary.encode() + b"\r\nno headers\r\n", content_type=f"multipart/form-data; boundary={boundary}",
                             note="multipart without part headers", refusal_expected=True)
        if choice == 1:
            body = f'--{boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n'.encode() + token + b"\r\n"
            return self.send("POST", path, route, raw=body, content_type=f"multipart/form-data; boundary={boundary}", note="multipart without closing boundary",
                             refusal_expected=True)
        if choice == 2:
            return self.send("POST", path, route, raw=b"_csrf=" + token + b"&file=x", content_type='multipart/form-data; boundary=""',
                             note="empty boundary", refusal_expected=True)
        if choice == 3:
            body = (f'--{boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n'.encode() + token
                    + f'\r\n--{boundary}\r\nContent-Disposition: form-data; filename="x.csv"\r\n\r\n4000;1\r\n--{boundary}--\r\n'.encode())
            return self.send("POST", path, route, raw=body, content_type=f"multipart/form-data; boundary={boundary}", note="a part without a name",
                             refusal_expected=True)
        if choice == 4:
            body = (f'--{boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n'.encode() + token
                    + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                    + bytes(rng.randrange(256) for _ in range(2000)) + f"\r\n--{boundary}--\r\n".encode())
            return self.send("POST", path, route, raw=body, content_type=f'multipart/form-data; boundary="{boundary}"; charset=utf-8', note="quoted boundary, random file")
        if choice == 5:
            body = b"_csrf=" + token + b"&" + bytes(rng.randrange(256) for _ in range(rng.choice([10, 1000, 100000])))
            return self.send("POST", path, route, raw=body, note="form with random bytes")
        if choice == 6 and rng.random() < 0.3:
            body = b"_csrf=" + token + b"&name=" + b"a" * (MAX_BODY + 10)
            return self.send("POST", path, route, raw=body, note="form beyond 2 MB", refusal_expected=True)
        body = b"_csrf=" + token + b"&" + b"&".join(b"k%d=v" % i for i in range(rng.choice([1000, 20000])))
        return self.send("POST", path, route, raw=body, note="many fields")

    # -- the run ---------------------------------------------------------------------------------

    def ensure_drafts(self):
        drafts = [e for e in self.entries("draft", self.main_admin) if e["lines"] <= 3000 and e["id"] not in self.heavy]
        if len(drafts) < 2:
            month = self.rng.randint(1, 12)
            self.make_file_draft(self.main_admin, month, f"aanvulling {self.rng.randint(1, 10**9)}")

    def t_evidence(self):
        """Attachments (hostile names, types and bytes), fetching again, and the year-end refreshes."""
        rng = self.rng
        entry = self.pick_entry()
        admin, entry_id = (entry["admin"], entry["id"]) if entry else (self.admin_id(), self.rng.randrange(1, 40))
        base = f"/administraties/{self.segment(admin, 0.05)}/boekingen/{self.segment(entry_id, 0.1)}"
        r = rng.random()
        if r < 0.45:
            data = rng.choice([b"%PDF-1.4\n%%EOF\n", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(64)), b"MZ\x90\x00",
                               b"", self.hostile().encode("utf-8", "surrogatepass")[:4000], b"a;b\r\n1,00;2\r\n"])
            name = rng.choice(["bon.pdf", "loon.csv", "../../etc/passwd", self.filename(), "x" * 400 + ".pdf", self.hostile()])
            parts = [("_csrf", self.csrf), ("file", name, rng.choice(["application/pdf", "text/csv", "image/png", "x/y"]), data)]
            return self.send("POST", base + "/bijlagen", "/administraties/:id/boekingen/:entryId/bijlagen", parts=parts, note=f"file={describe(name)}")
        if r < 0.6:
            return self.post(f"{base}/bijlagen/{self.segment(self.rng.randrange(1, 40), 0.5)}/verwijderen",
                             "/administraties/:id/boekingen/:entryId/bijlagen/:attachmentId/verwijderen", [])
        if r < 0.75:
            return self.post(base + "/bijlagen-ophalen", "/administraties/:id/boekingen/:entryId/bijlagen-ophalen", [])
        year = rng.choice(["2026", "2025", "1899", "99999", "", self.hostile()])
        if r < 0.9:
            a = self.segment(self.admin_id(), 0.1)
            return self.post(f"/administraties/{a}/jaaraansluiting/vernieuwen", "/administraties/:id/jaaraansluiting/vernieuwen", [("jaar", year)],
                             note=f"jaar={describe(year)}")
        return self.post("/jaaraansluiting/vernieuwen", "/jaaraansluiting/vernieuwen", [("jaar", year)], note=f"jaar={describe(year)}")

    def run(self):
        targets = [
            (self.t_draft, 30), (self.t_get, 18), (self.t_payroll_upload, 7), (self.t_payroll_import, 4), (self.t_admin_create, 3),
            (self.t_admin_update, 3), (self.t_account_add, 3), (self.t_account_update, 3), (self.t_account_toggle, 2), (self.t_chart_import, 3),
            (self.t_starter, 0.5), (self.t_entry_action, 3), (self.t_mapping, 3), (self.t_settings, 1.5), (self.t_period, 3), (self.t_runs, 2),
            (self.t_loket, 5), (self.t_sync, 1.5), (self.t_raw_forms, 2), (self.t_month_end, 2), (self.t_evidence, 2),
        ]
        functions, weights = zip(*targets)
        self.phase = "fuzz"
        started = time.time()
        deadline = self.deadline = started + BUDGET_SECONDS
        last_refresh = -1
        next_database_check = 700
        while self.requests < MAX_REQUESTS and time.time() < deadline and not self.dead and not self.wedged:
            if self.requests // 60 != last_refresh:
                last_refresh = self.requests // 60
                self.refresh_pools()
                self.ensure_drafts()
                if self.app.process.poll() is not None:
                    self.dead = True
                    self.fail("crash", self.recent[-1], detail=f"exit code {self.app.process.returncode}; stderr tail:\n"
                              + self.app.stderr_path.read_text(errors="replace")[-3000:])
                    break
            if self.requests >= next_database_check:
                next_database_check += 700
                self.check_database()
            if self.rng.random() < 0.04:
                self.next_security = self.rng.choice(["no-csrf", "bad-csrf", "foreign-origin", "cross-site", "not-a-form", "no-cookie", "foreign-host"])
            self.rng.choices(functions, weights=weights)[0]()
            self.next_security = None
        self.elapsed = time.time() - started

    def check_database(self):
        self.database_checks += 1
        try:
            problems = database_problems(self.db_path, self.booked_snapshot)
        except sqlite3.Error as error:
            problems = [f"the database could not be checked: {type(error).__name__}: {error}"]
        for problem in problems:
            self.failures.append({"kind": "database", "route": "-", "path": "-", "note": problem, "detail": f"after {self.requests} requests",
                                  "file": None, "code": None, "phase": self.phase, "body_size": 0})

    def support_log(self, code):
        """The server's log line for a 500 (the error page names its request id)."""
        if not code:
            return ""
        for line in self.app.stderr_path.read_text(errors="replace").splitlines():
            if code in line and "unexpected" in line:
                return line[-600:]
        return ""


ADMIN_KINDS = {"code": "code", "name": "text", "fiscalYear": "year", "chamberOfCommerceNumber": "number", "vatNumber": "text", "rsin": "number",
               "street": "text", "postalCode": "text", "city": "text", "country": "text"}
ACCOUNT_KINDS = {"number": "account", "name": "text", "type": "choice", "rgsCode": "text"}


def sqlite_all(path, sql, params=()):
    connection = open_database(path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def sqlite_one(path, sql, params=()):
    connection = open_database(path)
    try:
        row = connection.execute(sql, params).fetchone()
        return row[0] if row else None
    finally:
        connection.close()


def report(fuzzer, seed):
    by_status = dict(sorted(((str(k), v) for k, v in fuzzer.by_status.items())))
    by_route = dict(fuzzer.by_route.most_common())
    lines = [
        f"fuzz: seed={seed}, requests={fuzzer.requests}, by status {by_status}, by route {by_route}",
        f"fuzz: {getattr(fuzzer, 'elapsed', 0):.1f} s of fuzzing (+{fuzzer.setup_requests} setup/refresh requests), "
        f"security-broken={fuzzer.security_breaks} (all must be refused), saved-draft line checks={fuzzer.line_checks}, "
        f"database checks={fuzzer.database_checks}, runs page 502 (Loket unreachable)={fuzzer.upstream_502}, "
        f"closed on oversized body={fuzzer.closed_on_oversize}, csrf rotations={fuzzer.csrf_rotations}",
        "fuzz: slowest " + "; ".join(f"{took:.1f} s {label} ({note})" for took, label, note in fuzzer.slowest),
    ]
    if fuzzer.failures:
        lines.append(f"fuzz: {len(fuzzer.failures)} failure(s) (replay: LOONJOURNAAL_FUZZ_SEED={seed}; raw requests in {fuzzer.artifacts}):")
        seen = collections.Counter()
        for failure in fuzzer.failures:
            key = (failure["kind"], failure["route"])
            seen[key] += 1
            if seen[key] > 4:
                continue
            log = fuzzer.support_log(failure["code"])
            lines.append(f"  - {failure['kind']} on {failure['route']} {failure['path'][:120]} [{failure['phase']}] "
                         f"{failure['note'][:400]} -> {failure['detail'][:1500]}"
                         + (f" | body {failure['body_size']} bytes" if failure["body_size"] else "")
                         + (f" | log: {log}" if log else "") + (f" | {failure['file']}" if failure["file"] else ""))
        for key, count in seen.items():
            if count > 4:
                lines.append(f"  … and {count - 4} more {key[0]} on {key[1]}")
    return "\n".join(lines)


def test_no_input_crashes_the_app_drops_a_line_or_breaks_a_ledger(demo):
    rng = random.Random(SEED)
    print(f"\nfuzz: seed={SEED} (set LOONJOURNAAL_FUZZ_SEED to change), at most {MAX_REQUESTS} requests / {BUDGET_SECONDS:.0f} s")
    fuzzer = Fuzzer(demo, rng)
    fuzzer.setup()
    fuzzer.check_database()
    assert not fuzzer.failures, report(fuzzer, SEED)
    try:
        fuzzer.run()
    finally:
        fuzzer.phase = "end"
        alive = demo.process.poll() is None
        if alive and not fuzzer.wedged:
            home = fuzzer.get("/", "/")
            if home is None or home.status != 200:
                fuzzer.fail("app unusable after the fuzz", fuzzer.recent[-1], detail=f"GET / -> {home.status if home else 'no answer'}")
        fuzzer.check_database()
        summary = report(fuzzer, SEED)
        print(summary)
        fuzzer.artifacts.mkdir(parents=True, exist_ok=True)
        (fuzzer.artifacts / "summary.txt").write_text(summary + "\n")
        (fuzzer.artifacts / "requests.log").write_text("\n".join(fuzzer.log) + "\n", errors="replace")
    assert alive, "loonjournaal exited during the fuzz:\n" + summary
    assert not fuzzer.failures, summary
    valid = max(fuzzer.valid_security_posts, 1)
    assert len(fuzzer.unexpected_403) <= 0.02 * valid, (
        f"{len(fuzzer.unexpected_403)} of {valid} posts with a valid token were refused (the fuzz does not reach the controllers): "
        f"{fuzzer.unexpected_403[:10]}\n{summary}")
    assert fuzzer.requests >= min(MAX_REQUESTS, 300), f"only {fuzzer.requests} requests were sent\n{summary}"
