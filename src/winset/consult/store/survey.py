"""The conjoint survey: the tasks each participant is shown (drawn once), their answers, and the
answers of a society in the long format ``winset fit`` reads.
"""

from __future__ import annotations

import secrets

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...errors import Problem
from ..models import Answer, Participant, Society, Task, now
from ..tasks import SurveyDesign, assign, long_format
from .base import ConsultError, StoreBase, found, upsert


class Survey(StoreBase):
    """Drawing survey tasks, recording answers, and exporting them."""

    def tasks(self, participant_id: int) -> list[Task]:
        """The participant's survey tasks, drawn on first request and the same ever after."""
        with self.sessions.begin() as session:
            participant = found(session, Participant, participant_id)
            consultation = participant.society.consultation
            shown = list(session.scalars(select(Task).where(Task.participant_id == participant_id).order_by(Task.id)))
            if shown or not consultation.survey_tasks:
                return shown
            space = self.space_of(consultation.id)
            design = SurveyDesign(
                consultation.survey_tasks, consultation.survey_profiles, repeat=consultation.survey_repeat
            )
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
            upsert(
                session,
                Answer,
                ["participant_id", "task", "profile"],
                {
                    "participant_id": participant_id,
                    "task": task,
                    "profile": profile,
                    "support": int(bool(support)),
                    "answered_at": now(),
                },
            )

    def answered(self, participant_id: int) -> dict[tuple[int, int], int]:
        """The participant's answers: support by (task, profile)."""
        with self.sessions() as session:
            rows = session.execute(
                select(Answer.task, Answer.profile, Answer.support).where(Answer.participant_id == participant_id)
            ).all()
        return {(t, p): s for t, p, s in rows}

    def survey_data(self, society_id: int) -> pd.DataFrame:
        """The society's answers in the long format ``winset fit`` reads (answered profiles only;
        respondents by an opaque number)."""
        with self.sessions() as session:
            society = found(session, Society, society_id)
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
            consultation = society.consultation
            repeated = (
                (consultation.survey_tasks + 1, consultation.survey_repeat) if consultation.survey_repeat else None
            )
        space = self.space_of(consultation_id)
        answers = ((f"p{r[0]}", r[1], r[2], space.parse(r[3]), r[4]) for r in rows)
        return long_format(space, answers, repeated)
