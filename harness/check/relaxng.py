"""A small stdlib RELAX NG validator (derivative algorithm), enough for OCF meta-data schemas.

Supported patterns: element, attribute, optional, zeroOrMore, oneOrMore, choice, group,
interleave, mixed, empty, notAllowed, text, value, ref/define (with combine), anyName, name
classes choice/name, and the grammar/start wrapper. Anything else raises SchemaError, so a
schema this module does not understand is never silently accepted.
"""

from __future__ import annotations

from typing import Optional

from harness.check import xmltree
from harness.check.patterns import (
    EMPTY, NOT_ALLOWED, TEXT, attribute, choice, element, group, interleave, one_or_more, value,
)
from harness.check.derive import Invalid, validate_tree

RNG_NS = "http://relaxng.org/ns/structure/1.0"


class SchemaError(ValueError):
    """The schema uses something this validator does not implement, or is malformed."""


class Problem:
    """Why a document is invalid: where (path and line) and what."""

    __slots__ = ("path", "line", "message")

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path, self.line, self.message = path, line, message

    def __eq__(self, other) -> bool:
        return isinstance(other, Problem) and (self.path, self.line, self.message) == (other.path, other.line, other.message)

    def __hash__(self) -> int:
        return hash((self.path, self.line, self.message))

    def __repr__(self) -> str:
        return f"Problem({self.path!r}, {self.line!r}, {self.message!r})"

    def __str__(self) -> str:
        return f"line {self.line}: {self.path}: {self.message}"


class ElementContent:
    """An element's content pattern, compiled on first use (recursion runs through elements)."""

    def __init__(self, compiler: "_Compiler", nodes: list, ns: str) -> None:
        self._compiler, self._nodes, self._ns = compiler, nodes, ns
        self._pattern = None

    @property
    def pattern(self):
        if self._pattern is None:
            self._pattern = self._compiler.sequence(self._nodes, self._ns)
        return self._pattern


class Schema:
    """A compiled RELAX NG grammar; validate() checks a document."""

    def __init__(self, start) -> None:
        self.start = start

    def validate(self, document: "bytes | str | xmltree.Node") -> Optional[Problem]:
        """Return None when the document is valid, else the first Problem found."""
        root = document if isinstance(document, xmltree.Node) else xmltree.parse(document)
        try:
            validate_tree(self.start, root)
        except Invalid as bad:
            return Problem(bad.path, bad.line, bad.message)
        return None


def load(path: str) -> Schema:
    """Compile the RELAX NG schema (XML syntax) stored at path."""
    with open(path, "rb") as handle:
        return compile_schema(handle.read())


def compile_schema(text: "bytes | str") -> Schema:
    root = xmltree.parse(text)
    start = _Compiler(root).start()
    _compile_all(start, set())
    return Schema(start)


def _compile_all(pattern, seen: set) -> None:
    """Compile every element's content now, so schema errors surface at load time."""
    if id(pattern) in seen or not isinstance(pattern, tuple):
        return
    seen.add(id(pattern))
    if pattern[0] == "element":
        content = pattern[2]
        if id(content) not in seen:
            seen.add(id(content))
            _compile_all(content.pattern, seen)
    elif pattern[0] in ("choice", "group", "interleave", "after", "oneOrMore", "attribute"):
        for part in pattern[1:]:
            _compile_all(part, seen)


