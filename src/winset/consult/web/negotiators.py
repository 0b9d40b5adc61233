"""The negotiators' routes: a party's negotiator joins once with the invitation an organiser made,
then watches the consultation's results and posts proposals for their own party only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from .dependencies import ClientAddress, CsrfChecked, NegotiatorOf, SiteDep, StoreDep
from .forms import CsrfForm, NegotiateForm, PackageForm
from .security import NEGOTIATOR_COOKIE
from .site import redirect

NEGOTIATOR_SESSION_SECONDS = 90 * 86400

router = APIRouter()


@router.get("/negotiate/{token}", response_class=HTMLResponse)
def negotiator_invitation(request: Request, token: str, site: SiteDep) -> HTMLResponse:
    return site.render(request, "negotiate.html", token=token)


@router.post("/negotiate")
def negotiator_join(
    request: Request, _csrf: CsrfChecked, form: Annotated[NegotiateForm, Form()], address: ClientAddress, site: SiteDep
) -> Response:
    attempt = site.negotiator_joins.attempt(address)
    if attempt is None:
        return site.render(request, "negotiate.html", status=429, token="", error="Too many attempts: wait a minute.")
    secret = site.store.join_negotiator(form.token.strip())
    if secret is None:  # the attempt stays counted
        return site.render(
            request, "negotiate.html", status=400, token="", error="This invitation is not valid or has been used."
        )
    site.negotiator_joins.forget(attempt)
    response = redirect("/negotiator")
    site.session_cookie(response, NEGOTIATOR_COOKIE, secret, "strict", NEGOTIATOR_SESSION_SECONDS)
    site.fresh_csrf(response)
    return response


@router.post("/negotiator/logout")
def negotiator_logout(
    request: Request, _csrf: CsrfChecked, form: Annotated[CsrfForm, Form()], site: SiteDep
) -> Response:
    """End the negotiator's session on the server: the cookie opens nothing from now on."""
    return site.logged_out(request, NEGOTIATOR_COOKIE, site.store.end_negotiator_session, "/")


@router.get("/negotiator", response_class=HTMLResponse)
def negotiator_page(request: Request, who: NegotiatorOf, site: SiteDep) -> HTMLResponse:
    _, consultation_id, party = who
    scenario = site.store.scenario
    return site.render(
        request,
        "negotiator.html",
        party=scenario.text(scenario.party(party)),
        results=site.store.results(consultation_id).to_dict(orient="records"),
    )


@router.post("/negotiator/proposals")
def negotiator_post(
    who: NegotiatorOf, _csrf: CsrfChecked, form: Annotated[PackageForm, Form()], store: StoreDep
) -> Response:
    _, consultation_id, party = who
    store.post_proposal(consultation_id, party, form.package, form.title)
    return redirect("/negotiator")
