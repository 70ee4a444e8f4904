"""The live bus (bounded, audience-filtered), login rate limiting and password hashing."""
import asyncio

from appliance.accounts import passwords
from appliance.accounts.login_limit import LoginLimiter
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


def test_login_limiter_blocks_after_repeated_failures_per_address():
    limiter = LoginLimiter(max_failures=3, window_seconds=60)
    for t in range(3):
        assert limiter.retry_after("10.0.0.5", t) == 0
        limiter.failed("10.0.0.5", t)
    assert limiter.retry_after("10.0.0.5", 3) == 57  # first failure at t=0 expires at t=60
    assert limiter.retry_after("10.0.0.6", 3) == 0  # another client is not affected
    assert limiter.retry_after("10.0.0.5", 61) == 0  # the window slides
    limiter.failed("10.0.0.6", 0)
    limiter.succeeded("10.0.0.6")
    assert limiter.retry_after("10.0.0.6", 1) == 0


def test_login_limiter_memory_is_bounded():
    limiter = LoginLimiter(max_clients=10)
    for n in range(100):
        limiter.failed(f"10.0.{n}.1", 0)
    assert len(limiter._failures) == 10


def test_passwords_are_salted_scrypt_hashes_that_verify():
    stored = passwords.hash_password("correct horse")
    assert stored.startswith("scrypt$32768$8$1$")
    assert stored != passwords.hash_password("correct horse")  # salted
    assert passwords.verify_password("correct horse", stored)
    assert not passwords.verify_password("correct hors", stored)
    assert not passwords.verify_password("x", "garbage")
