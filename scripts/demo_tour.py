"""A tour of a running demo in headless Chromium — issue 6's "done when", as a command:

    make start                     # or `make demo` in another terminal
    .venv/bin/python scripts/demo_tour.py [--base http://127.0.0.1:8000] [--offline-check]

Signs in as each demo account (`var/demo-accounts`, written by `make demo`), opens its screen
(/wall/, /ops/, /drill/, /planner/), waits until the map has drawn, and prints what the screen
shows (KPIs, list length, a unit's figures, layers) with every request that went to another
origin — there must be none. Screenshots go to var/demo-tour/. Exit status 1 when a screen
did not draw, showed no data, or reached outside our origin."""
import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP_IDLE = ("() => window.iocMap && window.iocMap.loaded() && !window.iocMap.isMoving()"
            " && document.getElementById('map').dataset.iocState === 'idle'")
SCREENS = {
    "tuong": ("/wall/", """() => ['open', 'new_24h', 'overdue'].map(
        k => k + ' ' + document.getElementById('kpi-' + k).textContent).join(', ')
        + '; events listed: ' + document.querySelectorAll('#event-list li').length"""),
    "dieuhanh": ("/ops/", """() => 'incidents listed: '
        + document.querySelectorAll('#incident-list li').length
        + '; ' + document.getElementById('list-summary').textContent"""),
    "lanhdao": ("/drill/", """() => document.getElementById('unit-name').textContent + ': '
        + Array.from(document.querySelectorAll('#incident-totals .total'))
            .map(t => t.innerText.replace(/\s+/g, ' ')).join(', ')
        + '; sub-units ranked: ' + document.querySelectorAll('#ranking li').length"""),
    "quyhoach": ("/planner/", """() => 'layers offered: '
        + document.querySelectorAll('input[type=checkbox]').length"""),
}
HAS_DATA = {"tuong": "events listed: 0", "dieuhanh": "incidents listed: 0",
            "lanhdao": "sub-units ranked: 0", "quyhoach": "layers offered: 0"}


def passwords() -> dict[str, str]:
    path = ROOT / "var" / "demo-accounts"
    if not path.exists():
        sys.exit("var/demo-accounts is missing: run `make demo` (or `make start`) first")
    return dict(line.split(" ", 1) for line in path.read_text().splitlines() if " " in line)


def visit(context, base: str, username: str, password: str, out: Path) -> list[str]:
    """Sign in, open the screen, print what it shows; returns the problems found."""
    path, summary = SCREENS[username]
    page = context.new_page()
    foreign = []
    page.on("request", lambda request: None if request.url.startswith(
        (base + "/", "data:", "blob:")) else foreign.append(request.url))
    page.goto(f"{base}/admin/login/?next={path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    started = time.monotonic()
    page.click("[type=submit]")
    problems = []
    try:
        page.wait_for_url(f"{base}{path}*", timeout=30_000)
        page.wait_for_function(MAP_IDLE, timeout=90_000)
        page.wait_for_timeout(2_000)  # lists and figures that follow the map
    except Exception as error:  # a screen that never draws is what this tour is for
        problems.append(f"{path}: did not draw ({error.__class__.__name__})")
    shown = page.evaluate(summary) if not problems else ""
    page.screenshot(path=str(out / f"{username}.png"))
    print(f"{path:10} {username:9} {time.monotonic() - started:5.1f} s  {shown}")
    if HAS_DATA[username] in shown:
        problems.append(f"{path}: shows no data")
    problems += [f"{path}: request to another origin {url}" for url in foreign]
    page.close()
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.browser.conftest import CHROMIUM_ARGS, chromium_path

    out = ROOT / "var" / "demo-tour"
    out.mkdir(parents=True, exist_ok=True)
    problems = []
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        for username, password in passwords().items():
            context = playwright.chromium.launch_persistent_context(
                profile + "/" + username, executable_path=chromium_path(), args=CHROMIUM_ARGS,
                headless=True, viewport={"width": 1920, "height": 1080}, locale="vi-VN",
                timezone_id="Asia/Ho_Chi_Minh")
            problems += visit(context, args.base, username, password, out)
            context.close()
    for problem in problems:
        print("PROBLEM", problem)
    print(f"screenshots: {out.relative_to(ROOT)}/")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
