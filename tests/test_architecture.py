"""The package's layers hold (the import contracts in pyproject.toml, docs/architecture.md): each
part imports only from the parts below it, the engine never from surveys or scenario files, the
bottom layer needs numpy and scipy only, and no package's modules import each other in a cycle."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
