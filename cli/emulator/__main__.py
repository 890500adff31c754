"""`python -m cli.emulator serve --port … --cert … --key …`: the server process that `lifecycle.start` runs."""

from __future__ import annotations

import sys

from cli.emulator.server import main

if __name__ == "__main__":
    sys.exit(main())
