"""Consultations: an organiser opens one on the store's scenario, with a society for every
ratifier's public and the scenario's proposals on its board; who owns which.
"""

from __future__ import annotations

from sqlalchemy import select

from ...errors import Problem
from ..models import Consultation, Proposal, Society
from ..tasks import SurveyDesign
from .base import ConsultError, StoreBase, flush_or_refuse, found, length_problems

SLUG_LENGTH = 64  # characters of a consultation's short name (the database keeps no more)


class Consultations(StoreBase):
    """Opening consultations and reading their societies and boards."""

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
        problems = (
            [
                Problem(f"languages.{r}", "no such ratifier in the scenario", "use ratifier ids")
                for r in languages
                if r not in {r.id for _, r in scenario.ratifiers}
            ]
            + [
                Problem(f"languages.{r}", f"the scenario has no labels in '{lang}'", f"use one of {scenario.languages}")
                for r, lang in languages.items()
                if lang not in scenario.languages
            ]
            + length_problems("slug", slug, SLUG_LENGTH, "short names")
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
                **({"survey_repeat": survey.repeat} if survey and survey.repeat else {}),
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
            flush_or_refuse(session, Problem("slug", f"a consultation '{slug}' exists", "choose another name"))
            return consultation.id

    def societies(self, consultation_id: int) -> dict[str, int]:
        """The consultation's societies: society id by ratifier id."""
        with self.sessions() as session:
            return {s.ratifier: s.id for s in found(session, Consultation, consultation_id).societies}

    def proposals(self, consultation_id: int) -> dict[int, str]:
        """The consultation's board: proposal title by proposal id, in the order posted."""
        with self.sessions() as session:
            return {p.id: p.title for p in found(session, Consultation, consultation_id).proposals}

    def consultations(self, organiser_id: int) -> list[tuple[int, str, str]]:
        """An organiser's consultations: (id, slug, title), newest first."""
        with self.sessions() as session:
            rows = session.execute(
                select(Consultation.id, Consultation.slug, Consultation.title)
                .where(Consultation.organiser_id == organiser_id)
                .order_by(Consultation.id.desc())
            ).all()
        return [(i, slug, title) for i, slug, title in rows]

    def owns(self, organiser_id: int, consultation_id: int) -> bool:
        with self.sessions() as session:
            consultation = session.get(Consultation, consultation_id)
            return consultation is not None and consultation.organiser_id == organiser_id
