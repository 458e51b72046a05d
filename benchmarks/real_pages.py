"""Real saved pages of government portals, from public repositories (extractors' test fixtures, saved-page collections), as gold cases.

The pages are not copied into this repository (they are other people's saves of real sites):
``tests/fixtures/real-pages/manifest.json`` names each one by repository, commit and path, with the
gold text and metadata written by hand for this project. This module copies the pages out of local
snapshots of those repositories (``/work/.mirror/OWNER+NAME``, or ``--mirrors DIR``) into a cache
folder outside the repository, checking each file's sha256, and loads them from there:

    .venv/bin/python -m benchmarks.real_pages            # which snapshots it needs, what is cached
    .venv/bin/python -m benchmarks.real_pages --copy     # then python -m benchmarks.extraction

A snapshot is a bare clone of the repository (``git clone --bare``, or the mirror tool of this
workspace, which leaves ``/work/.mirror/OWNER+NAME/repo``); a machine without the network copies
the cache folder instead. Each page is ``half`` "tuning" (looked at while fixing extraction) or
"sealed" (scored only): the benchmark prints the halves apart.

The cache is ``$FAZHI_REAL_PAGES``, else ``../shared/extra-pages`` when it exists, else
``~/.cache/fazhi-real-pages``. Tests that read it skip, naming it, when a page is absent.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
from pathlib import Path

from benchmarks.extraction import Case

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "tests" / "fixtures" / "real-pages" / "manifest.json"
MIRRORS = Path("/work/.mirror")
CACHE_ENV = "FAZHI_REAL_PAGES"


def cache_dir() -> Path:
    """Where the copied pages live (never inside the repository)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    shared = ROOT.parent / "shared" / "extra-pages"
    if shared.is_dir():
        return shared
    return Path.home() / ".cache" / "fazhi-real-pages"


def manifest() -> list[dict]:
    return json.loads(MANIFEST.read_text("utf-8"))["pages"] if MANIFEST.exists() else []


def _git_dir(mirrors: Path, repo: str) -> Path | None:
    """The git directory of a snapshot (``fetch`` leaves ``OWNER+NAME/repo`` or ``…/repo/.git``)."""
    base = mirrors / repo.replace("/", "+")
    for candidate in (base / "repo", base / "repo" / ".git", base / ".git", base):
        if (candidate / "HEAD").is_file():
            return candidate
    return None


def copy_pages(mirrors: Path = MIRRORS, cache: Path | None = None, pages: list[dict] | None = None) -> list[str]:
    """Copy every manifest page out of its repository snapshot; return what could not be copied."""
    cache = cache or cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    problems = []
    for page in manifest() if pages is None else pages:
        git_dir = _git_dir(mirrors, page["repo"])
        if git_dir is None:
            problems.append(f"{page['name']}: no snapshot of {page['repo']} under {mirrors}")
            continue
        done = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{page['commit']}:{page['path']}"],
                              capture_output=True, check=False, timeout=60)  # fmt: skip
        if done.returncode != 0:
            problems.append(f"{page['name']}: {page['path']} not at {page['commit'][:10]} in {page['repo']}")
            continue
        if hashlib.sha256(done.stdout).hexdigest() != page["sha256"]:
            problems.append(f"{page['name']}: {page['path']} differs from the page the gold was written for")
            continue
        (cache / f"{page['name']}.html").write_bytes(done.stdout)
    return problems


def load_real_cases(cache: Path | None = None, pages: list[dict] | None = None) -> list[Case]:
    """The manifest's pages that are in the cache, as benchmark cases."""
    cache = cache or cache_dir()
    cases = []
    for page in manifest() if pages is None else pages:
        path = cache / f"{page['name']}.html"
        if path.exists():
            cases.append(Case(page["name"], path.read_bytes(), page.get("url", ""), "\n".join(page["gold"]),
                              page.get("expect", {}), page.get("style", page["repo"]), real=True,
                              half=page.get("half", "")))  # fmt: skip
    return cases


def missing(cache: Path | None = None) -> str:
    """A note on manifest pages absent from the cache (empty when all are there)."""
    cache = cache or cache_dir()
    absent = [p["name"] for p in manifest() if not (cache / f"{p['name']}.html").exists()]
    if not absent:
        return ""
    return (f"{len(absent)} of {len(manifest())} real pages are not in {cache} "
            f"(python -m benchmarks.real_pages --copy)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="copy the real pages of the manifest into the cache folder")
    parser.add_argument("--copy", action="store_true", help="copy them out of the repository snapshots")
    parser.add_argument("--mirrors", type=Path, default=MIRRORS, help="folder of repository snapshots (OWNER+NAME)")
    args = parser.parse_args(argv)
    if args.copy:
        problems = copy_pages(args.mirrors)
        for problem in problems:
            print(problem)
        print(f"{len(manifest()) - len(problems)} of {len(manifest())} pages in {cache_dir()}")
        return 1 if problems else 0
    print(missing() or f"all {len(manifest())} real pages are in {cache_dir()}")
    repos = sorted({p["repo"] for p in manifest()})
    print("snapshots needed under --mirrors (OWNER+NAME/repo):", ", ".join(repos) or "none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
