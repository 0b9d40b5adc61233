"""Votes per second of the consultation site, measured by a load generator in its own process.

For each database a real ``winset serve kuril`` runs on loopback, with one and with several worker
processes. ``wrk`` (Debian's package) holds ``--connections`` connections, each cycling through
real participants' session cookies, and casts votes through ``POST /api/votes``: first for
``--warm-up`` seconds, not measured (every worker has started, every participant has voted once,
as they would have opened the board before), then for ``--seconds`` seconds; then, in the same
run, it asks ``GET /api/health`` as fast as it can, the bare framework's ceiling on this machine.
The script prints votes/s, p50, p99, errors, the votes the database holds afterwards (every
acknowledged vote must be there), and the ratio of the vote path to the health endpoint, which
does not depend on the machine.

    apt-get install wrk
    python benchmarks/bench_site.py [--connections 64] [--seconds 10] [--participants 2000]
        [--workers 1 2] [--postgres postgresql+psycopg://USER:PASSWORD@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import func, select

from winset.consult.database import open_database
from winset.consult.launch import free_port, serve_process
from winset.consult.models import VoteEvent
from winset.consult.store import Store

SCRIPT = """
local cookies = {%(cookies)s}
local proposals = {%(proposals)s}
local threads = 0
function setup(thread)  -- each wrk thread takes its own participants, as each person votes from one place
  thread:set("first", threads)
  threads = threads + 1
end
local counter = 0
request = function()
  counter = counter + 1
  local cookie = cookies[((counter * 2 + first) %% #cookies) + 1]
  local proposal = proposals[(counter %% #proposals) + 1]
  local body = string.format('{"proposal_id": %%d, "value": %%d}', proposal, (counter %% 3) - 1)
  return wrk.format("POST", "/api/votes",
    {["Content-Type"] = "application/json", ["Cookie"] = "winset_participant=" .. cookie}, body)
end
"""


def wrk(url: str, connections: int, seconds: int, script: Path | None = None) -> dict[str, float]:
    """wrk's requests/s, p50 and p99 (ms) and non-2xx answers for ``url``."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    command += ["-s", str(script)] if script else []
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))

    def percentile(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"rate": rate, "total": total, "p50": percentile("50"), "p99": percentile("99"), "errors": errors}


def run(
    url: str, participants: int, connections: int, seconds: int, warm_up: int, workers: int
) -> tuple[dict[str, float], dict[str, float], int]:
    sessions = open_database(url)
    store = Store.open(sessions, "kuril")
    organiser = store.add_organiser(f"{uuid.uuid4().hex}@example.org", "correct horse battery")
    consultation = store.open_consultation(organiser, uuid.uuid4().hex[:12])
    proposals = list(store.proposals(consultation))
    society = store.societies(consultation)["russian_public"]
    cookies = [store.join_with_token(t).secret for t in store.invite(society, participants)]
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "votes.lua"
        script.write_text(
            SCRIPT % {"cookies": ",".join(f'"{c}"' for c in cookies), "proposals": ",".join(str(p) for p in proposals)}
        )
        port = free_port()
        server = serve_process(url, port, workers=workers)
        try:
            warming = wrk(f"http://127.0.0.1:{port}/api/votes", connections, warm_up, script)
            votes = wrk(f"http://127.0.0.1:{port}/api/votes", connections, seconds, script)
            health = wrk(f"http://127.0.0.1:{port}/api/health", connections, seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
    with sessions() as session:  # this run's votes (a PostgreSQL database may hold earlier runs')
        stored = int(session.scalar(select(func.count(VoteEvent.id)).where(VoteEvent.proposal_id.in_(proposals))) or 0)
    votes["acknowledged"] = warming["total"] - warming["errors"] + votes["total"] - votes["errors"]
    return votes, health, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warm-up", type=int, default=3)
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    databases = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
    print(f"{args.connections} connections, {args.seconds} s each after {args.warm_up} s of warm-up, on loopback")
    print(
        f"{'database':>11} {'workers':>7} {'votes/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7} {'stored':>8} "
        f"{'health/s':>9} {'ratio':>6}"
    )
    for name, url in databases:
        for workers in args.workers:
            with tempfile.TemporaryDirectory() as folder:
                votes, health, stored = run(
                    url or f"sqlite:///{folder}/bench.db",
                    args.participants,
                    args.connections,
                    args.seconds,
                    args.warm_up,
                    workers,
                )
            print(
                f"{name:>11} {workers:7d} {votes['rate']:8.0f} {votes['p50']:7.1f} {votes['p99']:7.1f} "
                f"{votes['errors']:7.0f} {stored:8,} {health['rate']:9.0f} {votes['rate'] / health['rate']:6.2f}"
                + (
                    ""
                    if stored >= votes["acknowledged"]
                    else f"  LOST: {votes['acknowledged'] - stored:,.0f} acknowledged votes not stored"
                )
            )


if __name__ == "__main__":
    main()
