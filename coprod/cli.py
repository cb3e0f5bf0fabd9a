"""Operator commands: `flask --app coprod <command>`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from coprod.db import read_only_unit_of_work, transaction, unit_of_work
from coprod.errors import DomainError


def register_cli(app: Flask) -> None:
    app.cli.add_command(migrate_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(reports_group)
    app.cli.add_command(privacy_group)
    app.cli.add_command(jobs_group)


@click.command("migrate")
def migrate_command() -> None:
    """Upgrade the database schema to the newest revision, then check it matches the models
    (exit status 1, naming each difference, when it does not)."""
    from coprod.db import make_engine
    from coprod.migrate import differences, upgrade

    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            diffs = differences(conn)
    finally:
        engine.dispose()
    if diffs:
        click.echo(
            f"The database was upgraded but its schema does not match this version of coprod "
            f"({len(diffs)} difference{'s' if len(diffs) > 1 else ''}):",
            err=True,
        )
        for line in diffs:
            click.echo(f"  - {line}", err=True)
        click.echo(
            "It was changed by hand or by another version of coprod: restore it, or bring it "
            "back in line with a new migration, before starting coprod (README: Upgrading).",
            err=True,
        )
        raise SystemExit(1)
    click.echo("Database is up to date: its schema matches the models.")


@click.command("create-admin")
@click.argument("email")
@click.option("--password", default=None, help="The password (asked for when omitted).")
@click.option("--name", "display_name", default="Site admin", show_default=True)
def create_admin_command(email: str, password: str | None, display_name: str) -> None:
    """Create a site admin (or make an existing account one)."""
    from coprod.services import accounts

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        email = transaction(
            lambda session: (
                accounts.create_admin(
                    session, email=email, password=password, display_name=display_name
                ).email
            )
        )
    except DomainError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"{email} is a site admin.")


@click.command("demo-data")
def demo_data_command() -> None:
    """Load a small believable world to explore (does nothing if it is already there)."""
    from coprod.demo import DEMO_PASSWORD, load_demo_data

    created = transaction(lambda session: load_demo_data(session, progress=click.echo))
    if created:
        click.echo("Demo data loaded.")
    else:
        click.echo("Demo data is already there; nothing changed.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    from coprod.demo import DEMO_LOGINS

    for email, role in DEMO_LOGINS:
        click.echo(f"  {email:<34} {role}")


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduler process (exactly one: a second exits at once with status 1)."""
    from coprod import scheduler

    raise SystemExit(scheduler.run(current_app._get_current_object()))  # type: ignore[attr-defined]


@click.group("reports")
def reports_group() -> None:
    """Shared-ownership reports."""


@reports_group.command("rebuild")
@click.option("--programme", "programme_id", type=int, default=None, help="Only this programme.")
@click.option(
    "--period", type=click.Choice(["week", "month", "quarter"]), default=None, help="Only one kind."
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Only periods from the one containing this date (YYYY-MM-DD).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Batches built at once, each on its own connection [default: the number of CPUs].",
)
@click.option(
    "--impact/--no-impact",
    default=True,
    help='Also refresh the "You said, we did" figures of accepted proposals [default: on].',
)
def reports_rebuild_command(
    programme_id: int | None, period: str | None, since: Any, jobs: int | None, impact: bool
) -> None:
    """Rebuild report snapshots from approved logs (idempotent), one batch per transaction,
    then the figures of accepted proposals. A period that cannot be built is skipped; the
    failures are listed per programme at the end, after building the rest, and the exit
    status is then 1."""
    from coprod.db import utcnow
    from coprod.models import PeriodKind
    from coprod.services import reports

    now = utcnow()
    kinds = [PeriodKind(period)] if period else list(PeriodKind)
    with unit_of_work() as session:
        plan = reports.plan_rebuild(
            session,
            now=now,
            programme_id=programme_id,
            kinds=kinds,
            since=since.date() if since else None,
        )
        sqlite = session.get_bind().dialect.name == "sqlite"
    jobs = jobs or reports.default_jobs()
    failures: list[tuple[Any, Exception]] = []  # appended from the building threads
    with click.progressbar(length=len(plan), label="Rebuilding reports", show_pos=True) as bar:
        changed = reports.build_batches(
            unit_of_work,
            plan,
            now=now,
            jobs=jobs,
            done=lambda _batch, _n: bar.update(1),
            # SQLite lets one writer in at a time: compute side by side, queue only to write.
            read_unit=read_only_unit_of_work if sqlite else None,
            failed=lambda batch, err: failures.append((batch, err)),
        )
    periods = sum(len(b.starts) for b in plan)
    click.echo(f"{periods - len(failures)} periods rebuilt; {changed} snapshots changed.")
    if impact:
        _refresh_impact(programme_id, now)
    if failures:
        _report_failures(failures)
        raise SystemExit(1)


