"""Bulk sync ("Alles bijwerken"): `loonjournaal sync` on the command line, a sync killed with
SIGKILL at a random moment, and the same sync started from the dashboard in a real browser.

Every test runs the real binary against the built-in Loket simulator (`loonjournaal sandbox`)
on a data dir prepared by the hidden `dev-setup` command (real OAuth flow, every payroll
administration linked to a new administration with the starter chart)."""
import json
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import RunningApp, free_port, navigate, simulator_token, stop_process

DATABASE = "loonjournaal.sqlite"
SUMMARY = re.compile(
    r"Bijwerken klaar in \d+,\d s: (\d+) administratie\(s\), (\d+) run\(s\) als concept geïmporteerd, (\d+) mislukt\."
)
EMPLOYERS_BASE = "/v2/providers/employers"
MEDIA = "application/json;version=2018-01-01"


# --------------------------------------------------------------------------------------------
# Helpers


class Simulator:
    """One `loonjournaal sandbox` process (the Loket simulator) on a free loopback port."""

    def __init__(self, binary, workdir, employers, latency_ms, extra=(), env=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"sandbox-{self.port}.txt"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [str(binary), "sandbox", "--port", str(self.port), "--employers", str(employers),
                 "--latency-ms", str(latency_ms), *extra],
                stdout=log, stderr=subprocess.STDOUT, env=env,
            )
        try:
            deadline = time.time() + 30
            while "draait op" not in self.log.read_text(errors="replace"):
                if self.process.poll() is not None:
                    raise RuntimeError(f"the simulator stopped: {self.log.read_text(errors='replace')}")
                if time.time() > deadline:
                    raise RuntimeError("the simulator did not start within 30 s")
                time.sleep(0.05)
        except BaseException:
            self.stop()
            raise

    def token(self):
        """An access token of its own (authorization code + PKCE, like the app does)."""
        return simulator_token(self.url)

    def get(self, path, token):
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {token}", "Accept": MEDIA})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def importable_runs(self, payroll_administration_ids):
        """Per payroll administration: the ids of the runs Loket has a finished journal for
        (status 4 "Journaal gereed" and later), i.e. what a sync must import."""
        token = self.token()
        runs = {}
        for payroll_id in payroll_administration_ids:
            page = self.get(f"{EMPLOYERS_BASE}/payrolladministrations/{payroll_id}/journalruns?pageSize=1000", token)
            assert page["totalPages"] == 1
            runs[payroll_id] = {run["id"] for run in page["_embedded"] if run["journalRunStatus"]["key"] >= 4}
        return runs

    def stop(self):
        stop_process(self.process)


def cli(binary, *args, timeout=180, env=None):
    """Runs one loonjournaal command to the end and returns the completed process (text)."""
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)


def dev_setup(binary, data_dir, simulator):
    done = cli(binary, "dev-setup", "--data-dir", data_dir, "--sandbox", simulator.url)
    assert done.returncode == 0, done.stdout + done.stderr
    match = re.search(r"gekoppeld: (\d+)", done.stdout)
    assert match, done.stdout
    return int(match.group(1))


def summary_numbers(stdout):
    """(administrations, runs imported, failed) from the summary line of `sync`."""
    match = SUMMARY.search(stdout)
    assert match, f"no summary on stdout: {stdout!r}"
    return tuple(int(group) for group in match.groups())


def query(data_dir, sql, params=()):
    """Rows of one query on the app's database (mode=rw: never creates an empty file)."""
    connection = sqlite3.connect(f"file:{data_dir / DATABASE}?mode=rw", uri=True, timeout=30)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def loket_entry_count(data_dir):
    return query(data_dir, "SELECT count(*) FROM journal_entries WHERE source = 'loket'")[0][0]


def duplicate_runs(data_dir):
    return query(data_dir, """
        SELECT administration_id, source_reference, count(*) FROM journal_entries
        WHERE source = 'loket' GROUP BY administration_id, source_reference HAVING count(*) > 1""")


