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
    Scenario,
    Utility,
)
from .rules_model import Groups, RuleSpec, counts_groups, describe, share_threshold, steps_of

__all__ = [
    "CalibrationTarget",
    "Constraint",
    "DataSource",
    "Groups",
    "Issue",
    "Meta",
    "Option",
    "Party",
    "Prior",
    "Proposal",
    "Ratifier",
    "RuleSpec",
    "Scenario",
    "Utility",
    "counts_groups",
    "describe",
    "load_scenario",
    "parse_toml",
    "share_threshold",
    "steps_of",
    "validate_document",
]
