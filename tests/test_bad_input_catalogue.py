"""The bad-input catalogue: each case is an input pump-costs must refuse, the error text a user sees, and
the promise that nothing already stored changed.

Every case starts from the same stored state (three days of Anthropic reports and every export source
landed), spoils one input, runs the assets that read it the way a run does, then compares every raw table
with the state before. Cases that touch the key also scan Dagster's storage, the logs and the terminal for it.
"""

import functools
import gzip
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pump_costs import cli
from pump_costs.defs.anthropic.resource import AnthropicAdminResource
from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, FakeAdminApi, Fault
from pump_costs.raw.tables import export_table
from pump_costs.runs import materialize_days
from pump_costs.sample_exports.generate import write_demo_exports
from pump_costs.settings import ADMIN_API_KEY, BASE_URL
from pump_costs.warehouse import warehouse_path

DAYS = 3
ANTHROPIC = dg.AssetSelection.groups("raw_anthropic")
# A key-shaped secret: what a bad-key case must never leave anywhere.
SECRET = "sk-ant-admin01-Catalogue-Secret-Do-Not-Store"


def source_selection(name: str) -> dg.AssetSelection:
    from pump_costs.defs.exports.assets import EXPORT_SOURCES

    source = next(s for s in EXPORT_SOURCES if s.name == name)
    return dg.AssetSelection.assets(*(export_table(fmt).asset_key for fmt in source.formats))


@dataclass(frozen=True)
class Case:
    name: str
    spoil: Callable[[FakeAdminApi, Path, pytest.MonkeyPatch], None]
    expected: str
    selection: dg.AssetSelection = ANTHROPIC
    secret: str | None = None  # a key the case sets, to be searched for afterwards


def rewrite(path_part: str, change: Callable[[dict], None]) -> Callable:
    """A fault that changes the answers of one endpoint."""

    def spoil(api: FakeAdminApi, exports: Path, env: pytest.MonkeyPatch) -> None:
        def apply(path: str, body: dict) -> dict:
            if path_part in path:
                change(body)
            return body

        api.faults.rewrite = apply

    return spoil


def every_result(change: Callable[[dict], None]) -> Callable[[dict], None]:
    def apply(body: dict) -> None:
        for bucket in body.get("data", []):
            for result in bucket.get("results", []):
                change(result)

    return apply


def first_result(change: Callable[[dict], None]) -> Callable[[dict], None]:
    def apply(body: dict) -> None:
        results = next(b["results"] for b in body["data"] if b["results"])
        change(results[0])

    return apply


def faults(*queued: Fault) -> Callable:
    def spoil(api: FakeAdminApi, exports: Path, env: pytest.MonkeyPatch) -> None:
        api.faults.queue.extend(queued)

    return spoil


def set_env(name: str, value: str) -> Callable:
    def spoil(api: FakeAdminApi, exports: Path, env: pytest.MonkeyPatch) -> None:
        env.setenv(name, value)

    return spoil


def write(relative: str, content: str | bytes) -> Callable:
    def spoil(api: FakeAdminApi, exports: Path, env: pytest.MonkeyPatch) -> None:
        path = exports / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())

    return spoil


def act(action: Callable[[Path], None]) -> Callable:
    def spoil(api: FakeAdminApi, exports: Path, env: pytest.MonkeyPatch) -> None:
        action(exports)

    return spoil


FOCUS_HEADER = (
    "BilledCost,BillingAccountId,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName\n"
)
FOCUS_ROW = "{cost},acct-1,USD,Usage,{start},2026-10-02T00:00:00Z,Example Cloud\n"
CUR2_HEADER = "line_item_unblended_cost,line_item_usage_start_date,line_item_line_item_type\n"


def focus_file(cost: str = "1.5", start: str = "2026-10-01T00:00:00Z", header: str = FOCUS_HEADER) -> str:
    return header + FOCUS_ROW.format(cost=cost, start=start)


def cur2_period(exports: Path) -> Path:
    return next((exports / "aws" / "cur2" / "pump-demo" / "data").iterdir())


def azure_run(exports: Path) -> Path:
    return next((exports / "azure").rglob("manifest.json")).parent


