"""Command-line interface (placeholder until the CLI lands)."""


def main() -> int:
    raise SystemExit("fazhi: CLI not wired yet")
