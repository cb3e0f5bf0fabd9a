"""The catalogues are kept complete: every string the code asks to translate is in each
language's catalogue with a translation, no catalogue holds strings the code no longer asks
for, and no template shows text outside a translation call."""

from __future__ import annotations

import pytest

from tests.i18n.catalogue import (
    catalogue_ids,
    extracted,
    loose_python_messages,
    loose_text,
    read_catalogue,
    templates,
    translations,
    untranslated,
)


def _show(items: object) -> str:
    listed = sorted(map(str, items))  # type: ignore[call-overload]
    more = f"\n… and {len(listed) - 40} more" if len(listed) > 40 else ""
    return "\n".join(listed[:40]) + more


@pytest.mark.parametrize("code", translations())
def test_the_catalogue_is_up_to_date_with_the_code(code: str) -> None:
    """`make translations` would change nothing: no string asked for is missing, and none is
    left over from code that has gone."""
    ids = catalogue_ids(read_catalogue(code))
    missing, stale = extracted() - ids, ids - extracted()
    assert not missing, f"run `make translations`; not in {code}:\n{_show(missing)}"
    assert not stale, f"run `make translations`; no longer asked for, in {code}:\n{_show(stale)}"


@pytest.mark.parametrize("code", translations())
def test_every_string_has_a_translation(code: str) -> None:
    missing = untranslated(read_catalogue(code))
    assert not missing, f"{len(missing)} strings have no {code} translation:\n{_show(missing)}"


def test_no_template_shows_text_outside_a_translation_call() -> None:
    loose = [item for path in templates() for item in loose_text(path)]
    assert not loose, f"text outside _() or {{% trans %}}:\n{_show(loose)}"


def test_no_message_is_raised_or_flashed_in_bare_english() -> None:
    loose = loose_python_messages()
    assert not loose, "messages outside _():\n" + "\n".join(loose)


def test_the_template_check_finds_text_it_should() -> None:
    """The check itself: text, a shown attribute and an email line are found; translated
    text, Jinja expressions and comments are not."""
    import tempfile
    from pathlib import Path

    from tests.i18n import catalogue

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        html = root / "page.html"
        html.write_text(
            '<p>{{ _("Fine") }} {% trans %}Also fine{% endtrans %}</p>{# a comment #}\n'
            '<p title="Loose title">{{ task.title }}</p>\n<p>Loose words</p>\n'
            '<input type="submit" value="Send it">\n<span>coprod · 12</span>\n',
            encoding="utf-8",
        )
        txt = root / "mail.txt"
        txt.write_text('{{ _("Hello") }}\nThanks for helping\n', encoding="utf-8")
        saved = catalogue.TEMPLATES
        catalogue.TEMPLATES = root
        try:
            found = [(i.line, i.text) for i in loose_text(html)]
            mail = [(i.line, i.text) for i in loose_text(txt)]
        finally:
            catalogue.TEMPLATES = saved
    assert found == [(2, "Loose title"), (3, "Loose words"), (4, "Send it")]
    assert mail == [(2, "Thanks for helping")]


@pytest.mark.parametrize("code", translations())
def test_every_translation_keeps_the_placeholders_of_its_english(code: str) -> None:
    """A translation that drops or renames %(name)s would fail when shown (Babel's checks)."""
    problems = [
        f"{message.id!r}: {'; '.join(map(str, errors))}"
        for message, errors in read_catalogue(code).check()
    ]
    assert not problems, "\n".join(problems)
