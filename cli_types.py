"""Click parameter types shared by every command: bounded finite numbers and output paths (and
`InterruptedWith`, Ctrl-C with what the command kept).

Click's own float type accepts `inf` and `nan`, and its path type turns an empty string into
the current directory; these types refuse both at the boundary, naming the option and the
allowed range in click's usual one-line `Invalid value for '--option': ...` message.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from network.quantities import AmbiguousNumberError, parse_number
from routing.limits import amount_text


class FiniteFloat(click.ParamType[float]):
    """A finite number in [low, high] (or (low, high] when `low_open`), with its unit.

    Read by `network.quantities.parse_number`: `1,5` is 1.5, `20 000` is 20000, and `20.000`
    (twenty thousand or twenty?) is refused as ambiguous.
    """

    name = "number"

    def __init__(self, low: float, high: float, unit: str = "", *, low_open: bool = False) -> None:
        self.low, self.high, self.unit, self.low_open = low, high, unit, low_open

    def allowed(self) -> str:
        """The allowed range in words: `greater than 0 and at most 400 days`, `0 to 100,000 EUR`."""
        unit = f" {self.unit}" if self.unit else ""
        if self.low_open:
            return f"greater than {amount_text(self.low)} and at most {amount_text(self.high)}{unit}"
        return f"{amount_text(self.low)} to {amount_text(self.high)}{unit}"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)  # a default
        else:
            try:
                number = parse_number(str(value))
            except AmbiguousNumberError as exc:
                self.fail(str(exc), param, ctx)
            except ValueError:
                self.fail(f"{value!r} is not a number (allowed: {self.allowed()})", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value} is not a finite number (allowed: {self.allowed()})", param, ctx)
        too_low = number < self.low or (self.low_open and number == self.low)
        if too_low or number > self.high:
            self.fail(f"{value} is outside the allowed range: {self.allowed()}", param, ctx)
        return number


class NonEmptyPath(click.ParamType[Path]):
    """A path, an empty string refused (click's Path would make it `.`)."""

    name = "path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        if isinstance(value, Path):
            return value
        if not str(value).strip():
            self.fail("the path is empty", param, ctx)
        return Path(value)


class OutputPath(NonEmptyPath):
    """A path to write to (whether it may be written is checked before any work)."""


class InputDirectory(NonEmptyPath):
    """A directory to read (whether it exists is checked where it is read, with its own
    message)."""

    name = "directory"


def repeated_file(paths: Sequence[Path]) -> int | None:
    """The position in `paths` of the first file named again (compared after resolving links
    and `..`), or None: a scenario named twice would apply its changes twice."""
    seen: set[Path] = set()
    for i, path in enumerate(paths):
        resolved = path.resolve()
        if resolved in seen:
            return i
        seen.add(resolved)
    return None


class InterruptedWith(KeyboardInterrupt):
    """Ctrl-C, re-raised by a command that has something to say about it (what it kept): the
    CLI writes `interrupted: <detail>` as its one line, exit 130."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
