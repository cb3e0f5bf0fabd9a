"""Service letters: ask for one of your approved hours, list, download and revoke yours; and
the public check of a letter's code."""

from __future__ import annotations

from datetime import date
from typing import TypedDict

import marshmallow as ma
from flask import Response, url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import (
    Day,
    Id,
    Number,
    PageArgs,
    PageArgsData,
    UTCDateTime,
    page_schema,
    renamed,
)
from coprod.db import db, utcnow
from coprod.errors import NotFound
from coprod.extensions import verify_limits
from coprod.i18n import _, in_language
from coprod.models import ServiceLetter
from coprod.services import letter_pdf, letters
from coprod.services.notifications import base_url

blp = Blueprint(
    "api_letters", __name__, url_prefix="/api/v1", description="Service letters and their check"
)

PDF_DOC = {"type": "string", "format": "binary", "description": "The letter as a PDF."}
NAMES = {"from_date": "from", "to_date": "to"}


class LetterIn(ma.Schema):
    from_ = Day(required=True, data_key="from", metadata={"description": "First day, included."})
    to = Day(required=True, metadata={"description": "Last day, included."})
    programme_id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "One programme; leave out for every programme."},
    )


class LetterInData(TypedDict):
    """What `LetterIn` loads."""

    from_: date
    to: date
    programme_id: int | None


class LetterOutcomeOut(ma.Schema):
    metric = fields.String(required=True)
    unit = fields.String(required=True)
    quantity = Number(required=True)


class LetterTaskOut(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    hours = Number(required=True)
    first_date = fields.String(required=True, metadata={"description": "YYYY-MM-DD"})
    last_date = fields.String(required=True, metadata={"description": "YYYY-MM-DD"})
    days = fields.Integer(required=True, metadata={"description": "Distinct days worked."})
    outcomes = fields.List(fields.Nested(LetterOutcomeOut), required=True)


class LetterProgrammeOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    lead_agency = fields.String(required=True)
    signatory = fields.String(required=True)
    hours = Number(required=True)
    tasks = fields.List(fields.Nested(LetterTaskOut), required=True)


class LetterFiguresOut(ma.Schema):
    """What a letter states, exactly as issued."""

    holder_name = fields.String(required=True)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    issued_at = UTCDateTime(required=True)
    lead_agencies = fields.String(required=True)
    hours_total = Number(required=True)
    programmes = fields.List(fields.Nested(LetterProgrammeOut), required=True)


class LetterOut(LetterFiguresOut):
    id = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "The verification code."})
    url = fields.String(required=True, metadata={"description": "The public check page."})
    pdf_url = fields.String(required=True, metadata={"description": "The PDF (your token)."})
    programme_id = fields.Integer(allow_none=True)
    revoked_at = UTCDateTime(allow_none=True)


class VerificationOut(LetterFiguresOut):
    valid = fields.Boolean(required=True)
    differs_now = fields.Boolean(
        required=True,
        metadata={"description": "A letter issued now would state other figures."},
    )


LetterPage = page_schema(LetterOut, "LetterPage")


@blp.route("/me/letters", methods=["POST"])
@blp.arguments(LetterIn)
@blp.response(201, LetterOut)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def create_letter(args: LetterInData) -> ResponseReturnValue:
    """A service letter of your approved hours in the period (one programme or all)."""
    session = db.session()
    letter = renamed(
        lambda: letters.issue_letter(
            session,
            current_actor(),
            from_date=args["from_"],
            to_date=args["to"],
            programme_id=args["programme_id"],
            now=utcnow(),
        ),
        NAMES,
    )
    session.commit()
    headers = {"Location": url_for("api_letters.get_letter", letter_id=letter.id)}
    return _out(letter), 201, headers


@blp.route("/me/letters", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, LetterPage)
@token_required
def list_letters(args: PageArgsData) -> ResponseReturnValue:
    """Your letters, newest first (revoked ones with `revoked_at`)."""
    page = letters.list_letters(db.session(), current_actor(), args["page"], args["per_page"])
    return {**page.__dict__, "items": [_out(letter) for letter in page.items]}


@blp.route("/me/letters/<int:letter_id>", methods=["GET"])
@blp.response(200, LetterOut)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def get_letter(letter_id: int) -> ResponseReturnValue:
    """One of your letters."""
    return _out(letters.get_letter(db.session(), current_actor(), letter_id))


@blp.route("/me/letters/<int:letter_id>/pdf", methods=["GET"])
@blp.alt_response(200, schema=PDF_DOC, content_type="application/pdf", success=True)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def get_letter_pdf(letter_id: int) -> ResponseReturnValue:
    """One of your letters as a PDF, with its code and QR code."""
    letter = letters.get_letter(db.session(), current_actor(), letter_id)
    with in_language(letter.language):
        body = letter_pdf.render_pdf(letter, _verify_url(letter))
    return Response(body, mimetype="application/pdf")


@blp.route("/me/letters/<int:letter_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def revoke_letter(letter_id: int) -> None:
    """Revoke one of your letters: its code no longer verifies."""
    session, actor = db.session(), current_actor()
    letter = letters.get_letter(session, actor, letter_id)
    letters.revoke_letter(session, actor, letter, now=utcnow())
    session.commit()
    return None


@blp.route("/verify/<code>", methods=["GET"])
@verify_limits
@blp.response(200, VerificationOut)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def verify(code: str) -> ResponseReturnValue:
    """Public, no token: whether a letter with this code is genuine, and exactly the figures
    it states (404 when the code is unknown or the letter was revoked)."""
    result = letters.verify(db.session(), code)
    if not result.valid or result.letter is None:
        raise NotFound(_("No valid service letter has this code."))
    body = {**_figures(result.letter), "valid": True, "differs_now": result.differs_now}
    return body, 200, {"Cache-Control": "no-store"}


def _verify_url(letter: ServiceLetter) -> str:
    return f"{base_url()}/verify/{letter.code}"


def _figures(letter: ServiceLetter) -> dict[str, object]:
    figures = letters.letter_figures(letter)
    return {
        "holder_name": letter.holder_name,
        "from_": letter.from_date,
        "to": letter.to_date,
        "issued_at": letter.issued_at,
        "lead_agencies": letter.lead_agencies,
        "hours_total": figures["hours_total"],
        "programmes": figures["programmes"],
    }


def _out(letter: ServiceLetter) -> dict[str, object]:
    return {
        **_figures(letter),
        "id": letter.id,
        "code": letter.code,
        "url": _verify_url(letter),
        "pdf_url": base_url() + url_for("api_letters.get_letter_pdf", letter_id=letter.id),
        "programme_id": letter.programme_id,
        "revoked_at": letter.revoked_at,
    }
