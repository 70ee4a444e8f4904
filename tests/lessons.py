"""A lesson played through the real API and engine for the tests of issue 23: each question opened, the given
cards registered with their letters, closed; optionally question 1 asked again; then ended."""
from __future__ import annotations

import time

from appliance.vision.types import Registration


async def play_lesson(client, engine, class_id: int, quiz_id: int, rounds, again: dict | None = None,
                      end: bool = True) -> int:
    """`rounds` is [(question index, {card: letter})]; `again` the answers when question 1 is asked again."""
    started = await client.post("/api/v1/sessions", json={"class_id": class_id, "quiz_id": quiz_id})
    assert started.status == 200, await started.text()
    sid = (await started.json())["id"]
    for index, answers in rounds:
        assert (await client.post(f"/api/v1/sessions/{sid}/open", json={"question": index})).status == 200
        await _answer(engine, answers)
        assert (await client.post(f"/api/v1/sessions/{sid}/close")).status == 200
    if again:
        assert (await client.post(f"/api/v1/sessions/{sid}/reask", json={"question": 0})).status == 200
        await _answer(engine, again)
        assert (await client.post(f"/api/v1/sessions/{sid}/close")).status == 200
    if end:
        assert (await client.post(f"/api/v1/sessions/{sid}/end")).status == 200
    return sid


async def _answer(engine, answers: dict[int, str]) -> None:
    for card, letter in answers.items():
        await engine.register(Registration(card, letter, time.monotonic()))