def drop_cur2_file(exports: Path) -> None:
    next(cur2_period(exports).glob("*.parquet")).unlink()


def drop_azure_blob(exports: Path) -> None:
    for manifest in (exports / "azure").rglob("manifest.json"):
        for blob in manifest.parent.glob("*.csv"):
            blob.unlink()


def second_legacy_delivery(exports: Path) -> None:
    period = exports / "aws" / "legacy" / "report" / "20231101-20231201"
    for assembly in ("first-delivery", "second-delivery"):
        (period / assembly).mkdir(parents=True)
        shutil.copy(exports / "aws" / "samples" / "legacy_cur_sample_anonymous_focus_converters.csv", period / assembly)


def spoil_azure_manifest(text: str) -> Callable[[Path], None]:
    def apply(exports: Path) -> None:
        (azure_run(exports) / "manifest.json").write_text(text)

    return apply


def empty_folder(exports: Path) -> None:
    shutil.rmtree(exports / "gcp")
    (exports / "gcp").mkdir()


def duplicate_day(body: dict) -> None:
    body["data"].append(body["data"][0])


def stray_day(body: dict) -> None:
    body["data"].append({**body["data"][0], "starting_at": "2020-01-01T00:00:00Z", "ending_at": "2020-01-02T00:00:00Z"})


def hourly_bucket(body: dict) -> None:
    body["data"][0]["ending_at"] = body["data"][0]["starting_at"].replace("T00:00:00Z", "T01:00:00Z")


def repeated_row(body: dict) -> None:
    bucket = next(b for b in body["data"] if b["results"])
    bucket["results"].append(bucket["results"][0])


def remove_results(body: dict) -> None:
    del body["data"][0]["results"]


def no_buckets(body: dict) -> None:
    body["data"] = []


def without_name(body: dict) -> None:
    for workspace in body["data"]:
        del workspace["name"]


def redirect_elsewhere() -> Fault:
    return Fault(302, location="https://collector.example.net/v1/organizations/me")


