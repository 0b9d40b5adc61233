"""Negotiations on winset scenarios: the bridge to NegMAS."""
