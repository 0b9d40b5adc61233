"""The rule for tests that read the shared data folder (../shared): where it is missing they fail,
naming the folder, unless WINSET_SKIP_SHARED=1 makes them skip. Checked by pointing the folder
(WINSET_SHARED_DIR) at one that does not exist; the real one is never moved."""

import pytest

from .conftest import REPO, need_shared, shared_root


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """The shared folder looked for in a folder that does not exist."""
    missing = tmp_path / "no-shared-here"
    monkeypatch.setenv("WINSET_SHARED_DIR", str(missing))
    monkeypatch.delenv("WINSET_SKIP_SHARED", raising=False)
    return missing


def test_the_default_is_the_folder_beside_the_repository(monkeypatch):
    monkeypatch.delenv("WINSET_SHARED_DIR", raising=False)
    assert shared_root() == REPO.parent / "shared"


@pytest.mark.parametrize("skip", [None, "0", "", "yes"])
def test_a_missing_folder_fails_and_names_it(nowhere, monkeypatch, skip):
    if skip is not None:
        monkeypatch.setenv("WINSET_SKIP_SHARED", skip)
    with pytest.raises(pytest.fail.Exception) as failed:
        need_shared("data", "polis")
    message = str(failed.value)
    assert f"the shared data folder {nowhere} is missing" in message
    assert str(nowhere / "data" / "polis") in message and "WINSET_SKIP_SHARED=1" in message


def test_a_missing_folder_skips_where_asked(nowhere, monkeypatch):
    monkeypatch.setenv("WINSET_SKIP_SHARED", "1")
    with pytest.raises(pytest.skip.Exception) as skipped:
        need_shared("data", "polis")
    assert f"the shared data folder {nowhere} is missing" in str(skipped.value)
    assert "skipped as WINSET_SKIP_SHARED=1 asks" in str(skipped.value)


def test_a_missing_part_of_a_present_folder_is_named(nowhere):
    (nowhere / "data").mkdir(parents=True)
    with pytest.raises(pytest.fail.Exception, match=r"the shared data folder .*polis is missing"):
        need_shared("data", "polis")
    (nowhere / "data" / "polis").mkdir()
    assert need_shared("data", "polis") == nowhere / "data" / "polis"


def test_a_marked_test_fails_or_skips_before_its_fixtures(nowhere, pytester, monkeypatch):
    """What a run shows: the marker, checked before any fixture, makes an error naming the folder,
    or a skip with WINSET_SKIP_SHARED=1."""
    pytester.makeconftest("from tests.conftest import pytest_runtest_setup  # noqa: F401")
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def data():
            raise AssertionError("a fixture ran before the check")

        @pytest.mark.shared("data", "conjoint")
        def test_reads_it(data):
            pass
        """
    )
    failed = pytester.runpytest("-p", "no:cacheprovider", "-rA")
    failed.assert_outcomes(errors=1)
    failed.stdout.fnmatch_lines([f"*the shared data folder {nowhere} is missing*"])
    assert "a fixture ran before the check" not in failed.stdout.str()
    monkeypatch.setenv("WINSET_SKIP_SHARED", "1")
    skipped = pytester.runpytest("-p", "no:cacheprovider", "-rA")
    skipped.assert_outcomes(skipped=1)
    skipped.stdout.fnmatch_lines(["*skipped as WINSET_SKIP_SHARED=1 asks*"])


def test_the_run_ends_with_how_many_tests_were_skipped_and_why(pytester):
    pytester.makeconftest("from tests.conftest import pytest_terminal_summary  # noqa: F401")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", [1, 2])
        def test_needs_a_server(n):
            pytest.skip("no server here")

        def test_needs_a_browser():
            pytest.skip("no browser here")

        def test_runs():
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:xdist", "-ra")
    result.assert_outcomes(passed=1, skipped=3)
    lines = result.stdout.str().splitlines()
    assert lines[-2] == "winset: 3 skipped: 2 because no server here; 1 because no browser here"
