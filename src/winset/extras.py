"""How to install one of winset's optional parts (its extras), said as the user can run it.

winset is installed from a checkout or a wheel, not from a package index, so ``pip install
'winset[web]'`` fails where it is ("No matching distribution found"). The hint names what winset
was installed from, as pip recorded it (PEP 610's ``direct_url.json``): the checkout (with ``-e``
if it was installed editable) or the wheel file; only an installation from an index gets the
index form.
"""

from __future__ import annotations

import json
import shlex
import sys
from importlib import metadata
from urllib.parse import unquote, urlsplit


def install_hint(extra: str) -> str:
    """The command that installs ``extra`` into this winset's environment (its own Python's pip:
    a bare ``pip`` may be another environment's)."""
    pip = f"{shlex.quote(sys.executable)} -m pip install" if sys.executable else "pip install"
    source = _installed_from()
    if source is None:
        return f"{pip} 'winset[{extra}]'"
    path, editable = source
    return f"{pip} {'-e ' if editable else ''}'{path}[{extra}]'"


def _installed_from() -> tuple[str, bool] | None:
    """The local folder or wheel winset was installed from, and whether it was installed
    editable; None for an installation from an index (or one pip did not record)."""
    try:
        text = metadata.distribution("winset").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    try:
        record = json.loads(text or "")
    except json.JSONDecodeError:
        return None
    url = urlsplit(str(record.get("url", "")))
    if url.scheme != "file":
        return None
    editable = bool((record.get("dir_info") or {}).get("editable", False))
    return unquote(url.path), editable
