"""RELAX NG patterns as interned tuples, with the simplifying constructors of the derivative algorithm.

A pattern is a tuple whose first item names its kind: ("empty",), ("notAllowed",), ("text",),
("choice", a, b), ("group", a, b), ("interleave", a, b), ("oneOrMore", p),
("element", name_class, content), ("attribute", name_class, p), ("value", text, type),
("after", a, b). Name classes: ("name", ns, local), ("anyName",), ("choice", nc, ...).
"""

from __future__ import annotations

EMPTY = ("empty",)
NOT_ALLOWED = ("notAllowed",)
TEXT = ("text",)


def choice(a, b):
    if a is NOT_ALLOWED or a == NOT_ALLOWED:
        return b
    if b is NOT_ALLOWED or b == NOT_ALLOWED or a == b:
        return a
    if a == EMPTY and b[0] == "choice" and EMPTY in (b[1], b[2]):
        return b
    return ("choice", a, b)


def _sequence(kind: str, a, b):
    if a == NOT_ALLOWED or b == NOT_ALLOWED:
        return NOT_ALLOWED
    if a == EMPTY:
        return b
    if b == EMPTY:
        return a
    return (kind, a, b)


def group(a, b):
    return _sequence("group", a, b)


def interleave(a, b):
    return _sequence("interleave", a, b)


def after(a, b):
    if a == NOT_ALLOWED or b == NOT_ALLOWED:
        return NOT_ALLOWED
    return ("after", a, b)


def one_or_more(p):
    if p == NOT_ALLOWED:
        return NOT_ALLOWED
    return ("oneOrMore", p)


def element(name_class, content):
    return ("element", name_class, content)


def attribute(name_class, p):
    return ("attribute", name_class, p)


def value(text: str, datatype: str = "token"):
    return ("value", text, datatype)


def name_matches(name_class, ns: str, local: str) -> bool:
    kind = name_class[0]
    if kind == "anyName":
        return True
    if kind == "name":
        return name_class[1] == ns and name_class[2] == local
    return any(name_matches(nc, ns, local) for nc in name_class[1:])


def describe_name(name_class) -> str:
    kind = name_class[0]
    if kind == "anyName":
        return "any element"
    if kind == "name":
        return name_class[2] if not name_class[1] else "{%s}%s" % (name_class[1], name_class[2])
    return " or ".join(describe_name(nc) for nc in name_class[1:])
