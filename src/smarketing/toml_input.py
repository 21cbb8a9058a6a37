"""TOML written by users (scoring rules, column mappings, status maps), read within bounds.

Python's TOML reader trusts its input: a 4,301-digit number raises a bare ValueError, lists nested a
thousand deep exhaust the recursion limit, and a key dotted a few thousand levels deep takes seconds and
gigabytes. Here a file is at most 1 MB, a key at most 100 levels deep, and every problem is a TomlInputError
naming the line where it can.
"""

from __future__ import annotations

import re
import stat
import tomllib
from pathlib import Path

MAX_BYTES = 1 << 20
MAX_KEY_DEPTH = 100
# a dot joining two key parts (not the dot of a number such as 1.5)
_KEY_DOT = re.compile(r"""[A-Za-z_"'-][ \t]*\.(?=[ \t]*[\w"'])|\d[ \t]*\.(?=[ \t]*[A-Za-z_"'])""")
_STRING = re.compile(r"""(?:"(?:[^"\\\n]|\\.)*"|'[^'\n]*')""")
_DIGITS = re.compile(r"\d[\d_]*")
_KEY = re.compile(r"""\s*([\w"'.-]+)\s*=""")
_INT_DIGITS = 4300  # Python's limit for converting text to a whole number


class TomlInputError(ValueError):
    """A settings file that cannot be read; `line` is the 1-based line of the problem, when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def read(path: Path) -> str:
    """The text of a UTF-8 settings file, refused unread when larger than 1 MB or not a regular file (a device such
    as /dev/zero never ends); bytes are counted as read (FileNotFoundError if missing)."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise TomlInputError(f"not a regular file ({path}); give the path of a file")
    too_big = "larger than the 1,024 KB a settings file may be"
    if info.st_size > MAX_BYTES:
        raise TomlInputError(f"the file is {info.st_size / 1024:,.0f} KB, {too_big}")
    with path.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TomlInputError(f"the file is {too_big}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TomlInputError(f"line {line} is not UTF-8 text (save the file as UTF-8)", line) from exc


def loads(text: str) -> dict:
    """The TOML document in `text`, or TomlInputError."""
    if len(text) > MAX_BYTES:
        raise TomlInputError(f"the text is {len(text) / 1024:,.0f} KB, larger than the 1,024 KB allowed")
    _check_key_depth(text)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlInputError(f"not valid TOML ({exc})") from exc
    except RecursionError as exc:
        raise TomlInputError("not valid TOML (lists or tables nested too deeply)") from exc
    except ValueError as exc:  # a whole number with more digits than Python converts
        raise _long_number(text) from exc


def _check_key_depth(text: str) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.count(".") > MAX_KEY_DEPTH and len(_KEY_DOT.findall(_STRING.sub("s", line))) > MAX_KEY_DEPTH:
            raise TomlInputError(f"line {number}: a key nested more than {MAX_KEY_DEPTH} levels deep", number)


def _long_number(text: str) -> TomlInputError:
    for match in _DIGITS.finditer(text):
        digits = len(match.group().replace("_", ""))
        if digits > _INT_DIGITS:
            line = text.count("\n", 0, match.start()) + 1
            key = _KEY.match(text.split("\n")[line - 1])
            field = f"'{key.group(1)}' is " if key else ""
            return TomlInputError(f"line {line}: {field}a number with {digits:,} digits, far too large", line)
    return TomlInputError("not valid TOML (a number is far too large)")
