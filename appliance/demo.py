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


async def seed(db: Database, settings: Settings) -> None:
    if await accounts.find_user(db, DEMO_USERNAME) is not None:
        return
    password_hash = await asyncio.get_running_loop().run_in_executor(None, passwords.hash_password, DEMO_PASSWORD)
    user = await accounts.create_user(db, DEMO_USERNAME, password_hash, "admin")
    students = [(_NAMES[i], i + 1) for i in range(settings.sim.students)]
    await rosters.create_class(db, user.id, "Demo class", students)
    await quizzes.create_quiz(db, user.id, "Demo quiz", list(DEMO_QUESTIONS))
