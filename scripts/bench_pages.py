#!/usr/bin/env python3
"""Page latency and cold start of `loonjournaal serve` on a data dir with 500 administrations,
and the summary of every benchmark number against its goal (called by scripts/bench).

  bench_pages.py --binary PATH [--sync-results DIR] [--duration 5s] [--keep]

Steps:
  1. a Loket simulator with 500 payroll administrations (no latency), `dev-setup` and `sync`
     into a fresh data dir; the simulator is stopped afterwards;
  2. `serve` on that dir, a session cookie from the launch URL, then `wrk` on the dashboard,
     the draft with 300+ lines, the trial balance of 500 accounts and 13 periods, the unknown-
     accounts screen with 40 accounts, and a static asset; p50/p99 and page p99 / static p99;
  3. cold start, five times: from spawning `serve --port 0` to the first answer to the launch URL;
  4. the month-end refresh of 500 administrations at 50 ms simulated latency (`check --period
     2026-04`, the same use case as the page's "Vernieuwen uit Loket"): requests made, wall time
     against the network floor (requests x latency / concurrency), first and second time.
Only loopback addresses are used. Standard library only."""
import argparse
import http.client
import os
import pathlib
import re
import selectors
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

LAUNCH = re.compile(r"http://127\.0\.0\.1:(\d+)/launch\?token=[A-Za-z0-9_-]+")
GOAL_PAGE_RATIO = 3.0
GOAL_COLD_START = 0.3
GOAL_RSS_RATIO = 1.3
MONTH_END_LATENCY_MS = 50
MONTH_END_CONCURRENCY = 8


class BenchError(Exception):
    pass


def log(text):
    print(text, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process):
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def read_until(process, pattern, timeout):
    """Reads the process's stdout (a pipe) until `pattern` matches; returns the match."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    seen = b""
    deadline = time.monotonic() + timeout
    try:
        while True:
            match = pattern.search(seen.decode(errors="replace"))
            if match:
                return match
            left = deadline - time.monotonic()
            if left <= 0:
                raise BenchError(f"no {pattern.pattern!r} on stdout within {timeout} s; got: {seen[-500:]!r}")
            if selector.select(timeout=left):
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    raise BenchError(f"the process stopped (exit {process.wait()}); stdout: {seen[-500:]!r}")
                seen += chunk
    finally:
        selector.close()


def get(url, cookie=None, timeout=30):
    """One GET without following redirects: (status, headers, body)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"Host": f"127.0.0.1:{parts.port}"}
        if cookie:
            headers["Cookie"] = cookie
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


# ---------------------------------------------------------------------------------------------
# 1. The data dir


