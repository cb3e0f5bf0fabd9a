"""The demo world's people and organisations: the published logins, the volunteers, the
agency and its partners."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from coprod.db import utcnow
from coprod.models import (
    Membership,
    Organisation,
    OrgKind,
    Role,
    User,
)
from coprod.services import audit

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published demo credentials
DOMAIN = "demo.coprod.org"
AGENCY = "Riverside City Council"
# The demo city is in the UK: its pages show shifts in London time (GMT in winter, BST in summer).
DEMO_ZONE = "Europe/London"

DEMO_LOGINS = [
    (f"admin@{DOMAIN}", "site admin (verifies organisations, sees the audit log)"),
    (f"staff@{DOMAIN}", "agency staff (programmes, tasks, shifts, rosters)"),
    (f"reviewer@{DOMAIN}", "agency reviewer (review queue)"),
    (f"coordinator@{DOMAIN}", "nonprofit coordinator (Riverside Food Bank)"),
    (f"partner@{DOMAIN}", "partner member (Green Streets Trust: reads reports)"),
    (f"volunteer@{DOMAIN}", "citizen volunteer"),
    (f"jonas@{DOMAIN}", "volunteer without Food hygiene (the kitchen refuses him until trained)"),
    (f"chloe@{DOMAIN}", "volunteer whose Food hygiene expires before a kitchen shift of hers"),
    (f"rosa@{DOMAIN}", "citizen volunteer who reads coprod in Spanish"),
]

VOLUNTEER_NAMES = [
    "Amara Okafor",
    "Ben Kowalski",
    "Chloe Martin",
    "Dev Patel",
    "Elif Yilmaz",
    "Finn O'Neill",
    "Grace Liu",
    "Hamza Rahman",
    "Isla Campbell",
    "Jonas Weber",
    "Kemi Adeyemi",
    "Leo Rossi",
    "Maya Cohen",
    "Noah Schmidt",
    "Olivia Brown",
    "Priya Nair",
    "Quinn Murphy",
    "Rosa Garcia",
    "Sam Taylor",
]


def _user(session: Session, email: str, name: str, pw: str, **extra: object) -> User:
    # Demo accounts are confirmed: their addresses are made up, and people try them at once.
    user = User(
        email=email, display_name=name, password_hash=pw, email_confirmed_at=utcnow(), **extra
    )
    session.add(user)
    return user


def make_people(session: Session, pw: str) -> dict[str, User]:
    people = {
        "admin": _user(session, f"admin@{DOMAIN}", "Ada Admin", pw, is_site_admin=True),
        "staff": _user(session, f"staff@{DOMAIN}", "Sofia Staff", pw),
        "reviewer": _user(session, f"reviewer@{DOMAIN}", "Ravi Reviewer", pw),
        "coordinator": _user(session, f"coordinator@{DOMAIN}", "Cora Coordinator", pw),
        "green": _user(session, f"partner@{DOMAIN}", "Gabriel Green", pw),
        "volunteer": _user(session, f"volunteer@{DOMAIN}", "Vera Volunteer", pw),
    }
    for i, name in enumerate(VOLUNTEER_NAMES):
        slug = name.split()[0].lower()
        # Numbers from the range Ofcom keeps for drama: they ring nobody.
        phone = f"+44 7700 900{i:03d}"
        # Rosa reads coprod, and gets its emails, in Spanish.
        language = "es" if slug == "rosa" else None
        people[f"v{i}"] = _user(
            session, f"{slug}@{DOMAIN}", name, pw, phone=phone, language=language
        )
    session.flush()
    return people


def make_organisations(
    session: Session, p: dict[str, User], now: datetime
) -> dict[str, Organisation]:
    specs = {
        "agency": (AGENCY, OrgKind.AGENCY, "The city's community services department."),
        "foodbank": ("Riverside Food Bank", OrgKind.NONPROFIT, "Collects and shares food."),
        "green": ("Green Streets Trust", OrgKind.NONPROFIT, "Trees, parks and clean streets."),
        "residents": ("Northside Residents' Association", OrgKind.COMMUNITY, "Neighbours."),
        "bakery": ("Harbour Bakery", OrgKind.BUSINESS, "A local bakery that donates bread."),
    }
    orgs = {
        key: Organisation(
            name=name,
            kind=kind,
            description=desc,
            timezone=DEMO_ZONE,
            verified_at=now,
            verified_by_id=p["admin"].id,
        )
        for key, (name, kind, desc) in specs.items()
    }
    session.add_all(orgs.values())
    session.flush()
    for organisation in orgs.values():
        audit.record(
            session,
            p["admin"],
            "organisation.verified",
            organisation,
            before={"verified_at": None},
            after={"verified_at": now},
            at=now,
        )
    roles = [
        ("staff", "agency", Role.STAFF),
        ("staff", "agency", Role.ADMIN),
        ("reviewer", "agency", Role.REVIEWER),
        ("coordinator", "foodbank", Role.COORDINATOR),
        ("coordinator", "foodbank", Role.ADMIN),
        ("green", "green", Role.COORDINATOR),
        ("green", "green", Role.ADMIN),
        ("v0", "foodbank", Role.MEMBER),
        ("v1", "foodbank", Role.MEMBER),
        ("v2", "residents", Role.ADMIN),
        ("v3", "bakery", Role.ADMIN),
        ("v4", "green", Role.MEMBER),
        # More food bank volunteers, for the roster's member picker.
        ("v12", "foodbank", Role.MEMBER),
        ("v13", "foodbank", Role.MEMBER),
        ("v16", "foodbank", Role.MEMBER),
    ]
    for person, org, role in roles:
        session.add(Membership(user_id=p[person].id, organisation_id=orgs[org].id, role=role))
    return orgs
