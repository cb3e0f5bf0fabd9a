"""Limits on a JSON request body, checked on its text before any parser reads it: nesting
depth and the length of number literals. A body of 100,000 `[` (which makes Python's parser
recurse until it fails) or a number of 5,000 digits (which int() refuses, and Decimal would
carry into every sum) is a 400 problem, never a 500."""

from __future__ import annotations

import json
import re

from flask import Request, Response

from coprod.api.problems import problem

MAX_DEPTH = 20  # the deepest body the API takes is 3 levels ({"outcomes": [{...}]})
MAX_NUMBER_LENGTH = 100  # characters in one number literal
# A JSON string, escapes included: linear (its alternatives never overlap).
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_LONG_NUMBER = re.compile(rf"[-+.0-9eE]{{{MAX_NUMBER_LENGTH + 1},}}")
_BRACKET = re.compile(r"[\[\]{}]")


class BodyRefused(ValueError):
    """The body breaks one of the limits; the message says which."""


def check_json_text(text: str) -> None:
    """Raise BodyRefused when the JSON text nests deeper than MAX_DEPTH or holds a number
    literal longer than MAX_NUMBER_LENGTH (strings are skipped: brackets and digits inside
    them are text)."""
    bare = _STRING.sub('""', text)
    if _LONG_NUMBER.search(bare):
        raise BodyRefused(f"Numbers in the body can have at most {MAX_NUMBER_LENGTH} characters.")
    if bare.count("[") + bare.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for bracket in _BRACKET.finditer(bare):
        if bracket.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise BodyRefused(f"The body can be nested at most {MAX_DEPTH} levels deep.")
        else:
            depth -= 1


def _refuse_constant(name: str) -> None:
    raise BodyRefused(f"{name} is not a JSON number.")


def loads(text: str) -> object:
    """json.loads within the limits; NaN and Infinity (which Python accepts) are refused."""
    check_json_text(text)
    return json.loads(text, parse_constant=_refuse_constant)


def refuse_hostile_body(request: Request) -> Response | None:
    """A 400 problem for a JSON body beyond the limits (before_request under /api/); None
    lets the request through (a body that is not valid JSON is refused by the parser)."""
    if not request.is_json:
        return None
    raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        check_json_text(text)
        if "NaN" in text or "Infinity" in text:
            loads(text)
    except BodyRefused as err:
        return problem(400, f"The request body is refused: {err}")
    except ValueError:
        return None
    return None