CASES = [
    # -- the Admin API: incomplete or inconsistent pulls --------------------------------------------------
    Case(
        "page promises more without a cursor",
        rewrite("usage_report/messages", lambda body: body.update(has_more=True, next_page=None)),
        "said has_more=true but gave no next_page, so the rest of the window cannot be fetched",
    ),
    Case(
        "usage page with no buckets", rewrite("usage_report/messages", no_buckets), "(the API sends one for every day"
    ),
    Case("cost page with no buckets", rewrite("cost_report", no_buckets), "(the API sends one for every day"),
    Case("bucket without results", rewrite("usage_report/messages", remove_results), "results: Field required"),
    Case(
        "bucket outside the window", rewrite("cost_report", stray_day), "[2020-01-01T00:00:00Z, 2020-01-02T00:00:00Z)"
    ),
    Case("a day sent twice", rewrite("usage_report/messages", duplicate_day), "twice. Nothing was stored"),
    Case("an hourly bucket in a daily report", rewrite("cost_report", hourly_bucket), "not one UTC day inside"),
    Case("a usage row sent twice", rewrite("usage_report/messages", repeated_row), "returned the same row twice on"),
    Case("a cost row sent twice", rewrite("cost_report", repeated_row), "returned the same row twice on"),
    Case(
        "cost in euros",
        rewrite("cost_report", every_result(lambda r: r.update(currency="EUR"))),
        "cost currency 'EUR': the Admin API documents USD only",
    ),
    Case(
        "amount with a decimal comma",
        lambda api, exports, env: setattr(api.faults, "malformed_amount", True),
        "cost amount '12,34' is not a decimal string of cents",
    ),
    Case(
        "amount as a JSON number",
        rewrite("cost_report", first_result(lambda r: r.update(amount=12.5))),
        "cost amount 12.5 is not a decimal string of cents",
    ),
    Case(
        "amount finer than the warehouse keeps",
        rewrite("cost_report", first_result(lambda r: r.update(amount="1.12345678901234567"))),
        "has more than 16 decimal places of cents",
    ),
    Case(
        "absurd amount",
        rewrite("cost_report", first_result(lambda r: r.update(amount="1" + "0" * 30))),
        "has more than 22 digits before the point",
    ),
    Case(
        "absurd token count",
        rewrite("usage_report/messages", first_result(lambda r: r.update(output_tokens=10**30))),
        "output_tokens: Input should be less than or equal to 9223372036854775807",
    ),
    Case(
        "negative token count",
        rewrite("usage_report/messages", first_result(lambda r: r.update(uncached_input_tokens=-5))),
        "uncached_input_tokens: Input should be greater than or equal to 0",
    ),
    Case(
        "token count as text",
        rewrite("usage_report/messages", first_result(lambda r: r.update(output_tokens="many"))),
        "output_tokens: Input should be a valid integer",
    ),
    Case("workspace without a name", rewrite("workspaces", without_name), "name: Field required"),
    Case(
        "organization without an id",
        rewrite("organizations/me", lambda body: body.pop("id")),
        "GET /v1/organizations/me: unexpected response at id: Field required",
    ),
    # -- the Admin API: errors and transport ----------------------------------------------------------------
    Case("key revoked mid-run", faults(Fault(401, after=1)), "The Admin API refused the key (401 authentication_error"),
    Case("key lacks permission", faults(Fault(403)), "The Admin API refused the key (403 permission_error"),
    Case(
        "endpoint not found",
        faults(Fault(404, path="/v1/organizations/cost_report")),
        "/v1/organizations/cost_report failed with 404 api_error",
    ),
    Case("bad request", faults(Fault(400)), "failed with 400 api_error: Injected 400"),
    Case("server says do not retry", faults(Fault(500, should_retry="false")), "failed with 500 api_error"),
    Case(
        "rate limited past the retry budget",
        faults(Fault(429, retry_after="3600")),
        "would wait 3600.0s, past the 300s retry budget",
    ),
    Case("overloaded on every retry", faults(*[Fault(529, retry_after_ms="1")] * 3), "failed (529) after 2 retries"),
    Case(
        "response cut mid-body on every retry",
        faults(*[Fault(200, cut=True)] * 3),
        "(ChunkedEncodingError: ('Connection broken: IncompleteRead",
    ),
    Case(
        "a proxy's HTML page instead of JSON",
        faults(*[Fault(200, body=b"<html>502 Bad Gateway</html>")] * 3),
        "failed (200 with a body that is not JSON) after 2 retries",
    ),
    Case(
        "redirect to another host",
        faults(redirect_elsewhere()),
        "answered 302 with a redirect to https://collector.example.net; pump-costs does not follow redirects",
    ),
    # -- the key and the base URL -----------------------------------------------------------------------------
    Case(
        "key with a line break",
        set_env(ADMIN_API_KEY.name, SECRET + "\nX-Injected: 1"),
        "holds characters no key has",
        secret=SECRET,
    ),
    Case(
        "key with a space", set_env(ADMIN_API_KEY.name, SECRET + " copy"), "holds characters no key has", secret=SECRET
    ),
    Case(
        "key with a non-Latin-1 letter",
        set_env(ADMIN_API_KEY.name, SECRET + "ł"),
        "holds characters no key has",
        secret=SECRET,
    ),
    Case(
        "standard API key",
        set_env(ADMIN_API_KEY.name, "sk-ant-api03-Catalogue-Secret-Do-Not-Store"),
        "holds a standard API key (sk-ant-api...), which can call models but cannot read usage or cost",
        secret="sk-ant-api03-Catalogue-Secret-Do-Not-Store",
    ),
    Case("not a key at all", set_env(ADMIN_API_KEY.name, "hunter2"), "is not an Anthropic Admin key", secret="hunter2"),
    Case(
        "redirect with a real-looking key",
        lambda api, exports, env: (
            env.setenv(ADMIN_API_KEY.name, FAKE_ADMIN_KEY),
            api.faults.queue.append(redirect_elsewhere()),
        ),
        "does not follow redirects, so the key never leaves the configured host",
        secret=FAKE_ADMIN_KEY,
    ),
    Case(
        "base URL without a scheme",
        set_env(BASE_URL.name, "api.anthropic.com"),
        "ANTHROPIC_BASE_URL 'api.anthropic.com' is not a URL like https://api.anthropic.com",
    ),
    Case("base URL malformed", set_env(BASE_URL.name, "https://[::1"), "is not a URL like https://api.anthropic"),
    Case(
        "base URL in plain http to another machine",
        set_env(BASE_URL.name, "http://anthropic-proxy.example.com"),
        "uses plain http to another machine, which would send the Admin key unencrypted",
    ),
    Case(
        "base URL with a password",
        set_env(BASE_URL.name, "https://user:pw@api.anthropic.com"),
        "carries a user name, password, query or fragment",
    ),
    Case(
        "base URL nobody answers",
        set_env(BASE_URL.name, "http://127.0.0.1:9"),
        "failed (ConnectionError: [Errno 111] Connection refused) after 2 retries",
    ),
    # -- export folders ---------------------------------------------------------------------------------------
    Case(
        "configured folder missing",
        set_env("PUMP_COSTS_FOCUS_DIRS", "/mnt/unmounted-share/focus"),
        "/mnt/unmounted-share/focus: this export folder (PUMP_COSTS_FOCUS_DIRS) does not exist",
        source_selection("focus"),
    ),
    Case(
        "default folder gone after landing",
        act(lambda exports: shutil.rmtree(exports / "azure")),
        "this export folder (the default) does not exist, and 4 files were landed from it",
        source_selection("azure"),
    ),
    Case(
        "folder emptied (a share mounted empty)",
        act(empty_folder),
        "no export files here, where 2 were landed before",
        source_selection("gcp"),
    ),
    Case(
        "CUR 2.0 manifest names a file not synced",
        act(drop_cur2_file),
        "the manifest lists 1 of its 2 files that are not here",
        source_selection("aws"),
    ),
    Case(
        "Azure manifest names a blob not synced",
        act(drop_azure_blob),
        "the manifest lists 1 of its 1 files that are not here",
        source_selection("azure"),
    ),
    Case(
        "legacy CUR period delivered twice without a manifest",
        act(second_legacy_delivery),
        "2 deliveries of this billing period (first-delivery, second-delivery) and no manifest",
        source_selection("aws"),
    ),
    Case(
        "Azure manifest not JSON",
        act(spoil_azure_manifest("{not json")),
        "the manifest is not readable JSON",
        source_selection("azure"),
    ),
    Case(
        "Azure manifest of another shape",
        act(spoil_azure_manifest('{"exportConfig": {}}')),
        "not an Azure export manifest (needs exportConfig.resourceId",
        source_selection("azure"),
    ),
    # -- export files -----------------------------------------------------------------------------------------
    Case(
        "Parquet file that is not Parquet",
        write("aws/cur2/broken.parquet", b"PAR1 this is not parquet"),
        "broken.parquet: DuckDB cannot read this file",
        source_selection("aws"),
    ),
    Case(
        "CSV that is not UTF-8",
        write("focus/latin1.csv", focus_file().replace("Example Cloud", "Exémple").encode("latin-1")),
        "This file is not utf-8 encoded.",
        source_selection("focus"),
    ),
    Case(
        "gzip CSV cut short",
        write("focus/cut.csv.gz", gzip.compress(focus_file().encode() * 50)[:60]),
        "cut.csv.gz: DuckDB cannot read this file",
        source_selection("focus"),
    ),
    Case(
        "CSV of another format in the AWS folder",
        write("aws/not-a-cur.csv", "date,amount\n2026-10-01,5\n"),
        "not-a-cur.csv: not in the AWS CUR 2.0 format (missing columns: line_item_line_item_type",
        source_selection("aws"),
    ),
    Case(
        "CUR 2.0 usage date that is no date",
        write("aws/extra.csv", CUR2_HEADER + "1.5,2026-13-45T00:00:00Z,Usage\n"),
        "line_item_usage_start_date not a date (1 of 1 rows, e.g. '2026-13-45T00:00:00Z')",
        source_selection("aws"),
    ),
    Case(
        "CUR 2.0 cost that is text",
        write("aws/extra.csv", CUR2_HEADER + "n/a,2026-10-01T00:00:00Z,Usage\n"),
        "line_item_unblended_cost not a number (1 of 1 rows, e.g. 'n/a')",
        source_selection("aws"),
    ),
    Case(
        "FOCUS cost that is text",
        write("focus/extra.csv", focus_file(cost="N/A")),
        "BilledCost not a number (1 of 1 rows, e.g. 'N/A')",
        source_selection("focus"),
    ),
    Case(
        "FOCUS cost too large for exact money",
        write("focus/extra.csv", focus_file(cost="1" + "0" * 25)),
        "BilledCost not a number (1 of 1 rows",
        source_selection("focus"),
    ),
    Case(
        "FOCUS charge date that is no date",
        write("focus/extra.csv", focus_file(start="yesterday")),
        "ChargePeriodStart not a date (1 of 1 rows, e.g. 'yesterday')",
        source_selection("focus"),
    ),
    Case(
        "FOCUS row without its billing account",
        write("focus/extra.csv", focus_file().replace("acct-1", "")),
        "BillingAccountId missing (1 of 1 rows)",
        source_selection("focus"),
    ),
    Case(
        "Azure cost that is text",
        write(
            "azure/oneoff/costs.csv",
            "Date,ChargeType,MeterCategory,SubscriptionId,CostInBillingCurrency\n10/01/2026,Usage,VM,sub-1,lots\n",
        ),
        "CostInBillingCurrency not a number (1 of 1 rows, e.g. 'lots')",
        source_selection("azure"),
    ),
    Case(
        "GCP usage amount that is text, inside the usage record",
        write(
            "gcp/extra.jsonl",
            '{"billing_account_id": "x", "cost": 1.5, "usage_start_time": "2026-10-01T00:00:00Z", '
            '"invoice": {"month": "202610"}, "usage": {"amount": "lots", "unit": "seconds"}}\n',
        ),
        "usage.amount not a number (1 of 1 rows, e.g. 'lots')",
        source_selection("gcp"),
    ),
    Case(
        "GCP credit amount that is text, inside the credits list",
        write(
            "gcp/extra.jsonl",
            '{"billing_account_id": "x", "cost": 1.5, "usage_start_time": "2026-10-01T00:00:00Z", '
            '"invoice": {"month": "202610"}, "credits": [{"amount": -0.5}, {"amount": "free"}]}\n',
        ),
        "credits[].amount not a number (1 of 1 rows, e.g. 'free')",
        source_selection("gcp"),
    ),
    Case(
        "GCP line that is not JSON",
        write("gcp/broken.jsonl", '{"billing_account_id": "x", "cost": 1\n'),
        "broken.jsonl: DuckDB cannot read this file",
        source_selection("gcp"),
    ),
]


