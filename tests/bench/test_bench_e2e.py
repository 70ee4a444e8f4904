"""`argus bench e2e` in small: the real `argus run` fed 1080p frames at 10 fps through a y4m FIFO, one question
of 16 students driven through the API, 60 viewers, the teacher's socket and one that never reads.

The floors are what this shared 2-core CI machine holds under other people's load, not the issue's goals
(raise p95 0.3 s, change p95 0.6 s, 40 ms CPU a frame at 12 MP), which the full run measures and prints
(`argus bench e2e --full`, docs/BENCHMARKS.md). Measured at load average 20-31 on the two cores, where the
appliance gets an eighth to a fifth of a core and reads a quarter to a half of the frames: raise p50 0.8-2.0 s,
and 0-3 of 25 raises and changes never registered, as a starved reader saw those cards in fewer than 3 frames
of any second of their hold (the tracker rightly never registers that). So the floors are about the pipeline
working at all, and never wrongly: three quarters registered, a median within 3 s, no wrong or lost answer,
no viewer dropped. A stalled or broken pipeline fails them; the latency goals are for the full run."""
import pytest

from appliance.bench import e2e

RAISE_P50_FLOOR_S, CHANGE_P50_FLOOR_S = 3.0, 3.0
REGISTERED_SHARE_FLOOR = 0.75


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
    asked = quick["raise"]["count"] + quick["change"]["count"]
    missed = quick["raise"]["missed"] + quick["change"]["missed"]
    assert asked - missed >= REGISTERED_SHARE_FLOOR * asked, quick["never_registered"]
    assert quick["wrong_registrations"] == []


def test_latency_through_the_server_and_the_teachers_socket(quick):
    assert quick["raise"]["p50"] <= RAISE_P50_FLOOR_S
    assert quick["change"]["p50"] <= CHANGE_P50_FLOOR_S


def test_a_lowered_card_keeps_its_answer(quick):
    assert quick["lost_after_lowering"] == 0 and quick["registrations_after_lowering"] == []


def test_viewers_and_a_client_that_never_reads_do_not_get_in_the_way(quick):
    assert quick["viewers_still_connected"] == 60
    assert quick["viewer_messages"] >= 60 * 3, "each viewer heard the question open, answers counted, the close"


def test_cpu_and_memory_are_measured_from_the_process(quick):
    assert quick["cpu_ms_per_frame"] > 0 and quick["cpu_ms_per_frame_read"] > 0
    # Frames read are counted by the appliance, frames fed by the feeder: a reader that keeps up may finish the
    # two or three frames that were in the pipe when counting began, so "read" can pass "fed" by that much.
    assert quick["frames_read"] <= quick["frames_fed"] + 3
    # Every registration's own frame-to-socket time, which the raise and change latencies include.
    inside = quick["inside_appliance"]
    assert inside["count"] >= 12 and 0 < inside["p50"] <= inside["max"] < 3.0
    assert 50 < quick["vm_hwm_mb"] < 400


@pytest.mark.slow
def test_full_run_at_12mp():
    out = e2e.run(e2e.Plan())
    print("\n" + e2e.table(out))
    assert out["wrong_registrations"] == [] and out["lost_after_lowering"] == 0
    assert out["raise"]["missed"] <= (1 - REGISTERED_SHARE_FLOOR) * out["raise"]["count"]
    assert out["raise"]["p50"] <= RAISE_P50_FLOOR_S
    assert out["vm_hwm_mb"] <= e2e.RSS_GOAL_MB


def test_allocator_settings_on_the_command_line_are_checked(capsys):
    from appliance import bench

    for argv, message in ((["--malloc", "ARENA=2"], "'ARENA=2': expected MALLOC_NAME=VALUE"),
                          (["--malloc", "MALLOC_ARENA_MAX=2", "--glibc-defaults"], "exclude each other")):
        with pytest.raises(SystemExit):
            bench.main_e2e(argv)
        assert message in capsys.readouterr().err
