from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check correctness, not speed: no per-example deadline on a busy machine.
settings.register_profile("winset", deadline=None)
settings.load_profile("winset")

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
SHARED = REPO.parent / "shared"
POLLS = FIXTURES / "valid" / "polls.csv"


@pytest.fixture
def minimal_path() -> Path:
    return FIXTURES / "valid" / "minimal.toml"
