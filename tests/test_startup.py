"""``winset --version`` and ``winset --help`` start without loading the analyses: every command's
heavy dependencies are imported when that command runs."""

import subprocess
import sys

import pytest

# (typer itself loads pydantic to render a command's options, so the scenario model is checked instead)
HEAVY = ["numpy", "scipy", "pandas", "matplotlib", "fastapi", "sqlalchemy", "negmas", "dask"]
HEAVY += ["winset.scenario", "winset.engine", "winset.support", "winset.report", "winset.consult"]
PROBE = """
import sys
from typer.testing import CliRunner
from winset.cli import app
result = CliRunner().invoke(app, {args!r})
assert result.exit_code == 0, result.output
print(" ".join(sorted(name for name in {heavy!r} if name in sys.modules)))
"""


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["solve", "--help"], ["amce", "--help"]])
def test_the_command_line_starts_without_its_heavy_dependencies(args):
    probe = PROBE.format(args=args, heavy=HEAVY)
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []


def test_the_analyses_load_matplotlib_only_to_draw():
    """Fitting and solving draw no figure: the modules they import leave matplotlib unloaded (a
    third of a second of every such command)."""
    probe = (
        "import sys\n"
        "import winset.cli.solve, winset.cli.fit, winset.compile, winset.conjoint, winset.engine.solution\n"
        "print('matplotlib' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split() == [
        "False"
    ]
