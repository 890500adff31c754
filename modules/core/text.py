"""Text rendered with jinja2 from templates kept in the code of the module that owns them.

Modules do no file I/O, so templates are strings. One environment for all of them:
StrictUndefined (a template that names a value nobody passed fails at synthesis, never renders
an empty string into a dashboard or a runbook), `do` statements, and a `tojson` filter.
"""

from __future__ import annotations

import json

import jinja2

_ENVIRONMENT = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,
    extensions=["jinja2.ext.do"],
)
_ENVIRONMENT.filters["tojson"] = lambda value: json.dumps(value, sort_keys=False)


def template(source: str) -> jinja2.Template:
    """A compiled template of `source`; compile once, at import, and render per stack."""
    return _ENVIRONMENT.from_string(source)
