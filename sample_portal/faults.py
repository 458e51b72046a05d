"""Which misbehaviour the portal shows, and where: a fault plan is plain data.

Real portals block crawlers (瑞数 412, 加速乐 521, WAF pages), lie (soft 404s, wrong charsets),
fail for a while (5xx bursts, stalls, resets, short bodies) or loop. A ``FaultPlan`` says how many
report pages suffer each fault; which ones is drawn from the seed, so a test can ask
``plan.targets(as_of)`` and know exactly which URLs misbehave. An empty plan changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field

from sample_portal.network import visible_reports

# Order matters: targets are dealt out in this order, so adding a kind never moves earlier ones.
FAULT_KINDS: tuple[str, ...] = (
    "challenge_412", "challenge_521", "waf_200", "soft_404", "http_5xx_burst", "timeout",
    "reset", "truncated", "lying_charset", "redirect_loop", "huge",
)  # fmt: skip
# Blocked answers come back every time; transient ones only for the first requests to a URL.
PERSISTENT_KINDS = frozenset(
    {"challenge_412", "challenge_521", "waf_200", "soft_404", "lying_charset", "redirect_loop"}
)
TRANSIENT_KINDS = frozenset({"http_5xx_burst", "timeout", "reset", "truncated"})
HUGE_LIST_PATH = "/qinghe/zwgk/fzzfjs/index.html"  # the list page that links the huge pages
_OPTIONS = ("seed", "timeout_seconds", "burst_requests", "huge_bytes", "recover_after")


@dataclass(frozen=True)
class FaultPlan:
    """How many report URLs get each fault kind, drawn deterministically from ``seed``.

    ``timeout_seconds``: the client timeout the ``timeout`` fault must outlast (the server stalls
    twice as long). ``burst_requests``: how many first requests an ``http_5xx_burst`` URL fails.
    ``recover_after``: on and after this as-of date the portal behaves again (no fault at all).
    """

    counts: dict[str, int] = field(default_factory=dict)
    seed: int = 0
    timeout_seconds: float = 3.0
    burst_requests: int = 2
    huge_bytes: int = 50 * 1024 * 1024
    recover_after: dt.date | None = None

    def __post_init__(self) -> None:
        unknown = set(self.counts) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(
                f"unknown fault kind(s): {', '.join(sorted(unknown))}; known: {', '.join(FAULT_KINDS)}"
            )
        if any(n < 0 for n in self.counts.values()):
            raise ValueError("fault counts must not be negative")
        if self.timeout_seconds <= 0 or self.burst_requests < 1 or self.huge_bytes < 1024:
            raise ValueError("timeout_seconds > 0, burst_requests >= 1 and huge_bytes >= 1024 are required")

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        """``"challenge_412=2,timeout=1,seed=7,recover_after=2025-06-01"`` → a plan (for ``--faults``)."""
        counts: dict[str, int] = {}
        options: dict[str, object] = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            name, sep, value = item.partition("=")
            name, value = name.strip(), value.strip()
            if not sep or not value:
                raise ValueError(f"fault spec item {item!r} is not name=value")
            try:
                if name == "recover_after":
                    options[name] = dt.date.fromisoformat(value)
                elif name == "timeout_seconds":
                    options[name] = float(value)
                elif name in _OPTIONS:
                    options[name] = int(value)
                elif name in FAULT_KINDS:
                    counts[name] = int(value)
                else:
                    raise ValueError(
                        f"unknown fault kind or option {name!r}; known: {', '.join(FAULT_KINDS + _OPTIONS)}"
                    )
            except ValueError as error:
                if "unknown fault" in str(error):
                    raise
                raise ValueError(f"bad value in fault spec item {item!r}") from error
        return cls(counts=counts, **options)  # type: ignore[arg-type]

    def __bool__(self) -> bool:
        return any(self.counts.values())

    def active_on(self, as_of: dt.date) -> bool:
        """Whether the portal misbehaves on ``as_of`` (not once ``recover_after`` has come)."""
        return bool(self) and (self.recover_after is None or as_of < self.recover_after)

    def targets(self, as_of: dt.date) -> dict[str, list[str]]:
        """Fault kind → the URL paths (path plus query) hit on ``as_of``; empty once recovered.

        Report pages visible on ``as_of`` are shuffled with the seed and dealt out to the kinds in
        ``FAULT_KINDS`` order, each URL to at most one kind; ``lying_charset`` takes GBK (石桥)
        pages only. ``huge`` gets extra URLs that are not reports.
        """
        out: dict[str, list[str]] = {kind: [] for kind in FAULT_KINDS if self.counts.get(kind)}
        if not self.active_on(as_of):
            return {kind: [] for kind in out}
        pages = sorted(r.url_path for r in visible_reports(as_of))
        random.Random(f"faults:{self.seed}").shuffle(pages)
        taken: set[str] = set()
        for kind in out:
            wanted = self.counts[kind]
            if kind == "huge":
                out[kind] = [f"/qinghe/zwgk/fzzfjs/huge/t_{self.seed}_{n}.html" for n in range(1, wanted + 1)]
                continue
            pool = [
                p for p in pages if p not in taken and (kind != "lying_charset" or p.startswith("/shimen/"))
            ]
            out[kind] = pool[:wanted]
            taken.update(out[kind])
        return out

    def token(self, *parts: str) -> str:
        """A random-looking but reproducible hex string (cookie values, challenge blobs)."""
        return hashlib.sha256(":".join((str(self.seed), *parts)).encode()).hexdigest()
