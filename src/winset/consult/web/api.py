"""The JSON API: participants cast votes, organisers read their consultations' results. Errors
answer as JSON ``{"detail": ...}``.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Body

from ...formats import records
from .dependencies import Owned, StoreDep, Who
from .forms import VoteIn

router = APIRouter()


@router.post("/api/votes")
async def api_vote(vote_in: Annotated[VoteIn, Body()], who: Who, store: StoreDep) -> dict[str, bool]:
    """Cast or change a vote (1 agree, -1 disagree, 0 pass); acknowledged once committed, with the
    votes cast at the same moment in one transaction (group commit): the route waits for its
    commit without holding a thread."""
    await asyncio.wrap_future(store.submit_vote(who.id, vote_in.proposal_id, vote_in.value))
    return {"ok": True}


@router.get("/api/consultations/{consultation_id}/results")
def api_results(consultation_id: Owned, store: StoreDep) -> list[dict]:
    return records(store.results(consultation_id))
