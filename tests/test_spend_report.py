"""The spend report, budgets, anomalies and alerts: one real pipeline run (30 days of the fake organization,
the demo exports, a budgets file and a FOCUS file with an injected spike), the report opened in a real
headless Chromium, and a local HTTP receiver standing in for Slack."""

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from playwright.sync_api import sync_playwright

from pump_costs.defs.publish.assets import PUBLISHED_DATABASE
from pump_costs.defs.report import alerts
from pump_costs.defs.report.assets import failed_run_alerts, report_path
from pump_costs.defs.report.budgets import BudgetFileError, load_budgets
from pump_costs.fake_anthropic import DEMO_ORGANIZATION, FAKE_ADMIN_KEY
from pump_costs.runs import materialize_days
from pump_costs.sample_exports.generate import write_demo_exports
from pump_costs.settings import ADMIN_API_KEY, ALERT_WEBHOOK_URL, BASE_URL, PROJECT_ROOT, data_dir
from pump_costs.warehouse import published_dir

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = PROJECT_ROOT / "test-output" / "spend-report.png"
SPIKY = "Spiky Service"


class Receiver:
    """A local stand-in for a Slack incoming webhook: records every JSON body posted, answers `status`."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.status == 200:
                    receiver.texts.append(json.loads(body)["text"])
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T000/B000/secret"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receiver(monkeypatch) -> Iterator[Receiver]:
    receiver = Receiver()
    monkeypatch.setenv(ALERT_WEBHOOK_URL.name, receiver.url)
    yield receiver
    receiver.close()


# --- budgets file ----------------------------------------------------------------------------------------


def test_a_budgets_file_loads_exact_amounts(tmp_path):
    path = tmp_path / "budgets.yaml"
    path.write_text(
        "budgets:\n"
        "  - {scope: total, monthly: 2500}\n"
        "  - {scope: provider, name: Anthropic, monthly: 1500.10}\n"
        "  - {scope: api_key, name: ci, monthly: '0.0000000001', currency: eur}\n"
    )
    budgets = load_budgets(path)
    assert [(b.scope, b.scope_name, b.monthly, b.currency) for b in budgets] == [
        ("total", "Total", Decimal("2500"), "USD"),
        ("provider", "Anthropic", Decimal("1500.10"), "USD"),
        ("api_key", "ci", Decimal("0.0000000001"), "EUR"),
    ]
    assert load_budgets(tmp_path / "absent.yaml") == []


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "budgets:\n  - {scope: team, name: x, monthly: 1}\n",
            "budget 1 (team x), scope: Input should be 'total', 'provider', 'service', 'billing_account', 'workspace' "
            "or 'api_key'",
        ),
        (
            "budgets:\n  - {scope: provider, monthly: 1}\n",
            "budget 1 (provider): a provider budget needs `name`: which provider it covers",
        ),
        ("budgets:\n  - {scope: total, monthly: -5}\n", "budget 1 (total), monthly: -5 is not an amount above zero"),
        (
            "budgets:\n  - {scope: total, montly: 5}\n",
            "budget 1 (total), monthly: Field required; budget 1 (total), montly: Extra inputs are not permitted",
        ),
        (
            "budgets:\n  - {scope: total, monthly: 5, currency: dollars}\n",
            "budget 1 (total), currency: 'dollars' is not a three-letter currency code such as USD",
        ),
        (
            "budgets:\n  - {scope: total, name: all, monthly: 5}\n",
            "budget 1 (total all): a total budget has no name (it covers every provider); remove `name`",
        ),
    ],
)
def test_a_bad_budgets_file_is_refused_naming_the_entry_and_the_fix(tmp_path, content, problem):
    path = tmp_path / "budgets.yaml"
    path.write_text(content)
    with pytest.raises(BudgetFileError) as error:
        load_budgets(path)
    assert str(error.value) == (
        f"Budgets file {path}: {problem}. Fix {path} (the README's Budgets section shows the format) or unset "
        "PUMP_COSTS_BUDGETS_FILE."
    )


def test_two_budgets_for_one_scope_and_broken_yaml_are_refused(tmp_path):
    path = tmp_path / "budgets.yaml"
    path.write_text(
        "budgets:\n  - {scope: provider, name: AWS, monthly: 1}\n  - {scope: provider, name: AWS, monthly: 2}\n"
    )
    with pytest.raises(BudgetFileError, match=r"has two USD budgets for provider 'AWS'; keep one\."):
        load_budgets(path)
    path.write_text("budgets: [\n")
    with pytest.raises(BudgetFileError, match=r"is not valid YAML"):
        load_budgets(path)


# --- alerts ----------------------------------------------------------------------------------------------


def test_each_finding_is_posted_once_and_a_refusing_webhook_fails_nothing(receiver, caplog):
    log = logging.getLogger("test")
    first = alerts.Finding("anomaly:api_key:ci:USD:2026-11-01", "anomaly", "spike on ci")
    second = alerts.Finding("budget:over_budget:total:Total:USD:2026-11", "budget", "total over budget")
    assert alerts.record_and_post([first, second], log, "run-1") == (2, 2)
    assert alerts.record_and_post([first, second], log, "run-2") == (0, 0)
    assert receiver.texts == ["spike on ci", "total over budget"]

    receiver.status = 500
    third = alerts.Finding("anomaly:api_key:ci:USD:2026-11-02", "anomaly", "another spike")
    with caplog.at_level(logging.WARNING):
        assert alerts.record_and_post([third], log, "run-3") == (1, 0)
    assert caplog.messages == [
        f"Alert not posted: 127.0.0.1:{receiver.server.server_address[1]} answered HTTP 500; retried next run"
    ]
    assert "secret" not in caplog.text
    receiver.status = 200
    assert alerts.record_and_post([first, second, third], log, "run-4") == (0, 1)
    assert receiver.texts == ["spike on ci", "total over budget", "another spike"]
    # New to run-3, which saw it first; old news to any later run.
    assert alerts.unseen([third], "run-3") == [third] and alerts.unseen([third], "run-4") == []


def test_a_failed_run_is_posted_once(receiver, tmp_path, monkeypatch):
    monkeypatch.setenv("PUMP_COSTS_BUDGETS_FILE", str(tmp_path / "bad.yaml"))
    (tmp_path / "bad.yaml").write_text("budgets:\n  - {scope: total, monthly: zero}\n")
    with dg.instance_for_test() as instance:
        today = datetime.now(UTC).date()
        result = materialize_days(
            today, today, instance=instance, raise_on_error=False, selection=[dg.AssetKey(["raw_config", "budgets"])]
        )
        assert not result.success
        run = instance.get_run_by_id(result.run_id)
        failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
        for _ in range(2):  # the sensor seeing the same failure again posts nothing
            failed_run_alerts(
                dg.build_run_status_sensor_context(
                    sensor_name="failed_run_alerts", dagster_event=failure, dagster_instance=instance, dagster_run=run
                ).for_run_failure()
            )
    (text,) = receiver.texts
    assert text.startswith(f":x: pump-costs run {result.run_id[:8]} of __ephemeral_asset_job__ failed: ")


# --- the report, budgets and anomalies on a real run -----------------------------------------------------


def write_spike(folder: Path, last: date) -> None:
    """20 days of 100.00 a day, then 400.00 on `last`: a spike whose expected value is exactly 100."""
    folder.mkdir(parents=True)
    lines = [
        "BilledCost,EffectiveCost,BillingAccountId,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,"
        "ServiceProviderName,HostProviderName,ProviderName,ServiceName"
    ]
    for n in range(20, -1, -1):
        day = last - timedelta(days=n)
        cost = "400.00" if n == 0 else "100.00"
        lines.append(
            f"{cost},{cost},acct-spiky,USD,Usage,{day}T00:00:00Z,{day + timedelta(days=1)}T00:00:00Z,"
            f"Example Cloud,Example Cloud,Example Cloud,{SPIKY}"
        )
    (folder / "spiky.csv").write_text("\n".join(lines) + "\n")


def spiky_month(last: date) -> tuple[list[Decimal], Decimal]:
    """The spike series' days in `last`'s month, and its 7-day run rate as fct_budget_status takes it (the last
    7 days, early in a month some of them in the month before)."""
    series = {last - timedelta(days=n): Decimal(400 if n == 0 else 100) for n in range(20, -1, -1)}
    in_month = [amount for day, amount in series.items() if day.month == last.month]
    rate = (sum(list(series.values())[-7:]) / 7).quantize(Decimal("1e-18"), rounding=ROUND_DOWN)
    return in_month, rate


@pytest.fixture(scope="module")
def report_run(tmp_path_factory, fake_api):
    """Two runs as the schedule makes them: 30 days, then the last day again; a webhook receiver listening."""
    folder = tmp_path_factory.mktemp("report")
    receiver = Receiver()
    last = datetime.now(UTC).date() - timedelta(days=1)
    first = last - timedelta(days=29)
    in_month, _ = spiky_month(last)
    actual = sum(in_month)
    with pytest.MonkeyPatch.context() as patch, dg.DagsterInstance.ephemeral() as instance:
        patch.setenv("PUMP_COSTS_DATA_DIR", str(folder))
        patch.setenv(BASE_URL.name, fake_api.base_url)
        patch.setenv(ADMIN_API_KEY.name, FAKE_ADMIN_KEY)
        patch.setenv(ALERT_WEBHOOK_URL.name, receiver.url)
        periods = sorted({(first + timedelta(days=n)).strftime("%Y-%m") for n in range(30)})
        write_demo_exports(data_dir() / "exports", periods)
        write_spike(data_dir() / "exports" / "focus" / "spiky", last)
        (data_dir() / "budgets.yaml").write_text(
            "budgets:\n"
            f"  - {{scope: provider, name: Example Cloud, monthly: '{actual - 50}'}}\n"
            f"  - {{scope: service, name: {SPIKY}, monthly: '{actual + 1}'}}\n"
            "  - {scope: total, monthly: 1000000}\n"
        )
        first_run = materialize_days(first, last, instance=instance)
        posted_after_first = list(receiver.texts)
        second_run = materialize_days(last, last, instance=instance)
        posted_after_second = list(receiver.texts)
        # A third run finds one more breach (a total budget of 1) while the webhook refuses everything.
        budgets_file = data_dir() / "budgets.yaml"
        budgets_file.write_text(budgets_file.read_text().replace("monthly: 1000000", "monthly: 1"))
        receiver.status = 500
        refused_run = materialize_days(last, last, instance=instance)
        yield folder, first_run, second_run, posted_after_first, posted_after_second, last, refused_run
    receiver.close()


@pytest.fixture
def published(report_run, monkeypatch) -> Iterator[duckdb.DuckDBPyConnection]:
    monkeypatch.setenv("PUMP_COSTS_DATA_DIR", str(report_run[0]))
    with duckdb.connect(str(published_dir() / PUBLISHED_DATABASE), read_only=True) as conn:
        yield conn


def check(result: dg.ExecuteInProcessResult, name: str) -> dg.AssetCheckEvaluation:
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    return evaluation


def test_an_injected_spike_is_the_only_anomaly_and_is_reported_once(report_run, published):
    _, first_run, second_run, _, _, last, _ = report_run
    anomalies = published.execute(
        "select charge_date, scope_type, scope_name, billed_cost, expected_cost, deviation, direction "
        "from marts.fct_spend_anomalies"
    ).fetchall()
    # The demo organization's and exports' ordinary variation raises none.
    assert anomalies == [
        (last, "provider_service", f"Example Cloud / {SPIKY}", Decimal(400), Decimal(100), Decimal(300), "spike")
    ]
    first_check, second_check = check(first_run, "no_new_spend_anomalies"), check(second_run, "no_new_spend_anomalies")
    assert not first_check.passed and first_check.severity == dg.AssetCheckSeverity.WARN
    assert first_check.description == (
        f":chart_with_upwards_trend: Spend anomaly on {last}: provider service Example Cloud / {SPIKY} spent "
        "400.00 USD, +300.00 from the expected 100.00."
    )
    assert second_check.passed and second_check.metadata["recent_anomalies"].value == 1


def test_a_day_pulled_again_unchanged_publishes_no_unit_again(report_run):
    """The second run pulls the last day again, as the schedule does, and finds it as stored: the publish
    links every fct_spend unit from the version before and writes none."""
    _, first_run, second_run, _, _, _, _ = report_run
    (first,), (second,) = (run.asset_materializations_for_node("published_marts") for run in (first_run, second_run))
    units = first.metadata["units"].value
    assert first.metadata["units_written"].value == units > 1
    assert (second.metadata["units_written"].value, second.metadata["units"].value) == (0, units)


def test_budget_breaches_are_reported_with_their_dates_and_amounts(report_run, published):
    _, first_run, _, _, _, last, _ = report_run
    in_month, rate = spiky_month(last)
    actual = sum(in_month)
    month_start = last.replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    days_left = (month_end - last).days
    running, breach = Decimal(0), None
    for offset, amount in enumerate(in_month):
        running += amount
        if breach is None and running > actual - 50:
            breach = last - timedelta(days=len(in_month) - 1 - offset)
    rows = published.execute(
        "select scope_type, as_of_date, budget_amount, actual_cost, forecast_cost, budget_status, breach_date, "
        "forecast_breach_date from marts.fct_budget_status where budget_month = ? and scope_type != 'total' "
        "order by scope_type",
        [month_start],
    ).fetchall()
    forecast = actual + rate * days_left
    assert rows == [
        ("provider", last, actual - 50, actual, forecast, "over_budget", breach, None),
        (
            "service",
            last,
            actual + 1,
            actual,
            forecast,
            "forecast_over_budget" if days_left else "within_budget",
            None,
            last + timedelta(days=1) if days_left else None,
        ),
    ]
    evaluation = check(first_run, "spend_within_budgets")
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    lines = evaluation.description.splitlines()
    month = f"{last:%Y-%m}"
    assert lines[0] == (
        f":rotating_light: Budget passed: provider Example Cloud spent {actual:,.2f} USD in {month} through {last}, "
        f"over its {actual - 50:,.2f} budget since {breach}."
    )
    if days_left:
        assert lines[1] == (
            f":warning: Budget forecast: service {SPIKY} is forecast to spend {forecast:,.2f} USD in {month}, over "
            f"its {actual + 1:,.2f} budget from {last + timedelta(days=1)} ({actual:,.2f} through {last})."
        )


def test_each_finding_reaches_the_webhook_once_across_two_runs(report_run):
    _, _, _, after_first, after_second, last, refused_run = report_run
    assert after_second == after_first
    kinds = sorted(text.split(":")[1] for text in after_first)
    expected_budgets = 2 if (last + timedelta(days=1)).month == last.month else 1
    assert kinds == sorted(["chart_with_upwards_trend", *["rotating_light", "warning"][:expected_budgets]])
    # A receiver that refuses fails nothing: the run succeeds and its new finding waits for the next run.
    assert refused_run.success
    (alerts_step,) = [
        m for m in refused_run.get_asset_materialization_events() if m.asset_key == dg.AssetKey("spend_alerts")
    ]
    assert {k: alerts_step.materialization.metadata[k].value for k in ("new", "posted")} == {"new": 1, "posted": 0}


def test_the_report_opens_offline_and_its_charts_equal_the_published_marts(report_run, published):
    _, first_run, _, _, _, last, _ = report_run
    path = report_path()
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium package"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        errors, requests = [], []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri())
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length > 0")
        charts = page.evaluate(
            "Object.fromEntries([...document.querySelectorAll('.js-plotly-plot')].map(d => "
            "[d.id, {title: d.layout.title.text, traces: d.data.map(t => ({name: t.name, x: t.x, y: t.y, "
            "customdata: t.customdata}))}]))"
        )
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        browser.close()
    assert errors == [] and requests == [path.as_uri()]

    first = last - timedelta(days=89)
    by_provider = charts["daily-by-provider-USD"]
    assert by_provider["title"] == f"Daily spend by provider, {first} to {last}, USD"
    drawn = {
        (trace["name"], day): Decimal(exact)
        for trace in by_provider["traces"]
        for day, exact in zip(trace["x"], trace["customdata"], strict=True)
    }
    mart = {
        (provider, day.isoformat()): amount
        for provider, day, amount in published.execute(
            "select provider_name, charge_date, sum(billed_cost) from marts.fct_daily_spend "
            "where billing_currency = 'USD' and charge_date between ? and ? group by all",
            [first, last],
        ).fetchall()
    }
    assert drawn == mart and len(drawn) > 60
    assert all(
        float(drawn[k]) == y
        for t in by_provider["traces"]
        for k, y in zip(((t["name"], x) for x in t["x"]), t["y"], strict=True)
    )

    forecast = charts["month-to-date-USD"]["traces"][-1]
    (budgeted,) = published.execute(
        "select forecast_cost from marts.fct_budget_status where scope_type = 'total' and budget_month = ?",
        [last.replace(day=1)],
    ).fetchone()
    assert forecast["name"] == "forecast" and Decimal(forecast["customdata"][-1]) == budgeted

    by_key = charts["anthropic-by-api-key-USD"]["traces"][0]
    key_totals = dict(
        published.execute(
            "select coalesce(api_key_label, '(no key)'), sum(billed_cost) from marts.fct_daily_spend "
            "where provider_name = 'Anthropic' and charge_date between ? and ? group by all",
            [last - timedelta(days=29), last],
        ).fetchall()
    )
    assert dict(zip(by_key["y"], map(Decimal, by_key["customdata"]), strict=True)) == key_totals
    by_organization = charts["anthropic-by-organization-USD"]["traces"][0]
    assert dict(zip(by_organization["y"], map(Decimal, by_organization["customdata"]), strict=True)) == {
        DEMO_ORGANIZATION.name: sum(key_totals.values())
    }
    assert {"claude-by-channel-USD", "anthropic-by-user-USD", "anthropic-by-token-type-USD", "budgets-USD"} <= set(
        charts
    )

    (materialization,) = [
        m for m in first_run.get_asset_materialization_events() if m.asset_key == dg.AssetKey("spend_report")
    ]
    metadata = materialization.materialization.metadata
    (anthropic_to_date,) = published.execute(
        "select sum(billed_cost) from marts.fct_daily_spend where provider_name = 'Anthropic' "
        "and charge_date between ? and ?",
        [last.replace(day=1), last],
    ).fetchone()
    assert metadata["month_to_date USD Anthropic"].value == float(anthropic_to_date)
    (anthropic_in_window,) = published.execute(
        "select sum(billed_cost) from marts.fct_daily_spend where provider_name = 'Anthropic' "
        "and charge_date between ? and ?",
        [last - timedelta(days=29), last],
    ).fetchone()
    assert metadata["run_window USD Anthropic"].value == float(anthropic_in_window)
    assert metadata["run_window"].value == f"{last - timedelta(days=29)} to {last}"
    assert metadata["path"].value == str(path)
