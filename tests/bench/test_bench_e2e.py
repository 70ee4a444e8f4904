"""`argus bench e2e` in small: the real `argus run` fed 1080p frames at 10 fps through a y4m FIFO, one question
of 16 students driven through the API, 60 viewers, the teacher's socket and one that never reads.

The floors are what this shared 2-core CI machine holds under other people's load, not the issue's goals
(raise p95 0.3 s, change p95 0.6 s, 40 ms CPU a frame at 12 MP), which the full run measures and prints
(`argus bench e2e --full`, docs/BENCHMARKS.md); zero wrong answers and no lost answer hold everywhere. At load
average 20-27 on the two cores the appliance gets a fifth of a core and reads a quarter to a half of the frames:
raise p50 0.8-1.0 s, p95 1.2-1.6 s, and now and then a card read in fewer than 3 frames of any second of its
hold, which the tracker rightly never registers; so the floors allow one such card and take p90 (p95 of 16
cards is the slowest, inf when one is missed) within 3 s. A pipeline
that stalls, drops answers or registers a wrong one still fails them."""
import pytest

from appliance.bench import e2e

RAISE_P50_FLOOR_S, RAISE_P90_FLOOR_S, CHANGE_P90_FLOOR_S = 1.5, 3.0, 3.0
MISSED_ALLOWED = 1


@pytest.fixture(scope="module")
def quick():
    out = e2e.run(e2e.QUICK)
    print("\n" + e2e.table(out))
    return out


def test_the_camera_really_streamed_and_the_appliance_really_read(quick):
    assert quick["frames_fed"] >= 80, "about 9 s of a 10 fps camera"
    assert quick["frames_read"] >= 0.25 * quick["frames_fed"]
    assert quick["frames_read"] + quick["camera_dropped"] <= quick["frames_fed"] + 2
    assert quick["raise"]["count"] >= 12 and quick["change"]["count"] >= 3


def test_raised_cards_register_and_none_wrongly(quick):
    assert quick["raise"]["missed"] + quick["change"]["missed"] <= MISSED_ALLOWED, quick["never_registered"]
    assert quick["wrong_registrations"] == []


def test_latency_through_the_server_and_the_teachers_socket(quick):
    assert quick["raise"]["p50"] <= RAISE_P50_FLOOR_S
    assert quick["raise"]["p90"] <= RAISE_P90_FLOOR_S
    assert quick["change"]["p90"] <= CHANGE_P90_FLOOR_S


def test_a_lowered_card_keeps_its_answer(quick):
    assert quick["lost_after_lowering"] == 0 and quick["registrations_after_lowering"] == []


def test_viewers_and_a_client_that_never_reads_do_not_get_in_the_way(quick):
    assert quick["viewers_still_connected"] == 60
    assert quick["viewer_messages"] >= 60 * 3, "each viewer heard the question open, answers counted, the close"


def test_cpu_and_memory_are_measured_from_the_process(quick):
    assert 0 < quick["cpu_ms_per_frame"] <= quick["cpu_ms_per_frame_read"]
    assert 50 < quick["vm_hwm_mb"] < 400


@pytest.mark.slow
def test_full_run_at_12mp():
    out = e2e.run(e2e.Plan())
    print("\n" + e2e.table(out))
    assert out["wrong_registrations"] == [] and out["lost_after_lowering"] == 0
    assert out["raise"]["missed"] <= MISSED_ALLOWED and out["raise"]["p90"] <= RAISE_P90_FLOOR_S
    assert out["vm_hwm_mb"] <= e2e.RSS_GOAL_MB