def _refresh_impact(programme_id: int | None, now: Any) -> None:
    """The "You said, we did" figures of the programme (or of all), as the report jobs do."""
    from coprod.services.engagement import impact

    ids = [programme_id] if programme_id is not None else None
    with unit_of_work() as session:
        refreshed = impact.refresh_impact(session, programme_ids=ids, now=now)
    click.echo(f"Figures of accepted proposals refreshed: {refreshed}.")


def _report_failures(failures: list[tuple[Any, Exception]]) -> None:
    """Each programme with the periods that could not be built, and why."""
    click.echo(f"{len(failures)} periods could not be built (the others were):", err=True)
    by_programme: dict[int, list[tuple[Any, Exception]]] = {}
    for batch, err in sorted(failures, key=lambda f: (f[0].programme_id, f[0].kind, f[0].starts)):
        by_programme.setdefault(batch.programme_id, []).append((batch, err))
    for programme_id, items in by_programme.items():
        click.echo(f"  programme {programme_id}:", err=True)
        for batch, err in items:
            what = f"{batch.kind.value} of {batch.starts[0].isoformat()}"
            click.echo(f"    {what}: {type(err).__name__}: {err}", err=True)


@click.group("privacy")
def privacy_group() -> None:
    """Personal data: retention."""


@privacy_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Print what would be done; change nothing.")
@click.option("--verbose", is_flag=True, help="Also list the ids of each kind.")
def privacy_purge_command(dry_run: bool, verbose: bool) -> None:
    """Apply the RETENTION_* settings now: clear old email bodies and personal detail in old
    audit entries, anonymise accounts inactive too long (their hours stay in every report)."""
    from coprod.db import utcnow
    from coprod.jobs.privacy import retention_settings
    from coprod.services import retention

    now = utcnow()
    with unit_of_work() as session:
        if dry_run:
            result = retention.plan(session, retention_settings(), now=now)  # reads only
        else:
            result = retention.purge(session, retention_settings(), now=now)
    verb = "would be" if dry_run else "were"
    for kind in retention.KINDS:
        n = len(result.ids[kind]) if dry_run else result.done[kind]
        click.echo(f"{kind}: {n} {verb} {retention.ACTIONS[kind]}")
        if verbose and result.ids[kind]:
            click.echo("  ids: " + " ".join(str(i) for i in result.ids[kind]))
        if result.failed[kind]:
            ids = " ".join(str(i) for i in result.failed[kind])
            click.echo(f"  {len(result.failed[kind])} failed (ids {ids})", err=True)
    if result.skipped:
        click.echo(
            f"inactive accounts kept as an organisation's last admin: {len(result.skipped)}"
            + (" (ids " + " ".join(map(str, result.skipped)) + ")" if verbose else "")
        )
    if any(result.failed.values()):
        raise SystemExit(1)


@click.group("jobs")
def jobs_group() -> None:
    """The scheduler's jobs, run once by hand."""


@jobs_group.command("run")
@click.argument("job_id")
@with_appcontext
def jobs_run_command(job_id: str) -> None:
    """Run one of the scheduler's jobs now, once (reports.sweep, outbox.deliver, ...): to
    send waiting emails or refresh the reports without waiting for the scheduler. Every job is
    idempotent, so this is safe while the scheduler runs."""
    from coprod import scheduler

    specs = {spec.id: spec for spec in scheduler.JOBS}
    spec = specs.get(job_id)
    if spec is None:
        raise click.BadParameter(
            f"no job {job_id!r}; the jobs are: " + ", ".join(sorted(specs)), param_hint="JOB_ID"
        )
    result = scheduler.run_job(current_app._get_current_object(), spec)  # type: ignore[attr-defined]
    click.echo(f"{job_id}: {scheduler.summary(result) if result else 'nothing to do'}")
