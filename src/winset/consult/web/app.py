"""The consultation site: server-rendered pages (plain HTML forms, no script needed) for
participants and organisers, and a small JSON API.

Participants join a society with an invitation code (or an allowed external id), then vote on the
proposals board and answer the conjoint survey, in their society's language. Organisers log in,
open consultations of the scenario the server runs, invite participants, post proposals, watch
each society's support and export the data (the survey in ``winset fit``'s format, the votes in
Polis's).
"""

import io
import secrets
import tempfile
import zipfile
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import Body, Depends, FastAPI, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, Field

from ...errors import WinsetError
from ..design import SurveyDesign
from ..polis import FILES as POLIS_FILES
from ..polis import write_export
from ..store import Member, Store
from .security import (
    CSRF_COOKIE,
    NEGOTIATOR_COOKIE,
    ORGANISER_COOKIE,
    PARTICIPANT_COOKIE,
    SESSION_SECONDS,
    Guard,
    GuessLimit,
    Signer,
    new_csrf_cookie,
)
from .text import words

VOTES = {"agree": 1, "disagree": -1, "pass": 0}
MAX_ID = 2**31 - 1  # ids the databases store (a larger number in a URL names nothing)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class VoteIn(BaseModel):
    proposal_id: int = Field(ge=1, le=MAX_ID)
    value: int = Field(ge=-1, le=1)


