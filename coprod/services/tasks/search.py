"""Searching tasks by words, through an index on both databases, with the same behaviour.

What a search does: every word of 3 characters or more must appear in the task's title,
description or place (not necessarily the same one), whatever its case; part of a word is
enough ("gard" finds "Garden" and "Kindergarden"); accents count ("cafe" does not find "café");
shorter words ("of", "la") are left out, and a search of short words alone is refused on the
field. Punctuation is matched as typed (% and _ are plain characters).

How: substring matching indexed by trigrams (three-character pieces), which is the one kind of
index both databases offer with these same answers. PostgreSQL: `ILIKE '%word%'` on each
column, served by a GIN index of pg_trgm's trigrams on each (ix_task_search_title, …).
SQLite: an FTS5 table with the trigram tokenizer (task_fts, kept by
triggers), where a quoted word is a substring match. Full-text search (tsvector / FTS5 words)
was the other choice; it was left because the two databases cut text into words differently
(PostgreSQL keeps "example.com" or "e-mail" whole, FTS5 splits them), so the same search would
find different tasks, and because it cannot find part of a word inside another.
"""

from __future__ import annotations

from sqlalchemy import Column, ColumnElement, Integer, MetaData, String, Table, and_, or_, select
from sqlalchemy.orm import Session

from coprod.errors import Invalid
from coprod.i18n import _
from coprod.models import Task
from coprod.services.text import contains

MIN_WORD = 3  # a trigram index finds nothing shorter
MAX_WORDS = 10

# The FTS5 table the migration 0016 makes on SQLite (not a model: no other database has it).
task_fts = Table("task_fts", MetaData(), Column("rowid", Integer), Column("task_fts", String))


def search_words(q: str) -> list[str]:
    """The words searched for (at most ten, of 3 characters or more); Invalid on `q` when it
    holds only shorter words."""
    typed = q.split()
    words = [w for w in typed if len(w) >= MIN_WORD][:MAX_WORDS]
    if typed and not words:
        raise Invalid(
            "q", _("Search for a word of at least 3 letters: shorter words are left out.")
        )
    return words


def matching(session: Session, words: list[str]) -> ColumnElement[bool]:
    """The tasks whose title, description or place holds every word (see the module)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        phrase = " AND ".join('"' + w.replace('"', '""') + '"' for w in words)
        found = select(task_fts.c.rowid).where(task_fts.c.task_fts.op("MATCH")(phrase))
        return Task.id.in_(found)
    if dialect == "postgresql":
        return and_(*(_ilike(w) for w in words))
    return and_(*(contains(w, Task.title, Task.description, Task.location) for w in words))


def _ilike(word: str) -> ColumnElement[bool]:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    columns = (Task.title, Task.description, Task.location)
    return or_(*(c.ilike(pattern, escape="\\") for c in columns))
