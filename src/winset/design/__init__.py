"""Designing a study before it is fielded: how many respondents each public's survey needs for
winset's pass/fail calls, the smallest AMCE it can detect, and the randomised design to field."""

from .power import CONFIDENCE, MARGIN, PublicPower, Study, public_power
from .result import DesignResult
from .truth import Truth

__all__ = ["CONFIDENCE", "MARGIN", "DesignResult", "PublicPower", "Study", "Truth", "public_power"]
