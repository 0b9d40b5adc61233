"""The organisers' routes: logging in and out, opening consultations of the scenario the server
runs, inviting participants and negotiators, posting proposals, watching each society's support,
and the data in and out (the survey in ``winset fit``'s format, the votes in Polis's, a Polis
export imported).
"""

from __future__ import annotations

import io
import secrets
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from ..cells import neutralised
from ..polis import write_export
from ..store import Store
from ..tasks import SurveyDesign
from .dependencies import ClientAddress, CsrfChecked, Id, OrganiserId, Owned, SiteDep, StoreDep
from .forms import (
    AllowForm,
    ConsultationForm,
    CsrfForm,
    InvitationsForm,
    LoginForm,
    NegotiatorInvitationForm,
    PolisImportForm,
    ProposalForm,
)
from .security import ORGANISER_COOKIE, SESSION_SECONDS
from .site import Site, redirect
from .uploads import unpack_polis

MAX_INVITATIONS = 10_000  # invitations made at a time

router = APIRouter()

EXPORT_README = """This is a consultation exported as a Polis export: comments.csv, votes.csv and
participants-votes.csv, in Polis's columns. `winset` and Polis read it as it is.

Text that a spreadsheet would run as a formula (a cell beginning with =, +, -, @, a tab or a
carriage return) is written with a leading apostrophe, '=like this, so that opening the files in a
spreadsheet runs nothing. Numbers are written as they are. winset removes the apostrophe when it
reads the export back.
"""


@router.get("/organiser/login", response_class=HTMLResponse)
def login_page(request: Request, site: SiteDep) -> HTMLResponse:
    return site.render(request, "login.html")


@router.post("/organiser/login")
def login(
    request: Request, _csrf: CsrfChecked, form: Annotated[LoginForm, Form()], address: ClientAddress, site: SiteDep
) -> Response:
    attempt = site.logins.attempt(address)
    if attempt is None:
        return site.render(request, "login.html", status=429, error="Too many attempts: wait a minute.")
    found = site.store.check_organiser(form.email, form.password)
    if found is None:  # the attempt stays counted
        return site.render(request, "login.html", status=400, error="Wrong e-mail or password.")
    site.logins.forget(attempt)
    response = redirect("/organiser")
    secret = site.store.open_organiser_session(found, SESSION_SECONDS)
    site.session_cookie(response, ORGANISER_COOKIE, secret, "strict", SESSION_SECONDS)
    site.fresh_csrf(response)
    return response


@router.post("/organiser/logout")
def logout(
    request: Request, _csrf: CsrfChecked, form: Annotated[CsrfForm, Form()], site: SiteDep
) -> Response:  # the form is its token alone
    """End the session on the server (the cookie opens nothing from now on) and forget it here."""
    return site.logged_out(request, ORGANISER_COOKIE, site.store.end_organiser_session, "/organiser/login")


@router.get("/organiser", response_class=HTMLResponse)
def dashboard(request: Request, organiser_id: OrganiserId, site: SiteDep) -> HTMLResponse:
    design = site.survey_design
    return site.render(
        request,
        "organiser.html",
        consultations=site.store.consultations(organiser_id),
        survey=design.design if design is not None else SurveyDesign(),
        survey_file=design,
    )


@router.post("/organiser/consultations")
def open_consultation(
    organiser_id: OrganiserId, _csrf: CsrfChecked, form: Annotated[ConsultationForm, Form()], store: StoreDep
) -> Response:
    consultation = store.open_consultation(
        organiser_id,
        form.slug.strip() or secrets.token_hex(4),
        languages=form.languages([r.id for _, r in store.scenario.ratifiers]),
        survey=SurveyDesign(form.tasks, form.profiles, repeat=form.repeat) if form.tasks else None,
        board=form.board == "on",
    )
    return redirect(f"/organiser/consultations/{consultation}")


@router.get("/organiser/consultations/{consultation_id}", response_class=HTMLResponse)
def consultation_page(request: Request, consultation_id: Owned, site: SiteDep) -> HTMLResponse:
    store = site.store
    results = store.results(consultation_id)
    return site.render(
        request,
        "consultation.html",
        consultation_id=consultation_id,
        societies=store.societies(consultation_id),
        results=results.to_dict(orient="records"),
        parties=[p.id for p in store.scenario.parties],
    )


