"""Programmes and reports in Spanish: the pages, the report's CSV (headers in the reader's
language, columns in the same order), the API's CSV by Accept-Language, messages of the
services, and the digest's subject in the recipient's language."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from coprod.models import LogStatus, OrgKind, OutboxMessage, OutcomeQuantity, Role
from coprod.models import NotificationKind as Kind
from coprod.services import digests, notifications, reports
from tests.api.conftest import Api, bearer
from tests.conftest import login
from tests.factories import (
    add_partner,
    make_log,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_task,
    make_user,
)

ES = {"Accept-Language": "es"}
EN = {"Accept-Language": "en"}
ENGLISH_HEADER = [
    "section", "id", "name", "hours", "share_percent", "quantity", "cumulative", "unit",
    "target", "percent_of_target", "on_track", "value", "responses", "average_rating",
    "kind", "committed", "delivered", "committed_to_date", "delivered_to_date", "status",
    "value_GBP",
]  # fmt: skip
SPANISH_HEADER = [
    "sección", "id", "nombre", "horas", "porcentaje", "cantidad", "acumulado", "unidad",
    "meta", "porcentaje_de_la_meta", "en_buen_camino", "valor", "respuestas", "valoración_media",
    "tipo", "comprometido", "entregado", "comprometido_hasta_la_fecha",
    "entregado_hasta_la_fecha", "estado",  # partners' commitments (issue #18)
    "valor_GBP",
]  # fmt: skip


@pytest.fixture
def built(session, now):
    """A programme with a community partner, a metric and approved May and June logs, its
    reports built."""
    agency = make_org(session, OrgKind.AGENCY, name="City Agency")
    partner = make_org(session, OrgKind.COMMUNITY, name="Food Friends")
    programme = make_programme(session, agency, starts_on=date(2026, 1, 1))
    add_partner(session, programme, partner)
    metric = make_metric(session, programme, name="Meals delivered")
    task = make_task(session, programme, title="Deliver meals")
    log = make_log(session, task=task, on=date(2026, 6, 2), hours="3",
                   status=LogStatus.APPROVED, organisation_id=partner.id)  # fmt: skip
    session.add(OutcomeQuantity(log_id=log.id, metric_id=metric.id, quantity=Decimal(40)))
    make_log(session, task=task, on=date(2026, 5, 2), hours="2", status=LogStatus.APPROVED)
    session.flush()
    reports.rebuild_reports(session, now=now, programme_id=programme.id)
    return {"programme": programme, "agency": agency, "partner": partner}


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_report_csv_downloaded_in_spanish_has_spanish_headers(client, session, built):
    login(client, make_user(session, is_site_admin=True))
    path = f"/programmes/{built['programme'].id}/reports/month/2026-06-01.csv"
    spanish = _rows(client.get(path, headers=ES).text)
    assert spanish[0] == SPANISH_HEADER
    sections = {row[0] for row in spanish[1:]}
    assert {"resumen", "sector", "organización", "tarea", "resultado"} <= sections
    names = {row[2] for row in spanish[1:]}
    assert {"periodo", "horas_totales", "Grupos comunitarios"} <= names
    period = next(row for row in spanish if row[2] == "periodo")
    assert period[11] == "mes"
    outcome = next(row for row in spanish if row[0] == "resultado")
    assert outcome[10] in ("sí", "no")
    # The same file in English: the same columns in the same order, the same figures.
    english = _rows(client.get(path, headers=EN).text)
    assert english[0] == ENGLISH_HEADER
    assert len(english) == len(spanish)
    assert [r[3:10] for r in english[1:]] == [r[3:10] for r in spanish[1:]]


def test_the_api_csv_follows_accept_language(client, session, built):
    staff = make_member(session, built["agency"], Role.STAFF)
    api = Api(client, bearer(session, staff))
    path = f"/programmes/{built['programme'].id}/reports/month/2026-06-01"
    spanish = api.get(path, headers={"Accept": "text/csv", **ES})
    assert spanish.mimetype == "text/csv"
    assert _rows(spanish.get_data(as_text=True))[0] == SPANISH_HEADER
    english = api.get(path + ".csv")
    assert _rows(english.get_data(as_text=True))[0] == ENGLISH_HEADER
    # JSON keys never change with the language.
    body = api.get(path, headers=ES).get_json()
    assert "hours_by_sector" in body and "community" in body["hours_by_sector"]


def test_the_report_page_in_spanish_then_english_from_the_same_cache(client, session, built):
    login(client, make_user(session, is_site_admin=True))
    path = f"/programmes/{built['programme'].id}/reports?period=month&start=2026-06-01"
    spanish = client.get(path, headers=ES).text
    assert "informe de propiedad compartida" in spanish
    assert "<h2>Resumen</h2>" in spanish and "Horas aprobadas" in spanish
    assert "Grupos comunitarios" in spanish and "Este informe en CSV" in spanish
    assert ">Mensual</a>" in spanish
    english = client.get(path, headers=EN).text  # the figures are cached per language
    assert "<h2>Summary</h2>" in english and "Community groups" in english
    assert "Resumen" not in english


def test_the_impact_page_in_spanish(client, built):
    page = client.get(f"/programmes/{built['programme'].id}/impact", headers=ES).text
    assert '<html lang="es"' in page
    assert "nuestro impacto" in page and "Horas aportadas" in page
    assert "Porcentaje de horas por sector" in page and "En buen camino" in page


def test_the_programme_page_in_spanish(client, built):
    page = client.get(f"/programmes/{built['programme'].id}", headers=ES).text
    assert "Socios y sus compromisos" in page and "Objetivos compartidos" in page
    assert "(Grupo comunitario)" in page  # the partner's kind, never the raw "community"
    assert "Dirigido por" in page and "Fecha límite" in page
    listing = client.get("/programmes", headers=ES).text
    assert "<h1>Programas</h1>" in listing and "Todos los programas" in listing


def test_a_service_message_in_spanish(client, session, built):
    staff = make_member(session, built["agency"], Role.STAFF)
    login(client, staff)
    resp = client.post(
        f"/programmes/{built['programme'].id}/partners/new",
        data={"organisation": "Nobody Here", "role": "helps"},
        headers=ES,
    )
    assert resp.status_code == 422
    assert "Ninguna organización se llama «Nobody Here». Compruebe cómo está escrito." in resp.text


def test_the_digest_subject_is_in_the_recipients_language(app, session, now, built):
    """The job runs in an app context (the scheduler's): each subject in its reader's language."""
    programme = built["programme"]
    reader = make_member(session, built["agency"], Role.STAFF)
    reader.language = "es"
    other = make_member(session, built["partner"])
    for person in (reader, other):
        notifications.set_preferences(session, person, {"report_digest": True}, now=now)
    with app.app_context():
        assert digests.queue_report_digests(session, now=now) == 2
    subjects = {
        m.user_id: m.subject
        for m in session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == Kind.REPORT_DIGEST)
        )
    }
    assert subjects[reader.id].startswith(f"{programme.name}: informe de propiedad compartida de ")
    assert subjects[other.id].startswith(f"{programme.name}: shared-ownership report for ")
