"""Issue 14: evidence on every entry and the jaaraansluiting lonen, in a real browser.
`loonjournaal sync` imports every run with its journal report and per-employee overview; the
bookkeeper books Van Dijk's 4-weekly runs, opens a booked entry's PDF and the overview as a table,
books the bakery with one line moved to another account and February deleted, and reads the
year-end pages: Van Dijk reconciles to 0,00, the bakery names the edited line and the missing run.
The evidence zip is unpacked and its auditfile validated against the official XSD."""
import re
import subprocess
import time
import zipfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import RunningApp, confirm_and_navigate, navigate
from test_entry_browser import demo_schema_dir
from test_sync import Simulator, cli, dev_setup, query

DUTCH_AMOUNT = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d{2}$")


def entry_id(data_dir, client_number, run_sequence):
    """The entry of the bakery's (5001) or Van Dijk 4-weekly's (5003) run `run_sequence`."""
    admin = {5001: 1, 5003: 3}[client_number]
    run_id = f"{0x4A00 + admin:08x}-0000-4000-8000-{run_sequence:012x}"
    rows = query(data_dir, "SELECT id, administration_id FROM journal_entries WHERE source_reference = ?", (run_id,))
    assert len(rows) == 1, (run_id, rows)
    return rows[0]


def book(browser, app, administration, entry, change=None):
    browser.get(f"{app.origin}/administraties/{administration}/boekingen/{entry}")
    if change:
        change(browser)
    navigate(browser, browser.find_element(By.ID, "book"))
    assert "Geboekt" in browser.page_source or "geboekt" in browser.find_element(By.CSS_SELECTOR, ".flash").text.lower(), browser.page_source[:3000]


