"""`postmortem`: validate, lint, scaffold and count postmortems without building the site.

Exit codes: 0 clean (warnings allowed unless --strict), 1 errors found, 2
usage or configuration problems; never a traceback. Same validation code and
same configuration (the `postmortems` block of `mkdocs.yml`) as the MkDocs
plugin. Colour only on a terminal, and never when NO_COLOR is set.
"""

from __future__ import annotations

from typing import Any

import click

from .check import check, lint
from .common import EXIT_USAGE, colour_allowed
from .new import new
from .stats import stats


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except BrokenPipeError:  # `postmortem check | head`: the reader left, nothing to say
            ctx.exit(0)
        except KeyboardInterrupt:
            raise click.exceptions.Abort() from None
        except Exception as exc:  # a bug: say so in one line, no traceback
            click.echo(
                f"postmortem: internal error: {type(exc).__name__}: {exc} "
                "(please report it with the command you ran)",
                err=True,
            )
            ctx.exit(EXIT_USAGE)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="postmortem-kb")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Work with a postmortem knowledge base: scaffold, validate, lint, count.

    Run it in the folder of mkdocs.yml (or pass -f to a command). Every
    command has --help with examples.

    \b
    Examples:
      postmortem new                        # start a postmortem from the template
      postmortem check                      # the whole knowledge base, lint included
      postmortem check postmortems/2024     # one folder
      postmortem check --changed-since origin/main --strict
      postmortem lint --list-rules          # rule ids for inline comments
      postmortem stats                      # counts and overdue action items
    """
    if colour_allowed() is False:
        ctx.color = False  # NO_COLOR: click.echo strips styles even on a terminal


cli.add_command(new)
cli.add_command(check)
cli.add_command(lint)
cli.add_command(stats)


def main() -> None:
    cli(prog_name="postmortem")


if __name__ == "__main__":  # pragma: no cover
    main()
