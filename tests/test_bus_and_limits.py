"""The live bus (bounded, audience-filtered), login rate limiting and password hashing."""
import asyncio

import pytest

from appliance.accounts import passwords
from appliance.accounts.login_limit import Limited, LoginLimiter, lockout_message
from appliance.live.bus import Bus


async def test_public_subscribers_never_receive_teacher_events():
    bus = Bus()
    teacher, public = bus.subscribe("teacher"), bus.subscribe("public")
    bus.publish({"n": 1, "answer": "B"}, "teacher")
    bus.publish({"n": 2}, "public")
    assert await teacher.get() == {"n": 1, "answer": "B"}
    assert await teacher.get() == {"n": 2}
    assert await public.get() == {"n": 2}
    with __import__("pytest").raises(asyncio.TimeoutError):
        await asyncio.wait_for(public.get(), 0.05)


async def test_a_slow_subscriber_loses_its_oldest_events_and_publishing_never_waits():
    bus = Bus()
    slow, fast = bus.subscribe("public", maxsize=3), bus.subscribe("public", maxsize=100)
    for n in range(10):
        bus.publish({"n": n}, "public")
    assert slow.dropped == 7 and fast.dropped == 0
    assert [(await slow.get())["n"] for _ in range(3)] == [7, 8, 9]
    slow.close()
    assert bus.subscriber_count == 1


def test_login_limiter_blocks_after_repeated_attempts_per_key():
    limiter = LoginLimiter(max_attempts=3, window_seconds=60)
    for t in range(3):
        assert limiter.retry_after("10.0.0.5", t) == 0
        limiter.begin(("10.0.0.5",), t)
    assert limiter.retry_after("10.0.0.5", 3) == 57  # first attempt at t=0 expires at t=60
    with pytest.raises(Limited) as refused:
        limiter.begin(("10.0.0.5", "user:ann"), 3)
    assert refused.value.retry_after == 57 and refused.value.retry_after_header == "57"
    assert limiter.retry_after("user:ann", 3) == 0  # a refused attempt counts under no key
    assert limiter.retry_after("10.0.0.6", 3) == 0  # another client is not affected
    assert limiter.retry_after("10.0.0.5", 61) == 0  # the window slides


def test_a_success_takes_back_only_its_own_attempt():
    limiter = LoginLimiter(max_attempts=3, window_seconds=60)
    limiter.begin(("addr:a", "user:ann"), 0)
    limiter.begin(("addr:a", "user:ann"), 1)
    ok = limiter.begin(("addr:a", "user:bob"), 2)
    limiter.succeeded(ok)
    # Bob's right password leaves Ann's two failures from the same address counted.
    assert limiter.retry_after("user:bob", 3) == 0
    limiter.begin(("addr:a", "user:ann"), 3)
    with pytest.raises(Limited):
        limiter.begin(("addr:b", "user:ann"), 4)  # Ann's name is locked from any address
    with pytest.raises(Limited):
        limiter.begin(("addr:a", "user:carl"), 4)  # and the address for any name


def test_lockout_message_says_the_remaining_time():
    assert lockout_message(60) == "Too many attempts — try again in 1 minute"
    assert lockout_message(59.2) == "Too many attempts — try again in 1 minute"
    assert lockout_message(44.5) == "Too many attempts — try again in 45 seconds"
    assert lockout_message(0.3) == "Too many attempts — try again in 1 second"
    assert lockout_message(150) == "Too many attempts — try again in 3 minutes"


def test_login_limiter_memory_is_bounded():
    limiter = LoginLimiter(max_keys=10)
    for n in range(100):
        limiter.begin((f"10.0.{n}.1",), 0)
    assert len(limiter._attempts) == 10


def test_passwords_are_salted_scrypt_hashes_that_verify():
    stored = passwords.hash_password("correct horse")
    assert stored.startswith("scrypt$32768$8$1$")
    assert stored != passwords.hash_password("correct horse")  # salted
    assert passwords.verify_password("correct horse", stored)
    assert not passwords.verify_password("correct hors", stored)
    assert not passwords.verify_password("x", "garbage")
