"""User text never drives the terminal, and --json is always valid JSON (RFC 8259)."""

import json
import shutil

import numpy as np
from typer.testing import CliRunner

from winset.cli import app
from winset.cli.common import jsonable, print_json
from winset.cli.terminal import SafeConsole, json_text, printable

from .conftest import POLLS
from .small_scenario import small_scenario

runner = CliRunner()
TITLE = "\\u001b]0;pwned\\u0007Kuril \\u001b[2J\\u202eevil"  # TOML escapes: retitle, clear, reverse


def strict_json(text: str):
    """Parse as RFC 8259 JSON: NaN and Infinity are not JSON."""

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_printable_escapes_controls_and_keeps_text():
    assert printable("Россия\tи\nЯпония") == "Россия\tи\nЯпония"
    assert printable("a\x1b]0;x\x07b\x9b\u202ec") == "a\\x1b]0;x\\x07b\\x9b\\u202ec"
    assert printable(printable("\x1b")) == "\\x1b"


def test_a_console_never_writes_a_control_character_of_user_text(capsys):
    from rich.table import Table
    from rich.text import Text

    table = Table()
    table.add_column("label")
    table.add_row("str \x1b[31m cell")
    table.add_row(Text("text \x1b]0;x\u202e cell"))
    console = SafeConsole(force_terminal=True, width=100, highlight=False)
    console.print(table)
    console.print("plain \x1b[2J")
    out = capsys.readouterr().out
    assert "\x1b[2J" not in out and "\x1b]0" not in out and "\u202e" not in out
    assert "str \\x1b[31m cell" in out and "plain \\x1b[2J" in out  # text made from strings: all shown
    assert "text \\x1b]0;x" in out  # a Text laid out before escaping is guarded, if cropped
    assert "\x1b[1m" in out  # rich's own styles are still there


def scenario_with_labels(tmp_path):
    """The small scenario retitled with ``TITLE`` (after it is made: it would not load)."""
    path = small_scenario(tmp_path)
    text = path.read_text(encoding="utf-8")
    start = text.index("title = ")
    end = text.index("\n", start)
    path.write_text(text[:start] + f'title = "{TITLE}"' + text[end:], encoding="utf-8")
    return path


def test_check_refuses_control_characters_and_escapes_the_rest(tmp_path):
    """A terminal escape in a label is refused, and nothing of it reaches the terminal; a
    right-to-left override, which a label may need, is shown escaped."""
    path = scenario_with_labels(tmp_path)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert "text holds the control character U+001B" in result.stderr
    assert "\x1b" not in result.output and "\u202e" not in result.output and "\x07" not in result.output
    text = path.read_text(encoding="utf-8").replace("\\u001b]0;pwned\\u0007", "").replace("\\u001b[2J", "")
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.stdout and "\\u202eevil" in result.stdout


def test_problems_escape_control_characters_on_the_terminal_and_in_json(tmp_path, minimal_path):
    text = minimal_path.read_text().replace('shikotan = "russia"', 'shikotan = "ru\\u001b[2Jssia\\u202e"', 1)
    (tmp_path / "s.toml").write_text(text)
    shutil.copy(POLLS, tmp_path / "polls.csv")
    result = runner.invoke(app, ["check", str(tmp_path / "s.toml")])
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "ru\\x1b[2Jssia\\u202e" in result.stderr
    result = runner.invoke(app, ["check", str(tmp_path / "s.toml"), "--json"])
    assert result.exit_code == 2
    assert "\u202e" not in result.stdout and "\x1b" not in result.stdout
    messages = [p["message"] for p in strict_json(result.stdout)["problems"]]
    assert any("ru\x1b[2Jssia\u202e" in m for m in messages)  # the same text, escaped in JSON only


def test_json_output_is_valid_json_whatever_the_numbers(capsys):
    print_json({"nan": float("nan"), "inf": np.inf, "value": np.float64(0.5), "n": np.int64(3), "ok": np.bool_(True)})
    document = strict_json(capsys.readouterr().out)
    assert document == {"nan": None, "inf": None, "value": 0.5, "n": 3, "ok": True}
    assert jsonable({"a": np.array([1.0, np.nan]), "b": (1, -np.inf)}) == {"a": [1.0, None], "b": [1, None]}
    escaped = json_text(json.dumps({"t": "a\u202eb\x85"}, ensure_ascii=False))
    assert "\u202e" not in escaped and "\x85" not in escaped  # written as \uXXXX escapes ...
    assert json.loads(escaped) == {"t": "a\u202eb\x85"}  # ... which mean the same text
