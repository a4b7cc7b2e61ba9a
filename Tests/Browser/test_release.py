"""Issue 15: a true single binary, the Debian package, and a way back in.

The released binary (`scripts/release` → dist/) runs with the Swift toolchain hidden (a mount
namespace with an empty directory over it) and a clean environment, and a user walks launch link
→ dashboard → Loket connection. The .deb installs, runs the same way, and `dpkg -r` leaves the
data directory alone. In the browser: close the browser, `loonjournaal open`, back on the same
page without a restart; restart the app and the old tab's "Opslaan" still saves; a launch link
works once."""
import os
import pathlib
import re
import shutil
import sqlite3
import stat
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from selenium.webdriver.common.by import By

from conftest import ROOT, RunningApp, free_port, navigate, stop_process
from test_loket_browser import connect

DIST = ROOT / "dist"
ALLOWED = re.compile(r"^(linux-vdso|ld-linux-x86-64|libc|libm|libstdc\+\+|libgcc_s|libsqlite3|libz)\.so")


def toolchain_root() -> pathlib.Path:
    """/opt/swift for /opt/swift/usr/bin/swift."""
    swift = shutil.which("swift")
    assert swift, "the tests run where Swift is installed"
    return pathlib.Path(swift).resolve().parents[2]


def hidden(command: list[str], workdir: pathlib.Path) -> list[str]:
    """`command` in a mount namespace with an empty directory over the toolchain, clean environment."""
    empty = workdir / "empty"
    empty.mkdir(exist_ok=True)
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-r", "-m"]
    script = 'mount --bind "$1" "$2" && shift 2 && exec env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin LOG_LEVEL=info "$@"'
    return [*unshare, "sh", "-c", script, "hide", str(empty), str(toolchain_root()), *command]


def run_hidden(command, workdir, **kw):
    return subprocess.run(hidden(command, workdir), capture_output=True, text=True, timeout=60, env={**os.environ, "HOME_DIR": str(workdir)}, **kw)


class HiddenApp(RunningApp):
    """`loonjournaal demo` started with the toolchain hidden."""

    def __init__(self, binary, workdir):
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.port = free_port()
        self.sandbox_port = free_port()
        self.stdout_path = workdir / "stdout.txt"
        self.stderr_path = workdir / "stderr.txt"
        command = [str(binary), "demo", "--no-open", "--port", str(self.port), "--sandbox-port", str(self.sandbox_port), "--data-dir", str(self.data_dir)]
        self.process = subprocess.Popen(
            hidden(command, workdir), cwd=workdir, stdout=open(self.stdout_path, "wb"), stderr=open(self.stderr_path, "wb"),
            env={**os.environ, "HOME_DIR": str(workdir)},
        )
        try:
            self.launch_url = self._wait_for_launch_url()
        except BaseException:
            self.stop()
            raise


def release_binary() -> pathlib.Path:
    binary = DIST / "loonjournaal"
    assert binary.exists(), "scripts/release builds dist/loonjournaal (scripts/test runs it first)"
    return binary


def package() -> pathlib.Path:
    debs = sorted(DIST.glob("loonjournaal_*.deb"))
    assert len(debs) == 1, debs
    return debs[0]


def test_the_toolchain_is_really_hidden(tmp_path):
    """The namespace hides the toolchain: the ordinary release build no longer starts there."""
    assert run_hidden(["/bin/sh", "-c", f"test -e {toolchain_root()}/usr/bin/swift"], tmp_path).returncode != 0
    dynamic = ROOT / ".build/release/loonjournaal"
    if dynamic.exists() and "libswiftCore" in subprocess.run(["ldd", str(dynamic)], capture_output=True, text=True).stdout:
        refused = run_hidden([str(dynamic), "--version"], tmp_path)
        assert refused.returncode != 0 and "libswiftCore" in refused.stderr, refused


