"""A decompression bomb sent to the running appliance (its own process) is refused without being decoded:
its memory barely moves. Before the header check this grew the process by about 2.3 GB for ~50 s."""
from appliance.bench import upload_bomb


def test_a_decompression_bomb_costs_the_appliance_no_memory():
    out = upload_bomb.run()
    print(f"\nbomb of {out['bomb_bytes']} bytes: {out['statuses']}, RSS {out['baseline_rss_mb']} -> "
          f"{out['peak_rss_mb']} MB in {out['ms_for_both']} ms")
    assert out["statuses"] == {"images": 413, "photo": 413}
    assert out["growth_mb"] < upload_bomb.GROWTH_FLOOR_MB
