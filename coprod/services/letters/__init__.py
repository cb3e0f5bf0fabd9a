"""Service letters: a volunteer's approved hours for a period (one programme or all), stored as
issued under a random code that anyone holding it can check at /verify/<code>."""

from coprod.services.letters.figures import compute_figures, letter_figures
from coprod.services.letters.issuing import (
    CODE_BYTES,
    get_letter,
    issue_letter,
    letter_programmes,
    list_letters,
    new_code,
    revoke_letter,
)
from coprod.services.letters.verifying import MAX_CODE_LENGTH, Verification, verify

__all__ = [
    "CODE_BYTES",
    "MAX_CODE_LENGTH",
    "Verification",
    "compute_figures",
    "get_letter",
    "issue_letter",
    "letter_figures",
    "letter_programmes",
    "list_letters",
    "new_code",
    "revoke_letter",
    "verify",
]
