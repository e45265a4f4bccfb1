"""Each test is marked with its tier, the folder it sits in (fast, app or browser), so `-m` can pick tiers."""
from pathlib import Path

import pytest

TIERS = ("fast", "app", "browser")
HERE = Path(__file__).resolve().parent

# The app and browser tiers' fixtures are a plugin their conftests import first: rewrite its asserts too.
pytest.register_assert_rewrite("tests.store_fixtures")


def pytest_collection_modifyitems(items):
    for item in items:
        tier = Path(item.path).resolve().relative_to(HERE).parts[0]
        if tier in TIERS:
            item.add_marker(getattr(pytest.mark, tier))
