"""Shared by the lifecycle's modules: who acts (nobody, for a job)."""

from __future__ import annotations

from coprod.models import User

Actor = User | None
