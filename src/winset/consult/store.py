"""What a consultation does with its database: organisers, consultations and their societies,
invitations and joining, the proposals board and its votes, the survey, results and exports.

Every write commits before the function returns, so whatever a caller acknowledges is on disk.
Secrets (invitation tokens, participants' session secrets) are returned once and kept only as
SHA-256 hashes; organisers' passwords as argon2 hashes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from scipy.stats import norm
from sqlalchemy import func, select, update
from sqlalchemy import insert as core_insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import Problem, WinsetError
from ..scenario import Scenario, load_scenario
from . import polis
from .credentials import email_problems, normal_email, password_problems
from .design import SurveyDesign, assign, long_format
from .models import (
    VOTE_VALUES,
    AllowedId,
    Answer,
    Consultation,
    Invitation,
    Negotiator,
    Organiser,
    Participant,
    Proposal,
    Society,
    Task,
    Vote,
    VoteEvent,
    now,
)

WILSON_LEVEL = 0.90  # confidence level of the Wilson score interval of a support share
TITLE_LENGTH = 300  # characters of a title typed into the site (imported statements are kept whole)
SLUG_LENGTH = 64  # characters of a consultation's short name (the database keeps no more)
MEMBER_CACHE = 100_000  # participants remembered by session secret
PASSWORDS = PasswordHasher()
_DUMMY_HASH = PASSWORDS.hash("not a password")  # checked when an e-mail is unknown: the same work either way


class ConsultError(WinsetError):
    """A request the consultation cannot carry out (shown to the user as it is)."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Member:
    """A participant as the pages need them."""

    id: int
    society_id: int
    consultation_id: int
    ratifier: str
    language: str
    survey: bool  # the consultation has a survey


@dataclass(frozen=True)
class Joined:
    participant_id: int
    society_id: int
    secret: str  # the participant's session secret: give it to them, it is not stored


