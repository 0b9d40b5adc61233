"""The proposals board: proposals posted by organisers and negotiators, participants' votes on
them (the current vote and the history of every vote cast), and the results per society: support
with its Wilson interval and the proposal's group-informed consensus.
"""

from __future__ import annotations

from concurrent.futures import Future
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from ...errors import Problem
from ...proportions import wilson
from .. import polis
from ..models import VOTE_VALUES, Consultation, Participant, Proposal, Vote
from .base import ConsultError, StoreBase, digest, found, length_problems
from .vote_writer import VoteWriter

TITLE_LENGTH = 300  # characters of a title typed into the site (imported statements are kept whole)


class Board(StoreBase):
    """Posting proposals, voting on them, and their results."""

    def post_proposal(self, consultation_id: int, party: str, package: str, title: str) -> int:
        space = self.space_of(consultation_id)
        self.check_party(party)
        codes = space.parse(package)
        if problems := length_problems("title", title, TITLE_LENGTH, "titles"):
            raise ConsultError(problems)
        with self.sessions.begin() as session:
            proposal = Proposal(
                consultation_id=consultation_id,
                party=party,
                package=space.format(codes, changes_only=True),
                title=title.strip() or "untitled",
            )
            session.add(proposal)
            session.flush()
            return proposal.id

    def ballot(self, participant_id: int) -> list[dict[str, Any]]:
        """The board as one participant sees it: every proposal of their consultation with their
        current vote (None if they have not voted)."""
        with self.sessions() as session:
            participant = found(session, Participant, participant_id)
            consultation_id = participant.society.consultation_id
            votes = dict(
                session.execute(select(Vote.proposal_id, Vote.value).where(Vote.participant_id == participant_id)).all()
            )
            proposals = session.scalars(
                select(Proposal).where(Proposal.consultation_id == consultation_id).order_by(Proposal.id)
            ).all()
            return [{"id": p.id, "title": p.title, "package": p.package, "vote": votes.get(p.id)} for p in proposals]

    def vote(self, participant_id: int, proposal_id: int, value: int) -> None:
        """Record a vote (1 agree, -1 disagree, 0 pass): it replaces the participant's earlier vote
        on the proposal, and joins the history. Committed when this returns."""
        self.submit_vote(participant_id, proposal_id, value).result()

    def submit_vote(self, participant_id: int, proposal_id: int, value: int, secret: str | None = None) -> Future[None]:
        """Queue a vote for the next group commit (:mod:`.vote_writer`): the future resolves once it
        is committed, or with its error (an unknown proposal, a session ``secret`` that has
        ended, a database that is locked)."""
        self._check_value(value)
        return self._vote_writer.submit(participant_id, proposal_id, value, digest(secret) if secret else None)

    async def cast_vote(self, participant_id: int, proposal_id: int, value: int, secret: str | None = None) -> None:
        """:meth:`submit_vote` from an event loop: returns once the vote is committed, or raises its error."""
        self._check_value(value)
        await self._vote_writer.cast(participant_id, proposal_id, value, digest(secret) if secret else None)

    @staticmethod
    def _check_value(value: int) -> None:
        if value not in VOTE_VALUES:
            raise ConsultError([Problem("vote", f"{value} is not -1, 0 or 1", "vote agree, disagree or pass")])

    @cached_property
    def _vote_writer(self) -> VoteWriter:
        return VoteWriter(self.sessions)

    def results(self, consultation_id: int) -> pd.DataFrame:
        """Per proposal and society: agrees, disagrees, passes, votes, support (share of votes that
        agree) with its 90% Wilson interval, and the proposal's group-informed consensus across
        societies (Polis's formula; each society with participants is a group)."""
        with self.sessions() as session:
            consultation = found(session, Consultation, consultation_id)
            societies = [(s.id, s.ratifier) for s in consultation.societies]
            proposals = [(p.id, p.title, p.package) for p in consultation.proposals]
            counts = session.execute(
                select(Vote.proposal_id, Participant.society_id, Vote.value, func.count())
                .join(Participant, Participant.id == Vote.participant_id)
                .join(Proposal, Proposal.id == Vote.proposal_id)
                .where(Proposal.consultation_id == consultation_id)
                .group_by(Vote.proposal_id, Participant.society_id, Vote.value)
            ).all()
            populated = set(session.scalars(select(Participant.society_id).distinct()))
        tally = {(p, s, v): n for p, s, v, n in counts}
        # agrees, disagrees and passes of each society on each proposal
        cast = {
            (p, s): tuple(tally.get((p, s, v), 0) for v in (1, -1, 0)) for p, _, _ in proposals for s, _ in societies
        }
        groups = [s for s, _ in societies if s in populated]  # as in Polis, a group is a society with participants
        shape = (len(groups), len(proposals))
        agrees = np.array([[cast[p, s][0] for p, _, _ in proposals] for s in groups]).reshape(shape)
        votes = np.array([[sum(cast[p, s]) for p, _, _ in proposals] for s in groups]).reshape(shape)
        consensus = polis.consensus_of_counts(agrees, votes)
        rows = []
        for (proposal_id, title, package), proposal_consensus in zip(proposals, consensus, strict=True):
            for society_id, ratifier in societies:
                agree, disagree, passed = cast[proposal_id, society_id]
                total = agree + disagree + passed
                lower, upper = wilson(agree, total)
                rows.append(
                    {
                        "proposal_id": proposal_id,
                        "proposal": title,
                        "package": package,
                        "society": ratifier,
                        "agree": agree,
                        "disagree": disagree,
                        "pass": passed,
                        "votes": total,
                        "support": agree / total if total else np.nan,
                        "lower": lower,
                        "upper": upper,
                        "consensus": float(proposal_consensus),
                    }
                )
        return pd.DataFrame(rows)
