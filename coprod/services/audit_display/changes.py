"""An audit entry's before and after values, field by field, as text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from coprod.i18n import _
from coprod.models import AuditEntry
from coprod.services.audit_display.names import field_name


@dataclass(frozen=True)
class FieldChange:
    """One field of an entry: its name in words and its values before and after as text
    (None: the entry has no value on that side)."""

    field: str
    label: str
    before: str | None
    after: str | None


def show_value(value: Any) -> str:
    """A stored value as text: yes/no, a dash for nothing, lists and objects as compact JSON."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


def entry_changes(entry: AuditEntry) -> list[FieldChange]:
    """The fields of an entry in the order recorded: for a change both sides of each field
    (its unchanged fields left out), for a creation or removal the one side there is."""
    before, after = entry.before or {}, entry.after or {}
    fields = list(after) + [k for k in before if k not in after]
    out = []
    for f in fields:
        if f in before and f in after and before[f] == after[f]:
            continue
        out.append(
            FieldChange(
                f,
                field_name(f),
                show_value(before[f]) if f in before else None,
                show_value(after[f]) if f in after else None,
            )
        )
    return out