class Store:
    """The consultations of one scenario (the one ``winset serve`` was started on)."""

    def __init__(self, sessions: sessionmaker, scenario: Scenario, scenario_text: str):
        self.sessions = sessions
        self.scenario = scenario
        self.scenario_text = scenario_text
        self._members: dict[str, Member] = {}

    @classmethod
    def open(cls, sessions: sessionmaker, scenario_path: str | Path) -> Store:
        """A store for the scenario at ``scenario_path`` (a file, a folder, or a bundled name)."""
        path = _scenario_file(scenario_path)
        return cls(sessions, load_scenario(path), path.read_text(encoding="utf-8"))

    # ------------------------------------------------------------------------------ organisers
    def add_organiser(self, email: str, password: str) -> int:
        problems = email_problems(email) + password_problems(password)
        if problems:
            raise ConsultError(problems)
        with self.sessions.begin() as session:
            organiser = Organiser(email=normal_email(email), password_hash=PASSWORDS.hash(password))
            session.add(organiser)
            try:
                session.flush()
            except IntegrityError:
                raise ConsultError(
                    [Problem("email", "an organiser with this e-mail exists", "log in instead")]
                ) from None
            return organiser.id

    def check_organiser(self, email: str, password: str) -> int | None:
        """The organiser's id if the password is right, else None (as slow either way)."""
        with self.sessions() as session:
            organiser = session.scalar(select(Organiser).where(Organiser.email == normal_email(email)))
        try:
            PASSWORDS.verify(organiser.password_hash if organiser else _DUMMY_HASH, password)
        except VerificationError:
            return None
        return organiser.id if organiser else None

    # --------------------------------------------------------------------------- consultations
    def open_consultation(
        self,
        organiser_id: int,
        slug: str,
        languages: dict[str, str] | None = None,
        survey: SurveyDesign | None = None,
        board: bool = True,
    ) -> int:
        """A consultation of every ratifier's public (one society each, in the language
        ``languages`` gives it, else the scenario's first), with the scenario's proposals on the
        board."""
        scenario = self.scenario
        languages = languages or {}
        problems = [
            Problem(f"languages.{r}", "no such ratifier in the scenario", "use ratifier ids")
            for r in languages
            if r not in {r.id for _, r in scenario.ratifiers}
        ] + [
            Problem(f"languages.{r}", f"the scenario has no labels in '{lang}'", f"use one of {scenario.languages}")
            for r, lang in languages.items()
            if lang not in scenario.languages
        ]
        if len(slug) > SLUG_LENGTH:
            problems.append(
                Problem("slug", f"{len(slug)} characters long", f"keep short names to {SLUG_LENGTH} characters")
            )
        if problems:
            raise ConsultError(problems)
        with self.sessions.begin() as session:
            consultation = Consultation(
                slug=slug,
                title=scenario.text(scenario.scenario.title),
                organiser_id=organiser_id,
                scenario_toml=self.scenario_text,
                survey_tasks=survey.tasks if survey else 0,
                survey_profiles=survey.profiles if survey else 2,
                board=board,
            )
            session.add(consultation)
            for party, ratifier in scenario.ratifiers:
                session.add(
                    Society(
                        consultation=consultation,
                        ratifier=ratifier.id,
                        party=party.id,
                        language=languages.get(ratifier.id, scenario.languages[0]),
                    )
                )
            if board:
                for proposal in scenario.proposals:
                    session.add(
                        Proposal(
                            consultation=consultation, party="", package=proposal.package, title=scenario.text(proposal)
                        )
                    )
            try:
                session.flush()
            except IntegrityError:
                raise ConsultError(
                    [Problem("slug", f"a consultation '{slug}' exists", "choose another name")]
                ) from None
            return consultation.id

    def societies(self, consultation_id: int) -> dict[str, int]:
        """The consultation's societies: society id by ratifier id."""
        with self.sessions() as session:
            return {s.ratifier: s.id for s in session.get(Consultation, consultation_id).societies}

    def proposals(self, consultation_id: int) -> dict[int, str]:
        """The consultation's board: proposal title by proposal id, in the order posted."""
        with self.sessions() as session:
            return {p.id: p.title for p in session.get(Consultation, consultation_id).proposals}

    # ---------------------------------------------------------------------------------- joining
    def invite(self, society_id: int, count: int) -> list[str]:
        """``count`` single-use invitation tokens (returned once, stored hashed)."""
        tokens = [secrets.token_urlsafe(24) for _ in range(count)]
        with self.sessions.begin() as session:
            session.add_all(Invitation(society_id=society_id, token_hash=digest(t)) for t in tokens)
        return tokens

    def allow(self, society_id: int, external_ids: list[str]) -> None:
        with self.sessions.begin() as session:
            known = set(session.scalars(select(AllowedId.id_hash).where(AllowedId.society_id == society_id)))
            for xid in dict.fromkeys(external_ids):
                if digest(xid) not in known:
                    session.add(AllowedId(society_id=society_id, id_hash=digest(xid)))

    def join_with_token(self, token: str) -> Joined | None:
        """Join the invitation's society; None if the token is unknown or already used. Two
        concurrent uses of one token: exactly one joins (the claim is one conditional UPDATE)."""
        with self.sessions.begin() as session:
            invitation = session.scalar(select(Invitation).where(Invitation.token_hash == digest(token)))
            if invitation is None or invitation.used_at is not None:
                return None
            joined, participant = _new_participant(session, invitation.society_id)
            claimed = session.execute(
                update(Invitation)
                .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
                .values(used_at=now(), participant_id=participant.id)
            )
            if claimed.rowcount != 1:
                session.rollback()
                return None
            return joined

    def join_with_external_id(self, society_id: int, external_id: str) -> Joined | None:
        """Join as the holder of an allowed external id; None if it is not allowed or has joined."""
        with self.sessions.begin() as session:
            allowed = session.scalar(
                select(AllowedId).where(AllowedId.society_id == society_id, AllowedId.id_hash == digest(external_id))
            )
            if allowed is None or allowed.participant_id is not None:
                return None
            joined, participant = _new_participant(session, society_id)
            claimed = session.execute(
                update(AllowedId)
                .where(AllowedId.id == allowed.id, AllowedId.participant_id.is_(None))
                .values(participant_id=participant.id)
            )
            if claimed.rowcount != 1:
                session.rollback()
                return None
            return joined

    def participant(self, secret: str) -> Member | None:
        """Who holds a session secret: None for an unknown one. (Participants never change
        society, so the answer is remembered.)"""
        key = digest(secret)
        if key in self._members:
            return self._members[key]
        member = self._member(key)
        if member is not None:
            if len(self._members) >= MEMBER_CACHE:
                self._members.clear()
            self._members[key] = member
        return member

    def _member(self, key: str) -> Member | None:
        with self.sessions() as session:
            participant = session.scalar(select(Participant).where(Participant.session_hash == key))
            if participant is None:
                return None
            society = participant.society
            return Member(
                participant.id,
                society.id,
                society.consultation_id,
                society.ratifier,
                society.language,
                society.consultation.survey_tasks > 0,
            )

    def consultations(self, organiser_id: int) -> list[tuple[int, str, str]]:
        """An organiser's consultations: (id, slug, title), newest first."""
        with self.sessions() as session:
            rows = session.execute(
                select(Consultation.id, Consultation.slug, Consultation.title)
                .where(Consultation.organiser_id == organiser_id)
                .order_by(Consultation.id.desc())
            ).all()
        return [tuple(row) for row in rows]

    def owns(self, organiser_id: int, consultation_id: int) -> bool:
        with self.sessions() as session:
            consultation = session.get(Consultation, consultation_id)
            return consultation is not None and consultation.organiser_id == organiser_id

    def ballot(self, participant_id: int) -> list[dict]:
        """The board as one participant sees it: every proposal of their consultation with their
        current vote (None if they have not voted)."""
        with self.sessions() as session:
            participant = session.get(Participant, participant_id)
            consultation_id = participant.society.consultation_id
            votes = dict(
                session.execute(select(Vote.proposal_id, Vote.value).where(Vote.participant_id == participant_id)).all()
            )
            proposals = session.scalars(
                select(Proposal).where(Proposal.consultation_id == consultation_id).order_by(Proposal.id)
            ).all()
            return [{"id": p.id, "title": p.title, "package": p.package, "vote": votes.get(p.id)} for p in proposals]

    def answered(self, participant_id: int) -> dict[tuple[int, int], int]:
        """The participant's answers: support by (task, profile)."""
        with self.sessions() as session:
            rows = session.execute(
                select(Answer.task, Answer.profile, Answer.support).where(Answer.participant_id == participant_id)
            ).all()
        return {(t, p): s for t, p, s in rows}

    # ------------------------------------------------------------------------------ negotiators
    def invite_negotiator(self, consultation_id: int, party: str) -> str:
        """A single-use invitation for one of ``party``'s negotiators (returned once, kept hashed)."""
        if party not in {p.id for p in self.scenario.parties}:
            raise ConsultError([Problem("party", f"no party {party!r} in the scenario", "use a party id")])
        token = secrets.token_urlsafe(24)
        with self.sessions.begin() as session:
            session.add(Negotiator(consultation_id=consultation_id, party=party, token_hash=digest(token)))
        return token

    def join_negotiator(self, token: str) -> str | None:
        """The negotiator's session secret, or None for an unknown or used invitation."""
        secret = secrets.token_urlsafe(32)
        with self.sessions.begin() as session:
            claimed = session.execute(
                update(Negotiator)
                .where(Negotiator.token_hash == digest(token), Negotiator.session_hash.is_(None))
                .values(session_hash=digest(secret), joined_at=now())
            )
            return secret if claimed.rowcount == 1 else None

    def negotiator(self, secret: str) -> tuple[int, int, str] | None:
        """(negotiator id, consultation id, party) of a session secret, or None."""
        with self.sessions() as session:
            row = session.execute(
                select(Negotiator.id, Negotiator.consultation_id, Negotiator.party).where(
                    Negotiator.session_hash == digest(secret)
                )
            ).first()
        return tuple(row) if row else None

    # ---------------------------------------------------------------------------------- the board
    def post_proposal(self, consultation_id: int, party: str, package: str, title: str) -> int:
        scenario = self.scenario
        space = self.space_of(consultation_id)
        if party not in {p.id for p in scenario.parties}:
            raise ConsultError([Problem("party", f"no party {party!r} in the scenario", "use a party id")])
        codes = space.parse(package)
        if len(title) > TITLE_LENGTH:
            raise ConsultError(
                [Problem("title", f"{len(title)} characters long", f"keep titles to {TITLE_LENGTH} characters")]
            )
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

    def vote(self, participant_id: int, proposal_id: int, value: int) -> None:
        """Record a vote (1 agree, -1 disagree, 0 pass): it replaces the participant's earlier vote
        on the proposal, and joins the history. Committed when this returns."""
        if value not in VOTE_VALUES:
            raise ConsultError([Problem("vote", f"{value} is not -1, 0 or 1", "vote agree, disagree or pass")])
        with self.sessions.begin() as session:
            same_consultation = session.scalar(
                select(func.count())
                .select_from(Proposal)
                .join(Society, Society.consultation_id == Proposal.consultation_id)
                .join(Participant, Participant.society_id == Society.id)
                .where(Proposal.id == proposal_id, Participant.id == participant_id)
            )
            if not same_consultation:
                raise ConsultError([Problem("proposal", "no such proposal in your consultation", "vote on its board")])
            insert = _upsert_insert(session)
            statement = insert(Vote).values(
                proposal_id=proposal_id, participant_id=participant_id, value=value, updated_at=now()
            )
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["proposal_id", "participant_id"],
                    set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
                )
            )
            session.execute(
                insert(VoteEvent).values(
                    proposal_id=proposal_id, participant_id=participant_id, value=value, cast_at=now()
                )
            )

    def results(self, consultation_id: int) -> pd.DataFrame:
        """Per proposal and society: agrees, disagrees, passes, votes, support (share of votes that
        agree) with its 90% Wilson interval, and the proposal's group-informed consensus across
        societies (Polis's formula; each society with participants is a group)."""
        with self.sessions() as session:
            consultation = session.get(Consultation, consultation_id)
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

    def import_polis(self, consultation_id: int, folder: str | Path, groups: dict[int, str]) -> int:
        """Bring a Polis export into a consultation: its statements join the board (as statements,
        without a package), each participant Polis put in opinion group g joins the society of
        ratifier ``groups[g]`` (participants in no mapped group are left out), and every vote of
        the log is replayed in order. Returns the number of participants imported."""
        conversation = polis.read_export(folder)
        societies = self.societies(consultation_id)
        unknown = sorted({r for r in groups.values() if r not in societies})
        if unknown:
            raise ConsultError(
                [
                    Problem(
                        "groups",
                        f"no society of ratifier {unknown[0]!r} in the consultation",
                        f"use one of {sorted(societies)}",
                    )
                ]
            )
        members = {
            voter: societies[groups[int(group)]]
            for voter, group in conversation.groups.dropna().items()
            if int(group) in groups
        }
        log = conversation.votes.sort_values("timestamp", kind="stable")
        log = log[log["voter-id"].isin(members)]
        with self.sessions.begin() as session:
            statements = {
                row["comment-id"]: Proposal(
                    consultation_id=consultation_id,
                    party="",
                    package=None,
                    title=_statement(row.get("comment-body")),
                )
                for row in conversation.comments.to_dict(orient="records")
            }
            session.add_all(statements.values())
            people = {  # imported people cannot log in: their secrets are thrown away
                voter: Participant(society_id=society, session_hash=digest(secrets.token_urlsafe(32)))
                for voter, society in members.items()
            }
            session.add_all(people.values())
            session.flush()
            current: dict[tuple[int, int], int] = {}
            events = []
            for voter, comment, value in zip(log["voter-id"], log["comment-id"], log["vote"], strict=True):
                key = (statements[comment].id, people[voter].id)
                current[key] = int(value)
                events.append({"proposal_id": key[0], "participant_id": key[1], "value": int(value), "cast_at": now()})
            if events:
                session.execute(core_insert(VoteEvent), events)
                session.execute(
                    core_insert(Vote),
                    [
                        {"proposal_id": p, "participant_id": q, "value": v, "updated_at": now()}
                        for (p, q), v in current.items()
                    ],
                )
        return len(members)

    def conversation(self, consultation_id: int) -> polis.Conversation:
        """The board as a Polis conversation: proposals as statements, each society as a group."""
        with self.sessions() as session:
            consultation = session.get(Consultation, consultation_id)
            society_index = {s.id: i for i, s in enumerate(consultation.societies)}
            proposals = consultation.proposals
            comments = pd.DataFrame(
                {
                    "timestamp": [_millis(p.created_at) for p in proposals],
                    "comment-id": [p.id for p in proposals],
                    "author-id": -1,
                    "moderated": 1,
                    "comment-body": [p.title if p.package is None else f"{p.title}: {p.package}" for p in proposals],
                }
            )
            events = session.execute(
                select(
                    VoteEvent.cast_at, VoteEvent.id, VoteEvent.proposal_id, VoteEvent.participant_id, VoteEvent.value
                )
                .join(Proposal, Proposal.id == VoteEvent.proposal_id)
                .where(Proposal.consultation_id == consultation_id)
                .order_by(VoteEvent.id)
            ).all()
            members = session.execute(
                select(Participant.id, Participant.society_id).where(Participant.society_id.in_(list(society_index)))
            ).all()
        votes = pd.DataFrame(
            {
                "timestamp": [_millis(e.cast_at) * 1000 + e.id % 1000 for e in events],  # ordered as cast
                "comment-id": [e.proposal_id for e in events],
                "voter-id": [e.participant_id for e in events],
                "vote": [e.value for e in events],
            }
        )
        groups = pd.Series({pid: float(society_index[sid]) for pid, sid in members}, dtype=float)
        return polis.Conversation(comments, votes, groups)

    # ---------------------------------------------------------------------------------- the survey
    def tasks(self, participant_id: int) -> list[Task]:
        """The participant's survey tasks, drawn on first request and the same ever after."""
        with self.sessions.begin() as session:
            participant = session.get(Participant, participant_id)
            consultation = participant.society.consultation
            shown = list(session.scalars(select(Task).where(Task.participant_id == participant_id).order_by(Task.id)))
            if shown or not consultation.survey_tasks:
                return shown
            space = self.space_of(consultation.id)
            design = SurveyDesign(consultation.survey_tasks, consultation.survey_profiles)
            drawn = assign(space, design, np.random.default_rng(secrets.randbits(64)))
            order = ",".join(space.issue_ids[k] for k in drawn.order)
            shown = [
                Task(
                    participant_id=participant_id,
                    task=t,
                    profile=p,
                    package=space.format(codes),
                    issue_order=order,
                )
                for t, task in enumerate(drawn.packages, start=1)
                for p, codes in enumerate(task, start=1)
            ]
            session.add_all(shown)
            try:
                session.flush()
            except IntegrityError:  # drawn twice at once: keep the first
                session.rollback()
                return self.tasks(participant_id)
            return shown

    def answer(self, participant_id: int, task: int, profile: int, support: bool) -> None:
        """Record (or change) an answer to a profile the participant was shown."""
        with self.sessions.begin() as session:
            shown = session.scalar(
                select(Task).where(Task.participant_id == participant_id, Task.task == task, Task.profile == profile)
            )
            if shown is None:
                raise ConsultError(
                    [Problem("answer", f"task {task}, profile {profile} was not shown to you", "answer your own tasks")]
                )
            insert = _upsert_insert(session)
            statement = insert(Answer).values(
                participant_id=participant_id, task=task, profile=profile, support=int(bool(support)), answered_at=now()
            )
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["participant_id", "task", "profile"],
                    set_={"support": statement.excluded.support, "answered_at": statement.excluded.answered_at},
                )
            )

    def survey_data(self, society_id: int) -> pd.DataFrame:
        """The society's answers in the long format ``winset fit`` reads (answered profiles only;
        respondents by an opaque number)."""
        with self.sessions() as session:
            society = session.get(Society, society_id)
            rows = session.execute(
                select(Answer.participant_id, Answer.task, Answer.profile, Task.package, Answer.support)
                .join(
                    Task,
                    (Task.participant_id == Answer.participant_id)
                    & (Task.task == Answer.task)
                    & (Task.profile == Answer.profile),
                )
                .join(Participant, Participant.id == Answer.participant_id)
                .where(Participant.society_id == society_id)
                .order_by(Answer.participant_id, Answer.task, Answer.profile)
            ).all()
            consultation_id = society.consultation_id
        space = self.space_of(consultation_id)
        return long_format(space, ((f"p{r[0]}", r[1], r[2], space.parse(r[3]), r[4]) for r in rows))

    # ---------------------------------------------------------------------------------- helpers
    def space_of(self, consultation_id: int):
        """The package space of a consultation: the store's scenario, if the consultation was
        opened on this very scenario file."""
        with self.sessions() as session:
            text = session.get(Consultation, consultation_id).scenario_toml
        if text != self.scenario_text:
            raise ConsultError(
                [
                    Problem(
                        f"consultation {consultation_id}",
                        "was opened on another version of the scenario file",
                        "serve the scenario file the consultation was opened on",
                    )
                ]
            )
        return self.scenario.space


