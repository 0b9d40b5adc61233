"""The report's deal explorer against its budgets, in headless Chromium on this machine.

Budgets: the Kuril report with 200 draws at most 3 MB; one update of the explorer (a select
changed: every public's support, interval and P(rule met) over the draws, and each negotiator's
gain, recomputed in the page) at most 50 ms. The script also times "what would pass", the search
over every allowed package, which has no budget. There is no peer: no negotiation or conjoint tool
offers such a page; the comparison printed is each figure against its budget.

It prints the report's size and how the explorer's packed tables compare with the tables as the
engine holds them, then the median and the slowest of 40 updates, and the search's time.

    pip install -e '.[test]'   # Playwright; Debian's chromium
    python benchmarks/bench_explorer.py [--scenario kuril] [--draws 200] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from winset import load_scenario
from winset.report import analyse, render, write_report
from winset.report.explorer_data import explorer_data
from winset.support import fit_scenario

SIZE_BUDGET = 3_000_000  # bytes
UPDATE_BUDGET = 50.0  # ms

UPDATES = """() => {
    const selects = [...document.querySelectorAll('#explorer select')];
    const times = [];
    for (let i = 0; i < 40; i++) {
        const select = selects[i % selects.length];
        select.selectedIndex = (select.selectedIndex + 1) % select.options.length;
        const start = performance.now();
        select.dispatchEvent(new Event('change'));
        times.push(performance.now() - start);
    }
    return times;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="kuril")
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    scenario = load_scenario(args.scenario)
    start = time.perf_counter()
    analysis = analyse(scenario, fit_scenario(scenario, args.draws, 0))
    print(f"{args.scenario}, {args.draws} draws: fitted and analysed in {time.perf_counter() - start:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        path = write_report(render(analysis), Path(folder) / "report.html")
        size = path.stat().st_size
        packed = len(json.dumps(explorer_data(analysis.problem)))
        held = sum(p.table.coefficients.nbytes + p.table.intercepts.nbytes for p in analysis.problem.publics)
        print(
            f"report: {size / 1e6:.2f} MB (budget {SIZE_BUDGET / 1e6:.0f} MB: {'met' if size <= SIZE_BUDGET else 'MISSED'})"
        )
        print(f"explorer's tables: {packed / 1e6:.2f} MB as packed JSON, {held / 1e6:.2f} MB as the engine holds them")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            times = page.evaluate(UPDATES)
            median, slowest = statistics.median(times), max(times)
            verdict = "met" if slowest <= UPDATE_BUDGET else "MISSED"
            print(
                f"one update: median {median:.1f} ms, slowest {slowest:.1f} ms of 40 (budget {UPDATE_BUDGET:.0f} ms: {verdict})"
            )
            start = time.perf_counter()
            page.locator("#explorer-find").click()
            page.locator("#explorer-best").filter(has_not_text="Searching").wait_for(timeout=600_000)
            print(f"what would pass (every allowed package searched): {time.perf_counter() - start:.2f} s")
            browser.close()


if __name__ == "__main__":
    main()
