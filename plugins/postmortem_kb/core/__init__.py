"""The pure core of postmortem-kb: no MkDocs imports anywhere below this package."""
