"""What the account views share: a fresh session for a person who signs in."""

from __future__ import annotations

from flask import session
from flask_login import login_user

from coprod.models import User


def _start_session(user: User, remember: bool = False) -> None:
    session.clear()  # a fresh session at every login: nothing carried over
    login_user(user, remember=remember)
