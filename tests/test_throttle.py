"""The crawl's throttle rule (crawler/throttle.py): AutoThrottle's, with 304s as answers and a Crawl-delay floor.

A scheduled re-run of an unchanged portal is almost all 304s; Scrapy's AutoThrottle let only a 200
lower the delay, so the re-run crawled at its start delay throughout. ``benchmarks/crawl.py`` measures
the two side by side; here the rule itself, step by step.
"""

from __future__ import annotations

import pytest

from crawler.throttle import next_delay

START, TARGET_CONCURRENCY, CEILING = 0.5, 2.0, 30.0


def run(statuses: list[int], latency: float = 0.01, floor: float = 0.0, delay: float = START) -> float:
    for status in statuses:
        delay = next_delay(delay, latency, status, TARGET_CONCURRENCY, floor, CEILING)
    return delay


def test_a_run_of_304s_brings_the_delay_down_as_200s_do():
    assert run([304] * 20) == pytest.approx(run([200] * 20))
    assert run([304] * 20) < 0.01  # halfway to latency / 2 each time: from 0.5 s to about 5 ms


@pytest.mark.parametrize("status", [404, 500, 503, 302])
def test_other_answers_never_lower_it(status):
    assert run([status] * 20) == START


def test_a_slow_answer_of_any_status_raises_it():
    assert run([503], latency=4.0) == pytest.approx(2.0)  # latency / target concurrency, at once


def test_the_crawl_delay_is_the_floor_and_beats_the_ceiling():
    assert run([304] * 50, floor=0.25) == pytest.approx(0.25)
    assert run([200], latency=0.01, floor=0.25, delay=0.25) == pytest.approx(0.25)
    assert next_delay(1.0, 100.0, 200, TARGET_CONCURRENCY, floor=60.0, ceiling=CEILING) == 60.0
    assert next_delay(1.0, 100.0, 200, TARGET_CONCURRENCY, floor=0.0, ceiling=CEILING) == CEILING
