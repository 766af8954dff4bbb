"""Turn the element and attribute declarations of a DTD (the subset ra-api-1.dtd uses) into a Schema."""

from __future__ import annotations

import re

from harness.check.patterns import (
    EMPTY, TEXT, attribute, choice, element, group, one_or_more, value,
)
from harness.check.relaxng import Schema, SchemaError

_DECL = re.compile(r"<!(ELEMENT|ATTLIST)\s+([^\s>]+)\s+((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_ATT = re.compile(r"([^\s]+)\s+(\([^)]*\)|[A-Z]+)\s+(#REQUIRED|#IMPLIED|#FIXED\s+(?:\"[^\"]*\"|'[^']*')|\"[^\"]*\"|'[^']*')")
_TOKEN = re.compile(r"\s*(#PCDATA|[(),|?*+]|[^\s(),|?*+]+)")


class _Content:
    """An element's content pattern, built on first use so ANY may name every element."""

    def __init__(self, build) -> None:
        self._build, self._pattern = build, None

    @property
    def pattern(self):
        if self._pattern is None:
            self._pattern = self._build()
        return self._pattern


def load(path: str, root: str) -> Schema:
    """Compile the DTD at path into a Schema whose document element must be root."""
    with open(path, encoding="utf-8") as handle:
        return compile_dtd(handle.read(), root)


def compile_dtd(text: str, root: str) -> Schema:
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    models, attlists = {}, {}
    for kind, name, body in _DECL.findall(text):
        if kind == "ELEMENT":
            models[name] = body.strip()
        else:
            attlists.setdefault(name, []).extend(_ATT.findall(body))
    if root not in models:
        raise SchemaError(f"the DTD declares no element {root!r}")
    elements: dict = {}
    for name in models:
        elements[name] = element(("name", "", name), _Content(lambda n=name: _element_body(n, models, attlists, elements)))
    return Schema(elements[root])


def _element_body(name, models, attlists, elements):
    content = _model(models[name], elements)
    attrs = EMPTY
    for att_name, att_type, default in attlists.get(name, []):
        attrs = group(attrs, _attribute(att_name, att_type, default))
    return group(attrs, content)


def _attribute(name, att_type, default):
    if att_type.startswith("("):
        values = [v.strip() for v in att_type[1:-1].split("|")]
        pattern = values and value(values[0])
        for extra in values[1:]:
            pattern = choice(pattern, value(extra))
    else:
        pattern = TEXT
    declared = attribute(("name", "", name), pattern)
    return declared if default == "#REQUIRED" else choice(declared, EMPTY)


def _model(text: str, elements: dict):
    if text == "EMPTY":
        return EMPTY
    if text == "ANY":
        anything = TEXT
        for declared in elements.values():
            anything = choice(anything, declared)
        return choice(one_or_more(anything), EMPTY)
    tokens = [t for t in _TOKEN.findall(text) if t]
    pattern, rest = _particle(tokens, elements)
    if rest:
        raise SchemaError(f"cannot read content model {text!r}")
    return pattern


def _particle(tokens: list, elements: dict):
    if not tokens:
        raise SchemaError("content model ends early")
    head, rest = tokens[0], tokens[1:]
    if head == "(":
        items, joiner = [], None
        while True:
            item, rest = _particle(rest, elements)
            items.append(item)
            if not rest:
                raise SchemaError("unclosed '(' in content model")
            if rest[0] == ")":
                rest = rest[1:]
                break
            joiner, rest = rest[0], rest[1:]
        combine = choice if joiner == "|" else group
        pattern = items[0]
        for item in items[1:]:
            pattern = combine(pattern, item)
    elif head == "#PCDATA":
        pattern = TEXT
    elif head in elements:
        pattern = elements[head]
    else:
        raise SchemaError(f"content model names undeclared element {head!r}")
    return _repeat(pattern, rest)


def _repeat(pattern, rest: list):
    if rest and rest[0] in "?*+":
        mark, rest = rest[0], rest[1:]
        if mark == "?":
            return choice(pattern, EMPTY), rest
        if mark == "+":
            return one_or_more(pattern), rest
        return choice(one_or_more(pattern), EMPTY), rest
    return pattern, rest

