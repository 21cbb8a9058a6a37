"""Names a user types or uploads, reduced to one safe file name inside an app folder (or refused)."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

MAX_NAME = 100  # characters; also at most MAX_BYTES in UTF-8 (file systems count bytes, 255 at most)
MAX_BYTES = 200
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')  # control characters, separators, Windows-reserved
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


class UnsafeName(ValueError):
    """A name cannot be used as a file name; the message says why."""


def safe_file_name(name: str, default: str = "file") -> str:
    """`name` as a single file name: no folder parts, `..`, NUL or control characters, no leading dots or
    spaces, not a Windows device name (CON, NUL, COM1 …), at most MAX_NAME characters / MAX_BYTES bytes;
    `default` when nothing is left. Letters of any script are kept."""
    text = unicodedata.normalize("NFC", str(name))
    text = _UNSAFE.sub("-", text)
    text = re.sub(r"\.{2,}", ".", text).strip(" .-")
    text = text[:MAX_NAME]
    while len(text.encode("utf-8")) > MAX_BYTES:
        text = text[:-1]
    text = text.rstrip(" .")
    if text.split(".", 1)[0].strip().casefold() in _WINDOWS_DEVICES:
        text = "_" + text
    return text or default


def inside(folder: str | os.PathLike, name: str) -> Path:
    """`folder`/`name` when `name` is already a safe file name (see safe_file_name), else UnsafeName."""
    if not name or safe_file_name(name, default="") != name:
        shown = name if len(name) <= 60 else name[:57] + "…"
        raise UnsafeName(
            f"'{shown}' cannot be used as a file name (at most {MAX_NAME} characters; no '/', '\\', ':', "
            f"'..', control characters, leading dot or device name such as CON)"
        )
    path = Path(folder) / name
    if path.resolve().parent != Path(folder).resolve():  # a symbolic link named `name` leading elsewhere
        raise UnsafeName(f"'{name}' in {folder} leads outside that folder")
    return path
