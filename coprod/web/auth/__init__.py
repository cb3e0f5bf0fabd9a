"""Accounts: register, sign in and out, change password, the account page and profile.

The blueprint `bp` is made here; its views live in the modules imported at the bottom.
"""

from __future__ import annotations

from flask import Blueprint

bp: Blueprint = Blueprint("auth", __name__)

# The views register their routes on `bp` when imported, after it exists.
from coprod.web.auth import entry, my_account  # noqa: E402
from coprod.web.auth.entry import LoginForm, RegisterForm  # noqa: E402
from coprod.web.auth.my_account import (  # noqa: E402
    DeleteAccountForm,
    PasswordForm,
    ProfileForm,
    export_response,
    password_changed_message,
)

__all__ = [
    "DeleteAccountForm",
    "LoginForm",
    "PasswordForm",
    "ProfileForm",
    "RegisterForm",
    "bp",
    "entry",
    "export_response",
    "my_account",
    "password_changed_message",
]
