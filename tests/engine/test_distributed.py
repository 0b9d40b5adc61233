"""The searches on a Dask cluster of 2 worker processes give exactly the in-process answers."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from winset.cli import app
from winset.engine import criteria
from winset.engine.distributed import best_packages, count_packages
from winset.engine.gap import ratification_gap
from winset.engine.problem import DealProblem, Negotiator, Public
from winset.engine.recommendations import recommend
from winset.engine.repair import assess
from winset.engine.rules import Rule
from winset.space import PackageSpace

from ..conftest import SMALL_DRAWS, SMALL_SEED, serve_fits
from .instances import support_table, utility_table

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def cluster():
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as client,
    ):
        yield cluster, client


def problem(seed: int, shape=(3, 4, 3, 2, 4, 3), draws: int = 4, confidence=None) -> DealProblem:
    """Two publics with bootstrap draws and a pairwise term, two negotiators, a constraint."""
    rng = np.random.default_rng(seed)
    issues = [(f"i{k}", [f"o{j}" for j in range(n)]) for k, n in enumerate(shape)]
    space = PackageSpace(issues, constraints=[("c", {"i0": ["o1"], "i1": ["o0", "o2"]})])
    publics = tuple(
        Public(f"p{i}", f"s{i}", support_table(rng, shape, "logistic", 20, 1 + draws, True), Rule.share(0.45), True)
        for i in range(2)
    )
    negotiators = tuple(Negotiator(f"n{j}", utility_table(rng, shape), 0.45 * sum(shape) / 4) for j in range(2))
    return DealProblem(space, negotiators, publics, confidence)


@pytest.mark.parametrize("method", ["enumerate", "search"])
@pytest.mark.parametrize("seed", [0, 1])
def test_count_and_best_packages(cluster, method, seed):
    _, client = cluster
    p = problem(seed)
    joint = criteria.joint(p)
    assert count_packages(p, joint, method, client) == count_packages(p, joint, method)
    for objective in (criteria.min_margin(p), criteria.nash(p), criteria.all_rules_probability(p)):
        local = best_packages(p, objective, joint, 5, method)
        remote = best_packages(p, objective, joint, 5, method, client)
        assert [f.codes for f in remote] == [f.codes for f in local]
        np.testing.assert_allclose([f.value for f in remote], [f.value for f in local], rtol=1e-12)


@pytest.mark.parametrize("method", ["enumerate", "search"])
def test_analyses(cluster, method):
    _, client = cluster
    p = problem(2, confidence=0.6)
    local = recommend(p, method)
    remote = recommend(p, method, client)
    assert list(remote["package"]) == list(local["package"])
    proposal = p.space.status_quo
    assert list(assess(p, proposal, 3, method, client).repairs["package"]) == list(
        assess(p, proposal, 3, method).repairs["package"]
    )
    assert ratification_gap(p, method, client).shift == pytest.approx(ratification_gap(p, method).shift, abs=2e-6)


def test_the_same_problem_sent_again_and_again():
    """Analyses send the same problem to the cluster call after call: each must get its answer
    (a copy sent under a content-hash key can be lost while the last call's is released)."""
    p = problem(0, shape=(3, 3, 2), draws=1)
    joint = criteria.joint(p)
    expected = count_packages(p, joint, "enumerate")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as c,
        distributed.Client(c) as client,
    ):
        assert [count_packages(p, joint, "enumerate", client) for _ in range(40)] == [expected] * 40


def test_the_scheduler_option(cluster, small_path, small_fits, monkeypatch):
    """``winset solve --scheduler ADDRESS`` prints what it prints without one (both given the
    session's fits of the small scenario)."""
    local_cluster, _ = cluster
    serve_fits(monkeypatch, small_fits, SMALL_DRAWS, SMALL_SEED)
    runner = CliRunner()
    args = ["solve", str(small_path), "--draws", str(SMALL_DRAWS), "--json", "--method", "search"]
    local = runner.invoke(app, args)
    remote = runner.invoke(app, [*args, "--scheduler", local_cluster.scheduler_address])
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.stdout) == json.loads(local.stdout)
