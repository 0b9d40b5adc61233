"""The deal explorer's own search for "what would pass" (``WinsetCore.winset``), run in headless
Chromium on random small deal problems against the brute force over every deal: every link,
pairwise terms, constraints, rules over groups of each kind, negotiators, and opinion shifted."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from winset.report.explorer_data import explorer_data, script

from ..engine.conftest import EXACT
from ..engine.instances import in_joint_winset, naive_quantities, problems, valid_packages

SEARCH = """(document) => {
    const tables = document.publics.map((p) => WinsetCore.unpack(p.table));
    const utilityTables = document.negotiators.map((n) => WinsetCore.unpack(n.table));
    return WinsetCore.winset(document, tables, utilityTables);
}"""


@pytest.fixture(scope="module")
def core(browser, tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "core.html"
    path.write_text(f'<!doctype html><meta charset="utf-8"><script>{script(("explorer_core.js",))}</script>', "utf-8")
    opened = browser.new_context().new_page()
    errors = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(path.as_uri())
    yield opened
    opened.context.close()
    assert errors == []


@EXACT
@given(problems(confidence=False, max_options=3), st.floats(-1.5, 1.5))
def test_the_pages_joint_winset_is_the_brute_forces(core, problem, shift):
    """Every deal in the joint win-set on the estimate, in package order, with its smallest margin."""
    problem = problem.shifted([shift] * len(problem.publics))
    codes = valid_packages(problem)  # in package order
    q = naive_quantities(problem, codes)
    inside = in_joint_winset(problem, q)
    document = json.loads(json.dumps(explorer_data(problem)))
    document["options"] = [[str(o) for o in range(n)] for n in problem.space.shape]  # as the page adds them
    found = core.evaluate(SEARCH, document)
    assert [d["codes"] for d in found] == codes[inside].tolist()
    expected = q.margin[problem.binding][:, inside].min(axis=0) if problem.binding.any() else np.zeros(inside.sum())
    np.testing.assert_allclose([d["margin"] for d in found], expected, rtol=1e-9, atol=1e-12)
