"""`make plan`'s last line: every step timed once, in order, and read back by `make bench`."""

from __future__ import annotations

import time

import pytest

from cli.timing import Timings, parse


def test_the_summary_lists_each_step_in_order_with_the_rest_as_other() -> None:
    timings = Timings()
    with timings.step("synth"):
        time.sleep(0.02)
    for _ in range(2):
        with timings.step("gate"):
            time.sleep(0.01)
    with pytest.raises(RuntimeError), timings.step("init"):  # a failing step is timed too
        raise RuntimeError("terraform init failed")
    line = timings.summary("plan: dev")
    assert line.startswith("plan: dev took ")
    total, steps = parse(line)
    assert list(steps) == ["synth", "gate", "init", "other"]
    assert steps["synth"] >= 0.02 and steps["gate"] >= 0.02  # the two gate runs add up
    assert abs(sum(steps.values()) - total) < 0.02
    assert timings.summary("plan: dev", failed=True).startswith("plan: dev failed after ")


def test_a_line_is_read_back_with_multi_word_steps() -> None:
    total, steps = parse("plan: prod took 24.31 s: synth 0.09 s, cost gate 0.80 s, plan gate 3.10 s, other 0.32 s")
    assert total == 24.31
    assert steps == {"synth": 0.09, "cost gate": 0.8, "plan gate": 3.1, "other": 0.32}
