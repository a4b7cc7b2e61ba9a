"""Issue 13: the month-end overview in a real browser, with forty clients. Forty administrations
linked, one chart, "Alles bijwerken"; the overview of April: filter "Actie nodig", start
journalising for every administration whose approved payroll has no journal run, import what
Loket made, book the period's drafts, confirm the proposed wage-tax account: those rows turn
green, the totals due add up, and the CSV carries the same rows."""
import csv
import io
import re
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import RunningApp, confirm_and_navigate, navigate
from test_loket_browser import connect
from test_sync import Simulator
from test_week_browser import db


def rows(browser):
    return {r.get_attribute("data-administration"): r for r in browser.find_elements(By.CSS_SELECTOR, "#month-end tbody tr")}


def euros(text):
    """`€ 1.234,56` → cents."""
    digits = text.replace("€", "").replace(".", "").replace("\u00a0", "").strip()
    negative = digits.startswith("-")
    whole, cents = digits.lstrip("-").split(",")
    value = int(whole) * 100 + int(cents)
    return -value if negative else value


def test_month_end_with_forty_clients(binary_alone, browser, tmp_path):
    simulator = Simulator(binary_alone, tmp_path, employers=40, latency_ms=0, extra=["--journal-delay", "1"])
    app = None
    try:
        workdir = tmp_path / "serve"
        workdir.mkdir()
        env = {"LOKET_AUTH_URL": simulator.url, "LOKET_API_URL": simulator.url, "LOKET_CLIENT_ID": "loonjournaal-demo", "LOKET_CLIENT_SECRET": "demo-secret"}
        app = RunningApp(binary_alone, workdir, ["serve"], env=env)
        app.sandbox_port = simulator.port
        connect(app, browser, pages=[])
        confirm_and_navigate(browser, browser.find_element(By.ID, "link-all"))
        WebDriverWait(browser, 20).until(lambda b: "40 loonadministratie(s) gekoppeld" in b.page_source)
        browser.get(f"{app.origin}/rekeningschemas")
        Select(browser.find_element(By.ID, "source")).select_by_value("starter")
        browser.find_element(By.ID, "all-administrations").click()
        navigate(browser, browser.find_element(By.ID, "apply-chart-submit"))
        browser.get(f"{app.origin}/bijwerken")
        navigate(browser, browser.find_element(By.ID, "sync-start"))
        WebDriverWait(browser, 120).until(EC.presence_of_element_located((By.ID, "sync-summary")))
        # The sync brought the tax returns along.
        assert db(app.data_dir, "SELECT count(DISTINCT administration_id) FROM loket_tax_returns")[0][0] >= 35

        # The overview from the top menu; April has not been asked of Loket yet.
        navigate(browser, browser.find_element(By.LINK_TEXT, "Maandafsluiting"))
        Select(browser.find_element(By.ID, "periode")).select_by_value("2026-04")
        navigate(browser, browser.find_element(By.XPATH, "//form[@method='get']//button[normalize-space()='Tonen']"))
        assert "nog niet bij Loket opgevraagd" in browser.page_source
        navigate(browser, browser.find_element(By.ID, "refresh-month-end"))
        assert "Opgehaald uit Loket" in browser.find_element(By.CSS_SELECTOR, ".flash").text
        generated = {code: r for code, r in rows(browser).items() if code.startswith("L60")}
        assert len(generated) == 35
        for code, r in generated.items():
            assert "ontbreekt" in r.find_element(By.CSS_SELECTOR, "td.journal").text, code
            assert "Journaliseren starten" in r.text

        # Filter "Actie nodig": every generated administration is there.
        navigate(browser, browser.find_element(By.ID, "filter-actie"))
        assert "needs-action" in browser.find_element(By.CSS_SELECTOR, "#month-end tbody tr").get_attribute("class")
        assert not browser.find_elements(By.CSS_SELECTOR, "#month-end tbody tr.in-order")
        browser.find_element(By.ID, "select-missing").click()
        ticked = [b for b in browser.find_elements(By.CSS_SELECTOR, "input[name=administration]") if b.is_selected()]
        assert len(ticked) == 35
        confirm_and_navigate(browser, browser.find_element(By.ID, "start-journals"))
        assert "Journaliseren gestart voor 35 administratie(s)" in browser.page_source
        assert all("wordt gemaakt" in r.find_element(By.CSS_SELECTOR, "td.journal").text
                   for code, r in rows(browser).items() if code.startswith("L60"))

        # Loket finishes the journal after its delay; the refresh imports it.
        time.sleep(1.5)
        navigate(browser, browser.find_element(By.ID, "refresh-month-end"))
        assert "35 journaalrun(s) als concept geïmporteerd" in browser.find_element(By.CSS_SELECTOR, ".flash").text
        for code, r in rows(browser).items():
            if code.startswith("L60"):
                assert "1 concept(en)" in r.text and "gelijk" in r.text, (code, r.text)

        # Book the drafts of April and confirm the proposed wage-tax account, for all in view.
        browser.find_element(By.ID, "select-all").click()
        navigate(browser, browser.find_element(By.ID, "book-drafts"))
        assert "geboekt" in browser.find_element(By.CSS_SELECTOR, ".flash").text
        browser.find_element(By.ID, "select-all").click()
        navigate(browser, browser.find_element(By.ID, "confirm-proposals"))
        assert "Loonheffingsrekening bevestigd" in browser.find_element(By.CSS_SELECTOR, ".flash").text

        # Green: no generated administration needs action any more.
        assert not any(code.startswith("L60") for code in rows(browser)), "still needing action"
        navigate(browser, browser.find_element(By.ID, "filter-orde"))
        green = rows(browser)
        assert sum(code.startswith("L60") for code in green) == 35
        for code, r in green.items():
            assert "in-order" in r.get_attribute("class") and "In orde" in r.text and "€ 0,00" in r.text, code
        booked = db(app.data_dir, "SELECT count(*) FROM journal_entries e JOIN administrations a ON a.id = e.administration_id "
                                  "WHERE a.code LIKE 'L60%' AND e.payroll_year = 2026 AND e.payroll_period = 4 AND e.status = 'booked'")[0][0]
        assert booked == 35

        # What is left needs the bookkeeper (no rights, a return still being made, …), each says why.
        navigate(browser, browser.find_element(By.ID, "filter-actie"))
        for code, r in rows(browser).items():
            assert r.find_elements(By.CSS_SELECTOR, "ul.gaps li"), code
        assert int(browser.find_element(By.ID, "count-action").text) <= 6

        # Totals due: the page's total is the sum of its rows; the CSV says the same.
        navigate(browser, browser.find_element(By.ID, "filter-alle"))
        total = euros(browser.find_element(By.ID, "total-due").text)
        due = [c.text.split("\n")[0] for c in browser.find_elements(By.CSS_SELECTOR, "#month-end tbody tr td:nth-child(8)")]
        assert total == sum(euros(d) for d in due if "€" in d) and total > 0
        browser.find_element(By.ID, "month-end-csv").click()
        deadline = time.time() + 20
        while time.time() < deadline and not list(browser.download_dir.glob("maandafsluiting-2026-04.csv")):
            time.sleep(0.1)
        text = (browser.download_dir / "maandafsluiting-2026-04.csv").read_text(encoding="utf-8")
        table = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert table[1][0] == "Administratie" and table[-1][0] == "Totaal"
        assert len(table) == 2 + len(rows(browser)) + 1
        assert euros("€ " + table[-1][9]) == total
        assert not any(re.match(r"^[=+@-]", cell) for line in table for cell in line if not re.match(r"^-?[\d.]+,\d\d$", cell))
    finally:
        if app:
            app.stop()
        simulator.stop()


