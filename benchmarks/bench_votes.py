"""Votes per second and latency of the consultation site under a bounded load, SQLite against
PostgreSQL, in one run.

For each database a real ``winset serve kuril`` process (one worker) runs on loopback; 200
participants, each on their own connection and thread, cast votes through ``POST /api/votes`` as
fast as answers come back, for ``--seconds`` seconds (each vote committed before it is answered).
The script prints acknowledged votes per second and the latency percentiles, and the ratio of the
two databases. The load generator shares the machine with the server, so the figures are a floor.

    pip install -e '.[web]'
    python benchmarks/bench_votes.py [--participants 200] [--seconds 15]
        [--postgres postgresql+psycopg://USER:PASSWORD@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import http.client
import json
import tempfile
import threading
import time
import uuid

import numpy as np

from winset.consult.database import open_database
from winset.consult.launch import free_port, serve_process
from winset.consult.store import Store


def run(url: str, participants: int, seconds: float) -> dict:
    store = Store.open(open_database(url), "kuril")
    organiser = store.add_organiser(f"{uuid.uuid4().hex}@example.org", "correct horse battery")
    consultation = store.open_consultation(organiser, uuid.uuid4().hex[:12])
    proposals = list(store.proposals(consultation))
    society = store.societies(consultation)["russian_public"]
    secrets = [store.join_with_token(t).secret for t in store.invite(society, participants)]
    port = free_port()
    server = serve_process(url, port)
    latencies: list[list[float]] = [[] for _ in secrets]
    errors = [0]
    start = threading.Barrier(participants + 1)
    stop = threading.Event()

    def participant(index: int, secret: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = latencies[index]
        start.wait()
        n = 0
        while not stop.is_set():
            body = json.dumps({"proposal_id": proposals[n % len(proposals)], "value": n % 3 - 1})
            began = time.perf_counter()
            try:
                connection.request(
                    "POST",
                    "/api/votes",
                    body=body,
                    headers={"Content-Type": "application/json", "Cookie": f"winset_participant={secret}"},
                )
                answer = connection.getresponse()
                answer.read()
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            if answer.status == 200:
                mine.append(time.perf_counter() - began)
            else:
                errors[0] += 1
            n += 1

    threads = [threading.Thread(target=participant, args=(i, s)) for i, s in enumerate(secrets)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    server.terminate()
    server.wait(timeout=30)
    everything = np.concatenate([np.array(x) for x in latencies if x]) * 1000
    return {
        "votes": len(everything),
        "per_second": len(everything) / elapsed,
        "p50": np.percentile(everything, 50),
        "p99": np.percentile(everything, 99),
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--postgres", help="PostgreSQL URL of a server whose database the benchmark may use")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = run(f"sqlite:///{folder}/bench.db", args.participants, args.seconds)
    if args.postgres:
        results["PostgreSQL"] = run(args.postgres, args.participants, args.seconds)
    print(f"{args.participants} concurrent participants, {args.seconds:g} s, one server process on loopback")
    print(f"{'database':>11} {'votes':>8} {'votes/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, r in results.items():
        print(f"{name:>11} {r['votes']:>8,} {r['per_second']:>9.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['errors']:>7}")
    if len(results) == 2:
        ratio = results["PostgreSQL"]["per_second"] / results["SQLite"]["per_second"]
        print(f"PostgreSQL / SQLite throughput: {ratio:.2f}x")


if __name__ == "__main__":
    main()