@router.post(
    "/organiser/consultations/{consultation_id}/societies/{society_id}/invitations", response_class=HTMLResponse
)
def invite(
    request: Request,
    society_id: Id,
    consultation_id: Owned,
    _csrf: CsrfChecked,
    form: Annotated[InvitationsForm, Form()],
    site: SiteDep,
) -> HTMLResponse:
    _check_society(site.store, consultation_id, society_id)
    if not 1 <= form.count <= MAX_INVITATIONS:
        raise HTTPException(400, "invite between 1 and 10,000 people at a time")
    tokens = site.store.invite(society_id, form.count)
    return _invitations(request, site, consultation_id, [f"join/{t}" for t in tokens])


@router.post("/organiser/consultations/{consultation_id}/societies/{society_id}/allow")
def allow(
    society_id: Id, consultation_id: Owned, _csrf: CsrfChecked, form: Annotated[AllowForm, Form()], store: StoreDep
) -> Response:
    _check_society(store, consultation_id, society_id)
    store.allow(society_id, [line.strip() for line in form.ids.splitlines() if line.strip()])
    return redirect(f"/organiser/consultations/{consultation_id}")


@router.post("/organiser/consultations/{consultation_id}/proposals")
def post_proposal(
    consultation_id: Owned, _csrf: CsrfChecked, form: Annotated[ProposalForm, Form()], store: StoreDep
) -> Response:
    store.post_proposal(consultation_id, form.party, form.package, form.title)
    return redirect(f"/organiser/consultations/{consultation_id}")


@router.get("/organiser/consultations/{consultation_id}/societies/{society_id}/survey.csv")
def survey_csv(society_id: Id, consultation_id: Owned, store: StoreDep) -> Response:
    _check_society(store, consultation_id, society_id)
    frame = neutralised(store.survey_data(society_id))  # no cell a spreadsheet would run
    return Response(
        frame.to_csv(index=False),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="survey-{society_id}.csv"'},
    )


@router.post("/organiser/consultations/{consultation_id}/polis")
def polis_import(
    consultation_id: Owned,
    _csrf: CsrfChecked,
    form: Annotated[PolisImportForm, Form(media_type="multipart/form-data")],
    store: StoreDep,
) -> Response:
    """Import a Polis export (the zip Polis or this site makes) with its opinion groups mapped
    to societies ("0=russian_public, 1=japanese_public")."""
    upload = form.export
    if not isinstance(upload, UploadFile):
        raise HTTPException(400, "choose the zip of a Polis export")
    groups = _groups(form.groups)
    with tempfile.TemporaryDirectory() as folder:
        unpack_polis(upload.file, Path(folder))
        store.import_polis(consultation_id, folder, groups)
    return redirect(f"/organiser/consultations/{consultation_id}")


@router.get("/organiser/consultations/{consultation_id}/polis.zip")
def polis_zip(consultation_id: Owned, store: StoreDep) -> Response:
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w") as archive:
        write_export(store.conversation(consultation_id), folder)
        for path in sorted(Path(folder).iterdir()):
            archive.write(path, path.name)
        archive.writestr("README.txt", EXPORT_README)
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="polis-{consultation_id}.zip"'},
    )


@router.post("/organiser/consultations/{consultation_id}/negotiators", response_class=HTMLResponse)
def invite_negotiator(
    request: Request,
    consultation_id: Owned,
    _csrf: CsrfChecked,
    form: Annotated[NegotiatorInvitationForm, Form()],
    site: SiteDep,
) -> HTMLResponse:
    token = site.store.invite_negotiator(consultation_id, form.party)
    return _invitations(request, site, consultation_id, [f"negotiate/{token}"])


def _invitations(request: Request, site: Site, consultation_id: int, paths: list[str]) -> HTMLResponse:
    """The page of new invitation links: ``paths`` under the site's public address (never the
    request's Host header, which the client chooses)."""
    base = site.public_url
    return site.render(
        request, "invitations.html", consultation_id=consultation_id, links=[f"{base}/{p}" for p in paths]
    )


def _groups(text: str) -> dict[int, str]:
    """Opinion groups mapped to ratifiers, from "0=russian_public, 1=japanese_public"."""
    groups = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        group, _, ratifier = item.partition("=")
        if (
            not (group.strip().isascii() and group.strip().isdigit() and len(group.strip()) <= 9)
            or not ratifier.strip()
        ):
            raise HTTPException(400, f"'{item}' is not group=ratifier, e.g. 0=russian_public")
        groups[int(group)] = ratifier.strip()
    if not groups:
        raise HTTPException(400, "map at least one opinion group to a society, e.g. 0=russian_public")
    return groups


def _check_society(store: Store, consultation_id: int, society_id: int) -> None:
    if society_id not in store.societies(consultation_id).values():
        raise HTTPException(404, "no such society in this consultation")
