"""postmortem-kb: a knowledge base generator for blameless postmortems.

The package is split the way the data flows:

- `postmortem_kb.core`: the pure core (no MkDocs imports): reading files, the
  format's rules, the model, the knowledge base and its audience rules.
- `postmortem_kb.render`: HTML fragments rendered with an autoescaping Jinja
  environment (no MkDocs imports either).
- `postmortem_kb.plugin`: the thin MkDocs adapter (`plugins: - postmortems`).
- `postmortem_kb.cli`: the thin command-line adapter (`postmortem`).
"""

__version__ = "0.1.0"
