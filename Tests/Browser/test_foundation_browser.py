"""A bookkeeper's first minutes, in a real browser: launch link → administration → starter chart."""
from selenium.webdriver.common.by import By

from conftest import confirm_and_navigate, navigate


def test_create_administration_and_load_starter_chart(app, browser):
    browser.get(app.launch_url)
    assert browser.current_url == f"{app.origin}/"  # the token is gone from the address bar
    assert "Er is nog geen administratie" in browser.page_source

    navigate(browser, browser.find_element(By.LINK_TEXT, "Administratie aanmaken"))
    browser.find_element(By.ID, "code").send_keys("BAKKER01")
    browser.find_element(By.ID, "name").send_keys("Bakkerij Jansen B.V.")
    browser.find_element(By.ID, "chamberOfCommerceNumber").send_keys("12345678")
    browser.find_element(By.ID, "postalCode").send_keys("1234ab")
    browser.find_element(By.ID, "city").send_keys("Utrecht")
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"))

    assert "Administratie BAKKER01 Bakkerij Jansen B.V. is aangemaakt" in browser.page_source
    assert "1234 AB Utrecht" in browser.page_source

    navigate(browser, browser.find_element(By.LINK_TEXT, "Rekeningschema vastleggen"))
    navigate(browser, browser.find_element(By.XPATH, "//button[normalize-space()='Standaardschema laden']"))
    assert "rekeningen uit het standaardschema toegevoegd" in browser.page_source
    rows = browser.find_elements(By.CSS_SELECTOR, "#accounts tbody tr")
    numbers = [row.get_attribute("data-number") for row in rows]
    assert "4000" in numbers and "1700" in numbers
    table = browser.find_element(By.ID, "accounts").text
    for name in ["Lonen en salarissen", "Af te dragen loonheffingen", "Reservering vakantiegeld", "Pensioenlasten"]:
        assert name in table


def test_bad_input_shows_a_dutch_message_at_the_field(app, browser):
    browser.get(app.launch_url)
    browser.get(f"{app.origin}/administraties/nieuw")
    browser.find_element(By.ID, "code").send_keys("met spatie")
    navigate(browser, browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"))
    errors = browser.find_element(By.ID, "form-errors").text
    assert "Een code bestaat alleen uit letters" in errors
    assert "Vul de naam van de administratie in." in errors
    assert browser.find_element(By.ID, "code").get_attribute("aria-invalid") == "true"


def test_page_without_session_explains_the_launch_link(app, browser):
    browser.get(f"{app.origin}/administraties")
    assert "Open loonjournaal opnieuw" in browser.page_source and "loonjournaal open" in browser.page_source
