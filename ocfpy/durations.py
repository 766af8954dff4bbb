"""Durations as Pacemaker writes them ("5s", "500ms", "2min", "10"): parsed to milliseconds, checked, shown."""

#: Unit -> milliseconds per unit, Pacemaker's spellings (crm_get_msec); no unit means seconds.
UNITS = {
    "": 1000, "s": 1000, "sec": 1000,
    "ms": 1, "msec": 1,
    "us": 0.001, "usec": 0.001,
    "m": 60000, "min": 60000,
    "h": 3600000, "hr": 3600000,
}


def parse_ms(text: str) -> int:
    """Milliseconds of ``text`` (a whole number, optionally followed by a unit); ValueError if not one."""
    raw = str(text).strip()
    digits = raw
    while digits and not digits[-1].isdigit():
        digits = digits[:-1]
    unit = raw[len(digits):].strip().lower()
    if not digits.isdigit() or not digits.isascii() or unit not in UNITS:
        raise ValueError(f"{text!r} is not a duration (a whole number with an optional unit: "
                         "ms, s, min, h; no unit means seconds)")
    factor = UNITS[unit]
    return int(digits) // 1000 if factor < 1 else int(digits) * factor


def parse_seconds(text: str) -> float:
    """Seconds of ``text`` (see :func:`parse_ms`)."""
    return parse_ms(text) / 1000.0


def check_duration(value: str) -> None:
    """A ``Parameter(check=...)``: the value is a duration Pacemaker understands."""
    parse_ms(value)


def check_positive_duration(value: str) -> None:
    """A ``Parameter(check=...)``: the value is a duration longer than zero."""
    if parse_ms(value) <= 0:
        raise ValueError(f"{value!r} is not longer than zero")


def show_ms(ms: int) -> str:
    """Milliseconds written the way every Pacemaker tool reads them back: ``5000ms``."""
    return f"{int(ms)}ms"
