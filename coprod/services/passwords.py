"""Password hashing (Argon2id) and the password rules."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from coprod.errors import Invalid
from coprod.i18n import _, ngettext

MIN_LENGTH = 10
MAX_LENGTH = 256
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parents[1] / "data" / "common-passwords.txt.gz"

# OWASP's minimum for Argon2id: 19 MiB of memory, 2 iterations, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# A fixed hash to verify against when the account does not exist, so timing reveals nothing.
_DUMMY = _hasher.hash("not-a-real-password-xx")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (see coprod/data/README.md), lower-cased."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_password_rules(password: str, *, email: str = "", field: str = "password") -> None:
    """Refuse passwords that are too short, too long or trivially guessable."""
    if len(password) < MIN_LENGTH:
        raise Invalid(
            field,
            ngettext(
                "Use at least %(num)d character.", "Use at least %(num)d characters.", MIN_LENGTH
            ),
        )
    if len(password) > MAX_LENGTH:
        raise Invalid(
            field,
            ngettext(
                "Use at most %(num)d character.", "Use at most %(num)d characters.", MAX_LENGTH
            ),
        )
    if "\x00" in password:
        raise Invalid(field, _("The password contains a character that is not allowed."))
    if email and password.lower() == email.lower():
        raise Invalid(field, _("Do not use your email address as your password."))
    if password.strip().lower() in common_passwords():
        raise Invalid(
            field, _("This password is on a list of common passwords. Choose a less common one.")
        )
    if len(set(password)) < 4:
        raise Invalid(
            field, _("This password is too easy to guess: use more different characters.")
        )
