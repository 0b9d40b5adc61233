"""Scenario files: issues, options, status quo, constraints, parties, ratifiers and proposals."""

from .load import load_scenario, parse_toml, validate_document
from .model import (
    CalibrationTarget,
    Constraint,
    DataSource,
    Issue,
    Meta,
    Option,
    Party,
    Prior,
    Proposal,
    Ratifier,
    Rule,
    Scenario,
    Utility,
)

__all__ = [
    "CalibrationTarget",
    "Constraint",
    "DataSource",
    "Issue",
    "Meta",
    "Option",
    "Party",
    "Prior",
    "Proposal",
    "Ratifier",
    "Rule",
    "Scenario",
    "Utility",
    "load_scenario",
    "parse_toml",
    "validate_document",
]
