"""The whole analysis of a scenario and its report: one self-contained HTML page."""

from .analysis import Analysis, RatificationMap, analyse
from .html import render
from .output import write_report

__all__ = ["Analysis", "RatificationMap", "analyse", "render", "write_report"]
