"""Fixtures for the end-to-end tests: the real loonjournaal binary, copied alone into an empty
directory, and a real headless Chromium driven by Selenium."""
import base64
import hashlib
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def no_redirect_opener():
    """An opener that hands back 3xx answers (as HTTPError) instead of following them."""
    return urllib.request.build_opener(_NoRedirect)


def simulator_token(url: str) -> str:
    """An access token of the simulator's demo user, by the authorization-code flow with PKCE
    (as the app does it), for tests that read the simulator's API themselves."""
    verifier = base64.urlsafe_b64encode(b"v" * 32).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect = "http://127.0.0.1:9/oauth/callback"
    form = {
        "client_id": "loonjournaal-demo", "redirect_uri": redirect, "state": "s", "code_challenge": challenge,
        "code_challenge_method": "S256", "username": "demo", "password": "demo", "action": "login",
    }
    try:
        no_redirect_opener().open(urllib.request.Request(url + "/authorize", data=urllib.parse.urlencode(form).encode()), timeout=30)
        raise AssertionError("the simulator's login did not redirect")
    except urllib.error.HTTPError as redirect_response:
        location = redirect_response.headers["Location"]
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0]
    body = urllib.parse.urlencode({
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "client_id": "loonjournaal-demo",
        "client_secret": "demo-secret", "code_verifier": verifier,
    }).encode()
    request = urllib.request.Request(url + "/token", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["access_token"]


class RunningApp:
    """One `loonjournaal serve` process with its own data dir and captured output."""

    def __init__(self, binary: pathlib.Path, workdir: pathlib.Path, args: list[str], data_dir: pathlib.Path | None = None, env: dict | None = None,
                 port: int | None = None):
        self.workdir = workdir
        self.data_dir = data_dir or workdir / "data"
        self.port = port or free_port()
        self.sandbox_port = free_port() if args[0] == "demo" else None
        self.stdout_path = workdir / "stdout.txt"
        self.stderr_path = workdir / "stderr.txt"
        extra = ["--sandbox-port", str(self.sandbox_port)] if self.sandbox_port else []
        self.process = subprocess.Popen(
            [str(binary), *args, "--no-open", "--port", str(self.port), "--data-dir", str(self.data_dir), *extra],
            cwd=workdir,
            stdout=open(self.stdout_path, "wb"),
            stderr=open(self.stderr_path, "wb"),
            env={**os.environ, "LOG_LEVEL": "info", **(env or {})},
        )
        try:
            self.launch_url = self._wait_for_launch_url()
        except BaseException:
            self.stop()
            raise

    def _wait_for_launch_url(self) -> str:
        deadline = time.time() + 30
        while time.time() < deadline:
            text = self.stdout_path.read_text(errors="replace")
            match = re.search(r"http://127\.0\.0\.1:\d+/launch\?token=[A-Za-z0-9_-]+", text)
            if match:
                return match.group(0)
            if self.process.poll() is not None:
                raise RuntimeError(f"loonjournaal stopped: {self.stderr_path.read_text()}")
            time.sleep(0.05)
        raise RuntimeError("no launch URL printed within 30 s")

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        return self.stdout_path.read_text(errors="replace") + self.stderr_path.read_text(errors="replace")

    def stop(self):
        stop_process(self.process)


def stop_process(process: subprocess.Popen):
    """SIGTERM, and SIGKILL when it has not ended within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def binary_alone(tmp_path_factory) -> pathlib.Path:
    """The release binary copied alone into an empty directory: it must need nothing beside it."""
    source = pathlib.Path(os.environ.get("LOONJOURNAAL_BIN", ROOT / ".build/release/loonjournaal"))
    if not source.exists():
        pytest.fail(f"binary not built: {source} (run scripts/test)")
    target_dir = tmp_path_factory.mktemp("alone")
    target = target_dir / "loonjournaal"
    shutil.copy2(source, target)
    assert sorted(p.name for p in target_dir.iterdir()) == ["loonjournaal"]
    return target


@pytest.fixture
def app(binary_alone, tmp_path):
    running = RunningApp(binary_alone, tmp_path, ["serve"])
    yield running
    running.stop()


@pytest.fixture
def demo(binary_alone, tmp_path):
    """`loonjournaal demo`: the app and the Loket simulator together."""
    running = RunningApp(binary_alone, tmp_path, ["demo"])
    yield running
    running.stop()


@pytest.fixture
def browser(request, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False})
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=nl-NL"]:
        options.add_argument(arg)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        options.binary_location = chromium
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.download_dir = downloads
    yield driver
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / f"{request.node.name}.png"))
        (ARTIFACTS / f"{request.node.name}.html").write_text(driver.page_source)
    driver.quit()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _wait_for_new_page(browser, timeout):
    """Waits until the page marked before the click is replaced by a fully loaded new one."""
    import time as _time

    deadline = _time.time() + timeout
    while _time.time() < deadline:
        try:
            if browser.execute_script("return window.__ljOldPage === undefined && document.readyState === 'complete'"):
                return
        except Exception:  # the page is mid-navigation; ask again
            pass
        _time.sleep(0.05)
    raise TimeoutError("the next page did not load in time")


def navigate(browser, element, timeout=20):
    """Click something that loads a new page and wait until the new page has loaded (a bare click
    returns before the navigation finishes on a busy machine)."""
    browser.execute_script("window.__ljOldPage = true")
    element.click()
    _wait_for_new_page(browser, timeout)


def confirm_and_navigate(browser, element, timeout=20):
    """Click a button that asks for confirmation first, accept, and wait for the new page."""
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    browser.execute_script("window.__ljOldPage = true")
    element.click()
    WebDriverWait(browser, timeout).until(EC.alert_is_present()).accept()
    _wait_for_new_page(browser, timeout)