def create_app(store: Store, secret_key: bytes | None = None, secure_cookies: bool = False) -> FastAPI:
    """The site for ``store``; ``secret_key`` signs organiser sessions and CSRF tokens (random
    when not given: organisers log in again after a restart; participants keep their sessions)."""
    app = FastAPI(title="winset consultation", docs_url=None, redoc_url=None)
    app.add_middleware(Guard)
    signer = Signer(secret_key or secrets.token_bytes(32))
    guesses = GuessLimit()
    pages = Environment(loader=PackageLoader(__package__, "templates"), autoescape=select_autoescape(default=True))
    scenario = store.scenario

    # ------------------------------------------------------------------------- helpers
    def render(request: Request, name: str, language: str = "en", status: int = 200, **context) -> HTMLResponse:
        cookie = request.cookies.get(CSRF_COOKIE) or new_csrf_cookie()
        body = pages.get_template(name).render(
            csrf=signer.csrf_token(cookie), w=words(language), lang=language, scenario=scenario, **context
        )
        response = HTMLResponse(body, status_code=status)
        if CSRF_COOKIE not in request.cookies:
            response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="strict", secure=secure_cookies)
        return response

    async def checked_form(request: Request) -> dict:
        """The form of a POST, refused unless its CSRF token matches the visitor's cookie."""
        form = await request.form()
        if not signer.csrf_ok(request.cookies.get(CSRF_COOKIE), form.get("csrf")):
            raise HTTPException(403, "the form has expired or did not come from this site: reload the page")
        return dict(form)

    def member(request: Request) -> Member:
        secret = request.cookies.get(PARTICIPANT_COOKIE)
        found = store.participant(secret) if secret else None
        if found is None:
            raise HTTPException(401, "join the consultation with your invitation code first")
        return found

    def organiser(request: Request) -> int:
        found = signer.organiser_of(request.cookies.get(ORGANISER_COOKIE))
        if found is None:
            raise HTTPException(401, "log in as an organiser")
        return found

    OrganiserId = Annotated[int, Depends(organiser)]

    def owned(consultation_id: Id, organiser_id: OrganiserId) -> int:
        if not store.owns(organiser_id, consultation_id):
            raise HTTPException(404, "no such consultation")
        return consultation_id

    Who = Annotated[Member, Depends(member)]
    Owned = Annotated[int, Depends(owned)]

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def redirect(url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, error: HTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": error.detail}, status_code=error.status_code)
        if error.status_code == 401 and request.url.path.startswith("/organiser"):
            return redirect("/organiser/login")
        return render(request, "message.html", status=error.status_code, message=error.detail)

    @app.exception_handler(WinsetError)
    async def _user_error(request: Request, error: WinsetError):  # a refused request: say why
        text = "; ".join(f"{p.location}: {p.message} ({p.fix})" for p in error.problems)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": text}, status_code=400)
        return render(request, "message.html", status=400, message=text)

    # ------------------------------------------------------------------------- participants
    def preferred(request: Request) -> str:
        """The visitor's language among the scenario's, from their browser's Accept-Language."""
        for part in request.headers.get("accept-language", "").split(","):
            code = part.split(";")[0].strip().split("-")[0].lower()
            if code in scenario.languages:
                return code
        return scenario.languages[0]

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request):
        return render(request, "join.html", preferred(request), token="")

    @app.get("/join/{token}", response_class=HTMLResponse)
    def invitation(request: Request, token: str):
        return render(request, "join.html", preferred(request), token=token)

    @app.get("/societies/{society_id}/join", response_class=HTMLResponse)
    def join_by_id_page(request: Request, society_id: Id):
        return render(request, "join.html", preferred(request), token="", society_id=society_id)

    @app.post("/join")
    async def join(request: Request):
        form = await checked_form(request)
        address = client(request)
        society = str(form.get("society", ""))
        if guesses.blocked(address):
            return render(request, "join.html", preferred(request), status=429, token="", error="too_many")
        code = str(form.get("token", "")).strip()
        if society.isdigit() and 1 <= int(society) <= MAX_ID:  # an allow-listed external id
            joined = store.join_with_external_id(int(society), code)
        else:
            joined = store.join_with_token(code)
        if joined is None:
            guesses.failed(address)
            return render(request, "join.html", preferred(request), status=400, token="", error="join_failed")
        response = redirect("/board")
        response.set_cookie(
            PARTICIPANT_COOKIE, joined.secret, httponly=True, samesite="lax", secure=secure_cookies, max_age=90 * 86400
        )
        return response

    @app.get("/board", response_class=HTMLResponse)
    def board(request: Request, who: Who, saved: int = 0):
        ballot = [
            row | {"title": _title(row, who.language), "changes": _changes(row["package"], who.language)}
            for row in store.ballot(who.id)
        ]
        return render(request, "board.html", who.language, ballot=ballot, saved=bool(saved), survey=who.survey)

    @app.post("/board/{proposal_id}")
    async def vote(request: Request, proposal_id: Id, who: Who):
        form = await checked_form(request)
        if form.get("vote") not in VOTES:
            raise HTTPException(400, "choose support, oppose or unsure")
        store.vote(who.id, proposal_id, VOTES[form["vote"]])  # committed before the answer
        return redirect("/board?saved=1")

    @app.get("/survey", response_class=HTMLResponse)
    def survey(request: Request, who: Who):
        shown = store.tasks(who.id)
        answered = store.answered(who.id)
        tasks = sorted({t.task for t in shown})
        open_tasks = [t for t in tasks if any((t, s.profile) not in answered for s in shown if s.task == t)]
        if not open_tasks:
            return render(request, "survey.html", who.language, done=True, tasks=len(tasks))
        task = open_tasks[0]
        profiles = [s for s in shown if s.task == task]
        order = profiles[0].issue_order.split(",")
        rows = [
            (
                scenario.text(scenario.issue(issue), who.language),
                [_option(s.package, issue, who.language) for s in profiles],
            )
            for issue in order
        ]
        return render(
            request, "survey.html", who.language, done=False, task=task, tasks=len(tasks), profiles=profiles, rows=rows
        )

    @app.post("/survey/{task}")
    async def answer(request: Request, task: Id, who: Who):
        form = await checked_form(request)
        profiles = [s.profile for s in store.tasks(who.id) if s.task == task]
        if not profiles:
            raise HTTPException(404, "no such question")
        missing = [p for p in profiles if form.get(f"profile{p}") not in ("1", "0")]
        if missing:
            raise HTTPException(400, "answer yes or no for every agreement")
        for p in profiles:
            store.answer(who.id, task, p, form[f"profile{p}"] == "1")
        return redirect("/survey")

    # the scenario's own proposals, by (package, title), to show their labels in every language
    scenario_proposals = {(scenario.space.parse(p.package), scenario.text(p)): p for p in scenario.proposals}

    def _title(row: dict, language: str) -> str:
        if row["package"] is None:  # a statement imported from Polis
            return row["title"]
        known = scenario_proposals.get((scenario.space.parse(row["package"]), row["title"]))
        return scenario.text(known, language) if known else row["title"]

    def _changes(package: str | None, language: str) -> list[tuple[str, str]]:
        if package is None:
            return []
        codes = scenario.space.parse(package)
        return [
            (scenario.text(issue, language), scenario.text(issue.options[c], language))
            for issue, c, sq in zip(scenario.issues, codes, scenario.space.status_quo, strict=True)
            if c != sq
        ]

    def _option(package: str, issue_id: str, language: str) -> str:
        option = scenario.space.ids_of(scenario.space.parse(package))[issue_id]
        return scenario.option_text(issue_id, option, language)

    # ------------------------------------------------------------------------- organisers
    @app.get("/organiser/login", response_class=HTMLResponse)
    def login_page(request: Request):
        return render(request, "login.html")

    @app.post("/organiser/login")
    async def login(request: Request):
        form = await checked_form(request)
        address = client(request)
        if guesses.blocked(address):
            return render(request, "login.html", status=429, error="Too many attempts: wait a minute.")
        found = store.check_organiser(str(form.get("email", "")), str(form.get("password", "")))
        if found is None:
            guesses.failed(address)
            return render(request, "login.html", status=400, error="Wrong e-mail or password.")
        response = redirect("/organiser")
        response.set_cookie(
            ORGANISER_COOKIE,
            signer.organiser_cookie(found),
            httponly=True,
            samesite="strict",
            secure=secure_cookies,
            max_age=SESSION_SECONDS,
        )
        return response

    @app.post("/organiser/logout")
    async def logout(request: Request):
        await checked_form(request)
        response = redirect("/organiser/login")
        response.delete_cookie(ORGANISER_COOKIE)
        return response

    @app.get("/organiser", response_class=HTMLResponse)
    def dashboard(request: Request, organiser_id: OrganiserId):
        return render(request, "organiser.html", consultations=store.consultations(organiser_id))

    @app.post("/organiser/consultations")
    async def open_consultation(request: Request, organiser_id: OrganiserId):
        form = await checked_form(request)
        tasks = int(form.get("tasks") or 0)
        languages = {r.id: form[f"language_{r.id}"] for _, r in scenario.ratifiers if form.get(f"language_{r.id}")}
        consultation = store.open_consultation(
            organiser_id,
            str(form.get("slug", "")).strip() or secrets.token_hex(4),
            languages=languages,
            survey=SurveyDesign(tasks, int(form.get("profiles") or 2)) if tasks else None,
            board=form.get("board") == "on",
        )
        return redirect(f"/organiser/consultations/{consultation}")

    @app.get("/organiser/consultations/{consultation_id}", response_class=HTMLResponse)
    def consultation_page(request: Request, consultation_id: Owned):
        results = store.results(consultation_id)
        return render(
            request,
            "consultation.html",
            consultation_id=consultation_id,
            societies=store.societies(consultation_id),
            results=results.to_dict(orient="records"),
            parties=[p.id for p in scenario.parties],
        )

    @app.post(
        "/organiser/consultations/{consultation_id}/societies/{society_id}/invitations", response_class=HTMLResponse
    )
    async def invite(request: Request, society_id: Id, consultation_id: Owned):
        form = await checked_form(request)
        _check_society(consultation_id, society_id)
        count = int(form.get("count") or 0)
        if not 1 <= count <= 10_000:
            raise HTTPException(400, "invite between 1 and 10,000 people at a time")
        tokens = store.invite(society_id, count)
        base = str(request.base_url).rstrip("/")
        return render(
            request, "invitations.html", consultation_id=consultation_id, links=[f"{base}/join/{t}" for t in tokens]
        )

    @app.post("/organiser/consultations/{consultation_id}/societies/{society_id}/allow")
    async def allow(request: Request, society_id: Id, consultation_id: Owned):
        form = await checked_form(request)
        _check_society(consultation_id, society_id)
        store.allow(society_id, [line.strip() for line in str(form.get("ids", "")).splitlines() if line.strip()])
        return redirect(f"/organiser/consultations/{consultation_id}")

    @app.post("/organiser/consultations/{consultation_id}/proposals")
    async def post_proposal(request: Request, consultation_id: Owned):
        form = await checked_form(request)
        store.post_proposal(
            consultation_id, str(form.get("party", "")), str(form.get("package", "")), str(form.get("title", ""))
        )
        return redirect(f"/organiser/consultations/{consultation_id}")

    @app.get("/organiser/consultations/{consultation_id}/societies/{society_id}/survey.csv")
    def survey_csv(society_id: Id, consultation_id: Owned):
        _check_society(consultation_id, society_id)
        frame = store.survey_data(society_id)
        return Response(
            frame.to_csv(index=False),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="survey-{society_id}.csv"'},
        )

    @app.post("/organiser/consultations/{consultation_id}/polis")
    async def polis_import(request: Request, consultation_id: Owned):
        """Import a Polis export (the zip Polis or this site makes) with its opinion groups mapped
        to societies ("0=russian_public, 1=japanese_public")."""
        form = await checked_form(request)
        upload = form.get("export")
        if upload is None or not hasattr(upload, "read"):
            raise HTTPException(400, "choose the zip of a Polis export")
        groups = _groups(str(form.get("groups", "")))
        data = await upload.read()
        with tempfile.TemporaryDirectory() as folder:
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    names = {FilePath(n).name: n for n in archive.namelist()}
                    for wanted in POLIS_FILES:
                        if wanted in names:  # by exact file name: no path inside the zip is followed
                            (FilePath(folder) / wanted).write_bytes(archive.read(names[wanted]))
            except zipfile.BadZipFile:
                raise HTTPException(400, "the file is not a zip archive") from None
            store.import_polis(consultation_id, folder, groups)
        return redirect(f"/organiser/consultations/{consultation_id}")

    def _groups(text: str) -> dict[int, str]:
        groups = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            group, _, ratifier = item.partition("=")
            if not group.strip().isdigit() or not ratifier.strip():
                raise HTTPException(400, f"'{item}' is not group=ratifier, e.g. 0=russian_public")
            groups[int(group)] = ratifier.strip()
        if not groups:
            raise HTTPException(400, "map at least one opinion group to a society, e.g. 0=russian_public")
        return groups

    @app.get("/organiser/consultations/{consultation_id}/polis.zip")
    def polis_zip(consultation_id: Owned):
        buffer = io.BytesIO()
        with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w") as archive:
            write_export(store.conversation(consultation_id), folder)
            for path in sorted(FilePath(folder).iterdir()):
                archive.write(path, path.name)
        return Response(
            buffer.getvalue(),
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="polis-{consultation_id}.zip"'},
        )

    def _check_society(consultation_id: int, society_id: int) -> None:
        if society_id not in store.societies(consultation_id).values():
            raise HTTPException(404, "no such society in this consultation")

    # ------------------------------------------------------------------------- negotiators
    def negotiator(request: Request) -> tuple[int, int, str]:
        secret = request.cookies.get(NEGOTIATOR_COOKIE)
        found = store.negotiator(secret) if secret else None
        if found is None:
            raise HTTPException(401, "open your negotiator's invitation link first")
        return found

    Negotiator = Annotated[tuple[int, int, str], Depends(negotiator)]

    @app.post("/organiser/consultations/{consultation_id}/negotiators", response_class=HTMLResponse)
    async def invite_negotiator(request: Request, consultation_id: Owned):
        form = await checked_form(request)
        token = store.invite_negotiator(consultation_id, str(form.get("party", "")))
        base = str(request.base_url).rstrip("/")
        return render(request, "invitations.html", consultation_id=consultation_id, links=[f"{base}/negotiate/{token}"])

    @app.get("/negotiate/{token}", response_class=HTMLResponse)
    def negotiator_invitation(request: Request, token: str):
        return render(request, "negotiate.html", token=token)

    @app.post("/negotiate")
    async def negotiator_join(request: Request):
        form = await checked_form(request)
        address = client(request)
        if guesses.blocked(address):
            return render(request, "negotiate.html", status=429, token="", error="Too many attempts: wait a minute.")
        secret = store.join_negotiator(str(form.get("token", "")).strip())
        if secret is None:
            guesses.failed(address)
            return render(
                request, "negotiate.html", status=400, token="", error="This invitation is not valid or has been used."
            )
        response = redirect("/negotiator")
        response.set_cookie(
            NEGOTIATOR_COOKIE, secret, httponly=True, samesite="strict", secure=secure_cookies, max_age=90 * 86400
        )
        return response

    @app.get("/negotiator", response_class=HTMLResponse)
    def negotiator_page(request: Request, who: Negotiator):
        _, consultation_id, party = who
        return render(
            request,
            "negotiator.html",
            party=scenario.text(scenario.party(party)),
            results=store.results(consultation_id).to_dict(orient="records"),
        )

    @app.post("/negotiator/proposals")
    async def negotiator_post(request: Request, who: Negotiator):
        form = await checked_form(request)
        _, consultation_id, party = who
        store.post_proposal(consultation_id, party, str(form.get("package", "")), str(form.get("title", "")))
        return redirect("/negotiator")

    # ------------------------------------------------------------------------- JSON API
    @app.get("/api/health")
    def health() -> dict:
        return {"ok": True}

    @app.post("/api/votes")
    def api_vote(vote_in: Annotated[VoteIn, Body()], who: Who) -> dict:
        """Cast or change a vote (1 agree, -1 disagree, 0 pass); acknowledged once committed."""
        store.vote(who.id, vote_in.proposal_id, vote_in.value)
        return {"ok": True}

    @app.get("/api/consultations/{consultation_id}/results")
    def api_results(consultation_id: Owned) -> list[dict]:
        frame = store.results(consultation_id)
        return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")

    return app
