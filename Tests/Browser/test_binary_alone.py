"""The release binary, alone in an empty directory: serves every page and asset, and refuses
what issue 2 says it must refuse."""
import http.client
import os
import re
import stat
import subprocess
import urllib.parse


def request(app, method, path, headers=None, body=None, host=None):
    conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=10)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host or f"127.0.0.1:{app.port}")
    for key, value in (headers or {}).items():
        conn.putheader(key, value)
    data = body.encode() if isinstance(body, str) else body
    if data is not None:
        conn.putheader("Content-Length", str(len(data)))
    conn.endheaders(data)
    response = conn.getresponse()
    content = response.read()
    conn.close()
    return response, content.decode("utf-8", "replace")


def sign_in(app):
    path = urllib.parse.urlsplit(app.launch_url)
    response, _ = request(app, "GET", f"{path.path}?{path.query}")
    assert response.status == 303
    assert response.getheader("Location") == "/"
    cookie = response.getheader("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    return cookie.split(";")[0]


def test_launch_url_session_and_dashboard(app):
    assert app.launch_url.startswith(f"http://127.0.0.1:{app.port}/launch?token=")
    cookie = sign_in(app)
    response, body = request(app, "GET", "/", {"Cookie": cookie})
    assert response.status == 200
    assert "Er is nog geen administratie" in body
    # The launch token is single use.
    path = urllib.parse.urlsplit(app.launch_url)
    again, _ = request(app, "GET", f"{path.path}?{path.query}")
    assert again.status == 403


def test_hostile_requests_are_refused(app):
    cookie = sign_in(app)
    _, page = request(app, "GET", "/administraties/nieuw", {"Cookie": cookie})
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    form = "code=A1&name=Test&fiscalYear=2026"
    evil, _ = request(app, "GET", "/", {"Cookie": cookie}, host="evil.example")
    assert evil.status == 403
    no_token, _ = request(
        app, "POST", "/administraties",
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Origin": app.origin}, form,
    )
    assert no_token.status == 403
    other_port, _ = request(
        app, "POST", "/administraties",
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{app.port + 1}"},
        form + f"&_csrf={csrf}",
    )
    assert other_port.status == 403
    good, _ = request(
        app, "POST", "/administraties",
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Origin": app.origin, "Sec-Fetch-Site": "same-origin"},
        form + f"&_csrf={csrf}",
    )
    assert good.status == 303
    _, overview = request(app, "GET", "/administraties", {"Cookie": cookie})
    assert overview.count(">A1<") == 1


def test_every_page_and_asset_comes_from_the_binary(app):
    cookie = sign_in(app)
    for path, content_type in [
        ("/static/css/app.css", "text/css"),
        ("/static/js/app.js", "text/javascript"),
        ("/static/images/logo.svg", "image/svg+xml"),
    ]:
        response, body = request(app, "GET", path)
        assert response.status == 200, path
        assert response.getheader("Content-Type").startswith(content_type), path
        assert "max-age" in response.getheader("Cache-Control")
        assert body
    for path in ["/", "/administraties", "/administraties/nieuw"]:
        response, body = request(app, "GET", path, {"Cookie": cookie})
        assert response.status == 200, path
        assert response.getheader("Cache-Control") == "no-store"
        assert "<html lang=\"nl\">" in body


def test_data_files_are_private_and_second_instance_is_refused(app, binary_alone):
    sign_in(app)
    assert stat.S_IMODE(os.stat(app.data_dir).st_mode) == 0o700
    for name in os.listdir(app.data_dir):
        mode = stat.S_IMODE(os.stat(app.data_dir / name).st_mode)
        assert mode == 0o600, (name, oct(mode))
    second = subprocess.run(
        [str(binary_alone), "serve", "--no-open", "--port", "0", "--data-dir", str(app.data_dir)],
        capture_output=True, text=True, timeout=30,
    )
    # A second start does not run twice: it asks the running one for a fresh link and exits.
    assert second.returncode == 0, second.stderr
    assert "loonjournaal draait al; een nieuwe startlink:" in second.stdout
    link = second.stdout.strip().splitlines()[-1]
    assert link.startswith(app.origin + "/launch?token=") and link != app.launch_url
    assert stat.S_IMODE(os.stat(app.data_dir / "control.sock").st_mode) == 0o600


def test_logs_do_not_contain_the_launch_token(app):
    sign_in(app)
    token = app.launch_url.split("token=")[1]
    stderr = app.stderr_path.read_text()
    assert "/launch" in stderr
    assert token not in stderr
