"""HTML fragments for postmortem pages and generated pages.

Rendered with a Jinja2 environment of our own whose autoescape is always on:
every front-matter value is escaped unless a template marks pre-rendered HTML
`|safe` on purpose. (MkDocs' own environment does not autoescape.)
"""
