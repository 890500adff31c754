"""Turn any failure into a one-line message and an exit code: no traceback reaches a user."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable

from environments.errors import ConfigError


class UserError(Exception):
    """A problem the user can fix; the message says how. `exit_code` 2 means bad input."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def run_cli(command: Callable[[], int]) -> int:
    """Run `command`; print problems to stderr and return its exit code."""
    try:
        return command()
    except ConfigError as error:
        for message in error.messages:
            print(message, file=sys.stderr)
        return 2
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the last line of defence for users
        if os.environ.get("AUTOSCALE_DEBUG"):
            traceback.print_exc()
        print(f"internal error: {type(error).__name__}: {error} (set AUTOSCALE_DEBUG=1 for details)", file=sys.stderr)
        return 1