def test_evidence_and_year_end_in_the_browser(binary_alone, browser, tmp_path):
    simulator = Simulator(binary_alone, tmp_path, employers=5, latency_ms=0)
    app = None
    try:
        data_dir = tmp_path / "data"
        dev_setup(binary_alone, data_dir, simulator)
        # `sync` (cron) imports every run, and with each its two documents from Loket.
        synced = cli(binary_alone, "sync", "--data-dir", data_dir)
        assert synced.returncode == 0, synced.stdout + synced.stderr
        entries = query(data_dir, "SELECT count(*) FROM journal_entries WHERE source = 'loket'")[0][0]
        assert entries >= 8
        kinds = query(data_dir, "SELECT kind, media_type, count(*) FROM entry_attachments GROUP BY kind, media_type ORDER BY kind")
        assert kinds == [("employeeOverview", "text/csv", entries), ("journalReport", "application/pdf", entries)]
        assert query(data_dir, "SELECT count(*) FROM attachment_downloads")[0][0] == 0
        # Content-hashed: every stored content's hash is the SHA-256 of its bytes.
        import hashlib
        for sha, content in query(data_dir, "SELECT sha256, content FROM attachment_contents"):
            assert hashlib.sha256(content).hexdigest() == sha

        workdir = tmp_path / "serve"
        workdir.mkdir()
        env = {"LOKET_AUTH_URL": simulator.url, "LOKET_API_URL": simulator.url, "LOKET_CLIENT_ID": "loonjournaal-demo", "LOKET_CLIENT_SECRET": "demo-secret"}
        app = RunningApp(binary_alone, workdir, ["serve"], data_dir=data_dir, env=env)
        browser.get(app.launch_url)

        # Van Dijk 4-weekly: both runs booked.
        for sequence in (1, 2):
            entry, administration = entry_id(data_dir, 5003, sequence)
            book(browser, app, administration, entry)
        van_dijk = administration

        # The booked entry's evidence: the PDF opens inline in a new tab, the overview as a table.
        browser.get(f"{app.origin}/administraties/{administration}/boekingen/{entry}")
        assert "haar bijlagen liggen vast" in browser.page_source
        links = browser.find_elements(By.CSS_SELECTOR, "#attachments a.attachment-link")
        assert [link.text for link in links][0].startswith("Journaalrapport_5003_2026_13")
        original = browser.current_window_handle
        links[0].click()
        WebDriverWait(browser, 10).until(lambda b: len(b.window_handles) == 2)
        browser.switch_to.window([h for h in browser.window_handles if h != original][0])
        WebDriverWait(browser, 10).until(lambda b: "/bijlagen/" in b.current_url)
        WebDriverWait(browser, 10).until(lambda b: b.execute_script("return document.contentType") == "application/pdf")
        browser.close()
        browser.switch_to.window(original)
        navigate(browser, browser.find_element(By.CSS_SELECTOR, "#attachments a.attachment-table-link"))
        headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#attachment-table thead th")]
        assert "Brutoloon" in headers and "Nettoloon" in headers, headers
        body = browser.find_elements(By.CSS_SELECTOR, "#attachment-table tbody tr")
        assert len(body) >= 2
        gross = headers.index("Brutoloon")
        for row in body:
            cell = row.find_elements(By.TAG_NAME, "td")[gross].text
            assert DUTCH_AMOUNT.match(cell), cell
        assert body[-1].get_attribute("class") == "total"

        # The bakery: February's draft deleted; January booked with the holiday pay (line 2)
        # moved to 4000; April booked. March and its recalculation stay drafts.
        february, bakery = entry_id(data_dir, 5001, 2)
        browser.get(f"{app.origin}/administraties/{bakery}/boekingen/{february}")
        confirm_and_navigate(browser, browser.find_element(By.XPATH, "//button[normalize-space()='Concept verwijderen']"))
        january, _ = entry_id(data_dir, 5001, 1)

        def move_holiday_pay(b):
            field = b.find_element(By.NAME, "account_1")
            assert field.get_attribute("value").startswith("4010")
            field.clear()
            field.send_keys("4000")
        book(browser, app, bakery, january, change=move_holiday_pay)
        april, _ = entry_id(data_dir, 5001, 6)
        book(browser, app, bakery, april)

        # Year end, Van Dijk: refresh from Loket, every difference 0,00.
        browser.get(f"{app.origin}/administraties/{van_dijk}/jaaraansluiting?jaar=2026")
        assert "nog niet bij Loket opgevraagd" in browser.page_source
        navigate(browser, browser.find_element(By.ID, "refresh-year-end"))
        assert "Alle loonrekeningen sluiten aan op Loket en de loonaangiften." in browser.find_element(By.ID, "year-end-verdict").text
        differences = browser.find_elements(By.CSS_SELECTOR, "#year-end-table td[data-difference=loket]")
        assert len(differences) >= 5
        assert {d.text for d in differences} == {"0,00"}
        tax = browser.find_element(By.CSS_SELECTOR, "tr[data-account='1700'] td[data-difference=tax]").text
        assert tax == "0,00"
        assert not browser.find_elements(By.CSS_SELECTOR, "tr.explanation")

        # The bakery names the edited line and the missing run.
        browser.get(f"{app.origin}/administraties/{bakery}/jaaraansluiting?jaar=2026")
        navigate(browser, browser.find_element(By.ID, "refresh-year-end"))
        verdict = browser.find_element(By.ID, "year-end-verdict").text
        assert "sluiten niet aan" in verdict, verdict
        explanations = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "tr.explanation")]
        holiday = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "tr[data-account='4010'] ~ tr.explanation")]
        assert any("wijkt af van wat Loket stuurde: regel 2: Loket 4010" in text for text in explanations), explanations
        assert any("Run 2 (februari 2026) is niet geïmporteerd" in text for text in explanations), explanations
        assert any("staat nog als concept" in text for text in explanations), explanations
        assert any("correctie over eerdere periode(n) van € 412,00" in text for text in explanations), explanations
        assert not browser.find_elements(By.CSS_SELECTOR, "tr.explanation[data-cause=unexplained]")
        assert holiday

        # The summary of all administrations.
        browser.get(f"{app.origin}/jaaraansluiting?jaar=2026")
        states = {r.get_attribute("data-code"): r.get_attribute("data-state") for r in browser.find_elements(By.CSS_SELECTOR, "#year-end-summary tbody tr")}
        assert states["L5003"] == "reconciles" and states["L5001"] == "differences", states

        # The evidence zip of Van Dijk: the auditfile is valid against the XSD and names the evidence.
        # (the auditfile needs a VAT number or RSIN; typed here straight into the database)
        import sqlite3
        from test_sync import DATABASE
        connection = sqlite3.connect(f"file:{data_dir / DATABASE}?mode=rw", uri=True, timeout=30)
        with connection:
            connection.execute("UPDATE administrations SET vat_number = 'NL123456789B01' WHERE id = ?", (van_dijk,))
        connection.close()
        browser.get(f"{app.origin}/administraties/{van_dijk}/jaaraansluiting?jaar=2026")
        browser.find_element(By.ID, "evidence-zip").click()
        target = browser.download_dir / "L5003-2026-bewijsstukken.zip"
        deadline = time.time() + 20
        while not target.exists() and time.time() < deadline:
            time.sleep(0.1)
        assert target.exists(), sorted(p.name for p in browser.download_dir.iterdir())
        time.sleep(0.3)
        with zipfile.ZipFile(target) as archive:
            assert archive.testzip() is None
            names = archive.namelist()
            assert "L5003-2026.xaf" in names
            pdfs = [n for n in names if n.startswith("bewijsstukken/2026-") and n.endswith(".pdf")]
            assert len(pdfs) == 2, names
            assert archive.read(pdfs[0]).startswith(b"%PDF-")
            archive.extract("L5003-2026.xaf", tmp_path)
        xaf = tmp_path / "L5003-2026.xaf"
        result = subprocess.run(["xmllint", "--noout", "--schema", str(demo_schema_dir() / "XmlAuditfileFinancieel3.2.xsd"), str(xaf)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert re.search(r"<docRef>2026-\d+ bewijsstukken/2026-\d+/</docRef>", xaf.read_text())
    finally:
        if app:
            app.stop()
        simulator.stop()
