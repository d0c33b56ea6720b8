"""Bearer tokens: random, shown once, stored as a SHA-256 digest.

A token is high-entropy, so a plain SHA-256 is enough to make a leaked table useless while
keeping the lookup a single indexed equality.
"""

import hashlib
import re
import secrets

USER_PREFIX = "tgu_"
DEVICE_PREFIX = "tgd_"
_SHAPE = re.compile(r"^tg[ud]_[A-Za-z0-9_-]{43}$")


def token_new(prefix: str) -> tuple[str, str]:
    """A fresh (raw token, digest)."""
    raw = prefix + secrets.token_urlsafe(32)
    return raw, token_digest(raw)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_is_well_formed(raw: str) -> bool:
    return bool(_SHAPE.match(raw))


def token_display_prefix(raw: str) -> str:
    return raw[:10]
