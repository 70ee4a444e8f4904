"""The pure half of sync: event lines, names, backoff."""
from __future__ import annotations

import gzip
import json
import random

from appliance.sync import backoff, batches


def test_event_lines_splice_the_header_before_the_stored_body():
    rows = [(7, "s1-q0-st2-v0", "response", 0.5, 0, '{"session_id":1,"answer":"B","name":"Zoë"}'),
            (9, "s1-x", "other", 1_796_000_000.25, 1, "{}")]
    data = batches.events_ndjson_gz("abc", rows)
    assert batches.events_ndjson_gz("abc", rows) == data, "the same events make the same bytes"
    lines = [json.loads(line) for line in gzip.decompress(data).decode().splitlines()]
    assert lines == [
        {"event_id": "abc-s1-q0-st2-v0", "appliance_id": "abc", "seq": 7, "type": "response",
         "time": "1970-01-01T00:00:00.500Z", "time_synced": False, "session_id": 1, "answer": "B", "name": "Zoë"},
        {"event_id": "abc-s1-x", "appliance_id": "abc", "seq": 9, "type": "other",
         "time": "2026-11-30T00:53:20.250Z", "time_synced": True}]


def test_names_carry_ids_and_dates_only():
    assert batches.events_name("abc", 1, 2000, 0.0, False) == "abc/events/1970/01/01/000000000001-000000002000.ndjson.gz"
    assert batches.results_names("abc", 5, 3, 1_796_000_000.0, True) == (
        "abc/results/2026/11/30/session-5-results.csv.age", "abc/results/2026/11/30/session-5-gradebook-class-3.csv.age")


def test_backoff_grows_jitters_caps_and_honours_retry_after():
    rng = random.Random(3)
    waits = [backoff.exponential(n, 60.0, rng) for n in range(1, 10)]
    assert 1.0 <= waits[0] <= 2.0 and all(30.0 <= w <= 60.0 for w in waits[5:])
    assert backoff.with_retry_after(2.0, 30.0) == 30.0 and backoff.with_retry_after(5.0, 1.0) == 5.0
    assert 4.5 <= backoff.webhook(1, rng) <= 5.5 and 270 <= backoff.webhook(2, rng) <= 330
    assert 32_400 <= backoff.webhook(100, rng) <= 39_600, "after the schedule: every 10 h, never given up"
    assert backoff.parse_retry_after("120", 0.0) == 120.0
    assert backoff.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470.0) == 10.0
    assert backoff.parse_retry_after("soon", 0.0) is None
