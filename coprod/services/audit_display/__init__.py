"""The audit log as people read it: readable action names, the page each entry is about (when
it still exists and the reader may see it) and its before/after values field by field."""

from coprod.services.audit_display.actions import ACTION_NAMES, action_name
from coprod.services.audit_display.changes import FieldChange, entry_changes, show_value
from coprod.services.audit_display.names import FIELD_NAMES, OBJECT_NAMES, field_name, object_name
from coprod.services.audit_display.targets import LOADS, MODELS, Target, entry_targets

__all__ = [
    "ACTION_NAMES",
    "FIELD_NAMES",
    "LOADS",
    "MODELS",
    "OBJECT_NAMES",
    "FieldChange",
    "Target",
    "action_name",
    "entry_changes",
    "entry_targets",
    "field_name",
    "object_name",
    "show_value",
]
