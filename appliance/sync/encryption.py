"""Optional encryption to the school's own age recipients (`age1...`): the school opens objects with the
standard `age -d -i key.txt` command; the appliance can only encrypt, never decrypt."""
from __future__ import annotations

import re

import pyrage


class EncryptionConfigError(ValueError):
    pass


def parse_recipients(text: str) -> list:
    recipients = []
    for item in filter(None, re.split(r"[\s,]+", text)):
        try:
            recipients.append(pyrage.x25519.Recipient.from_str(item))
        except Exception:
            raise EncryptionConfigError(f"sync.encrypt_to: {item[:20]!r} is not an age public key (age1...)") from None
    return recipients


def encrypt(data: bytes, recipients: list) -> bytes:
    return pyrage.encrypt(data, recipients)
