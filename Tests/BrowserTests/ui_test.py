#!/usr/bin/env python3
"""Drives Vigil's built-in web UI in a real browser (Debian's Chromium through Playwright): every
page loads without script errors, a query draws a graph and a table, a parse error points at its
column, a silence is created and expired through the form, a shipped dashboard draws its
panels, and the Alertmanager port opens on alerts and follows Alertmanager's silence links. Screenshots of each step go to --screenshots for a human to look at.

Run by the Swift integration tests against a Vigil that scrapes a prometheus_client model API.
"""
import argparse
import os
import sys

from playwright.sync_api import sync_playwright


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--alertmanager-base", required=True)
    ap.add_argument("--screenshots", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    a = ap.parse_args()
    os.makedirs(a.screenshots, exist_ok=True)
    errors = []
    step = [0]

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=a.chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
        page.set_default_timeout(20000)

        def shot(name):
            step[0] += 1
            page.screenshot(path=os.path.join(a.screenshots, f"{step[0]:02d}-{name}.png"), full_page=True)

        def wait(selector):
            try:
                page.wait_for_selector(selector)
            except Exception as e:
                shot("failure")
                raise AssertionError(f"{selector} did not appear on {page.url}: {e}\npage text:\n{page.inner_text('main')[:1500]}")

        def check(cond, message):
            if not cond:
                shot("failure")
                raise AssertionError(message)

        # Expression browser: a range query draws one line per series.
        page.goto(a.base + "/")
        page.fill("#expr", "sum by (species) (rate(python_iris_predictions_total[30s]))")
        page.select_option("#range", "5m")
        page.click("#execute")
        wait("#result svg path.series")
        lines = page.locator("#result svg path.series").count()
        check(lines == 3, f"expected one line per class, got {lines}")
        check(page.locator("#result .legend-item").count() == 3, "a legend entry per series")
        page.hover("#result svg", position={"x": 600, "y": 120})
        check(page.is_visible("#tooltip"), "hovering shows the values")
        shot("graph")

        # Native histograms: their p50, p90 and p99 as lines, their buckets as a heatmap.
        page.fill("#expr", "rate(model_inference_seconds[5s])")
        page.click("#execute")
        wait("#result svg.heatmap rect.cell")
        lines = page.locator("#result svg path.series").count()
        check(lines == 3, f"expected a line per quantile, got {lines}")
        check(all(q in page.inner_text("#result .legend") for q in ["p50 ", "p90 ", "p99 "]), "the legend names the quantiles")
        buckets = int(page.get_attribute("#result svg.heatmap", "data-buckets"))
        check(buckets >= 3, f"a heatmap row per populated bucket, got {buckets}")
        shot("native-histogram")
        page.fill("#expr", "sum by (species) (rate(python_iris_predictions_total[30s]))")
        page.click("#execute")
        wait("#result svg path.series")

        # The same query as a table.
        page.click("#tab-table")
        wait(".result-table")
        check(page.locator(".result-table tr").count() == 4, "a row per series plus the header")
        shot("table")

        # A parse error is shown at its position.
        page.fill("#expr", "sum(rate(x[5m])")
        page.click("#execute")
        wait(".parse-error")
        text = page.inner_text(".parse-error")
        check("1:16: parse error" in text and "^" in text, f"parse error with a caret, got {text!r}")
        shot("parse-error")

        # Targets, rules, alerts, status.
        page.goto(a.base + "/#/targets")
        wait(".target-pool")
        check("model-api" in page.inner_text("main") and page.locator(".badge.up").count() >= 1, "targets grouped by job with health")
        shot("targets")
        page.goto(a.base + "/#/rules")
        wait(".rule-group")
        shot("rules")
        page.goto(a.base + "/#/alerts")
        wait("#am-groups .am-group")
        check("UIFiring" in page.inner_text("main"), "the rule's firing alert and its Alertmanager group are listed")
        shot("alerts")
        page.goto(a.base + "/#/status")
        wait("#tsdb-status")
        check("python_iris_predictions_total" in page.inner_text("#tsdb-status"), "TSDB cardinality lists the metrics")
        shot("status")

        # Silences: create through the form, then expire it.
        page.goto(a.base + "/#/silences")
        wait("#silence-form")
        page.fill("#silence-matchers", 'alertname="UIFiring", severity=~"info|warning"')
        page.fill("#silence-duration", "1h")
        page.fill("#silence-creator", "browser-test")
        page.fill("#silence-comment", "silenced from the UI")
        page.click("#silence-create")
        wait("#flash")
        check("created" in page.inner_text("#flash"), "the silence was created")
        row = page.locator("tr.silence-active")
        check(row.count() == 1 and "silenced from the UI" in row.inner_text(), "the new silence is listed as active")
        shot("silence-created")
        row.locator("button.expire").click()
        wait("tr.silence-expired")
        check("expired" in page.inner_text("#flash"), "the silence was expired")
        shot("silence-expired")

        # Dashboards: the shipped model-API dashboard draws its panels.
        page.goto(a.base + "/#/dashboards")
        wait("#dashboard-list a")
        check(page.locator("#dashboard-list a").count() >= 2, "both shipped dashboards are listed")
        page.goto(a.base + "/#/d/vigil-model-api?from=5m")
        wait("#dashboard-grid .panel")
        wait('.panel[data-panel="Predictions per class"] svg path.series')
        wait('.panel[data-panel="Request rate"] .stat')
        wait('.panel[data-panel="p95 processing time"] svg.gauge')
        wait('.panel[data-panel="Target health"] table')
        check(page.locator('.panel[data-panel="Predictions per class"] svg path.series').count() == 3, "a line per class")
        check("req/s" in page.inner_text('.panel[data-panel="Request rate"]'), "the stat is humanized with its unit")
        check(page.locator("#dashboard-grid .error").count() == 0, "no panel failed")
        check(page.locator("#var-job option").count() >= 2, "the job variable comes from label_values")
        # Bar gauge, pie chart and heatmap of the classes and processing time.
        wait('.panel[data-panel="Predictions per class in the range"] .bar')
        wait('.panel[data-panel="Share of predictions per class"] svg path.slice')
        wait('.panel[data-panel="Processing time distribution"] svg rect.cell')
        check(page.locator('.panel[data-panel="Predictions per class in the range"] .bar').count() == 3, "a bar per class")
        check(page.locator('.panel[data-panel="Share of predictions per class"] svg path.slice').count() == 3, "a slice per class")
        check("%" in page.inner_text('.panel[data-panel="Share of predictions per class"] .legend'), "the pie's legend gives shares")
        check(int(page.get_attribute('.panel[data-panel="Processing time distribution"] svg.heatmap', "data-buckets")) == 9, "a heatmap row per bucket, +Inf included")
        # A collapsed row keeps its panels until opened; then its panel repeats per instance.
        check(page.locator('.row-header[data-row="Per instance"].collapsed').count() == 1, "the per-instance row starts collapsed")
        check(page.locator('.panel[data-panel^="Requests on "]').count() == 0, "a collapsed row draws nothing")
        page.click('.row-header[data-row="Per instance"]')
        wait('.panel[data-panel^="Requests on "] svg path.series')
        instances = page.locator("#var-instance option").count() - 1
        check(instances >= 2, "the instance variable follows the job variable")
        check(page.locator('.panel[data-panel^="Requests on "]').count() == instances, "the panel repeats once per instance")
        check(page.locator("#dashboard-grid .error").count() == 0, "no panel failed")
        shot("dashboard-model-api")
        # query_result variables through their regex, a custom variable, and a panel type Vigil
        # does not draw: its title and a note, never a broken page.
        page.goto(a.base + "/#/d/vigil-test-panels?from=5m")
        wait('.panel[data-panel="Grafana news"] .unsupported')
        check("not drawn by Vigil" in page.inner_text('.panel[data-panel="Grafana news"]'), "an unknown panel type says so")
        check(sorted(page.locator("#var-jobs option").all_inner_texts()) == ["All", "model-api", "native", "vigil"], "query_result values cut by the regex")
        check(page.locator("#var-window option").count() == 2, "a custom variable's options")
        wait('.panel[data-panel="Targets of the chosen jobs"] .stat')
        check(page.inner_text('.panel[data-panel="Targets of the chosen jobs"] .stat').strip() == "3", "All stands for every job")
        # `up` is a flat line, which the browser does not count as visible: wait for it to exist.
        page.wait_for_selector('.panel[data-panel="Legacy graph"] svg path.series', state="attached")
        check(page.locator('.panel[data-panel="Legacy graph"] svg path.series').count() == 3, "the legacy graph panel draws a line per job")
        # A heatmap panel over a native histogram draws its buckets.
        wait('.panel[data-panel="Inference time (native histogram)"] svg rect.cell')
        check(int(page.get_attribute('.panel[data-panel="Inference time (native histogram)"] svg.heatmap', "data-buckets")) >= 3, "a row per bucket")
        shot("dashboard-variables")
        page.goto(a.base + "/#/d/vigil-self?from=5m")
        wait('.panel[data-panel="Head series"] .stat')
        shot("dashboard-vigil")

        # The Alertmanager port: its root opens the alerts view, as Alertmanager's UI does, and
        # Alertmanager's "new silence" link opens the silence form.
        page.goto(a.alertmanager_base + "/")
        page.wait_for_function("document.body.dataset.ready === 'alerts'")
        wait("#am-groups")
        shot("alertmanager-port")
        page.goto(a.alertmanager_base + "/#/silences/new")
        wait("#silence-form")
        # The view marks itself ready once its silences are listed.
        page.wait_for_function("document.body.dataset.ready === 'silences'")

        browser.close()

    if errors:
        print("\n".join(errors))
        return 1
    print(f"ui ok, {step[0]} screenshots in {a.screenshots}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print(f"UI check failed: {e}")
        sys.exit(1)
