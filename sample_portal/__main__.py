"""``python -m sample_portal --port 8000 --as-of 2024-04-15``: the network without the fazhi CLI."""

from __future__ import annotations

import argparse
import datetime as dt

from sample_portal.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_portal", description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    serve(port=args.port, as_of=args.as_of, host=args.host)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
