"""The code stays clean: ruff (rules in pyproject.toml) over the package and the tests, and every browser module
parses as an ES module (there is no build step to catch a syntax error before a teacher's browser does)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
JS = sorted((REPO / "web" / "static" / "js").glob("*.js"))


def test_ruff_finds_nothing():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "appliance", "tests"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("module", JS, ids=lambda p: p.name)
def test_every_script_parses_as_an_es_module(module):
    node = shutil.which("node")
    assert node, "node is needed to check the browser scripts (scripts/test installs nodejs)"
    done = subprocess.run([node, "--check", "--input-type=module"], input=module.read_text(),
                          capture_output=True, text=True)
    assert done.returncode == 0, f"{module.relative_to(REPO)}: {done.stderr}"


def test_the_syntax_check_catches_a_broken_module():
    done = subprocess.run([shutil.which("node"), "--check", "--input-type=module"], input="export const x = ;",
                          capture_output=True, text=True)
    assert done.returncode != 0
