"""Worked examples whose data winset generates: the Kuril Islands' simulated publics."""
