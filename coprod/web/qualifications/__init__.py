"""Qualifications: an organisation's list and the forms to define, edit and archive them; a
qualification's public page with, for its verifiers, the holders, the award form and revoking;
and the person's own qualifications and skills (/my/qualifications).

The blueprint `bp` is made here; its views live in the modules imported at the bottom.
"""

from __future__ import annotations

from flask import Blueprint

bp: Blueprint = Blueprint("qualifications", __name__)

# The views register their routes on `bp` when imported, after it exists.
from coprod.web.qualifications import defining, holding  # noqa: E402
from coprod.web.qualifications._common import validity_text  # noqa: E402
from coprod.web.qualifications.defining import QualificationForm, QualificationValues  # noqa: E402
from coprod.web.qualifications.holding import AwardForm, MyProfileForm  # noqa: E402

__all__ = [
    "AwardForm",
    "MyProfileForm",
    "QualificationForm",
    "QualificationValues",
    "bp",
    "defining",
    "holding",
    "validity_text",
]