def entries_without_lines(data_dir):
    return query(data_dir, """
        SELECT e.id FROM journal_entries e
        WHERE NOT EXISTS (SELECT 1 FROM journal_lines l WHERE l.entry_id = e.id)""")


def imported_runs(data_dir):
    """Per linked payroll administration: the Loket run ids imported into its administration."""
    rows = query(data_dir, """
        SELECT k.payroll_administration_id, e.source_reference
        FROM loket_links k LEFT JOIN journal_entries e ON e.administration_id = k.administration_id AND e.source = 'loket'""")
    runs = {}
    for payroll_id, run_id in rows:
        runs.setdefault(payroll_id, set())
        if run_id is not None:
            runs[payroll_id].add(run_id)
    return runs


# --------------------------------------------------------------------------------------------
# a) The command line


@pytest.fixture(scope="module")
def simulator(binary_alone, tmp_path_factory):
    """Five seeded employers plus 14 generated ones: 20 payroll administrations to link."""
    running = Simulator(binary_alone, tmp_path_factory.mktemp("sim"), employers=19, latency_ms=5)
    yield running
    running.stop()


@pytest.fixture
def linked(binary_alone, simulator, tmp_path):
    data_dir = tmp_path / "data"
    assert dev_setup(binary_alone, data_dir, simulator) == 20
    assert (data_dir / DATABASE).exists(), sorted(p.name for p in data_dir.iterdir())
    return data_dir


def test_sync_imports_every_importable_run_once(binary_alone, simulator, linked):
    first = cli(binary_alone, "sync", "--data-dir", linked)
    assert first.returncode == 0, first.stdout + first.stderr
    administrations, imported, failed = summary_numbers(first.stdout)
    assert (administrations, failed) == (20, 0)
    assert imported > 0
    # Progress on stderr, one line per administration; the summary only on stdout.
    assert len(re.findall(r"^\[\d+/20\] L\d+ .*: \d+ nieuw, \d+ al aanwezig", first.stderr, re.M)) == 20, first.stderr
    assert "[20/20]" in first.stderr
    assert "Bijwerken klaar" not in first.stderr

    # Exactly what Loket has ready, each run once, each with its lines.
    assert loket_entry_count(linked) == imported
    assert duplicate_runs(linked) == []
    assert entries_without_lines(linked) == []
    assert query(linked, "SELECT DISTINCT status FROM journal_entries WHERE source = 'loket'") == [("draft",)]
    expected = simulator.importable_runs(imported_runs(linked).keys())
    assert imported_runs(linked) == expected
    assert sum(len(ids) for ids in expected.values()) == imported
    assert query(linked, "SELECT origin, outcome, administrations, runs_imported, failed FROM sync_runs WHERE finished_at IS NOT NULL") == [
        ("cli", "completed", 20, imported, 0)
    ]

    # Again: nothing new, nothing twice.
    second = cli(binary_alone, "sync", "--data-dir", linked)
    assert second.returncode == 0, second.stdout + second.stderr
    assert summary_numbers(second.stdout) == (20, 0, 0)
    assert "0 nieuw" in second.stderr
    assert loket_entry_count(linked) == imported
    assert duplicate_runs(linked) == []

    # One administration by code (case does not matter).
    one = cli(binary_alone, "sync", "--data-dir", linked, "--administration", "l6006", "--concurrency", "1")
    assert one.returncode == 0, one.stdout + one.stderr
    assert summary_numbers(one.stdout) == (1, 0, 0)
    assert "L6006" in one.stderr


