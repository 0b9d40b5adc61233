"""The names the talks accept, in one place that needs no NegMAS (the command line checks them
before anything is imported or fitted)."""

STRATEGIES = ("boulware", "linear", "conceder", "tit-for-tat")
MODES = ("strict", "soft")
EXPERIMENTS = ("schelling", "linkage", "ban")
