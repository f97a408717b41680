"""The autoescaping Jinja2 environment for postmortem-kb fragments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from ..stats.actions import status_label
from .formatting import duration, relative, when


def make_environment(template_dirs: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )
    env.filters["duration"] = duration
    env.filters["when"] = when
    env.filters["status"] = status_label
    env.globals["relative"] = relative
    return env


class Renderer:
    """Renders `partials/postmortem/<name>.html` fragments into HTML strings."""

    def __init__(self, template_dirs: list[Path]) -> None:
        self.env = make_environment(template_dirs)
        # One lookup per template and build (a Renderer lives for one build):
        # `get_template` stats the file on every call to check it is up to date.
        self._templates: dict[str, jinja2.Template] = {}

    def render(self, name: str, **context: Any) -> str:
        template = self._templates.get(name)
        if template is None:
            template = self._templates[name] = self.env.get_template(f"partials/postmortem/{name}.html")
        # Blank lines would end a raw-HTML block in Markdown: drop them.
        html = template.render(**context)
        return "\n".join(line for line in html.split("\n") if line.strip())
