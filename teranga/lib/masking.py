"""Mask personal data found in free text before any public use: phone numbers (any format
that phonenumbers recognises for Senegal), e-mail addresses, and names — a name after a
civility or an introduction ("M. Diop", "Madame Fall", "je m'appelle Awa"), and any name
the caller knows (the site's staff)."""

import re
from collections.abc import Iterable

import phonenumbers

PHONE_MASK = "[numéro]"
EMAIL_MASK = "[e-mail]"
NAME_MASK = "[nom]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_WORD = r"[A-Za-zÀ-ÿ][\w'’-]+"
_CAPITALISED = r"[A-ZÀ-Ý][\w'’-]+"
# After a civility or an introduction the next word is a name, whatever its case.
_NAME_AFTER_CIVILITY = re.compile(
    r"(?P<lead>\b(?i:M\.|Mr\.?|Mme|Mlle|Monsieur|Madame|Mademoiselle|Dr\.?|Docteur|Sokhna|"
    r"Serigne|je m'appelle|je m’appelle|my name is|sama tur|mangi tudd)\s+)"
    rf"(?P<name>{_WORD}(?:\s+{_CAPITALISED})?)"
)
# After words that may also precede an adjective, only capitalised words are names.
_NAME_AFTER_ROLE = re.compile(
    r"(?P<lead>\b(?i:je suis|agent|conseill[eè]re?|l'agent)\s+)"
    rf"(?P<name>{_CAPITALISED}(?:\s+{_CAPITALISED})?)"
)
# Digit runs of phone length that phonenumbers does not take for a number are masked too.
_DIGITS = re.compile(r"(?:\+?\d[\d .-]{7,}\d)")


def mask_personal(text: str, *, names: Iterable[str] = ()) -> str:
    if not text:
        return text
    out = _EMAIL.sub(EMAIL_MASK, text)
    matches = list(
        phonenumbers.PhoneNumberMatcher(out, "SN", leniency=phonenumbers.Leniency.POSSIBLE)
    )
    for match in reversed(matches):
        out = out[: match.start] + PHONE_MASK + out[match.end :]
    out = _DIGITS.sub(PHONE_MASK, out)
    for pattern in (_NAME_AFTER_CIVILITY, _NAME_AFTER_ROLE):
        out = pattern.sub(lambda m: m.group("lead") + NAME_MASK, out)
    for name in sorted(
        {n.strip() for n in names if n and len(n.strip()) >= 3}, key=len, reverse=True
    ):
        out = re.sub(rf"\b{re.escape(name)}\b", NAME_MASK, out, flags=re.IGNORECASE)
    return out
