"""A parameter's regular expression said in words, for the errors a model reads.

`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$` tells a model less than "letters, digits, '_' or '-', 1-64 characters".
The id shapes (one or two character classes with a length) are read from the pattern itself; the few other
patterns the operations use are named in `KNOWN`.
"""

from __future__ import annotations

import re

KNOWN = {
    r"^https?://\S+$": "an http:// or https:// URL without spaces",
    r"^UTC[+-]\d{1,2}:\d{2}$": "a UTC offset such as UTC+05:30 or UTC-04:00",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "an e-mail address",
    r"^[A-Z]{3}$": "a three-letter currency code such as USD",
    r"^[yMdHmsSXZT:/.\- ']+$": "a date format such as yyyy-MM-dd",
}
_SHAPE = re.compile(r"^\^(\[[^\]]+\])(?:(\[[^\]]+\])?(\+|\*|\{(\d+),(\d+)\}))?\$$")
_NAMES = {
    "A-Za-z": "letters",
    "a-zA-Z": "letters",
    "A-Z": "capital letters",
    "a-z": "lower-case letters",
    "0-9": "digits",
    "\\d": "digits",
    "\\w": "letters, digits, '_'",
}


def _chars(cls: str) -> str:
    """`[A-Za-z0-9_-]` -> "letters, digits, '_' or '-'"; `[^\\s/]` -> "anything but spaces and '/'"."""
    body = cls[1:-1]
    negated = body.startswith("^")
    body = body.removeprefix("^")
    parts: list[str] = []
    for token, name in sorted(_NAMES.items(), key=lambda kv: -len(kv[0])):
        if token in body:
            body = body.replace(token, "")
            parts.append(name)
    body = body.replace("\\s", "")
    spaces = "\\s" in cls
    parts += [f"'{c}'" for c in body.replace("\\", "")]
    if negated:
        return "anything but " + " and ".join((["spaces"] if spaces else []) + parts)
    return ", ".join(parts[:-1]) + (" or " if len(parts) > 1 else "") + parts[-1] if parts else "characters"


def pattern_in_words(pattern: str) -> str | None:
    """What a value matching `pattern` looks like, in words; None when the pattern is not one we can say."""
    if pattern in KNOWN:
        return KNOWN[pattern]
    shape = _SHAPE.match(pattern)
    if shape is None:
        return None
    first, rest, quantity, low, high = shape.groups()
    if rest is None and quantity is None:
        return f"one character: {_chars(first)}"
    if rest is None:
        length = "at least one character" if quantity == "+" else f"{low}-{high} characters"
        if quantity == "*":
            length = "any length"
        return f"{_chars(first)}; {length}"
    length = {"+": "at least 2 characters", "*": "at least 1 character"}.get(quantity, "")
    if not length:
        length = f"{int(low) + 1}-{int(high) + 1} characters"
    begins = _chars(first).replace("letters", "a letter").replace("digits", "a digit")
    return f"{_chars(rest)}, starting with {begins}; {length}"