def test_one_binary_needs_only_what_a_desktop_has(tmp_path):
    binary = release_binary()
    libraries = [line.split()[0].rsplit("/", 1)[-1] for line in subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout.splitlines()]
    assert libraries and all(ALLOWED.match(name) for name in libraries), libraries
    symbols = subprocess.run(["readelf", "-S", str(binary)], capture_output=True, text=True, check=True).stdout
    assert ".symtab" not in symbols  # stripped
    version = run_hidden([str(binary), "--version"], tmp_path)
    assert version.returncode == 0, version.stderr
    assert re.fullmatch(r"\d+\.\d+\.\d+\n", version.stdout)


def test_released_binary_walks_launch_dashboard_and_loket_with_the_toolchain_hidden(browser, tmp_path):
    app = HiddenApp(release_binary(), tmp_path)
    try:
        pages = []
        connect(app, browser, pages=pages)
        # Connected: the simulator's company list came through the released binary.
        assert "Bakkerij De Gouden Korst B.V." in browser.page_source
        browser.get(app.origin + "/")
        assert browser.find_elements(By.LINK_TEXT, "Alles bijwerken") or "Overzicht" in browser.title
    finally:
        app.stop()


def test_debian_package_installs_runs_and_leaves_the_data_on_removal(browser, tmp_path):
    deb = package()
    lint = (DIST / "lintian.txt").read_text() if (DIST / "lintian.txt").exists() else ""
    assert not re.search(r"^[EW]: ", lint, re.M), lint
    info = subprocess.run(["dpkg-deb", "--info", str(deb)], capture_output=True, text=True, check=True).stdout
    for dependency in ("libsqlite3-0", "zlib1g", "libstdc++6"):
        assert dependency in info
    contents = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True).stdout
    for path in ("./usr/bin/loonjournaal", "./usr/share/applications/loonjournaal.desktop", "./usr/share/man/man1/loonjournaal.1.gz",
                 "./usr/lib/systemd/user/loonjournaal-sync.timer", "./usr/lib/systemd/user/loonjournaal-sync.service",
                 "./usr/share/icons/hicolor/scalable/apps/loonjournaal.svg", "./usr/share/doc/loonjournaal/copyright"):
        assert path in contents, path
    subprocess.run(["dpkg", "-r", "loonjournaal"], capture_output=True)
    installed = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    try:
        desktop = pathlib.Path("/usr/share/applications/loonjournaal.desktop").read_text()
        assert "Name=Loonjournaal" in desktop and "Categories=Office;Finance;" in desktop and "Exec=loonjournaal serve" in desktop
        assert "Comment[nl]=" in desktop
        man = subprocess.run(["sh", "-c", "zcat /usr/share/man/man1/loonjournaal.1.gz"], capture_output=True, text=True).stdout
        assert ".SH OPDRACHTEN" in man and "open" in man and "systemctl \\-\\-user enable \\-\\-now loonjournaal\\-sync.timer" in man
        timer = pathlib.Path("/usr/lib/systemd/user/loonjournaal-sync.timer").read_text()
        assert "OnCalendar=" in timer and "WantedBy=timers.target" in timer
        # The installed program, with the toolchain hidden: launch link → dashboard → Loket.
        app = HiddenApp(pathlib.Path("/usr/bin/loonjournaal"), tmp_path)
        try:
            connect(app, browser, pages=[])
            assert app.data_dir.exists()
        finally:
            app.stop()
    finally:
        removed = subprocess.run(["dpkg", "-r", "loonjournaal"], capture_output=True, text=True)
    assert removed.returncode == 0, removed.stderr
    assert not pathlib.Path("/usr/bin/loonjournaal").exists()
    # The user's data stays where it was.
    assert (app.data_dir / "loonjournaal.sqlite").exists()
    assert stat.S_IMODE(os.stat(app.data_dir).st_mode) == 0o700


# --------------------------------------------------------------------------------------------
# The way back in


