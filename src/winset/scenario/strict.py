"""The base of every scenario model: strict types, no unknown keys, frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Strict(BaseModel):
    # strict: TOML has real types, so "0.5" in quotes is a mistake to report, not to coerce.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
