#!/usr/bin/env python3
"""Opens Vigil's targets page in a real browser (Debian's Chromium through Playwright) and checks
whether a target carries the note about counters that go down at most scrapes (several worker
processes without PROMETHEUS_MULTIPROC_DIR), and that the note names the fix.

    targets_note_test.py --base URL --expect-note yes|no --screenshot FILE
"""
import argparse
import sys

from playwright.sync_api import sync_playwright


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--expect-note", choices=["yes", "no"], required=True)
    ap.add_argument("--screenshot", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    a = ap.parse_args()
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=a.chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
        page.set_default_timeout(20000)
        page.goto(a.base + "/#/targets")
        page.wait_for_selector(".target-pool")
        notes = page.locator(".counter-reset-note")
        page.screenshot(path=a.screenshot, full_page=True)
        if a.expect_note == "yes":
            if notes.count() != 1:
                errors.append(f"expected one counter-reset note, found {notes.count()}: {page.inner_text('main')[:1500]}")
            elif "PROMETHEUS_MULTIPROC_DIR" not in notes.first.inner_text():
                errors.append(f"the note does not name the fix: {notes.first.inner_text()}")
        elif notes.count() != 0:
            errors.append(f"unexpected counter-reset note: {notes.first.inner_text()}")
        browser.close()
    for e in errors:
        print(e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