@pytest.fixture(scope="module")
def stored_state(tmp_path_factory: pytest.TempPathFactory, fake_api: FakeAdminApi) -> Path:
    """Three days of Anthropic reports and every export source, landed once for every case, and kept as
    a pristine copy that `restore` puts back at the same place (the landing record names files by path)."""
    root = tmp_path_factory.mktemp("stored")
    data = root / "data"
    with pytest.MonkeyPatch.context() as env:
        env.setenv(BASE_URL.name, fake_api.base_url)
        env.setenv(ADMIN_API_KEY.name, FAKE_ADMIN_KEY)
        env.setenv("PUMP_COSTS_DATA_DIR", str(data))
        write_demo_exports(data / "exports", ["2026-10"])
        yesterday = datetime.now(UTC).date() - timedelta(days=1)
        raw = ANTHROPIC | dg.AssetSelection.groups("raw_exports")
        assert materialize_days(yesterday - timedelta(days=DAYS - 1), yesterday, selection=raw).success
    shutil.copytree(data, root / "pristine")
    return root


def restore(stored_state: Path, env: pytest.MonkeyPatch) -> Path:
    data = stored_state / "data"
    shutil.rmtree(data)
    shutil.copytree(stored_state / "pristine", data)
    env.setenv("PUMP_COSTS_DATA_DIR", str(data))
    return data


