"""Derivatives of RELAX NG patterns (James Clark's algorithm) and the document walk with messages."""

from __future__ import annotations

from harness.check import xmltree
from harness.check.patterns import (
    EMPTY, NOT_ALLOWED, after, choice, describe_name, group, interleave, name_matches, one_or_more,
)


class Invalid(Exception):
    """The document does not match; path, line and message say where and why."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path, self.line, self.message = path, line, message


def nullable(p) -> bool:
    kind = p[0]
    if kind in ("empty", "text"):
        return True
    if kind == "choice":
        return nullable(p[1]) or nullable(p[2])
    if kind in ("group", "interleave"):
        return nullable(p[1]) and nullable(p[2])
    if kind == "oneOrMore":
        return nullable(p[1])
    return False


def text_deriv(p, text: str):
    kind = p[0]
    if kind == "choice":
        return choice(text_deriv(p[1], text), text_deriv(p[2], text))
    if kind == "interleave":
        return choice(interleave(text_deriv(p[1], text), p[2]), interleave(p[1], text_deriv(p[2], text)))
    if kind == "group":
        first = group(text_deriv(p[1], text), p[2])
        return choice(first, text_deriv(p[2], text)) if nullable(p[1]) else first
    if kind == "after":
        return after(text_deriv(p[1], text), p[2])
    if kind == "oneOrMore":
        return group(text_deriv(p[1], text), choice(p, EMPTY))
    if kind == "text":
        return p
    if kind == "value":
        wanted, seen = (p[1], text) if p[2] == "string" else (" ".join(p[1].split()), " ".join(text.split()))
        return EMPTY if wanted == seen else NOT_ALLOWED
    return NOT_ALLOWED


def _apply_after(p, wrap):
    kind = p[0]
    if kind == "after":
        return after(p[1], wrap(p[2]))
    if kind == "choice":
        return choice(_apply_after(p[1], wrap), _apply_after(p[2], wrap))
    return NOT_ALLOWED


def start_tag_open_deriv(p, ns: str, local: str):
    kind = p[0]
    if kind == "choice":
        return choice(start_tag_open_deriv(p[1], ns, local), start_tag_open_deriv(p[2], ns, local))
    if kind == "element":
        return after(p[2].pattern, EMPTY) if name_matches(p[1], ns, local) else NOT_ALLOWED
    if kind == "interleave":
        left = _apply_after(start_tag_open_deriv(p[1], ns, local), lambda x: interleave(x, p[2]))
        right = _apply_after(start_tag_open_deriv(p[2], ns, local), lambda x: interleave(p[1], x))
        return choice(left, right)
    if kind == "oneOrMore":
        return _apply_after(start_tag_open_deriv(p[1], ns, local), lambda x: group(x, choice(p, EMPTY)))
    if kind == "group":
        first = _apply_after(start_tag_open_deriv(p[1], ns, local), lambda x: group(x, p[2]))
        return choice(first, start_tag_open_deriv(p[2], ns, local)) if nullable(p[1]) else first
    if kind == "after":
        return _apply_after(start_tag_open_deriv(p[1], ns, local), lambda x: after(x, p[2]))
    return NOT_ALLOWED


def att_deriv(p, ns: str, local: str, text: str):
    kind = p[0]
    if kind == "after":
        return after(att_deriv(p[1], ns, local, text), p[2])
    if kind == "choice":
        return choice(att_deriv(p[1], ns, local, text), att_deriv(p[2], ns, local, text))
    if kind in ("group", "interleave"):
        combine = group if kind == "group" else interleave
        return choice(combine(att_deriv(p[1], ns, local, text), p[2]),
                      combine(p[1], att_deriv(p[2], ns, local, text)))
    if kind == "oneOrMore":
        return group(att_deriv(p[1], ns, local, text), choice(p, EMPTY))
    if kind == "attribute" and name_matches(p[1], ns, local) and _value_matches(p[2], text):
        return EMPTY
    return NOT_ALLOWED


def _value_matches(p, text: str) -> bool:
    return (nullable(p) and not text.strip()) or nullable(text_deriv(p, text))


def start_tag_close_deriv(p):
    kind = p[0]
    if kind == "after":
        return after(start_tag_close_deriv(p[1]), p[2])
    if kind == "choice":
        return choice(start_tag_close_deriv(p[1]), start_tag_close_deriv(p[2]))
    if kind == "group":
        return group(start_tag_close_deriv(p[1]), start_tag_close_deriv(p[2]))
    if kind == "interleave":
        return interleave(start_tag_close_deriv(p[1]), start_tag_close_deriv(p[2]))
    if kind == "oneOrMore":
        return one_or_more(start_tag_close_deriv(p[1]))
    if kind == "attribute":
        return NOT_ALLOWED
    return p


def end_tag_deriv(p):
    kind = p[0]
    if kind == "choice":
        return choice(end_tag_deriv(p[1]), end_tag_deriv(p[2]))
    if kind == "after":
        return p[2] if nullable(p[1]) else NOT_ALLOWED
    return NOT_ALLOWED


def _collect(p, kinds: tuple, found: list, seen: set) -> list:
    """Element/attribute name classes that could come next in p (for messages)."""
    if id(p) in seen:
        return found
    seen.add(id(p))
    kind = p[0]
    if kind in kinds:
        name = describe_name(p[1])
        if name not in found:
            found.append(name)
    elif kind in ("choice", "interleave"):
        _collect(p[1], kinds, found, seen)
        _collect(p[2], kinds, found, seen)
    elif kind == "group":
        _collect(p[1], kinds, found, seen)
        if nullable(p[1]) or kinds == ("attribute",):
            _collect(p[2], kinds, found, seen)
    elif kind in ("oneOrMore", "after"):
        _collect(p[1], kinds, found, seen)
    return found


def _expected(p, kinds=("element",)) -> str:
    names = _collect(p, kinds, [], set())
    return ", ".join(names) if names else "nothing more"


def validate_tree(start, root: xmltree.Node) -> None:
    """Raise Invalid unless the element tree rooted at root matches the start pattern."""
    result = _child_deriv(start, root, "")
    if not nullable(result):
        raise Invalid("/" + root.name, root.line, "document incomplete")


def _child_deriv(p, node: xmltree.Node, parent_path: str):
    path = f"{parent_path}/{node.name}"
    opened = start_tag_open_deriv(p, node.ns, node.name)
    if opened == NOT_ALLOWED:
        raise Invalid(path, node.line, f"element <{node.name}> not allowed here; expected: {_expected(p)}")
    for qname, text in node.attrs.items():
        ns, _, local = qname.rpartition(" ")
        next_p = att_deriv(opened, ns, local, text)
        if next_p == NOT_ALLOWED:
            raise Invalid(path, node.line, f"attribute {local}={text!r} not allowed or invalid")
        opened = next_p
    closed = start_tag_close_deriv(opened)
    if closed == NOT_ALLOWED:
        missing = _expected(opened, ("attribute",))
        raise Invalid(path, node.line, f"missing required attribute: {missing}")
    inside = _children_deriv(closed, node, path)
    ended = end_tag_deriv(inside)
    if ended == NOT_ALLOWED:
        raise Invalid(path, node.line, f"element <{node.name}> incomplete; expected: {_expected(inside)}")
    return ended


def _children_deriv(p, node: xmltree.Node, path: str):
    children = node.children
    if not any(isinstance(c, xmltree.Node) for c in children):
        text = "".join(children)
        derived = text_deriv(p, text)
        result = choice(p, derived) if not text.strip() else derived
        if result == NOT_ALLOWED:
            raise Invalid(path, node.line, f"text {text.strip()[:40]!r} not allowed here")
        return result
    for child in children:
        if isinstance(child, str):
            if not child.strip():
                continue
            next_p = text_deriv(p, child)
            if next_p == NOT_ALLOWED:
                raise Invalid(path, node.line, f"text {child.strip()[:40]!r} not allowed here")
            p = next_p
        else:
            p = _child_deriv(p, child, path)
    return p
