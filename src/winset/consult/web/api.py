"""The JSON API: participants cast votes, organisers read their consultations' results. Errors
answer as JSON ``{"detail": ...}``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Request, Response
from pydantic import BaseModel

from ...formats import records
from ..store.vote_writer import SessionEnded
from .dependencies import NOT_JOINED, Owned, StoreDep, Voter, site_of
from .forms import VoteIn
from .security import PARTICIPANT_COOKIE

router = APIRouter()


class Acknowledged(BaseModel):
    """A vote committed."""

    ok: bool = True


ACKNOWLEDGED = b'{"ok":true}'  # written once: the answer to every vote that was committed


@router.post("/api/votes", response_model=Acknowledged)
async def api_vote(request: Request, vote_in: Annotated[VoteIn, Body()], who: Voter) -> Response:
    """Cast or change a vote (1 agree, -1 disagree, 0 pass); acknowledged once committed, with the
    votes cast at the same moment in one transaction (group commit): the route waits for its
    commit without holding a thread, and the session is checked again by the writer just before
    the vote is written (a logout in any process takes effect at once: no vote checked after it
    counts)."""
    secret = request.cookies.get(PARTICIPANT_COOKIE)
    try:
        await site_of(request).store.cast_vote(who.id, vote_in.proposal_id, vote_in.value, secret)
    except SessionEnded:
        raise HTTPException(401, NOT_JOINED) from None
    return Response(ACKNOWLEDGED, media_type="application/json")


@router.get("/api/consultations/{consultation_id}/results")
def api_results(consultation_id: Owned, store: StoreDep) -> list[dict]:
    return records(store.results(consultation_id))