def fingerprint() -> dict[str, tuple]:
    """Every raw table's row count and a digest of all its rows but their load time: the healthy steps of a
    failed run may pull the same rows again."""
    with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
        tables = conn.execute(
            "select table_schema || '.' || table_name, list(column_name) filter (where column_name = 'loaded_at') "
            "from information_schema.columns where table_schema in ('raw_anthropic', 'raw_exports') "
            "group by all order by 1"
        ).fetchall()
        return {
            table: conn.execute(
                f"select count(*), sum(hash(row)) from (select * {'exclude (loaded_at)' if loaded else ''} "
                f"from {table}) as row"
            ).fetchone()
            for table, loaded in tables
        }


@functools.cache
def pristine_fingerprint(stored_state: Path) -> dict[str, tuple]:
    """The fingerprint of the restored pristine copy (the same for every case), once per worker."""
    return fingerprint()


def failures(result: dg.ExecuteInProcessResult) -> str:
    """Every failed step's error with its causes: what the UI and the terminal show."""
    messages = []
    for event in result.all_events:
        error = event.step_failure_data.error if event.is_step_failure else None
        while error:
            messages.append(error.message)
            error = error.cause
    return "\n".join(messages)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_clearly_and_changes_nothing_stored(
    case: Case, stored_state: Path, fake_api: FakeAdminApi, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capfd
):
    data = restore(stored_state, monkeypatch)
    before = pristine_fingerprint(stored_state)
    case.spoil(fake_api, data / "exports", monkeypatch)
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    quick_retries = {
        # The same resource the pipeline builds, with fewer retries so a case takes a second, not half a minute.
        "anthropic": AnthropicAdminResource(max_retries=2)
    }
    # A case with a secret keeps Dagster's storage in files, to be searched; the others keep it in memory.
    (tmp_path / "dagster_home").mkdir()
    instance = (
        dg.DagsterInstance.local_temp(str(tmp_path / "dagster_home")) if case.secret else dg.DagsterInstance.ephemeral()
    )
    with instance:
        result = materialize_days(
            yesterday - timedelta(days=DAYS - 1),
            yesterday,
            instance=instance,
            resources=quick_retries,
            selection=case.selection,
            raise_on_error=False,
        )
        logs = repr(instance.all_logs(result.run_id))
    assert not result.success
    assert case.expected in failures(result)
    assert fingerprint() == before
    if case.secret:
        captured = capfd.readouterr()
        assert case.secret not in logs + captured.out + captured.err
        for path in (p for p in [*tmp_path.rglob("*"), *data.rglob("*")] if p.is_file()):
            assert case.secret.encode() not in path.read_bytes(), path


