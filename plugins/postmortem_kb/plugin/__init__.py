"""The MkDocs adapter: `plugins: - postmortems` in `mkdocs.yml`."""
