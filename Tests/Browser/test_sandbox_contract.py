"""The simulator's responses, validated against the schemas of Loket's own OpenAPI excerpt
(`shared/reference/loket/loket-openapi.journal-excerpt.json`)."""
import copy
import json
import pathlib
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import jsonschema
import pytest
import referencing
from referencing.jsonschema import DRAFT202012

from conftest import ROOT, free_port, simulator_token

SPEC_CANDIDATES = [ROOT.parent / "shared/reference/loket/loket-openapi.journal-excerpt.json"]
MEDIA = "application/json;version=2018-01-01"


def load_spec():
    for candidate in SPEC_CANDIDATES:
        if candidate.exists():
            return json.loads(candidate.read_text())
    pytest.fail(f"Loket spec excerpt not found at {SPEC_CANDIDATES}")


def permissive_missing_refs(spec):
    """The excerpt names some leaf schemas it did not transcribe; treat those as `{}`."""
    schemas = spec["components"]["schemas"]
    missing = set()

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.split("/")[-1]
                if name not in schemas:
                    missing.add(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    for name in missing:
        schemas[name] = {}
    return missing


class Sandbox:
    def __init__(self, binary, tmp):
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(binary), "sandbox", "--port", str(self.port)], stdout=open(tmp / "sandbox.out", "wb"), stderr=subprocess.STDOUT
        )
        for _ in range(300):
            if "draait op" in (tmp / "sandbox.out").read_text(errors="replace"):
                break
            import time
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def token(self):
        return simulator_token(self.url)

    def call(self, method, path, token, body=None):
        request = urllib.request.Request(
            self.url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {token}", "Accept": MEDIA, "Content-Type": MEDIA},
        )
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, response.headers, json.loads(response.read())
        except urllib.error.HTTPError as error:
            text = error.read()
            return error.code, error.headers, (json.loads(text) if text else None)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def sandbox(binary_alone, tmp_path_factory):
    running = Sandbox(binary_alone, tmp_path_factory.mktemp("sandbox"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def spec():
    document = load_spec()
    permissive_missing_refs(document)
    return document


def validator_for(spec, pointer):
    resource = referencing.Resource.from_contents(spec, default_specification=DRAFT202012)
    registry = referencing.Registry().with_resource("urn:loket", resource)
    return jsonschema.Draft202012Validator({"$ref": "urn:loket#" + pointer}, registry=registry)


def pointer_of(template, method, status, media=MEDIA):
    escaped = template.replace("~", "~0").replace("/", "~1")
    return f"/paths/{escaped}/{method}/responses/{status}/content/{media.replace('/', '~1')}/schema"


BASE = "/v2/providers/employers"
BAKERY = "00002000-0000-4000-8000-000000000001"


def test_every_endpoint_matches_the_spec_schemas(sandbox, spec):
    token = sandbox.token()
    employers_status, headers, employers = sandbox.call("GET", BASE, token)
    assert employers_status == 200
    assert headers["Content-Type"] == MEDIA
    employer_id = employers["_embedded"][1]["id"]
    status, _, runs = sandbox.call("GET", f"{BASE}/payrolladministrations/{BAKERY}/journalruns", token)
    ready = next(r for r in runs["_embedded"] if r["journalRunStatus"]["key"] == 4)
    # (path, template in the excerpt, envelope, item schema when the excerpt has no response block)
    checks = [
        (BASE, "/v2/providers/employers", "collection", "employer"),
        (f"{BASE}/{employer_id}", "/v2/providers/employers/{employerId}", "detail", "employer"),
        (f"{BASE}/{employer_id}/payrolladministrations", "/v2/providers/employers/{employerId}/payrolladministrations", "collection", "payrollAdministrationGet"),
        (f"{BASE}/payrolladministrations/{BAKERY}", "/v2/providers/employers/payrolladministrations/{payrollAdministrationId}", "detail", "payrollAdministrationGet"),
        (f"{BASE}/payrolladministrations/{BAKERY}/journalConfigurations", "/v2/providers/employers/payrolladministrations/{payrollAdministrationId}/journalConfigurations", "collection", "journalConfigurationObject"),
        (f"{BASE}/payrolladministrations/{BAKERY}/payrollperiods", "/v2/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollperiods", "collection", "payrollPeriods"),
        (f"{BASE}/payrolladministrations/{BAKERY}/journalruns", "/v2/providers/employers/payrolladministrations/{payrollAdministrationId}/journalruns", "collection", "journalRun"),
        (f"{BASE}/payrolladministrations/journalruns/{ready['id']}", "/v2/providers/employers/payrolladministrations/journalruns/{journalrunId}", "detail", "journalRun"),
        (f"{BASE}/payrolladministrations/journalruns/{ready['id']}/results", "/v2/providers/employers/payrolladministrations/journalruns/{journalrunId}/results", "collection", "journalRunResults"),
    ]
    paths = spec["paths"]
    by_response_block = 0
    for path, template, envelope, item in checks:
        status, _, body = sandbox.call("GET", path, token)
        assert status == 200, path
        assert template in paths, template
        operation = paths[template]["get"]
        if "responses" in operation:
            validator_for(spec, pointer_of(template, "get", 200)).validate(body)
            by_response_block += 1
        # Always: the envelope and every item against the component schemas.
        validator_for(spec, "/components/schemas/version").validate(body["version"])
        assert body["version"]["resourceVersion"] == "2018-01-01"
        items = body["_embedded"] if envelope == "collection" else [body["content"]]
        if envelope == "collection":
            validator_for(spec, "/components/schemas/paging").validate({k: body[k] for k in ("totalSize", "pageSize", "totalPages", "currentPage")})
            assert isinstance(body["messages"], list)
        assert items, path
        item_validator = validator_for(spec, f"/components/schemas/{item}")
        for element in items:
            item_validator.validate(element)
    assert by_response_block >= 3
    # A result line uses Loket's spelling and numbers.
    status, _, results = sandbox.call("GET", f"{BASE}/payrolladministrations/journalruns/{ready['id']}/results", token)
    line = results["_embedded"][0]
    assert set(line) >= {"generalLedgerAccount", "costCenter", "costUnit", "payrollComponent", "debetAmount", "creditAmount"}
    assert isinstance(line["debetAmount"], (int, float))
    # PATCH write-back.
    template = "/v2/providers/employers/payrolladministrations/journalruns/{journalrunId}"
    status, _, patched = sandbox.call("PATCH", f"{BASE}/payrolladministrations/journalruns/{ready['id']}", token, {"action": "MarkAsProcessed", "message": "ok"})
    assert status == 200
    validator_for(spec, pointer_of(template, "patch", 200)).validate(patched)
    status, _, conflict = sandbox.call("PATCH", f"{BASE}/payrolladministrations/journalruns/{runs['_embedded'][0]['id']}", token, {"action": "MarkAsProcessed"})
    assert status == 409
    assert conflict["messages"][0]["type"] == "BrokenBusinessRule"


def test_error_shapes_match_the_spec(sandbox, spec):
    token = sandbox.token()
    status, _, body = sandbox.call("GET", BASE, "verzonnen")
    assert status == 401
    validator_for(spec, "/components/responses/unauthorized/content/application~1json/schema").validate(body)
    assert body == {"message": "Authorization has been denied for this request."}
    status, _, body = sandbox.call("GET", f"{BASE}/00001000-0000-4000-8000-00000000ffff/payrolladministrations", token)
    assert status == 403
    validator_for(spec, "/components/responses/forbidden/content/application~1json/schema").validate(body)
    status, _, body = sandbox.call("GET", f"{BASE}/payrolladministrations/journalruns/00000000-0000-4000-8000-000000000000", token)
    assert status == 404 and body is None


CONTROL_SPEC = ROOT.parent / "shared/reference/loket/loket-openapi.control-excerpt.json"
GARDENER = "00002000-0000-4000-8000-000000000005"
VAN_DIJK = "00002000-0000-4000-8000-000000000002"


@pytest.fixture(scope="module")
def control_spec():
    if not CONTROL_SPEC.exists():
        pytest.fail(f"Loket control excerpt not found at {CONTROL_SPEC}")
    document = json.loads(CONTROL_SPEC.read_text())
    permissive_missing_refs(document)

    # Where the excerpt itself says the nullability is unknown, null is accepted too.
    def relax(node):
        if isinstance(node, dict):
            if "nullability unknown" in str(node.get("x-excerpt-note", "")) and isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            for value in node.values():
                relax(value)
        elif isinstance(node, list):
            for value in node:
                relax(value)

    relax(document)
    return document


def without_pending_nulls(body):
    """The excerpt declares a tax return's amounts non-nullable, but (its notes, point 5) the real
    API may send null while Loket is still making the return (status 1 or 2), and the simulator
    does so on purpose. Such nulls — and only those — are checked as 0; everything else as sent."""
    copied = copy.deepcopy(body)
    items = copied.get("_embedded") if isinstance(copied.get("_embedded"), list) else [copied.get("content")]
    for item in items:
        if isinstance(item, dict) and "periodAmount" in item:
            pending = (item.get("payrollTaxReturnStatus") or {}).get("key") in (1, 2)
            for key in ("periodAmount", "correctionAmount", "totalAmount"):
                if item.get(key) is None:
                    assert pending, f"{key} is null in a return with status {item.get('payrollTaxReturnStatus')}"
                    item[key] = 0
    return copied


def test_control_endpoints_match_the_control_excerpt(sandbox, control_spec):
    """Every month-end body the simulator writes (tax returns, payroll runs, the provider-wide
    status lists, initiate) against the response schemas of the control excerpt, and the 403 of
    an administration whose tax returns the user may not see against its error schema."""
    token = sandbox.token()
    base = "/v2/providers/employers/payrolladministrations"
    status, _, returns = sandbox.call("GET", f"{BASE}/payrolladministrations/{BAKERY}/payrolltaxreturns", token)
    assert status == 200 and returns["_embedded"]
    # A return still being made has null amounts; the others numbers with at most two decimals.
    assert any(item["periodAmount"] is None for item in returns["_embedded"])
    assert all(item["periodAmount"] is None or abs(item["periodAmount"] * 100 - round(item["periodAmount"] * 100)) < 1e-6 for item in returns["_embedded"])
    checks = [
        (f"{BASE}/payrolladministrations/{BAKERY}/payrolltaxreturns", f"{base}/{{payrollAdministrationId}}/payrolltaxreturns", "get", 200),
        (f"{BASE}/payrolladministrations/payrolltaxreturns/{returns['_embedded'][0]['id']}", f"{base}/payrolltaxreturns/{{payrolltaxreturnId}}", "get", 200),
        (f"{BASE}/payrolladministrations/{BAKERY}/payrollruns", f"{base}/{{payrollAdministrationId}}/payrollruns", "get", 200),
        (f"{BASE}/payrolladministrations/{BAKERY}/payrollperiods", f"{base}/{{payrollAdministrationId}}/payrollperiods", "get", 200),
        (f"{BASE}/payrolladministrations/payrollperiods/202601/payrollruns/status", f"{base}/payrollperiods/{{payrollPeriodId}}/payrollruns/status", "get", 200),
        (f"{BASE}/payrolladministrations/payrollperiods/202601/payrolltaxreturns/status", f"{base}/payrollperiods/{{payrollPeriodId}}/payrolltaxreturns/status", "get", 200),
        (f"{BASE}/payrolladministrations/{GARDENER}/journalruns/initiate", f"{base}/{{payrollAdministrationId}}/journalruns/initiate", "post", 202),
    ]
    for path, template, method, expected in checks:
        assert template in control_spec["paths"], template
        status, headers, body = sandbox.call(method.upper(), path, token)
        assert status == expected, (path, status, body)
        validator_for(control_spec, pointer_of(template, method, expected)).validate(without_pending_nulls(body))
        assert body["version"]["resourceVersion"] == "2018-01-01"
    # The status lists cover every administration in one request (the one without rights is left out).
    status, _, listed = sandbox.call("GET", f"{BASE}/payrolladministrations/payrollperiods/202601/payrolltaxreturns/status", token)
    assert BAKERY in {item["id"] for item in listed["_embedded"]} and VAN_DIJK not in {item["id"] for item in listed["_embedded"]}
    # No rights on tax returns: 403 with Loket's error body.
    status, _, body = sandbox.call("GET", f"{BASE}/payrolladministrations/{VAN_DIJK}/payrolltaxreturns", token)
    assert status == 403
    assert control_spec["paths"][f"{base}/{{payrollAdministrationId}}/payrolltaxreturns"]["get"]["responses"]["403"] == {"$ref": "#/components/responses/forbidden"}
    validator_for(control_spec, "/components/responses/forbidden/content/application~1json/schema").validate(body)


def download(sandbox, path, token, accept):
    """A raw GET: status, headers and the body as bytes (downloads are not JSON)."""
    request = urllib.request.Request(sandbox.url + path, headers={"Authorization": f"Bearer {token}", "Accept": accept})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_journal_downloads_match_the_control_excerpt(sandbox, control_spec):
    """The cumulative results against their response schema (and their 400 against
    badRequestCollection); the journal report is a PDF and the two run overviews are CSV, each
    with the media type the excerpt declares and a file name."""
    token = sandbox.token()
    base = "/v2/providers/employers/payrolladministrations"
    template = f"{base}/{{payrollAdministrationId}}/journalruns/cumulativeresults"
    assert template in control_spec["paths"], template
    for query in ("startPeriod=202601&endPeriod=202612", "startPeriod=202601&endPeriod=202612&consolidate=Never"):
        status, headers, body = sandbox.call("GET", f"{BASE}/payrolladministrations/{BAKERY}/journalruns/cumulativeresults?{query}", token)
        assert status == 200, body
        assert headers["Content-Type"] == MEDIA
        validator_for(control_spec, pointer_of(template, "get", 200)).validate(body)
        item_validator = validator_for(control_spec, "/components/schemas/journalRunCumulativeResults")
        assert body["_embedded"]
        for item in body["_embedded"]:
            item_validator.validate(item)
            assert set(item) == {"payrollPeriodStart", "payrollPeriodEnd", "generalLedgerAccount", "costCenter", "costUnit", "payrollComponent", "debetAmount", "creditAmount"}
            debit, credit = item["debetAmount"], item["creditAmount"]
            # Netted: one side positive, the other zero; at most two decimals.
            assert min(debit, credit) == 0 and max(debit, credit) > 0, item
            assert all(abs(amount * 100 - round(amount * 100)) < 1e-6 for amount in (debit, credit)), item
            assert 202601 <= item["payrollPeriodStart"] <= item["payrollPeriodEnd"] <= 202612
            if "consolidate" not in query:
                assert item["payrollComponent"] is None
        if "consolidate=Never" in query:
            assert any(item["payrollComponent"] is not None for item in body["_embedded"])
    status, _, body = sandbox.call("GET", f"{BASE}/payrolladministrations/{BAKERY}/journalruns/cumulativeresults?startPeriod=202612&endPeriod=202601", token)
    assert status == 400
    assert control_spec["paths"][template]["get"]["responses"]["400"] == {"$ref": "#/components/responses/badRequestCollection"}
    validator_for(control_spec, "/components/responses/badRequestCollection/content/application~1json/schema").validate(body)

    status, _, runs = sandbox.call("GET", f"{BASE}/payrolladministrations/{BAKERY}/journalruns", token)
    ready = next(r for r in runs["_embedded"] if r["journalRunStatus"]["key"] >= 4)
    waiting = next(r for r in runs["_embedded"] if r["journalRunStatus"]["key"] == 0)
    report = f"{base}/journalruns/{{journalrunId}}/report"
    assert "application/pdf" in control_spec["paths"][report]["get"]["responses"]["200"]["content"]
    status, headers, pdf = download(sandbox, f"{BASE}/payrolladministrations/journalruns/{ready['id']}/report", token, "application/pdf, application/json")
    assert status == 200
    assert headers["Content-Type"] == "application/pdf"
    assert re.fullmatch(r'inline; filename="Journaalrapport_5001_\d{4}_\d{2}_run\d+\.pdf"', headers["Content-Disposition"])
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.rstrip().endswith(b"%%EOF")
    query = urllib.parse.urlencode({
        "reportJournalNumber": 80, "reportVoucherNumber": 1, "reportYear": 2026, "reportPeriodNumber": 1, "reportDate": "2026-01-31",
        "reportDescription": "Lonen",
    })
    for endpoint, header in (
        ("runoverview", "Looncomponent;Omschrijving;Bedrag"),
        ("runoverviewperemployment", "Personeelsnummer;Naam;Dienstverband;Periode;Brutoloon;Vakantiegeld;Reiskosten;Pensioen werknemer;Loonheffing;Nettoloon"),
    ):
        template = f"{base}/journalruns/{{journalrunId}}/{endpoint}"
        assert "text/csv" in control_spec["paths"][template]["get"]["responses"]["200"]["content"]
        status, headers, csv = download(sandbox, f"{BASE}/payrolladministrations/journalruns/{ready['id']}/{endpoint}?{query}", token, "text/csv")
        assert status == 200, csv
        assert headers["Content-Type"] == "text/csv; charset=utf-8"
        assert headers["Content-Disposition"].startswith('attachment; filename="Verloningsoverzicht_')
        lines = csv.decode("utf-8").split("\r\n")
        assert lines[0] == header and lines[-1] == "" and lines[-2].startswith("Totaal;")
        # Without the required parameters, or for a run without results: badRequestCollection.
        status, _, body = download(sandbox, f"{BASE}/payrolladministrations/journalruns/{ready['id']}/{endpoint}", token, "text/csv")
        assert status == 400
        validator_for(control_spec, "/components/responses/badRequestCollection/content/application~1json/schema").validate(json.loads(body))
        status, _, body = download(sandbox, f"{BASE}/payrolladministrations/journalruns/{waiting['id']}/{endpoint}?{query}", token, "text/csv")
        assert status == 400 and "geen resultaten" in json.loads(body)["messages"][0]["description"]