def test_sync_refuses_bad_options(binary_alone, linked):
    unknown = cli(binary_alone, "sync", "--data-dir", linked, "--administration", "NOPE")
    assert unknown.returncode == 1, unknown.stdout + unknown.stderr
    assert "Geen aan Loket gekoppelde administratie met code NOPE" in unknown.stderr
    assert loket_entry_count(linked) == 0

    # The documented exit code for wrong options is 2 (`loonjournaal sync --help`).
    for value in ["0", "17"]:
        wrong = cli(binary_alone, "sync", "--data-dir", linked, "--concurrency", value)
        assert "--concurrency moet tussen 1 en 16 liggen" in wrong.stderr, wrong.stderr
        assert wrong.returncode == 2, f"--concurrency {value}: exit {wrong.returncode}, documented: 2"
    unknown_option = cli(binary_alone, "sync", "--data-dir", linked, "--onbekend")
    assert unknown_option.returncode == 2, f"--onbekend: exit {unknown_option.returncode}, documented: 2"
    assert loket_entry_count(linked) == 0

    missing = cli(binary_alone, "sync", "--data-dir", linked.parent / "bestaat-niet")
    assert missing.returncode != 0
    assert "Er is geen database in" in missing.stderr
    assert not (linked.parent / "bestaat-niet").exists()


def test_sync_refuses_while_serve_uses_the_data_dir(binary_alone, linked, tmp_path):
    workdir = tmp_path / "serve"
    workdir.mkdir()
    app = RunningApp(binary_alone, workdir, ["serve"], data_dir=linked)
    try:
        refused = cli(binary_alone, "sync", "--data-dir", linked)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "loonjournaal draait al met de gegevensmap" in refused.stderr
        assert loket_entry_count(linked) == 0
    finally:
        app.stop()
    # Once the server has stopped, the lock is free again.
    after = cli(binary_alone, "sync", "--data-dir", linked)
    assert after.returncode == 0, after.stdout + after.stderr


def test_sync_book_books_clean_drafts_and_names_the_rest(binary_alone, tmp_path):
    # A simulator of its own: booking writes "processed" back to Loket.
    simulator = Simulator(binary_alone, tmp_path, employers=19, latency_ms=5)
    try:
        data_dir = tmp_path / "data"
        assert dev_setup(binary_alone, data_dir, simulator) == 20
        done = cli(binary_alone, "sync", "--data-dir", data_dir, "--book")
    finally:
        simulator.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    administrations, imported, failed = summary_numbers(done.stdout)
    assert (administrations, failed) == (20, 0)
    booked_line = re.search(r"^Geboekt: (\d+) boeking\(en\)\.$", done.stdout, re.M)
    assert booked_line, done.stdout
    booked = int(booked_line.group(1))
    statuses = dict(query(data_dir, "SELECT status, count(*) FROM journal_entries WHERE source = 'loket' GROUP BY status"))
    assert statuses.get("booked", 0) == booked > 0
    assert statuses.get("booked", 0) + statuses.get("draft", 0) == imported
    assert entries_without_lines(data_dir) == []

    # The bakery's run with Loket account 4050 (not in the starter chart) stays a draft, with
    # the reason in the output.
    assert "Niet geboekt (blijven concept; los op in de browser):" in done.stdout, done.stdout
    refused = done.stdout.split("Niet geboekt", 1)[1]
    named = re.findall(r"^  (L\d+) (.+):$", refused, re.M)
    assert len(named) == statuses.get("draft", 0) >= 1, done.stdout
    assert any(code == "L5001" for code, _ in named)
    assert re.search(r"^    - .*4050.*$", refused, re.M), refused
    bakery_drafts = query(data_dir, """
        SELECT e.description FROM journal_entries e JOIN administrations a ON a.id = e.administration_id
        WHERE a.code = 'L5001' AND e.status = 'draft'""")
    assert {description for (description,) in bakery_drafts} == {description for code, description in named if code == "L5001"}


# --------------------------------------------------------------------------------------------
# b) SIGKILL at a random moment


TRIALS = 20


