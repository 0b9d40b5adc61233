"""What the site's forms and JSON bodies carry, field by field.

Every form brings the ``csrf`` token of the page it came from (checked by
:data:`~.dependencies.CsrfChecked` before the form is read). A field a form may leave out has a
default: what a field means and which values are refused is the route's to say, with its own
message, as the pages show it; only what cannot be one of a field's values (a count that is not a
whole number in ASCII digits) is refused here: the site answers 400 with a page in the visitor's
language (see :mod:`.app`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import UploadFile
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .dependencies import MAX_ID


def _whole_number(value: Any) -> Any:
    """A form's whole number: ASCII digits only ("²", "1.5", "1e3" and " 7" are not numbers a
    person types into a count), blank for none."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or len(text) > 10:
            raise ValueError("must be a whole number")
        return int(text)
    return value


def _encodable(text: str) -> bool:
    """Whether a text can be stored as UTF-8 (a form may declare a charset that lets a lone
    surrogate through)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


Count = Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=MAX_ID)]
OptionalId = Annotated[Annotated[int, Field(ge=1, le=MAX_ID)] | None, BeforeValidator(_whole_number)]


class CsrfForm(BaseModel):
    """A form with nothing but its CSRF token (logging out)."""

    csrf: str = ""

    @model_validator(mode="before")
    @classmethod
    def _last_of_repeated(cls, fields: Any) -> Any:
        """A field sent more than once counts with its last value, as a form read by name does;
        a text with a NUL character is refused (no database stores it the same way)."""
        if isinstance(fields, dict):
            fields = {k: v[-1] if isinstance(v, list) and v else v for k, v in fields.items()}
            if any(isinstance(v, str) and "\x00" in v for v in fields.values()):
                raise ValueError("a text in the form holds a NUL character")
            if any(isinstance(v, str) and not _encodable(v) for v in fields.values()):
                raise ValueError("a text in the form is not valid Unicode")
        return fields


class JoinForm(CsrfForm):
    """A participant joins: an invitation code, or an allowed external id with its society."""

    token: str = ""
    society: OptionalId = None  # a society id: the token is then an external id allowed in that society


class VoteForm(CsrfForm):
    vote: str = ""  # agree, disagree or pass


class AnswerForm(CsrfForm):
    """The answers to one survey task: ``profile1``, ``profile2``, ... each 1 (support) or 0."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, str] = Field(init=False)

    def support(self, profile: int) -> str | None:
        """The answer given for ``profile``, if any."""
        return (self.model_extra or {}).get(f"profile{profile}")


class LoginForm(CsrfForm):
    email: str = ""
    password: str = ""


class ConsultationForm(CsrfForm):
    """A new consultation: its short name, its survey (no survey with 0 tasks), whether it has a
    board, and ``language_<ratifier id>`` for the language of each society."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, str] = Field(init=False)

    slug: str = ""
    tasks: Count = 0
    profiles: Count = 2
    repeat: Count = 0  # the task shown again at the end, its agreements swapped; 0: none
    board: str = ""  # "on" when the box is ticked

    def languages(self, ratifiers: list[str]) -> dict[str, str]:
        """The language chosen for each of ``ratifiers`` whose field is filled in."""
        fields = self.model_extra or {}
        return {r: fields[f"language_{r}"] for r in ratifiers if fields.get(f"language_{r}")}


class InvitationsForm(CsrfForm):
    count: Count = 0  # how many single-use invitations to make


class AllowForm(CsrfForm):
    ids: str = ""  # external ids, one a line


class PackageForm(CsrfForm):
    """A proposal a negotiator posts for their own party."""

    title: str = ""
    package: str = ""  # issue=option, comma-separated: the issues it changes


class ProposalForm(PackageForm):
    """A proposal an organiser posts, for any party."""

    party: str = ""


class NegotiatorInvitationForm(CsrfForm):
    party: str = ""


class NegotiateForm(CsrfForm):
    token: str = ""  # the negotiator's invitation


class PolisImportForm(CsrfForm):
    """A Polis export (a zip) with its opinion groups mapped to societies: "0=russian_public, 1=japanese_public"."""

    groups: str = ""
    export: UploadFile | str | None = None  # the zip; anything but a file is refused as no file


class VoteIn(BaseModel):
    """A vote cast through the JSON API: JSON integers only (``true``, ``"1"`` and ``1.0`` are
    refused, not read as votes)."""

    model_config = ConfigDict(strict=True)

    proposal_id: int = Field(ge=1, le=MAX_ID)
    value: int = Field(ge=-1, le=1)
