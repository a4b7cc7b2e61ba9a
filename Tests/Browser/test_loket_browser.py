"""A bookkeeper connects to Loket (the built-in simulator) for the first time, in a real browser."""
import json
import re
import urllib.parse

from selenium.webdriver.common.by import By

from conftest import confirm_and_navigate, navigate
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait


def seen_urls(browser):
    """Every URL the browser requested (Chrome performance log)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def connect(demo, browser, user="demo", pages=None):
    browser.get(demo.launch_url)
    navigate(browser, browser.find_element(By.LINK_TEXT, "Verbinden met Loket"))
    pages.append(browser.page_source)
    navigate(browser, browser.find_element(By.ID, "connect"))
    # At the simulator's login page: the demo credentials are written on it.
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "demo-credentials")))
    assert browser.current_url.startswith(f"http://127.0.0.1:{demo.sandbox_port}/authorize?")
    hint = browser.find_element(By.ID, "demo-credentials").text
    assert "demo" in hint
    browser.find_element(By.ID, "username").send_keys(user)
    browser.find_element(By.ID, "password").send_keys("demo")
    navigate(browser, browser.find_element(By.ID, "login"))
    if user == "demo2fa":
        code = browser.find_element(By.ID, "current-code").text
        browser.find_element(By.ID, "code").send_keys(code)
        navigate(browser, browser.find_element(By.ID, "verify"))
    WebDriverWait(browser, 20).until(EC.url_contains("/loket/verbindingen/"))
    pages.append(browser.page_source)


def row(browser, name):
    return browser.find_element(By.XPATH, f"//tr[td[1][normalize-space()='{name}']]")


def test_connect_link_unlink_and_link_all(demo, browser):
    pages = []
    connect(demo, browser, pages=pages)
    assert "Bedrijven in Loket" in browser.page_source
    assert "Bakkerij De Gouden Korst B.V." in browser.page_source
    assert "journaliseert nog met Journaal Basis (938)" in browser.page_source

    # Link one payroll administration to a new administration.
    bakery = row(browser, "De Gouden Korst - maandloon")
    Select(bakery.find_element(By.TAG_NAME, "select")).select_by_value("nieuw")
    navigate(browser, bakery.find_element(By.XPATH, ".//button[normalize-space()='Koppelen']"))
    assert "is gekoppeld aan L5001" in browser.page_source
    bakery = row(browser, "De Gouden Korst - maandloon")
    assert "Gekoppeld aan" in bakery.text and "L5001" in bakery.text
    pages.append(browser.page_source)

    # Unlink with the trash icon, after confirming.
    assert "verwijderen" in bakery.find_element(By.CSS_SELECTOR, "button[data-unlink]").get_attribute("data-confirm")
    confirm_and_navigate(browser, bakery.find_element(By.CSS_SELECTOR, "button[data-unlink]"))
    WebDriverWait(browser, 10).until(lambda b: "is verwijderd" in b.page_source)
    assert "Koppelen" in row(browser, "De Gouden Korst - maandloon").text

    # Relinking proposes the administration it was linked to, not a new (duplicate) one.
    proposed = Select(row(browser, "De Gouden Korst - maandloon").find_element(By.TAG_NAME, "select")).first_selected_option
    assert "L5001" in proposed.text and "eerder gekoppeld" in proposed.text

    # Link all: every listed payroll administration with a journal profile gets linked (the
    # bakery back to L5001); the one without is named, not linked.
    listed = len(browser.find_elements(By.CSS_SELECTOR, "tr[data-payroll-administration]"))
    assert listed == 6
    confirm_and_navigate(browser, browser.find_element(By.ID, "link-all"))
    WebDriverWait(browser, 10).until(lambda b: "loonadministratie(s) gekoppeld" in b.page_source)
    assert "Niet gekoppeld, want Loket heeft er geen journaalprofiel voor (er valt niets te importeren): Zorg Thuis." in browser.page_source
    linked = browser.find_elements(By.CSS_SELECTOR, "tr.linked[data-payroll-administration]")
    assert len(linked) == listed - 1
    assert "L5001" in row(browser, "De Gouden Korst - maandloon").text
    pages.append(browser.page_source)
    browser.get(f"{demo.origin}/")
    pages.append(browser.page_source)
    assert "5 loonadministratie(s) gekoppeld" in browser.page_source
    browser.get(f"{demo.origin}/loket")
    pages.append(browser.page_source)
    assert "Verbonden" in browser.page_source

    # Nothing secret in the logs or in any page: tokens, the code, the state.
    urls = seen_urls(browser)
    authorize = next(u for u in urls if "/authorize?" in u)
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(authorize).query)["state"][0]
    callback = next(u for u in urls if "/oauth/callback?" in u)
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(callback).query)["code"][0]
    credentials = json.loads((demo.data_dir / "credentials.json").read_text())["connections"]["1"]
    secrets = {
        "state": state, "code": code,
        "access token": credentials["accessToken"], "refresh token": credentials["refreshToken"],
    }
    logs = demo.logs()
    for label, value in secrets.items():
        assert len(value) >= 16, label
        assert value not in logs, f"{label} in logs"
        for page in pages:
            assert value not in page, f"{label} in a page"
    assert "launch?token" not in demo.stderr_path.read_text()


def test_two_factor_login(demo, browser):
    pages = []
    connect(demo, browser, user="demo2fa", pages=pages)
    assert "Bakkerij De Gouden Korst B.V." in browser.page_source


def test_cancel_at_loket_offers_to_try_again(demo, browser):
    browser.get(demo.launch_url)
    browser.get(f"{demo.origin}/loket")
    navigate(browser, browser.find_element(By.ID, "connect"))
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "cancel"))).click()
    WebDriverWait(browser, 10).until(EC.url_contains("/oauth/callback"))
    assert "U heeft de aanmelding bij Loket geannuleerd" in browser.page_source
    assert browser.find_element(By.LINK_TEXT, "Opnieuw proberen")
