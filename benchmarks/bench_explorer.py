"""The report's deal explorer against its budgets, in headless Chromium on this machine.

Budgets: the Kuril report with 200 draws at most 3 MB; one update of the explorer (a select
changed: every public's support, interval and P(rule met) over the draws, and each negotiator's
gain, recomputed in the page) at most 50 ms. There is no peer: no negotiation or conjoint tool
offers such a page; the comparison printed is each figure against its budget.

It also times "what would pass", the page's own search for the joint win-set (``WinsetCore.winset``),
which has no budget: by a click as the scenario stands, and with every public's opinion moved
(``--warmer``, logit scale), where thousands of deals pass; each beside the engine listing the same
win-set in Python (``feasible_packages``) in the same run, and checked to be the same packages.

It prints the report's size and how the explorer's packed tables compare with the tables as the
engine holds them, then the median and the slowest of 40 updates, and the searches' times.

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

SEARCH = """(shift) => {
    const data = JSON.parse(document.getElementById("winset-explorer").textContent);
    data.publics.forEach((p) => { p.shift = (p.shift || 0) + shift; });
    const tables = data.publics.map((p) => WinsetCore.unpack(p.table));
    const utilityTables = data.negotiators.map((n) => WinsetCore.unpack(n.table));
    const start = performance.now();
    const found = WinsetCore.winset(data, tables, utilityTables);
    return { ms: performance.now() - start, codes: found.map((d) => d.codes) };
}"""


def engine_listing(problem, shift: float) -> tuple[float, list[list[int]]]:
    """The engine's listing of the joint win-set on the estimate, with opinion moved: (ms, codes)."""
    from winset.engine import criteria
    from winset.engine.distributed import feasible_packages
    from winset.engine.joint import point_only

    base = point_only(problem.shifted([s + shift for s in problem.shifts]))
    start = time.perf_counter()
    codes = feasible_packages(base, criteria.joint(base), 10**7, "enumerate")
    return (time.perf_counter() - start) * 1e3, codes.tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="kuril")
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--warmer", type=float, default=2.2, help="opinion moved for the second search")
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
            print(f"what would pass, by a click (every allowed package searched): {time.perf_counter() - start:.2f} s")
            times = page.evaluate(UPDATES)  # now each update answers what would pass again
            median, slowest = statistics.median(times), max(times)
            verdict = "met" if slowest <= UPDATE_BUDGET else "MISSED"
            print(
                f"one update, what would pass shown: median {median:.1f} ms, slowest {slowest:.1f} ms of 40 "
                f"(budget {UPDATE_BUDGET:.0f} ms: {verdict})"
            )
            for shift in (0.0, args.warmer):
                page_found = page.evaluate(SEARCH, shift)
                engine_ms, engine_codes = engine_listing(analysis.problem, shift)
                same = "the same packages" if page_found["codes"] == engine_codes else "DIFFERENT packages"
                print(
                    f"joint win-set, opinion {shift:+.1f}: {len(engine_codes)} deals; page {page_found['ms']:.0f} ms, "
                    f"engine {engine_ms:.0f} ms (page/engine {page_found['ms'] / engine_ms:.2f}), {same}"
                )
            browser.close()


if __name__ == "__main__":
    main()
