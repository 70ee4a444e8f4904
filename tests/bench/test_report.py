"""--save writes a bench's table into its own section of docs/BENCHMARKS.md and leaves the rest alone."""
from __future__ import annotations

import json

from appliance.bench import report


def test_save_replaces_only_its_own_section(tmp_path):
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text("# Benchmarks\n\nHow cards are scored.\n\n<!-- bench live:start -->\nold live\n<!-- bench live:end -->\n")
    report.save(str(doc), "cards", ["--full", "--save"], {"x": 1}, "recall 99.8%")
    report.save(str(doc), "live", ["--save"], {"x": 2}, "raise p95 0.20")
    report.save(str(doc), "cards", ["--seed", "2", "--save"], {"x": 3}, "recall 99.5%")
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\nHow cards are scored.\n")
    assert "old live" not in text and "raise p95 0.20" in text
    assert "recall 99.8%" not in text and "recall 99.5%" in text and "`argus bench cards --seed 2`" in text
    assert text.count("<!-- bench cards:start -->") == 1 and text.count("<!-- bench live:end -->") == 1


def test_a_json_file_gets_the_json(tmp_path):
    out = tmp_path / "cards.json"
    report.save(str(out), "cards", [], {"recall": 0.99}, "table")
    assert json.loads(out.read_text()) == {"recall": 0.99}
