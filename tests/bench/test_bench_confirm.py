"""`argus bench confirm` in small: one 1080p lesson of 16 students, every frame read, the tracker's rules replayed.

What it guards: the quicker change confirmation (tracker.change_frames) is really quicker than the majority rule
and registers nothing wrong on the same readings, and misreads stay shorter than the frames a rule needs (the
margin that makes it safe). The full run (`argus bench confirm --full`, 15 lessons) is in docs/BENCHMARKS.md."""
import pytest

from appliance.bench import confirm
from appliance.config import TrackerSettings


@pytest.fixture(scope="module")
def quick():
    out = confirm.run(full=False)
    print("\n" + confirm.table(out))
    return out


def test_every_frame_was_read_and_judged(quick):
    assert quick["misreads"]["frames"] >= 80 and quick["misreads"]["sightings"] >= 500
    for rule in quick["rules"]:
        assert rule["raise"]["count"] >= 12 and rule["change"]["count"] >= 3


def test_the_default_rule_changes_sooner_and_never_wrongly(quick):
    rules = {(r["min_frames"], r["change_frames"]): r for r in quick["rules"]}
    default = TrackerSettings()
    mine, majority = rules[(default.min_frames, default.change_frames)], rules[(default.min_frames, 0)]
    assert mine["wrong"] == [] and mine["after_lowering"] == 0
    assert mine["change"]["p50"] < majority["change"]["p50"]
    assert mine["raise"] == majority["raise"], "first registrations keep the same rule"


def test_misreads_are_rare_and_shorter_than_a_change_confirmation(quick):
    m = quick["misreads"]
    assert m["misread"] <= 0.01 * m["sightings"]
    assert all(length < TrackerSettings().change_frames for length in m["runs"]), m["runs"]
