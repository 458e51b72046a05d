"""Peak memory of ``fazhi report`` over its process tree, re-runnable by one command.

Usage: python -m benchmarks.report_memory [--interval 0.5] [--step 100] [--json FILE] -- report --db DB --out DIR [--rebuild]
       python -m benchmarks.report_memory --checkout ../main -- report …   (another checkout's code, side by side)

Runs ``fazhi`` with the arguments after ``--`` as a subprocess and samples, every ``--interval``
seconds, the memory of it and of each of its workers from /proc (``smaps_rollup``): each process's
resident set (RSS) and the tree's proportional set size (PSS: the pages forked workers still share with
their parent are split between them, so the sum is what the tree holds; a sum of RSS counts them once a
process). It records the peak of the total and of each process. When py-spy is on PATH (optional,
never a dependency; ``--py-spy`` names another) it dumps the parent's stack each time the parent's RSS
crosses a new ``--step`` MB, and prints the functions the parent was in at each step: what held the peaks.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class ProcessMemory:
    """One process's memory at one sample, in MB."""

    rss_mb: float
    pss_mb: float


def process_tree(root: int) -> list[int]:
    """``root`` and every process it started and they started (from /proc/PID/task/TID/children)."""
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        try:
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:  # ended since its parent listed it
            continue
        for task in tasks:
            try:
                pending += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def tree_memory(root: int) -> dict[int, ProcessMemory]:
    """The memory of ``root`` and each of its descendants now (processes that end meanwhile are left out)."""
    sample = {}
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line and not line.startswith(" "))
        except OSError:
            continue
        kb = {name: int(fields.get(name, "0 kB").split()[0]) for name in ("Rss", "Pss")}
        sample[pid] = ProcessMemory(kb["Rss"] / 1024, kb["Pss"] / 1024)
    return sample


def main_thread_frames(dump: str) -> list[str]:
    """The frames of the main thread in a ``py-spy dump`` (innermost first), without the interpreter's own."""
    frames, inside = [], False
    for line in dump.splitlines():
        if line.startswith("Thread "):
            if inside:
                break
            inside = '"MainThread"' in line
        elif inside and line.startswith(" ") and line.strip():
            frames.append(line.strip())
    return [f for f in frames if "<frozen runpy>" not in f]


@dataclass
class Peaks:
    """The peaks seen over a run: of the tree's total PSS and RSS, and of each process's RSS."""

    root: int
    total_pss_mb: float = 0.0
    total_rss_mb: float = 0.0
    total_at_s: float = 0.0
    process_rss_mb: dict[int, float] = field(default_factory=dict)
    # (seconds, the tree's PSS, the parent's RSS) of each sample
    timeline: list[tuple[float, int, int]] = field(default_factory=list)

    def observe(self, sample: dict[int, ProcessMemory], at_s: float) -> None:
        pss = sum(p.pss_mb for p in sample.values())
        parent = sample[self.root].rss_mb if self.root in sample else 0.0
        self.timeline.append((round(at_s, 1), round(pss), round(parent)))
        if pss > self.total_pss_mb:
            self.total_pss_mb, self.total_at_s = pss, at_s
        self.total_rss_mb = max(self.total_rss_mb, sum(p.rss_mb for p in sample.values()))
        for pid, memory in sample.items():
            self.process_rss_mb[pid] = max(self.process_rss_mb.get(pid, 0.0), memory.rss_mb)

    @property
    def largest_process_mb(self) -> float:
        return max(self.process_rss_mb.values(), default=0.0)


@dataclass(frozen=True)
class StepStack:
    """Where the parent was when its RSS first reached ``step_mb``."""

    step_mb: int
    rss_mb: float
    at_s: float
    frames: list[str]


@dataclass
class Measurement:
    argv: list[str]
    returncode: int
    seconds: float
    peaks: Peaks
    stacks: list[StepStack]
    stdout: str


