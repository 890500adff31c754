"""Text rendered from jinja2 templates kept beside the module that owns them.

StrictUndefined: a template that names a value nobody passed fails at synthesis, never
renders an empty string into a dashboard or a runbook.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jinja2


@functools.cache
def _environment(directory: str) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        extensions=["jinja2.ext.do"],
    )
    environment.filters["tojson"] = lambda value: json.dumps(value, sort_keys=False)
    return environment


def render(module_file: str, template: str, **values: Any) -> str:
    """Render `templates/<template>` of the package whose `__file__` is `module_file`."""
    directory = str(Path(module_file).resolve().parent / "templates")
    return _environment(directory).get_template(template).render(**values)
