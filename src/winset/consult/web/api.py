"""The JSON API: participants cast votes, organisers read their consultations' results. Errors
answer as JSON ``{"detail": ...}``.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel

from ...formats import records
from ..store.vote_writer import SessionEnded
from .dependencies import NOT_JOINED, Owned, StoreDep, json_body, site_of, voter
from .forms import VoteIn
from .security import PARTICIPANT_COOKIE

router = APIRouter()


class Acknowledged(BaseModel):
    """A vote committed."""

    ok: bool = True


ACKNOWLEDGED = b'{"ok":true}'  # written once: the answer to every vote that was committed


VOTE_BODY = {"required": True, "content": {"application/json": {"schema": VoteIn.model_json_schema()}}}


@router.post("/api/votes", response_model=Acknowledged, openapi_extra={"requestBody": VOTE_BODY})
async def api_vote(request: Request) -> Response:
    """Cast or change a vote (1 agree, -1 disagree, 0 pass); acknowledged once committed, with the
    votes cast at the same moment in one transaction (group commit): the route waits for its
    commit without holding a thread, and the session is checked again by the writer just before
    the vote is written (a logout in any process takes effect at once: no vote checked after it
    counts)."""
    who = await voter(request)
    vote_in = await json_body(request, VoteIn)
    secret = request.cookies.get(PARTICIPANT_COOKIE)
    try:
        await site_of(request).store.cast_vote(who.id, vote_in.proposal_id, vote_in.value, secret)
    except SessionEnded:
        raise HTTPException(401, NOT_JOINED) from None
    return Response(ACKNOWLEDGED, media_type="application/json")


@router.get("/api/consultations/{consultation_id}/results")
def api_results(consultation_id: Owned, store: StoreDep) -> list[dict]:
    return records(store.results(consultation_id))
