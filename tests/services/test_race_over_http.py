"""Issue 12's two races over HTTP, against a real gunicorn on PostgreSQL (bench/race_http.py):
40 rounds of two cancels of one place and 40 of a cancel while the volunteer signs up again
give no overbooked shift, no phantom seat and no response >= 500."""

from __future__ import annotations

import pytest

from bench import race_http
from tests.conftest import PG_URL


@pytest.mark.postgres
def test_races_over_http_never_overbook_leave_a_phantom_seat_or_answer_5xx(
    committed_engine,
) -> None:
    figures = race_http.run(PG_URL, rounds=40)
    assert figures["rounds"] == 80
    assert figures["responses_5xx"] == 0, figures
    assert figures["overbooked_shifts"] == 0, figures
    assert figures["phantom_seats"] == 0, figures
    assert figures["unexpected"] == [], figures
    assert figures["server_tracebacks"] == 0, figures
