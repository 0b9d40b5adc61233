"""Reshaping wide exports, and the figure in three formats."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winset.conjoint import ConjointError, amce, plot, wide_to_long

from .test_errors import small


@settings(max_examples=50)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(2, 3))
def test_wide_to_long_puts_every_cell_in_its_place(n_respondents, n_tasks, n_profiles):
    columns = {"resp": np.arange(n_respondents), "age": np.arange(n_respondents) + 20}
    profile_variables = {"price": [], "rating": []}
    for p in range(n_profiles):
        price_cols, rating_cols = [], []
        for t in range(n_tasks):
            columns[f"price_{t}_{p}"] = [f"r{r}t{t}p{p}" for r in range(n_respondents)]
            columns[f"rating_{t}_{p}"] = [r * 100 + t * 10 + p for r in range(n_respondents)]
            price_cols.append(f"price_{t}_{p}")
            rating_cols.append(f"rating_{t}_{p}")
        profile_variables["price"].append(price_cols)
        profile_variables["rating"].append(rating_cols)
    for t in range(n_tasks):
        columns[f"choice_{t}"] = [(r + t) % n_profiles + 1 for r in range(n_respondents)]
    wide = pd.DataFrame(columns)
    long = wide_to_long(wide, profile_variables, {"choice": [f"choice_{t}" for t in range(n_tasks)]}, id="resp")
    assert len(long) == n_respondents * n_tasks * n_profiles
    assert list(long.columns) == ["resp", "task", "profile", "age", "price", "rating", "choice"]
    for row in long.itertuples():
        r, t, p = row.resp, row.task - 1, row.profile - 1
        assert row.price == f"r{r}t{t}p{p}"
        assert row.rating == r * 100 + t * 10 + p
        assert row.choice == (r + t) % n_profiles + 1
        assert row.age == r + 20


def test_wide_to_long_errors():
    wide = pd.DataFrame({"resp": [1], "p1a": ["x"], "p1b": ["y"], "task": [1]})
    with pytest.raises(ConjointError) as caught:
        wide_to_long(wide, {"price": [["p1a"], ["p1c"]]}, id="respondent")
    messages = [p.message for p in caught.value.problems]
    assert "the wide data have no column 'p1c' (did you mean 'p1b'?)" in messages
    assert "the wide data have no column 'respondent'" in messages
    assert "'task' is a column of the wide data" in messages


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_figure_formats(tmp_path, suffix, magic):
    results = amce(small(40), "chosen", ["price", "brand"], id="resp")
    path = tmp_path / f"figure{suffix}"
    fig = plot(results, path, title="AMCEs")
    assert path.read_bytes().startswith(magic)
    labels = [t.get_text().strip() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["price", "high", "low", "mid", "brand", "A", "B"]


def test_figure_draws_one_series_per_group_and_refuses_other_tables(tmp_path):
    results = amce(small(60), "chosen", ["price"], id="resp", by="group")
    fig = plot(results)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["old", "young"]
    with pytest.raises(ConjointError, match="lacks columns"):
        plot(pd.DataFrame({"x": [1]}))
