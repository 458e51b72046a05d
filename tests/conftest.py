"""Fixtures shared by several test modules, and which tests are slow.

``make test`` runs everything; ``make test-fast`` (``pytest -m "not slow"``) leaves out the tests that
run whole ``scrapy crawl`` processes or real servers, to stay under two minutes on a loaded 2-core
machine. Tests that read ../shared use tests/real_corpus.py and skip, naming it, where it is absent.
"""

from __future__ import annotations

import pytest

from sample_portal.server import start_in_thread

# Modules whose every test runs at least one whole crawl in its own process (seconds to tens of seconds).
SLOW_MODULES = frozenset({
    "test_browser_fetch", "test_crash_safety", "test_crawl", "test_crawl_delay", "test_crawl_faults",
    "test_crawl_multipage", "test_removal_crawl", "test_spiders", "test_replay_pywb",
})  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and module.__name__.rpartition(".")[2] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def plain(request):
    """The sample portal with no opt-in extras, as of the requesting module's ``AS_OF``."""
    with start_in_thread(request.module.AS_OF) as portal:
        yield portal
