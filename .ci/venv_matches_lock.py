"""Fails unless `pip freeze` of the running interpreter's environment is exactly the lock file
given (each pin whose environment marker holds here; coprod itself, installed editable, aside).

    .venv/bin/python .ci/venv_matches_lock.py requirements-dev.lock
"""

from __future__ import annotations

import re
import subprocess
import sys

from packaging.markers import Marker

PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _key(name: str, version: str) -> str:
    return f"{re.sub(r'[-_.]+', '-', name).lower()}=={version}"


def main(lock: str) -> int:
    wanted = set()
    with open(lock) as lines:
        for line in lines:
            m = PIN.match(line)
            if m and (not m[3] or Marker(m[3]).evaluate()):
                wanted.add(_key(m[1], m[2]))
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    installed = {_key(*line.split("==", 1)) for line in frozen.split() if "==" in line}
    print(f"{lock}: {len(wanted)} pins for this platform; pip freeze: {len(installed)} packages")
    for name in sorted(wanted - installed):
        print(f"  locked, not installed: {name}")
    for name in sorted(installed - wanted):
        print(f"  installed, not locked: {name}")
    return 0 if wanted == installed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
