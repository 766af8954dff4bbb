"""Exit reasons: one line on stderr that Pacemaker shows in crm_mon and pcs status."""

#: Pacemaker up to 3.0.1 keeps only this many bytes of a reason.
REASON_LIMIT = 128
DEFAULT_PREFIX = "ocf-exit-reason:"
#: In a reason too long to keep, words longer than this (paths, UUIDs) lose their middle.
LONG_WORD = 24
KEEP_HEAD, KEEP_TAIL = 8, 12


def clean_message(message: str, prefix: str = DEFAULT_PREFIX) -> str:
    """``message`` folded to one printable line that cannot hide another exit reason."""
    text = message.replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = "".join(ch for ch in text if ch.isprintable() or ch == " ")
    while prefix and prefix in text:  # the executor takes the last occurrence anywhere
        text = text.replace(prefix, "")
    return " ".join(text.split())


def fits(text: str, limit: int = REASON_LIMIT) -> bool:
    return len(text.encode("utf-8", "backslashreplace")) <= limit


def shorten_words(text: str, limit: int = REASON_LIMIT) -> str:
    """``text`` with its longest words (paths, UUIDs) shortened in their middle, one at a time,
    until it fits ``limit`` bytes: the end of a reason, where its cause is, then survives the
    cut that Pacemaker would make."""
    words = text.split(" ")
    while not fits(" ".join(words), limit):
        index = max(range(len(words)), key=lambda at: len(words[at]))
        word = words[index]
        if len(word) <= LONG_WORD:
            break
        words[index] = word[:KEEP_HEAD] + "..." + word[-KEEP_TAIL:]
    return " ".join(words)


def truncate_utf8(text: str, limit: int = REASON_LIMIT) -> bytes:
    """``text`` as UTF-8 of at most ``limit`` bytes, cut on a character boundary, marked ``...``."""
    data = text.encode("utf-8", "backslashreplace")
    if len(data) <= limit:
        return data
    cut = data[: limit - 3]
    while cut and (cut[-1] & 0xC0) == 0x80:  # drop continuation bytes of a split character
        cut = cut[:-1]
    if cut and cut[-1] >= 0xC0:  # and the lead byte whose character no longer fits
        cut = cut[:-1]
    return cut + b"..."


def reason_line(message: str, prefix: str = DEFAULT_PREFIX, limit: int = REASON_LIMIT) -> bytes:
    """The bytes to write last on stderr: prefix, the cleaned message (shortened to fit),
    newline."""
    body = truncate_utf8(shorten_words(clean_message(message, prefix), limit), limit)
    return prefix.encode("utf-8", "backslashreplace") + body + b"\n"
