"""config.toml documents every setting with the code's default, and bad settings name their key."""
import re
from pathlib import Path

import pytest

from appliance.config import ConfigError, Settings, iter_settings, load_settings, settings_from_dict

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config.toml"


def test_config_toml_lists_every_setting_with_its_default():
    documented = {(s, k): v for s, k, v in iter_settings(load_settings(CONFIG))}
    defaults = {(s, k): v for s, k, v in iter_settings(Settings())}
    assert documented == defaults
    raw = load_settings.__globals__["tomllib"].loads(CONFIG.read_text())
    written = {(section, key) for section, table in raw.items() for key in table}
    assert written == set(defaults), "config.toml must spell out every setting"


def test_every_setting_has_a_comment_above_it():
    lines = CONFIG.read_text().splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^[a-z_]+ = ", line):
            above = lines[i - 1]
            # A pair like width/height may share one comment.
            assert above.startswith("#") or re.match(r"^[a-z_]+ = ", above), f"no comment for {line!r}"


@pytest.mark.parametrize("raw, message", [
    ({"server": {"prot": 1}}, "server.prot: unknown setting"),
    ({"sevrer": {}}, "sevrer: unknown section"),
    ({"server": {"port": "8080"}}, "server.port: expected int"),
    ({"server": {"port": 70000}}, "server.port: 70000 is above the maximum"),
    ({"mdns": {"enabled": "yes"}}, "mdns.enabled: expected bool"),
    ({"log": {"level": "LOUD"}}, "log.level: 'LOUD' is not one of"),
    ({"tracker": {"min_frames": 0}}, "tracker.min_frames: 0 is below the minimum"),
])
def test_bad_settings_name_the_key(raw, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        settings_from_dict(raw)


def test_integers_are_accepted_for_float_settings():
    assert settings_from_dict({"camera": {"fps": 15}}).camera.fps == 15.0


def test_broken_toml_names_the_file(tmp_path):
    bad = tmp_path / "argus.toml"
    bad.write_text("[server\nport = 1\n")
    with pytest.raises(ConfigError, match="argus.toml: not valid TOML"):
        load_settings(bad)
