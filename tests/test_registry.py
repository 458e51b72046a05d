"""The portal registry file loads and validates; bad entries are named."""

from pathlib import Path

import pytest

from crawler.families import FAMILIES
from crawler.registry import load_portals, validate_portals


def test_bundled_registry_is_valid_and_unverified():
    portals = load_portals()
    assert len(portals) >= 6
    assert validate_portals(portals) == []
    assert {p.cms for p in portals} >= {"trs", "hanweb", "gkmlpt"}
    assert {p.cms for p in portals} <= set(FAMILIES)  # each portal's cms selects a family of crawler/families/
    # Nothing here reaches the internet: no entry may claim to have been checked live.
    assert not [p.key for p in portals if p.verified]


def test_bad_entries_are_named(tmp_path: Path):
    bad = tmp_path / "portals.toml"
    bad.write_text(
        """
[[portal]]
key = "x"
name = "某县"
region_code = "12"
level = "village"
cms = "wordpress"
start_urls = ["ftp://x.gov.cn/"]
verified = true
""",
        encoding="utf-8",
    )
    problems = validate_portals(load_portals(bad))
    text = "\n".join(problems)
    for fragment in ("region_code", "level", "cms", "ftp://", "verified_on"):
        assert fragment in text


def test_unknown_field_is_an_error(tmp_path: Path):
    bad = tmp_path / "portals.toml"
    bad.write_text('[[portal]]\nkey="x"\nname="y"\nregion_code="110000"\nlevel="city"\ncms="trs"\nstart_urls=[]\ncolour="red"\n')
    with pytest.raises(ValueError, match="colour"):
        load_portals(bad)


def test_a_cms_that_is_no_family_is_named_with_the_families_there_are(tmp_path: Path):
    bad = tmp_path / "portals.toml"
    bad.write_text('[[portal]]\nkey="x"\nname="y"\nregion_code="110000"\nlevel="city"\ncms="table"\nstart_urls=["http://x.gov.cn/"]\n')
    [problem] = validate_portals(load_portals(bad))
    assert "'table'" in problem and all(name in problem for name in FAMILIES)
