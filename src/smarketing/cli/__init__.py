"""The `smarketing` command line: one module per command group under smarketing.cli."""

from __future__ import annotations

import argparse
import importlib
import sys
from datetime import date

# Command-group modules, each with register(subparsers) adding parsers that set `func`.
COMMAND_MODULES = ("data", "funnel", "behaviour", "scoring", "attribution", "leadflow", "planner", "forecast", "leads",
                   "insights", "pack", "app")


class CliError(Exception):
    """A user error: printed as one line on stderr, exit code 1."""


class OneLineParser(argparse.ArgumentParser):
    """Argument errors as one line on stderr (no usage dump), exit code 1."""

    def error(self, message: str):
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(1)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="smarketing", description="Funnel analytics for B2B marketing and sales.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"smarketing.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"smarketing.cli.{name}":
                continue  # command group not built yet
            raise
        module.register(sub)
    return parser




def _clamp_window(args) -> None:
    """--since / --until moved into the sane window (smarketing.timewindow), as the sidebar and a shared URL are,
    with a note: `--until 9999-12-31` means as late as data can be."""
    from smarketing import timewindow

    for option in ("since", "until"):
        day = getattr(args, option, None)
        if isinstance(day, date) and (clamped := timewindow.clamp_day(day)) != day:
            side = "after" if day > clamped else "before"
            print(f"note: --{option} {day.isoformat()} is {side} {clamped.isoformat()}, the edge of the dates data "
                  f"may have ({timewindow.describe()}); using {clamped.isoformat()}", file=sys.stderr)
            setattr(args, option, clamped)


def _language(args):
    """The labels' language of a command: its --lang, else the language setting (resolved once, not per label)."""
    from smarketing import labels, settings

    return labels.using(getattr(args, "lang", None) or settings.current().language)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed a one-line usage error
        return int(exc.code or 0) and 1
    _clamp_window(args)
    try:
        with _language(args):  # English unless SMARKETING_LANG (or a command's --lang) says otherwise
            return int(args.func(args) or 0)
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except (CliError, ValueError, FileNotFoundError, OSError) as exc:
        from smarketing.privacy import mask_text  # an error may quote a value: emails and phones masked

        print(f"smarketing {args.command}: error: {mask_text(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
