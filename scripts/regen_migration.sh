#!/usr/bin/env bash
# Until the first release, the schema lives in one initial migration, regenerated from the
# models whenever they change (a fixed revision id, so regenerating is repeatable).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f migrations/versions/*_initial_schema.py
DATABASE_URL="sqlite:///$tmp/gen.sqlite" .venv/bin/alembic -c migrations/alembic.ini \
  revision --autogenerate --rev-id 0001 -m "initial schema" >/dev/null
.venv/bin/ruff format -q migrations/versions || true
rm -rf "$tmp"
ls migrations/versions
