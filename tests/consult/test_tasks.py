"""The consultation's conjoint design: valid, distinct, shuffled profiles, and answers that
``winset fit`` reads and learns from."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winset import load_scenario
from winset.consult.tasks import Assignment, SurveyDesign, assign, long_format
from winset.errors import WinsetError
from winset.support import fit_scenario

from ..small_scenario import small_scenario


@pytest.fixture(scope="module")
def kuril_space():
    return load_scenario("kuril").space


@settings(max_examples=40)
@given(st.integers(1, 8), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_profiles_are_valid_distinct_and_issues_shuffled(kuril_space, tasks, profiles, seed):
    space = kuril_space
    shown = assign(space, SurveyDesign(tasks, profiles), np.random.default_rng(seed))
    assert shown.packages.shape == (tasks, profiles, space.n_issues)
    assert space.is_valid(shown.packages.reshape(-1, space.n_issues)).all()
    for task in shown.packages:
        assert len(np.unique(task, axis=0)) == profiles
    assert sorted(shown.order) == list(range(space.n_issues))


def test_profiles_cover_the_valid_packages_uniformly(kuril_space):
    """Over many respondents each option of an issue appears as often as valid packages hold it."""
    space = kuril_space
    rng = np.random.default_rng(3)
    shown = np.vstack([assign(space, SurveyDesign(5, 2), rng).packages.reshape(-1, space.n_issues) for _ in range(600)])
    everything = np.vstack(list(space.iter_valid()))
    for k in range(space.n_issues):
        expected = np.bincount(everything[:, k], minlength=space.shape[k]) / len(everything)
        observed = np.bincount(shown[:, k], minlength=space.shape[k]) / len(shown)
        np.testing.assert_allclose(observed, expected, atol=0.03)
    orders = np.array([assign(space, SurveyDesign(1, 1), rng).order for _ in range(400)])
    first = np.bincount(orders[:, 0], minlength=space.n_issues) / len(orders)
    np.testing.assert_allclose(first, 1 / space.n_issues, atol=0.06)


def test_fixed_issue_order():
    space = load_scenario("kuril").space
    shown = assign(space, SurveyDesign(2, 2, shuffle_issues=False), np.random.default_rng(0))
    assert shown.order == tuple(range(space.n_issues))


@pytest.mark.parametrize(("tasks", "profiles"), [(0, 2), (51, 2), (3, 0), (3, 6)])
def test_bad_designs_are_refused(tasks, profiles):
    with pytest.raises(WinsetError):
        SurveyDesign(tasks, profiles)


def test_a_repeated_task_repeats_its_task_with_the_profiles_reversed(kuril_space):
    shown = assign(kuril_space, SurveyDesign(4, 3, repeat=3), np.random.default_rng(8))
    assert shown.packages.shape == (5, 3, kuril_space.n_issues)
    assert (shown.packages[4] == shown.packages[2][::-1]).all()
    with pytest.raises(WinsetError, match="no task 5"):
        SurveyDesign(4, 2, repeat=5)


def test_answers_leave_as_data_winset_fit_learns_from(tmp_path):
    """Answers drawn from a known logistic truth, exported, fitted: the learned effects have the
    truth's signs and the fit reads every row."""
    path = small_scenario(tmp_path)
    space = load_scenario(path).space
    text = path.read_text()
    text = text.replace('survey = "survey.csv", covariates = ["age"]', 'survey = "answers.csv"')
    text = text.replace("  population = { age = { old = 0.6, young = 0.4 } }\n", "")
    path.write_text(text)
    rng = np.random.default_rng(5)
    truth = {("habomai", "japan"): -1.2, ("treaty", "signed"): 1.0}
    answers = []
    for person in range(400):
        shown: Assignment = assign(space, SurveyDesign(4, 2), rng)
        for t, task in enumerate(shown.packages, start=1):
            for p, codes in enumerate(task, start=1):
                ids = space.ids_of(codes)
                score = -0.3 + sum(v for (issue, option), v in truth.items() if ids[issue] == option)
                answers.append((f"r{person}", t, p, tuple(codes), int(rng.random() < 1 / (1 + np.exp(-score)))))
    frame = long_format(space, answers)
    assert list(frame.columns) == ["respondent", "task", "profile", *space.issue_ids, "support"]
    assert len(frame) == 400 * 4 * 2
    frame.to_csv(tmp_path / "answers.csv", index=False)
    fits = fit_scenario(load_scenario(path), draws=0)
    fit = fits["russian_public"]
    assert fit.data.n_rows == len(frame)
    coefficients = fit.coefficients["estimate"]
    habomai = next(v for name, v in coefficients.items() if "habomai" in name and "japan" in name)
    treaty = next(v for name, v in coefficients.items() if "treaty" in name and "signed" in name)
    assert habomai < -0.6 and treaty > 0.5


def test_no_answers_give_an_empty_table():
    space = load_scenario("kuril").space
    frame = long_format(space, [])
    assert len(frame) == 0 and "support" in frame.columns
