"""Shared fixtures: a real appliance on a loopback port with a real SQLite file in a temp dir."""
from __future__ import annotations

import dataclasses

import aiohttp
import pytest

from appliance.config import Settings
from appliance.server import start_server


def make_settings(tmp_path, *, demo: bool = True, **sections) -> Settings:
    """Demo-style settings for tests: loopback, free port, simulated class that answers quickly."""
    base = Settings().replace(
        server={"host": "127.0.0.1", "port": 0},
        storage={"data_dir": str(tmp_path / "data")},
        camera={"source": "sim", "width": 1280, "height": 720, "fps": 10.0, "reconnect_seconds": 0.5},
        sim={"raise_seconds": 2.0, "back_row_m": 4.5},
        mdns={"enabled": False},
    )
    return dataclasses.replace(base.replace(**sections), demo=demo)


@pytest.fixture
def settings_factory(tmp_path):
    return lambda **kw: make_settings(tmp_path, **kw)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def server(settings):
    running = await start_server(settings)
    yield running
    await running.stop()


@pytest.fixture
async def teacher(server):
    """An HTTP client logged in as the demo teacher."""
    async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        response = await client.post("/api/v1/login", json={"username": "demo", "password": "demo"})
        assert response.status == 200
        yield client


@pytest.fixture
async def anonymous(server):
    async with aiohttp.ClientSession(base_url=server.url) as client:
        yield client
