from __future__ import annotations

from tests.conftest import login
from tests.services.test_exports import OTHER_EMAIL, OTHER_NAME, ExportWorld, unzip


def test_the_account_page_offers_the_download_with_an_explanation(client, session):
    ex = ExportWorld(session)
    body = login(client, ex.person).get("/account").get_data(as_text=True)
    assert "Download my data" in body and 'action="/account/export"' in body
    assert "README" in body


def test_the_button_downloads_the_zip_of_the_person(client, session):
    ex = ExportWorld(session)
    resp = login(client, ex.person).post("/account/export")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="coprod-data-')
    assert "no-store" in resp.headers["Cache-Control"]
    files = unzip(resp.data)
    assert "README.txt" in files and "vera@example.org" in files["profile.csv"]
    everything = "\n".join(files.values())
    assert OTHER_EMAIL not in everything and OTHER_NAME not in everything


def test_a_signed_out_visitor_gets_no_data(client, session):
    ExportWorld(session)
    resp = client.post("/account/export")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert client.get("/account/export").status_code == 405


def test_downloads_are_rate_limited(app, client, session):
    from coprod.extensions import limiter

    ex = ExportWorld(session)
    login(client, ex.person)
    limiter.reset()
    app.config["EXPORT_LIMIT_PER_ADDRESS"] = "2/hour"
    try:
        codes = [client.post("/account/export").status_code for _ in range(3)]
    finally:
        app.config["EXPORT_LIMIT_PER_ADDRESS"] = "20/hour"
        limiter.reset()
    assert codes == [200, 200, 429]


def test_a_big_export_is_promised_by_email_and_its_link_downloads_it(app, client, session):
    from coprod.services.exports import deferred
    from tests.conftest import NOW
    from tests.services.test_export_deferred import SECRET, WEEK, link_token

    ex = ExportWorld(session)
    app.config["EXPORT_INLINE_MAX_ROWS"] = 2
    try:
        resp = login(client, ex.person).post("/account/export", follow_redirects=True)
    finally:
        app.config["EXPORT_INLINE_MAX_ROWS"] = 10000
    assert resp.mimetype == "text/html" and "we will email you a link" in resp.get_data(True)
    # built at the tests' NOW; the view reads the wall clock, so the link lives long enough
    deferred.build_waiting(session, now=NOW, secret=SECRET, lifetime=WEEK * 1000)
    link = f"/account/export/{link_token(session, ex.person)}"
    got = client.get(link)
    assert got.status_code == 200 and got.mimetype == "application/zip"
    assert "README.txt" in unzip(got.data)
    login(client, ex.other)
    assert client.get(link).status_code == 404