def test_sync_survives_kill_9_at_any_moment(binary_alone, tmp_path):
    simulator = Simulator(binary_alone, tmp_path, employers=30, latency_ms=20)
    processes = []
    try:
        # One prepared data dir, copied for every trial. Copying the credentials is safe here: a
        # sync within the access token's lifetime (an hour) uses it without refreshing, so no
        # refresh token is rotated by one copy and then reused by another.
        template = tmp_path / "template"
        linked = dev_setup(binary_alone, template, simulator)
        assert linked == 31

        def fresh(name):
            target = tmp_path / name
            shutil.copytree(template, target)
            return target

        # The uninterrupted sync: how many entries in the end, and how long it takes.
        reference_dir = fresh("reference")
        started = time.monotonic()
        reference = cli(binary_alone, "sync", "--data-dir", reference_dir)
        duration = time.monotonic() - started
        assert reference.returncode == 0, reference.stdout + reference.stderr
        expected = summary_numbers(reference.stdout)[1]
        assert expected == loket_entry_count(reference_dir) > 0

        rng = random.Random(20261129)
        outcomes = []
        for trial in range(TRIALS):
            data_dir = fresh(f"trial-{trial:02d}")
            delay = rng.uniform(0, duration)
            with open(tmp_path / f"trial-{trial:02d}.err", "wb") as err:
                process = subprocess.Popen(
                    [str(binary_alone), "sync", "--data-dir", str(data_dir)], stdout=subprocess.DEVNULL, stderr=err
                )
            processes.append(process)
            time.sleep(delay)  # deliberately: the moment of the kill is the random variable
            finished_before_kill = process.poll() is not None
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)

            label = f"trial {trial} (kill after {delay:.2f} s)"
            assert query(data_dir, "PRAGMA integrity_check") == [("ok",)], label
            assert query(data_dir, "PRAGMA foreign_key_check") == [], label
            assert entries_without_lines(data_dir) == [], label
            assert duplicate_runs(data_dir) == [], label
            before = loket_entry_count(data_dir)
            assert 0 <= before <= expected, label

            again = cli(binary_alone, "sync", "--data-dir", data_dir)
            assert again.returncode == 0, f"{label}: {again.stdout}{again.stderr}"
            assert summary_numbers(again.stdout)[1] == expected - before, label
            assert loket_entry_count(data_dir) == expected, label
            assert duplicate_runs(data_dir) == [], label
            assert entries_without_lines(data_dir) == [], label
            assert query(data_dir, "PRAGMA integrity_check") == [("ok",)], label
            outcomes.append((round(delay, 2), before, finished_before_kill))
            shutil.rmtree(data_dir)

        print(f"reference: {expected} entries in {duration:.2f} s; (delay, entries at kill, finished): {outcomes}")
        # The random moments must have hit a sync in the middle of importing at least once.
        assert any(0 < before < expected for _, before, _ in outcomes), outcomes
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        simulator.stop()


# --------------------------------------------------------------------------------------------
# c) "Alles bijwerken" in the browser


def progress_value(browser):
    """The progress bar's value, or None when the page has none (or is being replaced)."""
    try:
        return browser.execute_script("var p = document.getElementById('sync-progress'); return p ? p.value : null;")
    except Exception:
        return None


def text_of(browser, element_id):
    return browser.find_element(By.ID, element_id).text.strip()


