"""Phone numbers as the SMS gateway wants them: E.164, read with Senegal as the default
region (a local "77 123 45 67" becomes "+221771234567")."""

import phonenumbers


def phone_e164(raw: str) -> str | None:
    """The number in E.164 when it is a valid (Senegalese or international) number, else None."""
    try:
        number = phonenumbers.parse(raw, "SN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
