"""A minimal XML tree with line numbers, namespaces and DOCTYPE, built with expat (stdlib)."""

from __future__ import annotations

from typing import Optional
from xml.parsers import expat


MAX_DEPTH = 257  # libxml2 refuses a 258th nested element without XML_PARSE_HUGE, which Pacemaker does not pass (xmllint 2.9.14)


class XMLSyntaxError(ValueError):
    """The text is not well-formed XML."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.reason = message


class Node:
    """An element: namespace, local name, attributes, children (Node or str), source line."""

    __slots__ = ("ns", "name", "attrs", "children", "line")

    def __init__(self, ns: str, name: str, attrs: dict, line: int) -> None:
        self.ns, self.name, self.attrs, self.line = ns, name, attrs, line
        self.children: list = []

    def elements(self, name: Optional[str] = None) -> list:
        return [c for c in self.children if isinstance(c, Node) and (name is None or c.name == name)]

    def first(self, name: str) -> Optional["Node"]:
        found = self.elements(name)
        return found[0] if found else None

    def text_content(self) -> str:
        return "".join(c if isinstance(c, str) else c.text_content() for c in self.children)

    def __repr__(self) -> str:
        return f"<Node {self.name} line {self.line}>"


class Document:
    """The parsed document: its root element and the DOCTYPE system id, if any."""

    def __init__(self, root: Node, doctype: Optional[str], doctype_system: Optional[str]) -> None:
        self.root, self.doctype, self.doctype_system = root, doctype, doctype_system


def parse_document(text: "bytes | str") -> Document:
    """Parse text into a Document; raise XMLSyntaxError when it is not well-formed."""
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list = []
    pieces: list = []  # the current run of text, joined once it ends: many small pieces must not cost n² copies
    holder: dict = {"root": None, "doctype": None, "system": None}

    def split(qname: str):
        ns, _, local = qname.rpartition(" ")
        return ns, local

    def flush():
        if pieces:
            stack[-1].children.append("".join(pieces))
            pieces.clear()

    def start(qname, attrs):
        flush()
        if len(stack) == MAX_DEPTH:
            raise XMLSyntaxError(f"elements nested deeper than {MAX_DEPTH} levels (libxml2's limit: Pacemaker cannot parse it)",
                                 parser.CurrentLineNumber)
        ns, local = split(qname)
        node = Node(ns, local, dict(attrs), parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(node)
        else:
            holder["root"] = node
        stack.append(node)

    def end(_qname):
        flush()
        stack.pop()

    def chars(data):
        if stack:
            pieces.append(data)

    def doctype(name, system_id, _public_id, _has_internal):
        holder["doctype"], holder["system"] = name, system_id

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = doctype
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(text, True)
    except expat.ExpatError as bad:
        raise XMLSyntaxError(expat.ErrorString(bad.code), bad.lineno) from None
    return Document(holder["root"], holder["doctype"], holder["system"])


def parse(text: "bytes | str") -> Node:
    """Parse text and return its root element."""
    return parse_document(text).root