def test_check_command_for_cron(binary_alone, tmp_path):
    """`loonjournaal check`: the same overview on stdout, exit 1 when any administration needs
    action, 2 for a bad period, and the CSV with --csv; --offline asks Loket nothing."""
    from test_sync import cli, dev_setup

    simulator = Simulator(binary_alone, tmp_path, employers=5, latency_ms=0)
    try:
        data_dir = tmp_path / "data"
        assert dev_setup(binary_alone, data_dir, simulator) >= 5
        assert cli(binary_alone, "sync", "--data-dir", data_dir).returncode == 0
        done = cli(binary_alone, "check", "--period", "2026-01", "--data-dir", data_dir)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Maandafsluiting januari 2026 (2026-01)" in done.stdout and "Loket gevraagd met" in done.stdout
        bakery = done.stdout.split("L5001 ")[1].split("\nL")[0]
        assert "ACTIE NODIG" in bakery and "controle gelijk (verschil € 0,00)" in bakery and "concept(en) nog niet geboekt" in bakery
        assert "betalingskenmerk" in bakery and "vóór 28-02-2026" in bakery
        vanDijk = done.stdout.split("L5002 ")[1].split("\nL")[0]
        assert "geen inzage in de loonaangiften" in vanDijk
        # The same overview as CSV, from what was stored (Loket is not asked).
        offline = cli(binary_alone, "check", "--period", "2026-01", "--data-dir", data_dir, "--offline", "--csv")
        assert offline.returncode == 1
        lines = offline.stdout.strip().splitlines()
        assert lines[0] == "Maandafsluiting januari 2026" and lines[-1].startswith("Totaal;")
        assert any(line.startswith("L5001;") and ";gelijk (verschil € 0,00);" in line for line in lines), lines
        bad = cli(binary_alone, "check", "--period", "2026-14", "--data-dir", data_dir)
        assert bad.returncode == 2 and "JJJJ-MM" in bad.stderr
        missing = cli(binary_alone, "check", "--data-dir", tmp_path / "nothing-here")
        assert missing.returncode == 1 and "Er is geen database" in missing.stderr
    finally:
        simulator.stop()