def prepare(binary, workdir):
    data_dir = workdir / "data"
    port = free_port()
    log(f"== preparing 500 administrations (simulator --employers 499 --latency-ms 0, dev-setup, sync) in {data_dir}")
    with open(workdir / "sandbox.log", "wb") as sandbox_log:
        sandbox = subprocess.Popen(
            [binary, "sandbox", "--port", str(port), "--employers", "499", "--latency-ms", "0"],
            stdout=subprocess.PIPE, stderr=sandbox_log,
        )
    try:
        read_until(sandbox, re.compile(r"draait op"), 60)
        setup = subprocess.run(
            [binary, "dev-setup", "--data-dir", str(data_dir), "--sandbox", f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=600,
        )
        if setup.returncode != 0 or "gekoppeld: 500" not in setup.stdout:
            raise BenchError(f"dev-setup failed (exit {setup.returncode}): {setup.stdout}{setup.stderr}")
        sync = subprocess.run([binary, "sync", "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=1800)
        if sync.returncode != 0:
            raise BenchError(f"sync failed (exit {sync.returncode}): {sync.stdout}{sync.stderr[-2000:]}")
        log("   " + sync.stdout.strip().splitlines()[0])
        # The month-end overview of April asked of Loket once, so its page has what it shows.
        check = subprocess.run([binary, "check", "--period", "2026-04", "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=600)
        if check.returncode not in (0, 1) or "Maandafsluiting april 2026" not in check.stdout:
            raise BenchError(f"check failed (exit {check.returncode}): {check.stdout[-2000:]}{check.stderr[-2000:]}")
    finally:
        stop(sandbox)
    connection = sqlite3.connect(f"file:{data_dir / 'loonjournaal.sqlite'}?mode=ro", uri=True)
    try:
        row = connection.execute("""
            SELECT e.id, e.administration_id, a.name, count(l.id) AS lines
            FROM journal_entries e
            JOIN journal_lines l ON l.entry_id = e.id
            JOIN administrations a ON a.id = e.administration_id
            GROUP BY e.id HAVING lines >= 300 ORDER BY lines DESC LIMIT 1""").fetchone()
        administrations = connection.execute("SELECT count(*) FROM administrations").fetchone()[0]
        overview = connection.execute(
            "SELECT id FROM entry_attachments WHERE entry_id = ? AND kind = 'employeeOverview'", (row[0],) if row else (0,)).fetchone()
    finally:
        connection.close()
    if row is None:
        raise BenchError("no journal entry with 300 or more lines after the sync")
    if administrations != 500:
        raise BenchError(f"expected 500 administrations, found {administrations}")
    entry_id, administration_id, name, lines = row
    log(f"   large draft: entry {entry_id} of administration {administration_id} ({name}), {lines} lines")
    fixtures = subprocess.run([binary, "bench-fixtures", "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=600)
    match = re.search(r"proefbalans: (\d+) koppelscherm: (\d+)", fixtures.stdout)
    if fixtures.returncode != 0 or not match:
        raise BenchError(f"bench-fixtures failed (exit {fixtures.returncode}): {fixtures.stdout}{fixtures.stderr}")
    if overview is None:
        raise BenchError("the large draft has no per-employee overview: the sync did not fetch the evidence")
    reports = {"trial_balance": int(match.group(1)), "mapping": int(match.group(2)), "overview": overview[0]}
    log(f"   trial balance: administration {reports['trial_balance']} (500 accounts, 13 booked periods); "
        f"mapping screen: administration {reports['mapping']} (40 unknown accounts)")
    return data_dir, entry_id, administration_id, lines, reports


# ---------------------------------------------------------------------------------------------
# 2. Page latency


def start_serve(binary, data_dir, stderr):
    process = subprocess.Popen(
        [binary, "serve", "--no-open", "--port", "0", "--data-dir", str(data_dir)], stdout=subprocess.PIPE, stderr=stderr
    )
    return process


def session_cookie(launch_url):
    status, headers, _ = get(launch_url)
    if status != 303:
        raise BenchError(f"the launch URL answered {status}, expected 303")
    cookies = [value.split(";", 1)[0].strip() for value in headers.get_all("Set-Cookie") or []]
    if not cookies:
        raise BenchError("the launch URL set no cookie")
    return "; ".join(cookies)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(output):
    percentiles = {}
    for percent, value, unit in re.findall(r"^\s+(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M):
        percentiles[int(percent)] = float(value) * UNITS[unit]
    requests = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if 50 not in percentiles or 99 not in percentiles or not requests:
        raise BenchError(f"could not read wrk's output:\n{output}")
    if "Non-2xx or 3xx responses" in output:
        raise BenchError(f"wrk saw answers other than 2xx/3xx (session lost?):\n{output}")
    errors = re.search(r"Socket errors: (.*)", output)
    completed = re.search(r"^\s+(\d+) requests in", output, re.M)
    if not completed or int(completed.group(1)) == 0:
        raise BenchError(f"wrk completed no request:\n{output}")
    return {"p50": percentiles[50], "p99": percentiles[99], "rps": float(requests.group(1)), "errors": errors.group(1) if errors else ""}


def wrk(url, cookie, duration):
    # A generous timeout: a slow page must count with its real latency, not as a socket timeout
    # (wrk leaves timed-out requests out of the percentiles).
    command = ["wrk", "-t1", "-c4", f"-d{duration}", "--timeout", "60s", "--latency", "-H", f"Cookie: {cookie}", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise BenchError(f"wrk failed (exit {done.returncode}): {done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)


def page_latency(binary, data_dir, workdir, entry_id, administration_id, reports, duration):
    log("== page latency (wrk -t1 -c4, loopback)")
    with open(workdir / "serve.log", "wb") as serve_log:
        server = start_serve(binary, data_dir, serve_log)
    try:
        match = read_until(server, LAUNCH, 60)
        origin = f"http://127.0.0.1:{match.group(1)}"
        cookie = session_cookie(match.group(0))
        static = f"{origin}/static/css/app.css"
        targets = [
            ("static /static/css/app.css", static),
            ("dashboard (500 administrations)", f"{origin}/"),
            ("draft with 300+ lines", f"{origin}/administraties/{administration_id}/boekingen/{entry_id}"),
            ("trial balance (500 accounts, 13 periods)", f"{origin}/administraties/{reports['trial_balance']}/proefbalans?jaar=2026"),
            ("unknown accounts (40)", f"{origin}/administraties/{reports['mapping']}/onbekende-rekeningen"),
            ("month-end overview (500 administrations)", f"{origin}/maandafsluiting?periode=2026-04"),
            ("year-end summary (500 administrations)", f"{origin}/jaaraansluiting?jaar=2026"),
            ("year-end of the 300+-line administration", f"{origin}/administraties/{administration_id}/jaaraansluiting?jaar=2026"),
            ("per-employee table (100 employees)",
             f"{origin}/administraties/{administration_id}/boekingen/{entry_id}/bijlagen/{reports['overview']}/tabel"),
        ]
        markers = {"trial balance": b"Totaal winst en verlies", "unknown accounts": b'data-code="6039"', "month-end": b'data-administration="L6499"',
                   "year-end summary": b'data-code="L6499"', "year-end of": b'id="year-end-table"', "per-employee": b'<tr class="total">'}
        # Each page must really be the page: 200 with the session, not a redirect or 403.
        for label, url in targets:
            status, headers, body = get(url, cookie)
            if status != 200:
                raise BenchError(f"{label}: GET {url} answered {status} {headers.get('Location', '')}; refusing to measure")
            if url.endswith("/") and b'id="administrations"' not in body:
                raise BenchError(f"{label}: the dashboard does not list the administrations")
            for key, marker in markers.items():
                if label.startswith(key) and marker not in body:
                    raise BenchError(f"{label}: the page lacks {marker!r}; refusing to measure")
        results = {}
        for label, url in targets:
            results[label] = wrk(url, cookie, duration)
            r = results[label]
            log(f"   {label:34s} p50 {r['p50']:9.2f} ms   p99 {r['p99']:9.2f} ms   {r['rps']:8.1f} req/s   {r['errors']}".rstrip())
            # wrk stops at the deadline with requests still in the server; let them finish
            # before the next URL is measured.
            drain = time.perf_counter()
            get(static, cookie, timeout=120)
            log(f"   (server idle again after {time.perf_counter() - drain:.2f} s)")
        # The session must have survived the run (otherwise the numbers are of redirects).
        status, _, _ = get(f"{origin}/", cookie)
        if status != 200:
            raise BenchError(f"after wrk the dashboard answered {status}")
        return results
    finally:
        stop(server)


# ---------------------------------------------------------------------------------------------
# 3. Cold start


def cold_start(binary, data_dir, workdir, repeats=5):
    log(f"== cold start ({repeats}x): spawn `serve --port 0` until the first answer to the launch URL")
    times = []
    for attempt in range(repeats):
        with open(workdir / f"cold-{attempt}.log", "wb") as serve_log:
            started = time.perf_counter()
            server = start_serve(binary, data_dir, serve_log)
        try:
            launch = read_until(server, LAUNCH, 60).group(0)
            deadline = time.monotonic() + 60
            while True:
                try:
                    status, _, _ = get(launch, timeout=10)
                    if status in (200, 303):
                        break
                    raise BenchError(f"the launch URL answered {status}")
                except (ConnectionRefusedError, ConnectionResetError):
                    if time.monotonic() > deadline:
                        raise BenchError("the server did not answer within 60 s")
                    time.sleep(0.002)
            elapsed = time.perf_counter() - started
        finally:
            stop(server)
        times.append(elapsed)
        log(f"   {attempt + 1}: {elapsed:.3f} s")
    return times


# ---------------------------------------------------------------------------------------------
# 4. The month-end refresh at 50 ms


def month_end_refresh(binary, workdir):
    """`check --period 2026-04` for 500 administrations against a simulator answering after 50 ms:
    (requests, wall seconds) for the first refresh (no tax return stored yet) and the second."""
    data_dir = workdir / "month-end"
    port = free_port()
    log(f"== month-end refresh: 500 administrations, simulator --latency-ms {MONTH_END_LATENCY_MS}")
    with open(workdir / "sandbox-month-end.log", "wb") as sandbox_log:
        sandbox = subprocess.Popen(
            [binary, "sandbox", "--port", str(port), "--employers", "499", "--latency-ms", str(MONTH_END_LATENCY_MS)],
            stdout=subprocess.PIPE, stderr=sandbox_log,
        )
    try:
        read_until(sandbox, re.compile(r"draait op"), 60)
        setup = subprocess.run(
            [binary, "dev-setup", "--data-dir", str(data_dir), "--sandbox", f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=1200,
        )
        if setup.returncode != 0 or "gekoppeld: 500" not in setup.stdout:
            raise BenchError(f"dev-setup failed (exit {setup.returncode}): {setup.stdout}{setup.stderr}")
        results = []
        for attempt in ("first", "second"):
            started = time.perf_counter()
            check = subprocess.run([binary, "check", "--period", "2026-04", "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=1200)
            wall = time.perf_counter() - started
            match = re.search(r"Loket gevraagd met (\d+) verzoek", check.stdout)
            if check.returncode not in (0, 1) or not match or "500 administratie(s)" not in check.stdout:
                raise BenchError(f"check failed (exit {check.returncode}): {check.stdout[-2000:]}{check.stderr[-2000:]}")
            requests = int(match.group(1))
            floor = requests * MONTH_END_LATENCY_MS / 1000 / MONTH_END_CONCURRENCY
            log(f"   {attempt}: {requests} requests, wall {wall:.2f} s, floor {floor:.2f} s, wall / floor {wall / floor:.2f}")
            results.append((attempt, requests, wall, floor))
        return results
    finally:
        stop(sandbox)


# ---------------------------------------------------------------------------------------------
# Summary


def sync_numbers(directory):
    """The bench-sync outputs saved by scripts/bench (files sync-200-50, sync-200-0, sync-20-50)."""
    numbers = {}
    if directory is None:
        return numbers
    for name in ["sync-200-50", "sync-200-0", "sync-20-50"]:
        path = pathlib.Path(directory) / f"{name}.txt"
        if not path.exists():
            continue
        text = path.read_text()
        found = {}
        for key, pattern in [
            ("floor_ratio", r"wall / floor\s*:\s*([\d.]+)"),
            ("commit_ratio", r"wall / commits\s*:\s*([\d.]+)"),
            ("wall", r"wall time \(median\)\s*:\s*([\d.]+) s"),
            ("rss", r"peak RSS sync\s*:\s*([\d.]+) MB"),
            ("runs", r"runs imported\s*:\s*(\d+)"),
        ]:
            match = re.search(pattern, text)
            if match:
                found[key] = float(match.group(1))
        numbers[name] = found
    return numbers


def verdict(value, goal):
    return "met" if value <= goal else "NOT MET"


def summary(sync, pages, lines, cold, month_end):
    rows = []
    case = sync.get("sync-200-50", {})
    if "floor_ratio" in case:
        rows.append(("sync 200 employers, 50 ms: wall / network floor", f"{case['floor_ratio']:.2f}", "≤ 1.3", verdict(case["floor_ratio"], 1.3)))
    case = sync.get("sync-200-0", {})
    if "commit_ratio" in case:
        rows.append(("sync 200 employers, 0 ms: wall / durable commits", f"{case['commit_ratio']:.2f}", "≤ 2", verdict(case["commit_ratio"], 2.0)))
    big, small = sync.get("sync-200-50", {}).get("rss"), sync.get("sync-20-50", {}).get("rss")
    if big and small:
        ratio = big / small
        rows.append(("sync peak RSS 200 / 20 employers", f"{ratio:.2f} ({big:.1f} / {small:.1f} MB)", f"≤ {GOAL_RSS_RATIO}", verdict(ratio, GOAL_RSS_RATIO)))
    static = pages["static /static/css/app.css"]
    for label in ["dashboard (500 administrations)", "draft with 300+ lines", "trial balance (500 accounts, 13 periods)", "unknown accounts (40)",
                  "month-end overview (500 administrations)", "year-end summary (500 administrations)", "year-end of the 300+-line administration",
                  "per-employee table (100 employees)"]:
        page = pages[label]
        ratio = page["p99"] / static["p99"]
        name = label if "draft" not in label else f"draft with {lines} lines"
        rows.append((f"p99 {name} / p99 static", f"{ratio:.2f} ({page['p99']:.2f} / {static['p99']:.2f} ms)", f"≤ {GOAL_PAGE_RATIO:g}", verdict(ratio, GOAL_PAGE_RATIO)))
    rows.append(("p50 static / dashboard / draft / trial balance / unknown accounts / month end / year-end summary / year end / table", " / ".join(f"{pages[k]['p50']:.2f}" for k in pages) + " ms", "", ""))
    for attempt, requests, wall, floor in month_end:
        rows.append((f"month-end refresh 500 adm., 50 ms, {attempt}: wall / floor", f"{wall / floor:.2f} ({requests} req, {wall:.2f} / {floor:.2f} s)", "", ""))
    median, worst = statistics.median(cold), max(cold)
    rows.append(("cold start median (5x)", f"{median:.3f} s", f"≤ {GOAL_COLD_START} s", verdict(median, GOAL_COLD_START)))
    rows.append(("cold start max (5x)", f"{worst:.3f} s", f"≤ {GOAL_COLD_START} s", verdict(worst, GOAL_COLD_START)))
    width = max(len(row[0]) for row in rows)
    value_width = max(len(row[1]) for row in rows)
    print()
    print("== summary (measurement vs goal)")
    for name, value, goal, outcome in rows:
        print(f"  {name:{width}s}  {value:>{value_width}s}  {('goal ' + goal) if goal else '':12s} {outcome}".rstrip())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--sync-results", help="directory with the saved bench-sync outputs")
    parser.add_argument("--duration", default="5s", help="wrk duration per URL (default 5s)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()
    binary = str(pathlib.Path(args.binary).resolve())
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed (scripts/bench installs it)")
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="loonjournaal-bench-pages-"))
    try:
        data_dir, entry_id, administration_id, lines, reports = prepare(binary, workdir)
        pages = page_latency(binary, data_dir, workdir, entry_id, administration_id, reports, args.duration)
        cold = cold_start(binary, data_dir, workdir)
        log(f"   cold start median {statistics.median(cold):.3f} s, max {max(cold):.3f} s")
        month_end = month_end_refresh(binary, workdir)
        summary(sync_numbers(args.sync_results), pages, lines, cold, month_end)
    finally:
        if args.keep:
            log(f"(kept {workdir})")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        print(f"bench_pages: {error}", file=sys.stderr)
        sys.exit(1)
