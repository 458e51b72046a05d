"""Fixtures shared by several test modules."""

from __future__ import annotations

import pytest

from sample_portal.server import start_in_thread


@pytest.fixture(scope="module")
def plain(request):
    """The sample portal with no opt-in extras, as of the requesting module's ``AS_OF``."""
    with start_in_thread(request.module.AS_OF) as portal:
        yield portal
