"""How winset's commands show themselves in ``--help``: flags bare, arguments in capitals; and
mistakes on the command line said as every other user error (:mod:`.usage_errors`).

Typer prints a flag's type beside it (``--json <bool>``), which reads as if the flag took a
value, and a required argument as ``{scenario}``, which in a usage line means "one of"; it also
keeps the line breaks of a docstring, so that help read at 80 columns breaks mid-sentence. These
command classes print flags without a type, arguments as ``SCENARIO`` (required) or ``[FOLDER]``
(optional), the convention of Unix manuals and of click, and each paragraph of help as one
line for the terminal to wrap.
"""

from __future__ import annotations

import inspect
from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from . import usage_errors


def _argument_usage(param: TyperArgument) -> str:
    name = param.metavar or (param.name or "").upper()
    if param.nargs != 1:
        name += "..."
    return name if param.required else f"[{name}]"


def _paragraphs(text: str | None) -> str | None:
    if text is None:
        return None
    return "\n\n".join(" ".join(p.split()) for p in inspect.cleandoc(text).split("\n\n"))


class _HelpStyle:
    help: str | None
    options_metavar: str | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _paragraphs(self.help)

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, list(args), parent, **extra)  # type: ignore[misc]
        except Exception as error:
            if not usage_errors.is_usage_error(error):
                raise
            command = " ".join(filter(None, [parent.command_path if parent else None, info_name]))
            usage_errors.report(error, command or "winset", list(args))

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
                param.metavar = ""  # typer shows a flag's metavar in place of its type
            elif isinstance(param, TyperArgument) and param.metavar is None and param.name:
                param.metavar = param.name.upper()  # as in the usage line, and in its errors
        return params

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(_argument_usage(param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        if isinstance(self, TyperGroup):
            pieces.append(self.subcommand_metavar)
        return pieces


class Command(_HelpStyle, TyperCommand):
    """A winset command."""


class Group(_HelpStyle, TyperGroup):
    """The ``winset`` command itself."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as error:  # no such command
            if not usage_errors.is_usage_error(error):
                raise
            usage_errors.report(error, ctx.command_path, list(args))
