"""The README documents the command line as it is: every command, and every option of it.

As sqlite-utils' docs tests do for its CLI: the parser is the source of truth, so a new command or
option without a line in the README fails here.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from fazhi.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def _options(parser: argparse.ArgumentParser) -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
            continue
        long = [o for o in action.option_strings if o.startswith("--")]
        if long:
            found.append(long[0])
        elif not action.option_strings and action.choices:
            found.extend(action.choices)  # a positional with choices: portals list|validate
    return found


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_every_command_and_its_options_are_in_the_readme(name):
    lines = [line for line in README.splitlines() if re.search(rf"`fazhi {name}\b", line)]
    assert lines, f"`fazhi {name}` is not in the README"
    text = "\n".join(lines)
    missing = [option for option in _options(_subcommands()[name]) if option not in text]
    assert not missing, f"fazhi {name}: {missing} are not on a README line that names `fazhi {name}`"


def test_the_global_options_and_the_two_commands_come_first():
    assert "--debug" in README
    top = README.split("\n## ", 1)[0]
    assert "make demo" in top and "make test" in top
