import dataclasses
import functools
import hashlib
import os
import pickle
import shutil
from collections import Counter
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: there each worker makes its own
    fcntl = None  # type: ignore[assignment]

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

pytest_plugins = ["pytester"]  # tests/test_shared.py runs a test session of its own

# Property tests check correctness, not speed: no per-example deadline on a busy machine.
settings.register_profile("winset", deadline=None)
settings.load_profile("winset")

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
POLLS = FIXTURES / "valid" / "polls.csv"


# --------------------------------------------------------------------------------- ../shared
# Published estimates (cregg, cjoint), real surveys, Polis exports and the Kuril fact sheet live in
# the folder ``shared`` beside the repository, not in it. The tests that read them say so with
# ``@pytest.mark.shared("data", "polis")`` (or call ``need_shared`` where they read): where the
# folder is missing they FAIL, naming it, unless WINSET_SKIP_SHARED=1 asks to skip them.
def shared_root() -> Path:
    """Where the shared folder is looked for: WINSET_SHARED_DIR, else ../shared beside the repository."""
    return Path(os.environ.get("WINSET_SHARED_DIR") or REPO.parent / "shared")


SHARED = shared_root()


def need_shared(*parts: str) -> Path:
    """``shared_root() / parts``, for a test that reads it; the one place that decides what a test
    does when it is missing: fail, naming the folder, or skip where WINSET_SKIP_SHARED=1."""
    root = shared_root()
    path = root.joinpath(*parts)
    if path.exists():
        return path
    missing = path if root.is_dir() else root
    reason = (
        f"the shared data folder {missing} is missing (looked for {path}): this test reads published "
        "estimates or real data kept in ../shared beside the repository, or where WINSET_SHARED_DIR says"
    )
    if os.environ.get("WINSET_SKIP_SHARED") == "1":
        pytest.skip(f"{reason}; skipped as WINSET_SKIP_SHARED=1 asks")
    pytest.fail(f"{reason}. Put the folder there, or set WINSET_SKIP_SHARED=1 to skip such tests.", pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``shared(*parts)`` need that path under the shared folder, before any fixture."""
    for mark in item.iter_markers("shared"):
        need_shared(*mark.args)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One line at the end of the run, after pytest's own summary: how many tests were skipped
    and why, the most common reason first (a missing PostgreSQL server or Chromium skips the
    tests that need them)."""
    yield
    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        message = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reasons[message.removeprefix("Skipped: ")] += 1
    if reasons:
        said = "; ".join(f"{n} because {reason}" for reason, n in reasons.most_common())
        terminalreporter.write_line(f"winset: {sum(reasons.values())} skipped: {said}")


@pytest.fixture
def minimal_path() -> Path:
    return FIXTURES / "valid" / "minimal.toml"


# ------------------------------------------------------------------------- fits made once
# Fitting the worked example's three publics takes seconds of numerical work however few the
# bootstrap draws: the tests that need its fits share one, made once per test run (once for all
# of pytest-xdist's workers). One command run fits Kuril afresh (``winset assess`` in
# tests/report/test_commands.py, which checks it gives the shared fits' numbers); the other
# commands are run end to end, fitting, on the small scenario.
KURIL_DRAWS = 10
KURIL_SEED = 0


def made_once(tmp_path_factory, name: str, make):
    """``make()``, made once for the whole test run: where pytest-xdist runs the suite in several
    worker processes, the first worker to need it makes it (the others wait for it) and the others
    read its pickle from the run's temporary folder."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None or fcntl is None:
        return make()
    folder = tmp_path_factory.getbasetemp().parent  # one per run, shared by its workers
    path = folder / f"{name}.pickle"
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if path.exists():
            return pickle.loads(path.read_bytes())
        value = make()
        path.write_bytes(pickle.dumps(value))
        return value


@pytest.fixture(scope="session")
def kuril_fits(tmp_path_factory):
    """The bundled Kuril scenario's fits, KURIL_DRAWS bootstrap draws, seed KURIL_SEED, by
    ratifier id, made once per run. Shared: a test must not change them (the session checks it
    did not)."""
    from winset import load_scenario
    from winset.support import fit_scenario

    fits = made_once(
        tmp_path_factory, "kuril_fits", lambda: fit_scenario(load_scenario("kuril"), KURIL_DRAWS, KURIL_SEED)
    )
    before = fingerprint(fits)
    yield fits
    assert fingerprint(fits) == before, (
        "a test changed the shared Kuril fits (copy a fit's frames before changing them)"
    )


SMALL_DRAWS = 10
SMALL_SEED = 0


@pytest.fixture(scope="session")
def small_path(tmp_path_factory) -> Path:
    """The small scenario of tests/small_scenario.py as it is (no package passes both rules),
    written once. Shared: tests read its folder, never write in it (the session checks)."""
    from .small_scenario import small_scenario

    path = small_scenario(tmp_path_factory.mktemp("small"))
    before = folder_fingerprint(path.parent)
    yield path
    assert folder_fingerprint(path.parent) == before, f"a test changed the shared small scenario in {path.parent}"


@pytest.fixture(scope="session")
def small_fits(small_path):
    """``small_path``'s fits, SMALL_DRAWS bootstrap draws, seed SMALL_SEED, by ratifier id; shared."""
    from winset import load_scenario
    from winset.support import fit_scenario

    fits = fit_scenario(load_scenario(small_path), SMALL_DRAWS, SMALL_SEED)
    before = fingerprint(fits)
    yield fits
    assert fingerprint(fits) == before, "a test changed the shared small scenario's fits"


def folder_fingerprint(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fingerprint(value) -> str:
    """A digest of what a value holds: arrays, frames, dataclass fields and attributes, but not
    what a ``cached_property`` computed from them on first use."""
    digest = hashlib.sha256()
    _feed(value, digest, set())
    return digest.hexdigest()


def _feed(value, digest, seen: set[int]) -> None:
    if isinstance(value, (str, bytes, int, float, bool, complex, type(None))):
        digest.update(repr(value).encode())
        return
    if id(value) in seen:
        digest.update(b"<seen>")
        return
    seen.add(id(value))
    digest.update(type(value).__qualname__.encode())
    if isinstance(value, np.ndarray):
        digest.update(f"{value.dtype}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes() if value.dtype != object else pickle.dumps(value))
    elif isinstance(value, (pd.DataFrame, pd.Series, pd.Index)):
        digest.update(pickle.dumps(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            _feed(key, digest, seen)
            _feed(item, digest, seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value:
            _feed(item, digest, seen)
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            _feed(getattr(value, field.name), digest, seen)
    elif hasattr(value, "model_dump"):  # a scenario's parts (pydantic)
        digest.update(repr(value.model_dump()).encode())
    elif hasattr(value, "__dict__"):
        cached = {
            name
            for klass in type(value).__mro__
            for name, member in vars(klass).items()
            if isinstance(member, functools.cached_property)
        }
        for name, item in sorted(vars(value).items()):
            if name not in cached:
                _feed(name, digest, seen)
                _feed(item, digest, seen)
    else:
        digest.update(repr(value).encode())


def serve_fits(monkeypatch, fits, draws: int, seed: int) -> None:
    """Make every command that fits (fit, solve, assess, report, simulate) use ``fits`` instead of
    fitting: the scenario's ratifiers, draws and seed it asks for must be those of ``fits``.
    Everything else the command does (progress, warnings, output) runs as it does."""
    from winset.support import fit as fitting  # the commands look fit_scenario up here when they run

    def shared(scenario, asked_draws, asked_seed, progress=None):
        assert (asked_draws, asked_seed) == (draws, seed), "the command asked for other fits than the shared ones"
        assert [r.id for _, r in scenario.ratifiers] == list(fits), "the command fits another scenario"
        return fits

    monkeypatch.setattr(fitting, "fit_scenario", shared)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (``.ci/run`` installs both); skipped where either
    is missing."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("no chromium on this machine (Debian package 'chromium'; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def within(seconds: float, call):
    """``call()``'s result or exception, failing the test if it has not finished after ``seconds``
    (it runs in a daemon thread, so a call blocked for good cannot hold up the test run)."""
    import threading

    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"still running after {seconds} s (blocked?)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def refused(result, *phrases, noise=()):
    """A finished subprocess refused its input as the command line promises: exit code 2, one
    problem naming ``phrases``, and no traceback, internal error or other ``noise``."""
    assert result.returncode == 2, result.stderr
    assert "1 problem" in result.stderr and all(p in result.stderr for p in phrases), result.stderr
    for unwanted in ("Traceback", "internal error", *noise):
        assert unwanted not in result.stderr + result.stdout
