"""Shared helper of the audit log's words: a name shown in words when it has none."""

from __future__ import annotations


def _words(name: str) -> str:
    text = name.replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]
