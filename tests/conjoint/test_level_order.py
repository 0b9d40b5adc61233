"""Levels in order when nothing gives it: by value for numbers, ranges and thresholds, else in
natural order."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from winset.conjoint.level_order import in_order, value_key


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (["95-105%", "105-125%", "75-95%", ">125%", "<75%"], ["<75%", "75-95%", "95-105%", "105-125%", ">125%"]),
        (["$1,000", "$10", "$100"], ["$10", "$100", "$1,000"]),
        (["65+", "18-29", "30-44", "45-64"], ["18-29", "30-44", "45-64", "65+"]),
        (["1m", "900k", "1.5bn"], ["900k", "1m", "1.5bn"]),
        (["10", "2", "-5", "0"], ["-5", "0", "2", "10"]),
        (["over 50 years", "under 18 years", "18 to 50 years"], ["under 18 years", "18 to 50 years", "over 50 years"]),
        (["≥ 30%", "20–30%", "≤ 20%"], ["≤ 20%", "20–30%", "≥ 30%"]),
    ],
    ids=["taxrev", "money", "ages", "scales", "signed", "words", "symbols"],
)
def test_numbers_ranges_and_thresholds_go_by_value(levels, expected):
    assert in_order(levels) == expected


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (["<10k: 5%", "<10k: 0%", "<10k: 15%"], ["<10k: 0%", "<10k: 5%", "<10k: 15%"]),
        (["$10", "free", "$5"], ["$5", "$10", "free"]),
        (["high", "low", "medium"], ["high", "low", "medium"]),
    ],
    ids=["two numbers each", "one level not a number", "words"],
)
def test_other_levels_keep_the_natural_order(levels, expected):
    assert in_order(levels) == expected


def test_a_level_that_is_not_a_number_has_no_value():
    assert value_key("joint administration") is None and value_key("5% of GDP by 2030") is None


@given(
    st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=12, unique=True),
    st.sampled_from(["${:,}", "{}%", "{}"]),
)
def test_any_numbers_written_alike_sort_as_the_numbers_do(numbers, form):
    levels = [form.format(n) for n in numbers]
    assert in_order(levels) == [form.format(n) for n in sorted(numbers)]


def test_the_tax_survey_s_revenue_bands_start_from_the_lowest(taxes):
    """The shared tax survey's revenue feature: its baseline is the lowest band, "<75%"."""
    from winset.conjoint import ConjointData

    levels = list(ConjointData(taxes, "chose_plan", ["taxrev"]).feature("taxrev").levels)
    assert levels == ["<75%", "75-95%", "95-105%", "105-125%", ">125%"]
