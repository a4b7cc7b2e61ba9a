"""A bookkeeper imports a Loket run, finds and fixes a difference, books, and reverses — in a real
browser against `loonjournaal demo`. Then the booked lines are tried straight in sqlite3."""
import json
import shutil
import subprocess
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import confirm_and_navigate, navigate
from test_loket_browser import connect, row

FEBRUARY_RUN = "00004a01-0000-4000-8000-000000000002"


def test_import_fix_book_and_reverse(demo, browser):
    connect(demo, browser, pages=[])
    bakery = row(browser, "De Gouden Korst - maandloon")
    Select(bakery.find_element(By.TAG_NAME, "select")).select_by_value("nieuw")
    navigate(browser, bakery.find_element(By.XPATH, ".//button[normalize-space()='Koppelen']"))
    navigate(browser, row(browser, "De Gouden Korst - maandloon").find_element(By.LINK_TEXT, "L5001 Bakkerij De Gouden Korst B.V."))

    # The chart of accounts first (the starter chart has the usual payroll accounts).
    navigate(browser, browser.find_element(By.LINK_TEXT, "Rekeningschema"))
    navigate(browser, browser.find_element(By.XPATH, "//button[normalize-space()='Standaardschema laden']"))

    # Runs: statuses in words, an explanation for runs that cannot be imported yet.
    navigate(browser, browser.find_element(By.LINK_TEXT, "Loonjournaalruns"))
    runs = browser.find_element(By.ID, "runs").text
    assert "Journaal gereed" in runs and "Staat klaar voor journaliseren" in runs and "herberekening" in runs
    navigate(browser, browser.find_element(By.CSS_SELECTOR, f"tr[data-run='{FEBRUARY_RUN}'] button[name=runId]"))
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "entry-form")))
    assert "Concept aangemaakt" in browser.page_source
    assert "in balans" in browser.find_element(By.ID, "difference").text

    # Change an amount: the difference appears (live and from the server) and booking is refused, naming it.
    first_debit = browser.find_element(By.NAME, "debit_0")
    original = first_debit.get_attribute("value")
    first_debit.clear()
    first_debit.send_keys("10.000,00")
    browser.find_element(By.ID, "description").click()
    WebDriverWait(browser, 5).until(lambda b: "in balans" not in b.find_element(By.ID, "difference").text)
    navigate(browser, browser.find_element(By.ID, "book"))
    problems = WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "problems"))).text
    assert "niet in balans" in problems and "er ontbreekt" in problems
    assert "in balans" not in browser.find_element(By.ID, "difference").text or "ontbreekt" in browser.find_element(By.ID, "difference").text

    # Fix it and book.
    first_debit = browser.find_element(By.NAME, "debit_0")
    first_debit.clear()
    first_debit.send_keys(original)
    navigate(browser, browser.find_element(By.ID, "book"))
    WebDriverWait(browser, 10).until(lambda b: "Geboekt als 2026-1" in b.page_source)
    assert "In Loket is de run gemarkeerd als verwerkt" in browser.page_source
    assert browser.find_elements(By.ID, "book") == []

    # The simulator knows: the run is now status 7 (exported / processed).
    credentials = json.loads((demo.data_dir / "credentials.json").read_text())["connections"]["1"]
    request = urllib.request.Request(
        f"http://127.0.0.1:{demo.sandbox_port}/v2/providers/employers/payrolladministrations/journalruns/{FEBRUARY_RUN}",
        headers={"Authorization": f"Bearer {credentials['accessToken']}", "Accept": "application/json;version=2018-01-01"},
    )
    with urllib.request.urlopen(request) as response:
        assert json.loads(response.read())["content"]["journalRunStatus"]["key"] == 7

    # Reverse, after confirming.
    confirm_and_navigate(browser, browser.find_element(By.ID, "reverse"))
    WebDriverWait(browser, 10).until(lambda b: "Teruggeboekt als 2026-2" in b.page_source)
    assert "terugboeking van" in browser.page_source.lower()

    # Booked lines cannot be changed, not even straight in the database file.
    sqlite = shutil.which("sqlite3")
    assert sqlite, "sqlite3 command-line tool missing (scripts/setup installs it)"
    result = subprocess.run(
        [sqlite, str(demo.data_dir / "loonjournaal.sqlite"), "UPDATE journal_lines SET debit_cents = 1 WHERE entry_id = 1;"],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode != 0
    assert "immutable" in result.stderr
    deleted = subprocess.run(
        [sqlite, str(demo.data_dir / "loonjournaal.sqlite"), "DELETE FROM journal_entries WHERE id = 1;"],
        capture_output=True, text=True, timeout=30,
    )
    assert deleted.returncode != 0


def test_ledger_page_downloads_a_valid_auditfile_and_the_cli_exports_too(demo, browser, binary_alone, tmp_path):
    connect(demo, browser, pages=[])
    bakery = row(browser, "De Gouden Korst - maandloon")
    Select(bakery.find_element(By.TAG_NAME, "select")).select_by_value("nieuw")
    navigate(browser, bakery.find_element(By.XPATH, ".//button[normalize-space()='Koppelen']"))
    navigate(browser, row(browser, "De Gouden Korst - maandloon").find_element(By.LINK_TEXT, "L5001 Bakkerij De Gouden Korst B.V."))
    # The auditfile needs a VAT number or RSIN.
    navigate(browser, browser.find_element(By.LINK_TEXT, "Gegevens wijzigen"))
    browser.find_element(By.ID, "vatNumber").send_keys("NL123456789B01")
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"))
    navigate(browser, browser.find_element(By.LINK_TEXT, "Rekeningschema"))
    navigate(browser, browser.find_element(By.XPATH, "//button[normalize-space()='Standaardschema laden']"))
    navigate(browser, browser.find_element(By.LINK_TEXT, "Loonjournaalruns"))
    navigate(browser, browser.find_element(By.CSS_SELECTOR, f"tr[data-run='{FEBRUARY_RUN}'] button[name=runId]"))
    navigate(browser, WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "book"))))
    WebDriverWait(browser, 10).until(lambda b: "Geboekt als 2026-1" in b.page_source)

    navigate(browser, browser.find_element(By.LINK_TEXT, "Grootboek"))
    assert "2026-1" in browser.find_element(By.ID, "journal").text
    assert browser.find_element(By.ID, "journal-debit").text == browser.find_element(By.ID, "journal-credit").text
    browser.find_element(By.CSS_SELECTOR, "a[data-export=xaf]").click()
    target = browser.download_dir / "L5001-2026.xaf"
    deadline = time.time() + 20
    while not target.exists() and time.time() < deadline:
        time.sleep(0.1)
    assert target.exists(), list(browser.download_dir.iterdir())
    schemas = demo_schema_dir()
    result = subprocess.run(["xmllint", "--noout", "--schema", str(schemas / "XmlAuditfileFinancieel3.2.xsd"), str(target)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

    # The same from the command line, while the app runs.
    output = tmp_path / "cli.xaf"
    cli = subprocess.run(
        [str(binary_alone), "export", "--administration", "L5001", "--year", "2026", "--format", "xaf4", "--output", str(output), "--data-dir", str(demo.data_dir)],
        capture_output=True, text=True, timeout=60,
    )
    assert cli.returncode == 0, cli.stderr
    assert "1 boekingen" in cli.stdout
    result = subprocess.run(["xmllint", "--noout", "--schema", str(schemas / "XmlAuditfileFinancieel4.0.xsd"), str(output)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    bad = subprocess.run(
        [str(binary_alone), "export", "--administration", "BESTAATNIET", "--year", "2026", "--format", "csv", "--data-dir", str(demo.data_dir)],
        capture_output=True, text=True, timeout=60,
    )
    assert bad.returncode == 1 and "bestaat niet" in bad.stderr


def demo_schema_dir():
    from conftest import ROOT
    return ROOT.parent / "shared/reference/xaf"


def test_payroll_file_from_another_package_becomes_a_draft(app, browser, tmp_path):
    browser.get(app.launch_url)
    browser.get(f"{app.origin}/administraties/nieuw")
    browser.find_element(By.ID, "code").send_keys("NMBRS1")
    browser.find_element(By.ID, "name").send_keys("Klant met Nmbrs")
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"))
    navigate(browser, browser.find_element(By.LINK_TEXT, "Rekeningschema"))
    navigate(browser, browser.find_element(By.XPATH, "//button[normalize-space()='Standaardschema laden']"))
    navigate(browser, browser.find_element(By.LINK_TEXT, "Loonjournaalruns"))
    navigate(browser, browser.find_element(By.LINK_TEXT, "Salarisbestand importeren"))
    journal = tmp_path / "nmbrs-maart.csv"
    journal.write_text("Grootboekrekening;Omschrijving;Debet;Credit;Kostenplaats\n4000;Lonen maart;10.000,00;;SAL073\n1700;Loonheffing;;3.000,00;\n1710;Netto;;7.000,00;\n", encoding="utf-8")
    browser.find_element(By.ID, "file").send_keys(str(journal))
    navigate(browser, browser.find_element(By.ID, "upload"))
    preview = WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "preview"))).text
    assert "Lonen maart" in preview
    date = browser.find_element(By.ID, "entryDate")
    date.clear()
    date.send_keys("31-03-2026")
    period = browser.find_element(By.ID, "period")
    period.clear()
    period.send_keys("3")
    navigate(browser, browser.find_element(By.ID, "import-file"))
    WebDriverWait(browser, 10).until(lambda b: "Concept aangemaakt uit nmbrs-maart.csv" in b.page_source)
    assert "in balans" in browser.find_element(By.ID, "difference").text
    assert "Bestand: 4000" in browser.page_source
    navigate(browser, browser.find_element(By.ID, "book"))
    WebDriverWait(browser, 10).until(lambda b: "Geboekt als 2026-1" in b.page_source)