def test_sync_all_in_the_browser(binary_alone, browser, tmp_path):
    # 60 ms per answer: a sync of 20 administrations takes a few seconds, long enough to watch.
    simulator = Simulator(binary_alone, tmp_path, employers=19, latency_ms=60)
    app = None
    try:
        data_dir = tmp_path / "data"
        assert dev_setup(binary_alone, data_dir, simulator) == 20
        workdir = tmp_path / "serve"
        workdir.mkdir()
        app = RunningApp(binary_alone, workdir, ["serve"], data_dir=data_dir)
        browser.get(app.launch_url)
        WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.ID, "sync-all")))
        assert "20 loonadministratie(s) gekoppeld" in browser.page_source

        # One administration at a time (the setting on the sync page), so that the run lasts
        # long enough on any machine to look at it while it runs.
        browser.get(f"{app.origin}/bijwerken")
        field = browser.find_element(By.ID, "concurrency")
        field.clear()
        field.send_keys("1")
        navigate(browser, browser.find_element(By.XPATH, "//section[@id='sync-settings']//button[@type='submit']"))
        assert "Bijwerken haalt voortaan 1 administratie(s) tegelijk op." in browser.page_source

        browser.get(f"{app.origin}/")
        navigate(browser, browser.find_element(By.ID, "sync-all"))
        assert browser.current_url == f"{app.origin}/bijwerken"
        running = WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.ID, "sync-running")))
        assert running.find_element(By.ID, "sync-cancel").is_displayed()
        assert "van 20 administraties klaar" in text_of(browser, "sync-text")
        assert browser.find_element(By.ID, "sync-progress").get_attribute("max") == "20"

        # The bar moves while the page stays (the page polls /bijwerken/voortgang).
        first = progress_value(browser)
        assert first is not None
        seen = [first]
        deadline = time.time() + 60
        while time.time() < deadline:
            value = progress_value(browser)
            if value is None:
                break  # the page reloaded: the sync ended before the bar moved
            if value != seen[-1]:
                seen.append(value)
            if value > first:
                break
            time.sleep(0.05)
        assert max(seen) > first, f"the progress bar did not move: {seen}"
        assert browser.find_elements(By.ID, "sync-running"), "the sync ended before it could be watched"

        # The dashboard shows the running sync instead of the button.
        browser.get(f"{app.origin}/")
        status = browser.find_element(By.ID, "sync-status")
        assert status.text.startswith("Bijwerken loopt"), status.text
        assert not browser.find_elements(By.ID, "sync-all")

        # A second start while one runs shows the running one; no second sync is started.
        browser.execute_script("window.__ljOldPage = true")
        browser.execute_script("""
            var form = document.createElement('form');
            form.method = 'post'; form.action = '/bijwerken';
            var csrf = document.createElement('input');
            csrf.type = 'hidden'; csrf.name = '_csrf';
            csrf.value = document.querySelector('meta[name=csrf-token]').content;
            form.appendChild(csrf); document.body.appendChild(form); form.submit();""")
        WebDriverWait(browser, 20).until(
            lambda b: b.execute_script("return window.__ljOldPage === undefined && document.readyState === 'complete'")
        )
        assert browser.current_url == f"{app.origin}/bijwerken"
        assert "Er loopt al een bijwerkronde" in browser.page_source
        assert browser.find_elements(By.ID, "sync-running")
        assert query(data_dir, "SELECT count(*) FROM sync_runs")[0][0] == 1

        # When it ends the page reloads by itself and shows the summary.
        WebDriverWait(browser, 120, poll_frequency=0.2).until(EC.presence_of_element_located((By.ID, "sync-summary")))
        assert not browser.find_elements(By.ID, "sync-running")
        assert text_of(browser, "sync-outcome") == "Klaar: alles is bijgewerkt."
        assert text_of(browser, "sync-administrations") == "20"
        assert text_of(browser, "sync-failed") == "0"
        in_database = loket_entry_count(data_dir)
        assert in_database > 0
        assert text_of(browser, "sync-imported") == str(in_database)
        assert len(browser.find_elements(By.CSS_SELECTOR, "#sync-results tbody tr")) == 20
        assert not browser.find_elements(By.ID, "sync-retry")
        assert duplicate_runs(data_dir) == []
        assert entries_without_lines(data_dir) == []
        assert query(data_dir, "SELECT origin, outcome, runs_imported, failed FROM sync_runs") == [("web", "completed", in_database, 0)]

        # Again from the dashboard: nothing new.
        browser.get(f"{app.origin}/")
        navigate(browser, browser.find_element(By.ID, "sync-all"))
        WebDriverWait(browser, 120, poll_frequency=0.2).until(EC.presence_of_element_located((By.ID, "sync-summary")))
        assert text_of(browser, "sync-outcome") == "Klaar: alles is bijgewerkt."
        assert text_of(browser, "sync-administrations") == "20"
        assert text_of(browser, "sync-imported") == "0"
        assert text_of(browser, "sync-failed") == "0"
        assert loket_entry_count(data_dir) == in_database
        assert query(data_dir, "SELECT count(*), sum(runs_imported) FROM sync_runs WHERE outcome = 'completed'") == [(2, in_database)]
    finally:
        if app is not None:
            app.stop()
        simulator.stop()
