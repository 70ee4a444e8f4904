"""The live demo appliance honours its own OpenAPI document: schemathesis generates requests from
/api/v1/openapi.json (boundary values, wrong types, missing fields, undeclared methods, then random data and
chains of calls) and checks every answer: no 5xx, only documented statuses and content types, bodies that fit
their schemas, schema-violating requests refused and schema-valid ones accepted, auth not ignored.

Every run: random data and chains of calls, 3 examples per operation (~300 requests, 30-60 s on the 2-core
machine). The slow version adds the coverage phase (every boundary, wrong type and missing field of every
operation: ~1 700 more requests, 60-170 s depending on the machine's load). For a longer hunt:
ARGUS_CONTRACT_EXAMPLES=50 ARGUS_CONTRACT_SEED=7 scripts/test --full tests/test_api_contract.py
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from tests.browser.conftest import run_appliance

EXAMPLES = os.environ.get("ARGUS_CONTRACT_EXAMPLES")
SEED = int(os.environ.get("ARGUS_CONTRACT_SEED", "1"))
# Operations that would end the login the run uses, or that are not plain HTTP.
NOT_FUZZED = ["/api/v1/logout", "/api/v1/me/password", "/api/v1/users/{id}/password", "/api/v1/live",
              # A restore that works swaps the database (and its logins) under the fuzzer: tests/test_backups.py.
              "/api/v1/backups/restore",
              # These reach out to whatever server the body names (and saving one starts uploading to it):
              # tests/sync/test_sync_settings_api.py runs them against real servers.
              "/api/v1/sync/settings", "/api/v1/sync/test"]
# Whether a file upload is acceptable depends on its bytes (a readable photo, a CSV roster), which no schema
# can say: for these, "valid by the schema but refused" is expected; everything else is still checked.
UPLOADS = "/(roster|images|photo|quizzes/import|classes/import)$"
# Likewise whether a password may be used: it must not be on the list of breached passwords, a run like
# 12345678 or the username (docs/SECURITY.md), which no schema can say either.
PASSWORDS = "/api/v1/(users|setup)$"
SCHEMATHESIS_CONFIG = f"""
[auth.openapi.cookie]
api_key = "${{ARGUS_TOKEN}}"

[checks]
max_response_time = 60

[phases.coverage]
unexpected-methods = ["trace"]

[[operations]]
include-path-regex = "{UPLOADS}"
checks.positive_data_acceptance.enabled = false

[[operations]]
include-path-regex = "{PASSWORDS}"
checks.positive_data_acceptance.enabled = false
"""


def _login(base: str) -> str:
    request = urllib.request.Request(f"{base}/api/v1/login", method="POST",
                                     data=json.dumps({"username": "demo", "password": "demo"}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        cookie = SimpleCookie(response.headers["Set-Cookie"])
    return cookie["argus_session"].value


def _schemathesis() -> str:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    if found is None:
        pytest.fail("schemathesis is missing: install the test extras (scripts/setup-venv test)")
    return found


@pytest.mark.timeout(900)
@pytest.mark.parametrize("phases, examples", [
    pytest.param("fuzzing,stateful", 3, id="ci"),
    pytest.param("coverage,fuzzing,stateful", 5, id="full", marks=pytest.mark.slow),
])
def test_the_live_server_honours_its_openapi_document(tmp_path, phases, examples):
    config = tmp_path / "argus.toml"
    config.write_text("[cards]\ncount = 8\n")  # PDFs of 8 cards keep the printing routes quick to fuzz
    st_config = tmp_path / "schemathesis.toml"
    st_config.write_text(SCHEMATHESIS_CONFIG)
    with run_appliance(["--demo", "--data-dir", str(tmp_path / "data"), "--config", str(config)], tmp_path) as base:
        excluded = [arg for path in NOT_FUZZED for arg in ("--exclude-path", path)]
        started = time.monotonic()
        run = subprocess.run(
            [_schemathesis(), "--config-file", str(st_config), "--no-color", "run", f"{base}/api/v1/openapi.json",
             "--phases", phases, "--max-examples", EXAMPLES or str(examples), "--seed", str(SEED),
             "--request-timeout", "60", *excluded],
            env={**os.environ, "ARGUS_TOKEN": _login(base)}, capture_output=True, text=True, timeout=900)
        took = time.monotonic() - started
    report = run.stdout + run.stderr
    summary = report[report.find("SUMMARY"):] if "SUMMARY" in report else report[-3000:]
    print(f"schemathesis: {took:.0f} s, exit {run.returncode}\n{summary}")
    assert run.returncode == 0, report[-20000:]
    assert "Tested: " in report and " passed" in report  # it did run operations, not just load the schema
