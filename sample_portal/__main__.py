"""``python -m sample_portal --port 8000 --as-of 2024-04-15``: the network without the fazhi CLI.

Opt-in extras: ``--faults "challenge_412=2,timeout=1,seed=7"`` (see ``faults.FaultPlan.parse``),
``--gkmlpt`` (the 岭南市 gkmlpt portal), ``--multipage`` (one TRS report over two pages) and
``--scans`` (a report as a scanned PDF and one as pictures of its pages).
"""

from __future__ import annotations

import argparse
import datetime as dt

from sample_portal.faults import FaultPlan
from sample_portal.server import serve


def fault_plan(spec: str) -> FaultPlan:
    """``--faults`` value → plan, with the parser's own message on a bad spec."""
    try:
        return FaultPlan.parse(spec)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_portal", description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--faults", type=fault_plan, default=None, metavar="SPEC")
    parser.add_argument("--gkmlpt", action="store_true", help="also serve the 岭南市 gkmlpt portal")
    parser.add_argument("--multipage", action="store_true", help="split one long TRS report over two pages")
    parser.add_argument("--scans", action="store_true", help="a report as a scanned PDF, one as page pictures")
    args = parser.parse_args(argv)
    serve(
        port=args.port, as_of=args.as_of, host=args.host, faults=args.faults,
        multipage=args.multipage, gkmlpt=args.gkmlpt, scans=args.scans,
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