class _Compiler:
    def __init__(self, root: xmltree.Node) -> None:
        self.root = root
        self.defines: dict = {}
        self.define_patterns: dict = {}
        self.resolving: set = set()

    def start(self):
        root = self.root
        if _local(root) == "grammar":
            starts = []
            for child in _rng_children(root):
                if _local(child) == "start":
                    starts.append(child)
                elif _local(child) == "define":
                    self._add_define(child)
                else:
                    raise SchemaError(f"unsupported grammar content <{_local(child)}>")
            if len(starts) != 1:
                raise SchemaError("a grammar needs exactly one <start>")
            return self.sequence(_rng_children(starts[0]), _ns_of(root, ""))
        return self.pattern(root, "")

    def _add_define(self, node: xmltree.Node) -> None:
        name = node.attrs.get("name")
        if not name:
            raise SchemaError("<define> without a name")
        combine = node.attrs.get("combine")
        body = ("group", list(_rng_children(node)), _ns_of(node, ""))
        if name in self.defines:
            if combine not in ("choice", "interleave"):
                raise SchemaError(f"define {name!r} repeated without combine")
            self.defines[name] = (combine, [self.defines[name], body])
        else:
            self.defines[name] = body

    def ref(self, name: str):
        if name in self.define_patterns:
            return self.define_patterns[name]
        if name not in self.defines:
            raise SchemaError(f"reference to undefined {name!r}")
        if name in self.resolving:
            raise SchemaError(f"define {name!r} refers to itself outside an element")
        self.resolving.add(name)
        pattern = self._define_body(self.defines[name])
        self.resolving.discard(name)
        self.define_patterns[name] = pattern
        return pattern

    def _define_body(self, body):
        kind, items = body[0], body[1]
        if kind == "group" and len(body) == 3:
            return self.sequence(items, body[2])
        combine = choice if kind == "choice" else interleave
        parts = [self._define_body(item) for item in items]
        result = parts[0]
        for part in parts[1:]:
            result = combine(result, part)
        return result

    def sequence(self, nodes, ns: str):
        result = EMPTY
        for node in nodes:
            result = group(result, self.pattern(node, ns))
        return result

    def _combine(self, nodes, ns: str, combine):
        patterns = [self.pattern(node, ns) for node in nodes]
        if not patterns:
            raise SchemaError("empty combination pattern")
        result = patterns[0]
        for pattern in patterns[1:]:
            result = combine(result, pattern)
        return result

    def pattern(self, node: xmltree.Node, ns: str):
        ns = _ns_of(node, ns)
        kind = _local(node)
        children = _rng_children(node)
        if kind == "element":
            name_class, content = self._named(node, children, ns)
            return element(name_class, ElementContent(self, content, ns))
        if kind == "attribute":
            name_class, content = self._named(node, children, "" if "ns" not in node.attrs else ns)
            return attribute(name_class, self.sequence(content, ns) if content else TEXT)
        simple = {"empty": EMPTY, "notAllowed": NOT_ALLOWED, "text": TEXT}
        if kind in simple:
            return simple[kind]
        if kind == "value":
            return value(node.text_content(), node.attrs.get("type", "token"))
        if kind == "group":
            return self.sequence(children, ns)
        if kind == "choice":
            return self._combine(children, ns, choice)
        if kind == "interleave":
            return self._combine(children, ns, interleave)
        if kind == "mixed":
            return interleave(self.sequence(children, ns), TEXT)
        if kind in ("optional", "zeroOrMore", "oneOrMore"):
            inner = self.sequence(children, ns)
            if kind == "optional":
                return choice(inner, EMPTY)
            repeated = one_or_more(inner)
            return repeated if kind == "oneOrMore" else choice(repeated, EMPTY)
        if kind == "ref":
            return self.ref(node.attrs.get("name", ""))
        raise SchemaError(f"unsupported RELAX NG pattern <{kind}> (line {node.line})")

    def _named(self, node: xmltree.Node, children: list, ns: str):
        if "name" in node.attrs:
            return self._qname(node.attrs["name"].strip(), ns), children
        if not children:
            raise SchemaError(f"<{_local(node)}> without a name (line {node.line})")
        return self.name_class(children[0], ns), children[1:]

    def _qname(self, name: str, ns: str):
        if ":" in name:
            raise SchemaError(f"prefixed names are not supported: {name!r}")
        return ("name", ns, name)

    def name_class(self, node: xmltree.Node, ns: str):
        ns = _ns_of(node, ns)
        kind = _local(node)
        if kind == "anyName":
            if _rng_children(node):
                raise SchemaError("anyName with except is not supported")
            return ("anyName",)
        if kind == "name":
            return self._qname(node.text_content().strip(), ns)
        if kind == "choice":
            classes = [self.name_class(child, ns) for child in _rng_children(node)]
            return ("choice",) + tuple(classes)
        raise SchemaError(f"unsupported name class <{kind}>")


def _local(node: xmltree.Node) -> str:
    if node.ns != RNG_NS:
        raise SchemaError(f"not a RELAX NG element: {node.name!r} (line {node.line})")
    return node.name


def _rng_children(node: xmltree.Node) -> list:
    return [child for child in node.children if isinstance(child, xmltree.Node) and child.ns == RNG_NS]


def _ns_of(node: xmltree.Node, inherited: str) -> str:
    return node.attrs.get("ns", inherited)


__all__ = ["Schema", "SchemaError", "Problem", "load", "compile_schema"]