def open_link(binary, data_dir):
    """`loonjournaal open --no-open`: a fresh launch link from the running app."""
    done = subprocess.run([str(binary), "open", "--no-open", "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr
    link = done.stdout.strip().splitlines()[-1]
    assert "/launch?token=" in link
    return link


def test_close_the_browser_then_open_brings_you_back_to_the_same_page(binary_alone, browser, tmp_path):
    app = RunningApp(binary_alone, tmp_path, ["serve"])
    try:
        browser.get(app.launch_url)
        browser.get(app.origin + "/administraties/nieuw")
        browser.find_element(By.ID, "code").send_keys("TERUG1")
        browser.find_element(By.ID, "name").send_keys("Terug B.V.")
        navigate(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit].primary"))
        here = browser.current_url
        assert "/administraties/" in here
        # "Closing the browser": every cookie gone, as with a new browser profile.
        browser.delete_all_cookies()
        browser.get(app.origin + "/")
        assert "Open loonjournaal opnieuw" in browser.page_source
        # The first launch link works only once.
        browser.get(app.launch_url)
        assert "al gebruikt, verlopen of onjuist" in browser.page_source
        # `loonjournaal open`: a fresh link from the running app, no restart; back on the same page.
        link = open_link(binary_alone, app.data_dir)
        browser.get(link)
        assert browser.current_url == here
        assert "Terug B.V." in browser.page_source
        assert app.process.poll() is None
        # Starting `loonjournaal` again (as the launcher does) does not start a second one: it
        # hands out a fresh link to the running one.
        again = subprocess.run([str(binary_alone), "--no-open", "--data-dir", str(app.data_dir)], capture_output=True, text=True, timeout=30)
        assert again.returncode == 0, again.stderr
        assert "loonjournaal draait al" in again.stdout and "/launch?token=" in again.stdout
        # That link also works once.
        browser.delete_all_cookies()
        browser.get(link)
        assert "al gebruikt, verlopen of onjuist" in browser.page_source
    finally:
        app.stop()


def test_a_restart_keeps_the_session_and_the_old_tab_saves(binary_alone, browser, tmp_path):
    port = free_port()
    data_dir = tmp_path / "data"
    first = RunningApp(binary_alone, tmp_path, ["serve"], data_dir=data_dir, port=port)
    try:
        browser.get(first.launch_url)
        browser.get(first.origin + "/administraties/nieuw")
        browser.find_element(By.ID, "code").send_keys("HERSTART")
        browser.find_element(By.ID, "name").send_keys("Voor de herstart B.V.")
        navigate(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit].primary"))
        browser.get(browser.current_url.rstrip("/") + "/wijzigen")
        field = browser.find_element(By.ID, "name")
    finally:
        first.stop()
    # The app is restarted on the same port and data directory; the old tab stays open.
    second = RunningApp(binary_alone, tmp_path, ["serve"], data_dir=data_dir, port=port)
    try:
        field.clear()
        field.send_keys("Na de herstart B.V.")
        navigate(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit].primary"))
        assert "geweigerd" not in browser.page_source and "Open loonjournaal opnieuw" not in browser.page_source, browser.page_source[:2000]
        connection = sqlite3.connect(f"file:{data_dir / 'loonjournaal.sqlite'}?mode=ro", uri=True)
        try:
            assert connection.execute("SELECT name FROM administrations WHERE code = 'HERSTART'").fetchone()[0] == "Na de herstart B.V."
            # Only the hash of the session is stored.
            cookie = browser.get_cookie(f"loonjournaal-127-0-0-1-{port}")["value"]
            hashes = [row[0] for row in connection.execute("SELECT token_hash FROM browser_sessions")]
            import hashlib
            assert hashlib.sha256(cookie.encode()).hexdigest() in hashes and cookie not in hashes
        finally:
            connection.close()
        # Afmelden ends it, also for the old tab after another restart.
        navigate(browser, browser.find_element(By.ID, "sign-out"))
        assert "U bent afgemeld" in browser.page_source
        browser.get(second.origin + "/")
        assert "Open loonjournaal opnieuw" in browser.page_source
    finally:
        second.stop()
