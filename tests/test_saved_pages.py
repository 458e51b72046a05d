"""The saved pages in tests/files/ are still what the sample portal renders: a family test on a page
the portal no longer serves would test nothing. After a template change: .venv/bin/python tests/saved_pages.py"""

from __future__ import annotations

import pytest
from saved_pages import FILES, SAVED


@pytest.mark.parametrize("name", sorted(SAVED))
def test_saved_page_is_what_the_portal_renders(name):
    page = SAVED[name]
    rendered = page.render()
    assert rendered is not None, f"{page.url} is gone from the sample portal"
    assert (rendered.content_type, rendered.body) == (page.content_type, (FILES / name).read_bytes()), (
        f"{name} differs from {page.url}: run .venv/bin/python tests/saved_pages.py"
    )
