"""Which language a reader gets, the switcher, and the profile's choice."""

from __future__ import annotations

from coprod.i18n import COOKIE, languages
from tests.conftest import login
from tests.factories import make_user


def test_english_and_spanish_are_offered_and_english_is_first() -> None:
    assert languages()[0] == "en" and "es" in languages()


def test_a_visitor_gets_the_best_match_of_accept_language(client) -> None:
    page = client.get("/tasks", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert page.status_code == 200
    assert '<html lang="es"' in page.text and "Idioma" in page.text
    assert "Accept-Language" in page.headers["Vary"]
    page = client.get("/tasks", headers={"Accept-Language": "de-DE"})
    assert '<html lang="en"' in page.text and ">Language<" in page.text


def test_the_switcher_keeps_a_visitors_choice_in_a_cookie(client) -> None:
    resp = client.post("/language", data={"language": "es", "next": "/tasks?q=x"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/tasks?q=x"
    assert f"{COOKIE}=es" in resp.headers["Set-Cookie"]
    page = client.get("/tasks", headers={"Accept-Language": "en"})
    assert '<html lang="es"' in page.text


def test_the_switcher_refuses_an_unknown_language_and_an_outside_address(client) -> None:
    resp = client.post("/language", data={"language": "xx", "next": "https://evil.example/"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/"
    assert "Set-Cookie" not in resp.headers or COOKIE not in resp.headers["Set-Cookie"]


def test_a_signed_in_persons_switch_goes_into_their_profile(client, session) -> None:
    user = make_user(session)
    login(client, user)
    client.post("/language", data={"language": "es", "next": "/"})
    session.refresh(user)
    assert user.language == "es"
    client.delete_cookie(COOKIE)
    page = client.get("/account", headers={"Accept-Language": "en"})
    assert '<html lang="es"' in page.text


def test_the_profile_saves_a_language_and_refuses_an_unknown_one(client, session) -> None:
    user = make_user(session)
    login(client, user)
    data = {"display_name": user.display_name, "phone": "", "email": user.email}
    bad = client.post("/account/profile", data={**data, "language": "klingon"})
    assert bad.status_code == 422 and "Choose one of the languages offered" in bad.text
    session.refresh(user)
    assert user.language is None
    ok = client.post("/account/profile", data={**data, "language": "es"})
    assert ok.status_code == 303
    session.refresh(user)
    assert user.language == "es"
    back = client.post("/account/profile", data={**data, "language": ""})
    assert back.status_code == 303
    session.refresh(user)
    assert user.language is None


def test_a_new_language_is_one_file(tmp_path, monkeypatch) -> None:
    """Welsh: a catalogue under translations/cy is found, named in Welsh, and read."""
    import shutil

    from coprod import i18n

    shutil.copytree(i18n.TRANSLATIONS, tmp_path / "translations")
    cy = tmp_path / "translations" / "cy" / "LC_MESSAGES"
    cy.mkdir(parents=True)
    (cy / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: cy\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Language"\nmsgstr "Iaith"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path / "translations")
    i18n.languages.cache_clear()
    try:
        assert i18n.languages() == ("en", "cy", "es")
        assert i18n.language_name("cy") == "Cymraeg"
        assert i18n.catalogue("cy").gettext("Language") == "Iaith"
    finally:
        monkeypatch.undo()
        i18n.languages.cache_clear()
        i18n.catalogue.cache_clear()
    assert "cy" not in i18n.languages()


def test_a_templates_messages_are_escaped_formatted_and_read_percent_signs_as_jinja_does(
    app,
) -> None:
    from flask import render_template_string

    source = '{{ _("Cancel") }}|{{ _("95%% sure") }}|{{ _("Hello %(name)s", name="<b>Ada</b>") }}'
    with app.test_request_context(headers={"Accept-Language": "es"}):
        page = render_template_string(source)
    cancel, sure, hello = page.split("|")
    assert cancel == "Cancelar"  # the reader's language, found through the app context
    assert sure == "95% sure"  # "%%" is one "%", as in Jinja's own i18n
    assert hello == "Hello &lt;b&gt;Ada&lt;/b&gt;"  # a value is escaped
