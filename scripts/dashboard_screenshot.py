"""Take docs/figures/dashboard.png: the dashboard with the transition rule set to 'end', some years in.

    .venv/bin/python scripts/dashboard_screenshot.py [--out docs/figures/dashboard.png] [--chromium /usr/bin/chromium]

Starts `ruralsim dashboard` on a free port, drives it in Chromium as a planner would (choose the rule,
restart with it, advance a year at a time) and saves a full-page screenshot. Needs the [dashboard] and [test]
extras and Chromium (`apt-get install -y chromium`).
"""

import argparse
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def wait_until_served(url: str, timeout_seconds: float = 60) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the dashboard did not start within {timeout_seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "figures" / "dashboard.png")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--clicks", type=int, default=7, help="clicks on 'Advance 1 year'")
    args = parser.parse_args()
    port = free_port()
    url = f"http://localhost:{port}/"
    server = subprocess.Popen([sys.executable, "-m", "sim", "dashboard", "--port", str(port)], cwd=ROOT)
    try:
        wait_until_served(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1850})
            page.set_default_timeout(60_000)
            page.goto(url)
            page.get_by_role("button", name="Advance 1 year").wait_for()
            page.locator(".v-select", has_text="After the transition period").click()
            page.get_by_role("option", name="end").click()
            page.get_by_role("button", name="Restart with these levers").click()
            settings = page.get_by_test_id("settings").locator("tr", has_text="After the transition period")
            expect(settings.locator("td").nth(2)).to_have_text("end")
            for k in range(1, args.clicks + 1):
                page.get_by_role("button", name="Advance 1 year").click()
                expect(page.get_by_test_id("status")).to_contain_text(f"({12 * k} of ")
            page.wait_for_timeout(1500)  # let the last images arrive
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=args.out, full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
