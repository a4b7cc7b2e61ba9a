"""Bulk sync against a misbehaving Loket, end to end: `loonjournaal sandbox --faults` with the
issue's fault matrix and `loonjournaal sync` rerun until it succeeds; and SIGKILL of the app
itself (`serve`) while "Alles bijwerken" runs in it."""
import json
import os
import random
import re
import shutil
import signal
import time
import urllib.error
import urllib.parse
import urllib.request

from conftest import RunningApp, no_redirect_opener
from test_sync import (
    Simulator, cli, dev_setup, duplicate_runs, entries_without_lines, imported_runs, loket_entry_count, query, summary_numbers,
)

FAULTS = "5xx=0.2,429=0.1,stall=0.05,token-ttl=30,malformed=0.01"


def test_sync_under_the_fault_matrix_imports_every_run_exactly_once(binary_alone, tmp_path):
    # A stall lasts 2 s and the sync waits 1 s for an answer: every stall is a time-out.
    faulty = Simulator(
        binary_alone, tmp_path, employers=15, latency_ms=0, extra=["--faults", FAULTS + ",stall-seconds=2"],
        env={**os.environ, "LOG_LEVEL": "debug"},  # logs every answer's status: the faults are visible
    )
    try:
        data_dir = tmp_path / "data"
        assert dev_setup(binary_alone, data_dir, faulty) == 16
        rounds = []
        while len(rounds) < 8:
            done = cli(binary_alone, "sync", "--data-dir", data_dir, "--timeout-seconds", "1", timeout=300)
            administrations, imported, failed = summary_numbers(done.stdout)
            rounds.append((done.returncode, imported, failed))
            # Nothing is ever half-written or doubled, whatever Loket did.
            assert duplicate_runs(data_dir) == []
            assert entries_without_lines(data_dir) == []
            if done.returncode == 0:
                assert failed == 0
                break
            # Exit 1 names every failed administration with a Dutch reason.
            assert done.returncode == 1, done.stdout + done.stderr
            assert failed >= 1
            # "  CODE name: reason" — the reason itself may contain ": ", so the name ends at the first.
            named = re.findall(r"^  (L\d+) (.+?): (.+)$", done.stdout.split("Mislukt", 1)[1], re.M)
            assert len(named) == failed, done.stdout
            assert all("Loket" in reason for _, _, reason in named), named
        assert rounds[-1][0] == 0, rounds
    finally:
        faulty.stop()
    answers = re.findall(r"path=/v2\S* status=(\d+)", faulty.log.read_text(errors="replace"))
    assert sum(status in ("500", "503") for status in answers) >= 5, answers
    assert "429" in answers, answers
    # What a fault-free Loket with the same data has ready: every run of it, each exactly once.
    clean = Simulator(binary_alone, tmp_path, employers=15, latency_ms=0)
    try:
        expected = clean.importable_runs(imported_runs(data_dir).keys())
    finally:
        clean.stop()
    assert imported_runs(data_dir) == expected
    assert loket_entry_count(data_dir) == sum(len(ids) for ids in expected.values()) == sum(imported for _, imported, _ in rounds)
    assert query(data_dir, "PRAGMA integrity_check") == [("ok",)]
    print(f"rounds (exit, imported, failed): {rounds}")


class Session:
    """A signed-in browser session without a browser: cookie from the launch link, CSRF token."""

    def __init__(self, app: RunningApp):
        self.origin = app.origin

        self.opener = no_redirect_opener()
        try:
            self.opener.open(app.launch_url, timeout=30)
            raise AssertionError("the launch link did not redirect")
        except urllib.error.HTTPError as answer:
            assert answer.code == 303
            self.cookie = answer.headers["Set-Cookie"].split(";", 1)[0]
        home = self.get("/")
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', home).group(1)

    def get(self, path):
        request = urllib.request.Request(self.origin + path, headers={"Cookie": self.cookie})
        with self.opener.open(request, timeout=30) as response:
            return response.read().decode()

    def post(self, path):
        request = urllib.request.Request(
            self.origin + path,
            data=urllib.parse.urlencode({"_csrf": self.csrf}).encode(),
            headers={
                "Cookie": self.cookie, "Origin": self.origin, "Sec-Fetch-Site": "same-origin",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as answer:
            assert answer.code == 303, answer.code

    def progress(self):
        return json.loads(self.get("/bijwerken/voortgang"))


def test_kill_9_of_the_app_during_alles_bijwerken(binary_alone, tmp_path):
    simulator = Simulator(binary_alone, tmp_path, employers=30, latency_ms=20)
    try:
        template = tmp_path / "template"
        assert dev_setup(binary_alone, template, simulator) == 31
        reference_dir = tmp_path / "reference"
        shutil.copytree(template, reference_dir)
        started = time.monotonic()
        reference = cli(binary_alone, "sync", "--data-dir", reference_dir)
        duration = time.monotonic() - started
        assert reference.returncode == 0, reference.stdout + reference.stderr
        expected = summary_numbers(reference.stdout)[1]

        rng = random.Random(611)
        for trial in range(5):
            data_dir = tmp_path / f"app-{trial}"
            shutil.copytree(template, data_dir)
            workdir = tmp_path / f"serve-{trial}"
            workdir.mkdir()
            app = RunningApp(binary_alone, workdir, ["serve"], data_dir=data_dir)
            try:
                Session(app).post("/bijwerken")
                time.sleep(rng.uniform(0, duration))
                app.process.send_signal(signal.SIGKILL)
                app.process.wait(timeout=30)
            finally:
                app.stop()
            label = f"trial {trial}"
            assert query(data_dir, "PRAGMA integrity_check") == [("ok",)], label
            assert entries_without_lines(data_dir) == [], label
            assert duplicate_runs(data_dir) == [], label
            before = loket_entry_count(data_dir)

            # Started again, the page says the last round broke off, and a new round completes it.
            again_dir = tmp_path / f"serve-{trial}-again"
            again_dir.mkdir()
            app = RunningApp(binary_alone, again_dir, ["serve"], data_dir=data_dir)
            try:
                session = Session(app)
                page = session.get("/bijwerken")
                if query(data_dir, "SELECT count(*) FROM sync_runs WHERE finished_at IS NULL")[0][0] == 1:
                    assert "Afgebroken: loonjournaal stopte tijdens het bijwerken" in page, label
                session.post("/bijwerken")
                deadline = time.monotonic() + 120
                while session.progress()["phase"] in ("running", "cancelling"):
                    assert time.monotonic() < deadline, label
                    time.sleep(0.1)
                assert session.progress()["phase"] == "finished", label
                assert session.progress()["runsImported"] == expected - before, label
            finally:
                app.stop()
            assert loket_entry_count(data_dir) == expected, label
            assert duplicate_runs(data_dir) == [], label
            assert query(data_dir, "PRAGMA integrity_check") == [("ok",)], label
    finally:
        simulator.stop()
