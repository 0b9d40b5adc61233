"""A server killed with SIGKILL under load loses no acknowledged vote.

A real ``winset serve`` on loopback, with one process and with two workers; eight client threads cast votes through the JSON API
(each participant votes once on each proposal, so every acknowledged vote must be in the database
exactly as cast); the server (every process of it) is killed mid-load, restarted on the same database, and the votes the
clients saw acknowledged are compared with what the restarted server's database holds.
"""

import http.client
import json
import os
import signal
import threading
import time

import pytest
from sqlalchemy import select

from winset.consult.database import open_database
from winset.consult.launch import free_port, serve_process
from winset.consult.models import Vote
from winset.consult.store import Store

THREADS = 8
PARTICIPANTS = 200


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("workers", [1, 2])
def test_no_acknowledged_vote_is_lost_when_the_server_is_killed(database_url, workers):
    url = database_url
    store = Store.open(open_database(url), "kuril")
    organiser = store.add_organiser("mediator@example.org", "correct horse battery")
    consultation = store.open_consultation(organiser, "load")
    proposals = list(store.proposals(consultation))
    society = store.societies(consultation)["russian_public"]
    secrets = [store.join_with_token(token).secret for token in store.invite(society, PARTICIPANTS)]
    port = free_port()
    server = serve_process(url, port, workers=workers)
    acknowledged: list[tuple[str, int, int]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def load(share: list[str]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for secret in share:
            for number, proposal in enumerate(proposals):
                if stop.is_set():
                    return
                value = (hash(secret) + number) % 3 - 1
                try:
                    connection.request(
                        "POST",
                        "/api/votes",
                        body=json.dumps({"proposal_id": proposal, "value": value}),
                        headers={"Content-Type": "application/json", "Cookie": f"winset_participant={secret}"},
                    )
                    answer = connection.getresponse()
                    answer.read()
                except (OSError, http.client.HTTPException):
                    return  # the server is gone
                if answer.status == 200:
                    with lock:
                        acknowledged.append((secret, proposal, value))

    threads = [threading.Thread(target=load, args=(secrets[i::THREADS],)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 300 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(server.pid, signal.SIGKILL)  # mid-load, every process at once: requests are in flight
    server.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=20)
    assert len(acknowledged) >= 300, "the load did not get going"

    restarted = serve_process(url, free_port())
    try:
        store = Store.open(open_database(url), "kuril")
        ids = {secret: store.participant(secret).id for secret in secrets}
        with store.sessions() as session:
            stored = {(row.participant_id, row.proposal_id): row.value for row in session.scalars(select(Vote))}
        lost = [(s, p, v) for s, p, v in acknowledged if stored.get((ids[s], p)) != v]
        assert lost == []
        assert len(stored) >= len(acknowledged)
        print(f"acknowledged {len(acknowledged)}, stored {len(stored)} of {PARTICIPANTS * len(proposals)}")
    finally:
        restarted.terminate()
        restarted.wait(timeout=20)
