"""The command-line adapter: `postmortem check`, and friends."""
