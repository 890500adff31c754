"""Check what `make setup` cannot install itself: Python, Node.js and Terraform versions.

Runs with the system Python before any virtual environment exists, so it uses the standard
library only and fails with one line naming what is missing and how to get it.
"""

import re
import shutil
import subprocess
import sys

REQUIRED = (
    # (command, version flag, minimum, how to get it)
    ("node", "--version", (20, 0), "install Node.js 20 or 22 (e.g. `apt-get install nodejs`, or nodejs.org)"),
    ("terraform", "version", (1, 10), "install Terraform ≥ 1.10 from developer.hashicorp.com/terraform/install"),
)


def version_of(command: str, flag: str) -> tuple[int, ...] | None:
    try:
        output = subprocess.run([command, flag], capture_output=True, text=True, timeout=30, check=False).stdout
    except OSError:
        return None
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", output)
    return tuple(int(part) for part in match.groups() if part is not None) if match else None


def main() -> int:
    problems = []
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs before the venv exists
        found = ".".join(map(str, sys.version_info[:3]))
        problems.append(f"Python ≥ 3.11 is required (found {found}): install it, or run `make PYTHON=python3.11 …`")
    for command, flag, minimum, remedy in REQUIRED:
        if shutil.which(command) is None:
            problems.append(f"{command} is missing: {remedy}")
            continue
        found = version_of(command, flag)
        if found is None or found[:2] < minimum:
            shown = ".".join(map(str, found)) if found else "unknown"
            wanted = ".".join(map(str, minimum))
            problems.append(f"{command} ≥ {wanted} is required (found {shown}): {remedy}")
    for problem in problems:
        print(f"prerequisite missing: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
