"""The defaults every part of winset shares, defined once."""

DRAWS = 200  # respondent-cluster bootstrap draws per ratifier
INTERVAL = (0.05, 0.95)  # the quantiles of the draws that bound a reported 90% interval
