"""Where the Streamlit app (app.py, pages/, .streamlit/config.toml) is for this installation.

A wheel carries a copy under smarketing/_app/ (setup.py's build step puts it there), found through
importlib.resources. An editable install (`pip install -e .`, what ./run does) has no copy: it runs the
checkout's own files, and the checkout is the folder pip recorded for it (PEP 610 direct_url.json).
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
from pathlib import Path
from urllib.parse import unquote, urlparse

PACKAGED = "_app"


def app_dir() -> Path:
    """The folder holding app.py and pages/; FileNotFoundError when this installation has no app."""
    packaged = Path(str(importlib.resources.files("smarketing") / PACKAGED))
    for folder in (packaged, editable_checkout()):
        if folder is not None and (folder / "app.py").is_file() and (folder / "pages").is_dir():
            return folder
    raise FileNotFoundError("this installation of smarketing has no app (app.py and pages/): install it from a "
                            "checkout with `pip install .` (or `pip install -e .`)")


def app_script() -> Path:
    return app_dir() / "app.py"


def editable_checkout() -> Path | None:
    """The source folder of an editable install of smarketing, None for any other installation."""
    try:
        text = importlib.metadata.distribution("smarketing").read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        return None
    try:
        record = json.loads(text or "{}")
    except ValueError:
        return None
    url = urlparse(str(record.get("url", "")))
    if not record.get("dir_info", {}).get("editable") or url.scheme != "file":
        return None
    return Path(unquote(url.path))
