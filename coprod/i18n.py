"""Languages: which exist, which one a reader gets, and the translation functions.

English is the source language: every user-visible string is written in English inside a
translation call (`_`, `ngettext`, `_l` here; `{{ _("...") }}` / `{% trans %}` in templates), and
`pybabel extract` collects them (`make translations`). A language is one file:
`coprod/translations/<code>/LC_MESSAGES/messages.po`. It is read from the .po itself (compiled
in memory the first time a reader needs it), so adding a language is adding that file, and no
compiled catalogue can fall behind its source.

Which language a reader gets (`select_locale`):
- the API (/api/...): the best match of the request's Accept-Language, else English;
- a signed-in person who chose one in their profile: that language;
- anyone else: the language picked with the switcher (a cookie), else the best match of
  Accept-Language, else English.

Outside a request or app context (tests calling services, the CLI before a context) the
functions here give English. Services import these functions and nothing else of Flask's.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, Response, g, has_request_context, request
from flask.globals import _cv_app
from flask_babel import Babel, Domain, LazyString
from flask_babel import force_locale as _force_locale
from flask_babel import get_locale as _get_locale
from flask_babel import gettext as _gettext
from flask_babel import lazy_gettext as _lazy_gettext
from flask_babel import lazy_ngettext as _lazy_ngettext
from flask_babel import ngettext as _ngettext
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

SOURCE = "en"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
COOKIE = "coprod_lang"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie


@cache
def languages() -> tuple[str, ...]:
    """Every language coprod speaks: English, then each catalogue's code, sorted."""
    found = sorted(
        p.parent.parent.name
        for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")
        if p.parent.parent.name != SOURCE
    )
    return (SOURCE, *found)


def language_name(code: str) -> str:
    """A language's name in itself ("English", "español", "Cymraeg"), for the switcher."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in languages()]


def known_language(code: str | None) -> str | None:
    """The code when coprod speaks that language, else None."""
    return code if code in languages() else None


@cache
def catalogue(code: str) -> NullTranslations:
    """A language's translations, compiled in memory from its .po (fuzzy entries left out)."""
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    if code == SOURCE or not path.is_file():
        return NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=code)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf, domain="messages")


def current_catalogue() -> NullTranslations:
    """The catalogue of the reader's language, found once per request (and again only when
    `in_language` switches it): a page calls `_()` a hundred times, and Flask-Babel's own
    lookup resolves the context, the domain and the locale's name at every call. The app
    context is read from its context variable, not through the `g` proxy: two proxy lookups
    per `_()` were most of this function's cost, 7 % of the review queue's CPU."""
    try:
        kept = _cv_app.get(None).g._flask_babel  # type: ignore[union-attr]
        locale = kept.babel_locale
    except AttributeError:  # the language not chosen yet; or no app context
        locale = None
    if locale is None:  # (also after `in_language` ran before the language was chosen)
        locale = _get_locale()
        if locale is None:
            return catalogue(SOURCE)
        kept = g._flask_babel
    found = kept.__dict__.get("coprod_catalogue")
    if found is not None and found[0] is locale:
        return found[1]  # type: ignore[no-any-return]
    translations = catalogue(str(locale))
    kept.coprod_catalogue = (locale, translations)
    return translations


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, message: str, /, **variables: Any) -> str:
    text = current_catalogue().ugettext(message)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our catalogue, as Jinja's own i18n does
    # Most messages have no placeholder: formatting them (Markup's escaping `%`) is skipped;
    # a message with a "%" is formatted still, so "%%" reads "%" as in Jinja's own i18n.
    return text % variables if variables or "%" in text else text


@pass_eval_context
def _template_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    variables.setdefault("num", num)
    text = current_catalogue().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our catalogue, as Jinja's own i18n does
    return text % variables


class PoDomain(Domain):
    """Flask-Babel's domain, reading the catalogues through `catalogue` (no .mo files)."""

    def get_translations(self) -> NullTranslations:
        return current_catalogue()


class CoprodBabel(Babel):
    @property
    def domain_instance(self) -> Domain:
        return _DOMAIN


_DOMAIN = PoDomain()


def select_locale() -> str:
    """The language of this request (the rules are in the module's docstring)."""
    if not has_request_context():
        return SOURCE
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(languages()) or SOURCE
    from flask_login import current_user  # the session's person, loaded once per request

    chosen = getattr(current_user, "language", None) if current_user else None
    if known_language(chosen):
        return str(chosen)
    cookie = known_language(request.cookies.get(COOKIE))
    if cookie:
        return cookie
    return request.accept_languages.best_match(languages()) or SOURCE


def init_app(app: Flask) -> None:
    CoprodBabel(app, locale_selector=select_locale, default_locale=SOURCE)
    # Templates' _(), gettext and ngettext (and {% trans %}) go straight to the request's
    # catalogue, with what Jinja's "newstyle" versions do (escape, then fill the %(names)s).
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext
    )

    @app.after_request
    def _vary(response: Response) -> Response:
        response.vary.add("Accept-Language")  # a shared cache keeps one copy per language
        return response

    app.jinja_env.globals.update(
        current_language=current_language,
        language_choices=language_choices,
    )
    from coprod.services import localtime, money  # they use this module's functions

    app.jinja_env.filters.update(
        local_day=localtime.format_weekday_date,  # "Sat 28 Mar 2026"
        local_date=localtime.format_short_day,  # "28 Mar 2026"
        long_date=localtime.format_day,  # "28 March 2026"
        month_name=localtime.format_month,  # "March 2026"
        number=money.format_number,  # "2.5", "2,5"
        fixed=money.format_fixed,  # "12.50", "12,50"
    )


# --- what services, views and templates call ---------------------------------------------------


def current_language() -> str:
    """The reader's language code ("en", "es"); English outside a request."""
    try:
        locale = _get_locale()
    except (RuntimeError, KeyError):  # no app, or an app without Babel
        return SOURCE
    return str(locale) if locale is not None else SOURCE


def _(message: str, **variables: Any) -> str:
    """The message in the reader's language, with %(name)s placeholders filled."""
    try:
        return str(_gettext(message, **variables))
    except (RuntimeError, KeyError):
        return message % variables if variables else message


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """The singular or plural form for `num` (available as %(num)d), in the reader's language."""
    try:
        return str(_ngettext(singular, plural, num, **variables))
    except (RuntimeError, KeyError):
        variables.setdefault("num", num)
        return (singular if num == 1 else plural) % variables


def _l(message: str, **variables: Any) -> LazyString:
    """A message translated when it is shown (for module-level tables, labels of forms)."""
    return _lazy_gettext(message, **variables)


def _nl(singular: str, plural: str, num: int, **variables: Any) -> LazyString:
    return _lazy_ngettext(singular, plural, num, **variables)


@contextmanager
def in_language(code: str | None) -> Iterator[None]:
    """Everything inside speaks `code` (an email to its recipient), then the reader's again."""
    with _force_locale(known_language(code) or SOURCE):
        yield