def test_the_catalogue_covers_every_input():
    selections = {repr(case.selection) for case in CASES}
    assert len(CASES) >= 40 and len(selections) == 5  # the Admin API and the four export sources


def test_check_key_refuses_a_bad_base_url_without_a_traceback(monkeypatch, capsys):
    monkeypatch.setenv(BASE_URL.name, "api.anthropic.com")
    assert cli.main(["check-key"]) == 1
    assert capsys.readouterr().err == (
        "pump-costs check-key: FAILED: ANTHROPIC_BASE_URL 'api.anthropic.com' is not a URL like "
        "https://api.anthropic.com (it needs https:// and a host). Fix it, or unset it to use the Admin API itself.\n"
    )


@pytest.mark.parametrize("days", ["0", "-3", "many"])
def test_backfill_refuses_a_day_count_that_would_do_nothing(days, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["backfill", "--days", days])
    assert exited.value.code == 2
    assert f"argument --days: {days!r} is not a number of days from 1 to" in capsys.readouterr().err


def test_a_locked_warehouse_names_its_holder_and_the_published_copy(stored_state, monkeypatch):
    restore(stored_state, monkeypatch)
    hold = (
        f"import duckdb, time; c = duckdb.connect({str(warehouse_path())!r}); print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        yesterday = datetime.now(UTC).date() - timedelta(days=1)
        result = materialize_days(yesterday, yesterday, selection=source_selection("focus"), raise_on_error=False)
    finally:
        holder.kill()
    message = failures(result)
    assert f"The warehouse {warehouse_path()} is in use by another process" in message
    assert f"(PID {holder.pid})" in message
    assert "BI tools and notebooks must read the published copy in" in message


def test_the_readme_says_what_to_do_when_something_goes_wrong():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## When something goes wrong", 1)[1].split("\n## ", 1)[0]
    assert "pump-costs forget-exports" in section and "published" in section
