"""The site admin's pages and the organisation pages in Spanish: headings, tables, the label
tables (roles, kinds of organisation, task statuses, audit actions), plurals, flashes and the
API's problem detail."""

from __future__ import annotations

from datetime import date

from coprod.jobs.reports import rebuild_all_reports, sweep_reports
from coprod.models import LogStatus, OrgKind, Role, TaskStatus
from coprod.services import audit_display, organisations
from tests.api.conftest import bearer
from tests.conftest import login
from tests.factories import (
    make_log,
    make_member,
    make_org,
    make_programme,
    make_task,
    make_user,
)

ES = {"Accept-Language": "es"}


def test_the_site_admin_page_speaks_spanish(client, session) -> None:
    admin = make_user(session, is_site_admin=True)
    make_org(session, OrgKind.AGENCY, verified=False, name="Agencia Norte")
    page = login(client, admin).get("/admin", headers=ES).text
    assert "<h1>Administración del sitio</h1>" in page
    assert "Organismos pendientes de verificación" in page
    assert "1 organismo pendiente; primero los más antiguos." in page
    assert 'aria-label="Verificar Agencia Norte"' in page and ">Verificar</button>" in page
    assert 'data-label="Organización"' in page and ">Organismo</td>" in page
    assert "Pendiente de verificación" in page
    assert "Todavía no se ha ejecutado ningún proceso programado." in page
    assert "Agencies awaiting verification" not in page and "Site admin" not in page


def test_the_scheduled_jobs_are_named_and_their_failures_told_in_spanish(
    client, session, now
) -> None:
    admin = make_user(session, is_site_admin=True)
    task = make_task(session, make_programme(session, name="Ribera"))
    sweep_reports(session, now=now)
    make_log(session, task=task, on=date(1, 1, 1), hours="1", status=LogStatus.APPROVED)
    rebuild_all_reports(session, now=now)
    session.flush()
    page = login(client, admin).get("/admin", headers=ES).text
    assert "Regenerar todos los informes (cada noche) <code>reports.rebuild_all</code>" in page
    assert "<strong>3 periodos sin generar</strong> (se omitieron;" in page
    assert ">Ribera</a>, mes que empieza el 0001-01-01:" in page
    assert "Todo generado" in page  # the sweep's last run was clean


def test_an_organisations_page_shows_roles_kinds_and_task_statuses_in_spanish(
    client, session
) -> None:
    org = make_org(session, OrgKind.AGENCY, name="Agencia Sur")
    admin = make_member(session, org, Role.ADMIN, Role.COORDINATOR, display_name="Ana")
    make_task(
        session,
        make_programme(session, org),
        status=TaskStatus.OPEN,
        coordinating_organisation_id=org.id,
    )
    page = login(client, admin).get(f"/orgs/{org.id}", headers=ES).text
    assert "<dt>Tipo</dt><dd>Organismo</dd>" in page
    assert "Tareas que coordina Agencia Sur" in page
    assert ">Abierta</span>" in page
    assert '<h2 id="members">Miembros</h2>' in page
    assert ">coordinador/a, administrador/a</td>" in page
    assert "Cambiar los roles" in page and "Añadir el miembro" in page
    assert "gestiona los miembros; tiene todos los roles" in page  # the role hints
    english = client.get(f"/orgs/{org.id}", headers={"Accept-Language": "en"}).text
    assert ">coordinator, admin</td>" in english and ">Open</span>" in english


def test_the_audit_log_names_actions_objects_and_fields_in_spanish(client, session) -> None:
    admin = make_user(session, is_site_admin=True)
    login(client, admin)
    resp = client.post(
        "/orgs/new",
        data={"name": "Grupo Verde", "kind": "community", "timezone": "Europe/Madrid"},
        headers=ES,
    )
    assert resp.status_code == 303
    flashed = client.get(resp.headers["Location"], headers=ES).text
    assert "Se ha creado Grupo Verde y usted es su administrador/a." in flashed
    page = client.get("/admin/audit", headers=ES).text
    assert "<h1>Registro de auditoría</h1>" in page
    assert "Creó una organización" in page and "Organización #" in page
    assert ">Zona horaria</dt>" in page and ">Cualquier acción</option>" in page
    assert "organisation.created" in page  # the code stays as it is


def test_service_messages_and_labels_follow_the_readers_language(app, session) -> None:
    with app.test_request_context("/", headers=ES):
        assert organisations.role_labels([Role.MEMBER, Role.ADMIN]) == "miembro, administrador/a"
        assert organisations.kind_label(OrgKind.BUSINESS) == "Empresa"
        assert audit_display.action_name("signup.created") == "Se inscribió en un turno"
        assert audit_display.show_value(True) == "Sí"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert organisations.role_labels([Role.MEMBER, Role.ADMIN]) == "member, admin"
        assert audit_display.action_name("signup.created") == "Signed up for a shift"


def test_a_form_error_and_an_api_problem_speak_spanish(client, session) -> None:
    make_org(session, name="Ya Existe")
    user = make_user(session)
    page = login(client, user).post(
        "/orgs/new",
        data={"name": "Ya Existe", "kind": "nonprofit", "timezone": "Europe/Madrid"},
        headers=ES,
    )
    assert "Ya existe una organización con este nombre." in page.text
    resp = client.get("/api/v1/organisations/999999", headers=ES)
    assert resp.status_code == 404 and resp.json["detail"] == "Esa organización no existe."
    resp = client.post(
        "/api/v1/organisations",
        json={"name": "Ya Existe", "kind": "nonprofit"},
        headers={**ES, **bearer(session, user)},
    )
    assert resp.status_code == 409
    assert resp.json["detail"] == "Ya existe una organización con este nombre."
