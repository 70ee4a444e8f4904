"""Demo mode's class, quiz and login, created once in an empty demo database."""
from __future__ import annotations

import asyncio

from appliance.accounts import passwords
from appliance.classroom.models import Question
from appliance.config import Settings
from appliance.store import accounts, quizzes, rosters
from appliance.store.db import Database

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"

_NAMES = (
    "Ava", "Ben", "Chloé", "Daniel", "Emma", "Finn", "Grace", "Hugo", "Isla", "Jonas", "Kira", "Liam", "Maya",
    "Noah", "Olivia", "Pablo", "Quinn", "Rosa", "Sami", "Tess", "Umar", "Vera", "Wes", "Xenia", "Yusuf", "Zoe",
    "Arjun", "Bea", "Caleb", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Milo",
    "Nora", "Omar", "Pia", "Rafael", "Sofia", "Theo", "Una", "Viktor", "Wanda", "Yara", "Zane", "Amara",
    "Bruno", "Cleo", "Dmitri", "Esme", "Felix", "Gemma", "Hiro", "Ines", "Jasper", "Kaia", "Leo", "Mina", "Nils",
)

DEMO_QUESTIONS = (
    Question("What is 7 × 8?", ("54", "56", "64", "48"), "B"),
    Question("Which planet is closest to the Sun?", ("Venus", "Earth", "Mercury", "Mars"), "C"),
    Question("Water boils at 100 °C at sea level.", ("True", "False"), "A"),
    Question("Which of these is a mammal?", ("Shark", "Dolphin", "Salmon"), "B"),
    Question("How did you find today's lesson?", ("Easy", "Just right", "Hard", "Very hard"), None),
)


_MARK = "demo_database"


async def _has_demo_account(db: Database) -> bool:
    """The demo admin with its public password. Real accounts need 8+ characters, so "demo" is never one."""
    found = await accounts.find_user(db, DEMO_USERNAME)
    if found is None:
        return False
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, passwords.verify_password, DEMO_PASSWORD, found[1])


async def refusal(db: Database, settings: Settings) -> str | None:
    """Why this database must not be started this way, or None. A demo start on a real appliance's data would
    plant demo/demo as a permanent admin; a normal start on demo data would put that admin on the network."""
    marked = await db.fetchone("SELECT 1 FROM appliance_state WHERE key = ?", (_MARK,)) is not None
    is_demo = marked or await _has_demo_account(db)
    if settings.demo and not is_demo and await accounts.count_users(db):
        return (f"{settings.data_dir} holds a real appliance's accounts; demo mode would add the admin "
                f"{DEMO_USERNAME!r} with the public password {DEMO_PASSWORD!r} to it. Run the demo with another "
                "--data-dir (by default it uses ./demo-data).")
    if not settings.demo and is_demo:
        return (f"{settings.data_dir} is demo data: it has the admin {DEMO_USERNAME!r} whose password "
                f"{DEMO_PASSWORD!r} everyone knows. Start with --demo to use it, or point storage.data_dir "
                "(or --data-dir) at another folder for a real appliance.")
    return None


async def seed(db: Database, settings: Settings) -> None:
    async with db.transaction() as conn:
        await conn.execute("INSERT OR IGNORE INTO appliance_state (key, value) VALUES (?, '1')", (_MARK,))
    if await accounts.find_user(db, DEMO_USERNAME) is not None:
        return
    password_hash = await asyncio.get_running_loop().run_in_executor(None, passwords.hash_password, DEMO_PASSWORD)
    user = await accounts.create_user(db, DEMO_USERNAME, password_hash, "admin")
    students = [(_NAMES[i], i + 1) for i in range(settings.sim.students)]
    await rosters.create_class(db, user.id, "Demo class", students)
    await quizzes.create_quiz(db, user.id, "Demo quiz", list(DEMO_QUESTIONS))