class StackDumper:
    """Dumps the parent's stack with py-spy each time its RSS crosses a new multiple of ``step_mb``."""

    def __init__(self, py_spy: str | None, step_mb: int) -> None:
        self.py_spy, self.step_mb, self.next_mb = py_spy, step_mb, step_mb
        self.stacks: list[StepStack] = []

    def observe(self, pid: int, rss_mb: float, at_s: float) -> None:
        if self.py_spy is None or rss_mb < self.next_mb:
            return
        step = int(rss_mb // self.step_mb) * self.step_mb
        self.next_mb = step + self.step_mb
        try:
            dump = subprocess.run([self.py_spy, "dump", "--pid", str(pid)], capture_output=True, text=True,
                                  timeout=60).stdout  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            return
        self.stacks.append(StepStack(step, round(rss_mb), round(at_s, 1), main_thread_frames(dump)))


def measure(argv: list[str], interval: float = 0.5, step_mb: int = 100, py_spy: str | None = None,
            cwd: Path = ROOT) -> Measurement:  # fmt: skip
    """Run ``argv`` (from ``cwd``: this checkout) to its end, sampling its process tree every ``interval`` s."""
    dumper = StackDumper(py_spy, step_mb)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as said:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=said)
        peaks = Peaks(proc.pid)
        while True:
            at = time.perf_counter() - start
            sample = tree_memory(proc.pid)
            peaks.observe(sample, at)
            if proc.pid in sample:
                dumper.observe(proc.pid, sample[proc.pid].rss_mb, at)
            try:  # returns the moment it ends: the interval is the probe's, not a wait
                proc.wait(timeout=interval)
                break
            except subprocess.TimeoutExpired:
                continue
        seconds = time.perf_counter() - start
        said.seek(0)
        return Measurement(argv, proc.returncode, seconds, peaks, dumper.stacks, said.read())


def summary(m: Measurement, frames: int = 6) -> str:
    """What a person reads: the peaks, each process's, and the parent's stack at each step."""
    p = m.peaks
    lines = [
        f"{' '.join(m.argv[2:])}: exit {m.returncode} in {m.seconds:.1f} s",
        f"peak of the tree: {p.total_pss_mb:.0f} MB PSS (at {p.total_at_s:.1f} s); sum of RSS {p.total_rss_mb:.0f} MB",
        "peak RSS by process: " + ", ".join(
            f"{'parent' if pid == p.root else 'worker'} {pid} {mb:.0f} MB"
            for pid, mb in sorted(p.process_rss_mb.items(), key=lambda item: (item[0] != p.root, -item[1]))),
    ]  # fmt: skip
    for s in m.stacks:
        lines.append(f"parent reached {s.step_mb} MB ({s.rss_mb} MB at {s.at_s} s) in:")
        lines += [f"    {frame}" for frame in s.frames[:frames]]
    return "\n".join(lines)


def as_json(m: Measurement) -> dict[str, object]:
    return {
        "argv": m.argv[2:], "returncode": m.returncode, "s": round(m.seconds, 1),
        "peak_mb": round(m.peaks.total_pss_mb), "peak_rss_sum_mb": round(m.peaks.total_rss_mb),
        "largest_process_mb": round(m.peaks.largest_process_mb), "parent_mb": round(m.peaks.process_rss_mb.get(m.peaks.root, 0)),
        "process_rss_mb": {str(pid): round(mb) for pid, mb in m.peaks.process_rss_mb.items()},
        "stacks": [asdict(s) for s in m.stacks], "said": m.stdout.strip(), "timeline_s_pss_parent": m.peaks.timeline,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between samples")
    parser.add_argument("--step", type=int, default=100, help="MB of the parent's RSS between stack dumps")
    parser.add_argument(
        "--py-spy", default=shutil.which("py-spy"), help="py-spy to dump stacks with (default: on PATH)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--checkout", type=Path, default=ROOT,
                        help="the checkout whose fazhi runs (with its .venv's Python when it has one)")  # fmt: skip
    parser.add_argument(
        "fazhi", nargs=argparse.REMAINDER, help="-- and fazhi's arguments (report --db DB --out DIR …)"
    )
    args = parser.parse_args(argv)
    command = args.fazhi[1:] if args.fazhi[:1] == ["--"] else args.fazhi
    if not command:
        parser.error("give fazhi's arguments after --, e.g. -- report --db DB --out DIR")
    venv = args.checkout.resolve() / ".venv" / "bin" / "python"
    python = str(venv) if args.checkout.resolve() != ROOT and venv.is_file() else sys.executable
    m = measure(
        [python, "-m", "fazhi.cli", *command], args.interval, args.step, args.py_spy, args.checkout.resolve()
    )
    print(summary(m))
    if args.json:
        args.json.write_text(json.dumps(as_json(m), ensure_ascii=False, indent=1), encoding="utf-8")
    return m.returncode


if __name__ == "__main__":
    sys.exit(main())
