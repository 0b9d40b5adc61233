"""The public pages and the participants' routes: joining a society with an invitation code (or an
allowed external id), the proposals board and its votes, and the conjoint survey, each in the
society's language (the join page in the browser's).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ...scenario import Scenario
from .dependencies import ClientAddress, CsrfChecked, Id, SiteDep, StoreDep, Who
from .forms import AnswerForm, CsrfForm, JoinForm, VoteForm
from .security import PARTICIPANT_COOKIE
from .site import redirect

VOTES = {"agree": 1, "disagree": -1, "pass": 0}
PARTICIPANT_SESSION_SECONDS = 90 * 86400

router = APIRouter()


def preferred(request: Request, scenario: Scenario) -> str:
    """The visitor's language among the scenario's, from their browser's Accept-Language."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().split("-")[0].lower()
        if code in scenario.languages:
            return code
    return scenario.languages[0]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, site: SiteDep) -> HTMLResponse:
    return site.render(request, "join.html", preferred(request, site.store.scenario), token="")


@router.get("/join/{token}", response_class=HTMLResponse)
def invitation(request: Request, token: str, site: SiteDep) -> HTMLResponse:
    return site.render(request, "join.html", preferred(request, site.store.scenario), token=token)


@router.get("/societies/{society_id}/join", response_class=HTMLResponse)
def join_by_id_page(request: Request, society_id: Id, site: SiteDep) -> HTMLResponse:
    return site.render(request, "join.html", preferred(request, site.store.scenario), token="", society_id=society_id)


@router.post("/join")
def join(
    request: Request,
    _csrf: CsrfChecked,
    form: Annotated[JoinForm, Form()],
    address: ClientAddress,
    site: SiteDep,
) -> Response:
    language = preferred(request, site.store.scenario)
    attempt = site.joins.attempt(address)
    if attempt is None:
        return site.render(request, "join.html", language, status=429, token="", error="too_many")
    code = form.token.strip()
    if form.society is not None:  # an allow-listed external id
        joined = site.store.join_with_external_id(form.society, code)
    else:
        joined = site.store.join_with_token(code)
    if joined is None:  # the attempt stays counted
        return site.render(request, "join.html", language, status=400, token="", error="join_failed")
    site.joins.forget(attempt)
    response = redirect("/board")
    site.session_cookie(response, PARTICIPANT_COOKIE, joined.secret, "lax", PARTICIPANT_SESSION_SECONDS)
    site.fresh_csrf(response)
    return response


@router.post("/logout")
def participant_logout(
    request: Request, _csrf: CsrfChecked, form: Annotated[CsrfForm, Form()], site: SiteDep
) -> Response:
    """End the participant's session on the server (on a shared computer, say): the cookie opens
    nothing from now on, and a new invitation is needed to come back."""
    return site.logged_out(request, PARTICIPANT_COOKIE, site.store.end_participant_session, "/")


@router.get("/board", response_class=HTMLResponse)
def board(request: Request, who: Who, site: SiteDep, saved: int = 0) -> HTMLResponse:
    labels = site.labels
    ballot = [
        row | {"title": labels.title(row, who.language), "changes": labels.changes(row["package"], who.language)}
        for row in site.store.ballot(who.id)
    ]
    return site.render(request, "board.html", who.language, ballot=ballot, saved=bool(saved), survey=who.survey)


@router.post("/board/{proposal_id}")
def vote(proposal_id: Id, who: Who, _csrf: CsrfChecked, form: Annotated[VoteForm, Form()], store: StoreDep) -> Response:
    if form.vote not in VOTES:
        raise HTTPException(400, "choose support, oppose or unsure")
    store.vote(who.id, proposal_id, VOTES[form.vote])  # committed before the answer
    return redirect("/board?saved=1")


@router.get("/survey", response_class=HTMLResponse)
def survey(request: Request, who: Who, site: SiteDep) -> HTMLResponse:
    scenario = site.store.scenario
    shown = site.store.tasks(who.id)
    answered = site.store.answered(who.id)
    tasks = sorted({t.task for t in shown})
    open_tasks = [t for t in tasks if any((t, s.profile) not in answered for s in shown if s.task == t)]
    if not open_tasks:
        return site.render(request, "survey.html", who.language, done=True, tasks=len(tasks))
    task = open_tasks[0]
    profiles = [s for s in shown if s.task == task]
    order = profiles[0].issue_order.split(",")
    rows = [
        (
            scenario.text(scenario.issue(issue), who.language),
            [site.labels.option(s.package, issue, who.language) for s in profiles],
        )
        for issue in order
    ]
    return site.render(
        request, "survey.html", who.language, done=False, task=task, tasks=len(tasks), profiles=profiles, rows=rows
    )


@router.post("/survey/{task}")
def answer(task: Id, who: Who, _csrf: CsrfChecked, form: Annotated[AnswerForm, Form()], store: StoreDep) -> Response:
    profiles = [s.profile for s in store.tasks(who.id) if s.task == task]
    if not profiles:
        raise HTTPException(404, "no such question")
    if any(form.support(p) not in ("1", "0") for p in profiles):
        raise HTTPException(400, "answer yes or no for every agreement")
    for p in profiles:
        store.answer(who.id, task, p, form.support(p) == "1")
    return redirect("/survey")