def _upsert_insert(session: Session):
    """The dialect's INSERT, which knows ON CONFLICT DO UPDATE (SQLite and PostgreSQL)."""
    return postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert


def _statement(text) -> str:
    """A Polis statement as the board shows it: its whole text, however long (Polis caps what is
    typed into it, but older and other deployments' exports carry longer statements)."""
    return "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)


def _new_participant(session: Session, society_id: int) -> tuple[Joined, Participant]:
    secret = secrets.token_urlsafe(32)
    participant = Participant(society_id=society_id, session_hash=digest(secret))
    session.add(participant)
    session.flush()
    return Joined(participant.id, society_id, secret), participant


def _scenario_file(path: str | Path) -> Path:
    from ..scenarios import BUNDLED, bundled_path

    path = Path(path)
    if not path.exists() and str(path) in BUNDLED:
        return bundled_path(str(path))
    return path / "scenario.toml" if path.is_dir() else path


def _millis(moment) -> int:
    return int(moment.timestamp() * 1000)


def wilson(successes: int, trials: int, level: float = WILSON_LEVEL) -> tuple[float, float]:
    """Wilson score interval of a share (NaN, NaN with no trials)."""
    if trials == 0:
        return float("nan"), float("nan")
    z = norm.ppf(0.5 + level / 2)
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * np.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))
