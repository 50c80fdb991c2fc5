"""The search box's query language, read into a small tree any backend can compile.

The language is the one the whoosh backend has always read: words (all must
match), "quoted phrases", AND / OR / NOT, parentheses, and fields such as
`method:"interrupted time series"` or `department:dfe`. The PostgreSQL backend
compiles this tree to SQL; whoosh keeps its own parser, and the shared backend
tests hold the two to the same answers.

A query that cannot be read cleanly still answers: an unclosed quotation mark is
closed at the end, unbalanced parentheses are dropped, and the user is told.
"""
import re
from dataclasses import dataclass

MAX_QUERY_CHARS = 500
OPERATORS = {"AND", "OR", "NOT"}
# Field names people type -> the field searched.
FIELD_ALIASES = {
    "summary": "body", "text": "body", "findings": "body", "finding": "body",
    "kind": "doc_kind", "policy_area": "policy",
    "organization": "organisation", "evaluator": "organisation", "org": "organisation",
}
TEXT_FIELDS = {"title", "body", "method", "type", "department_name", "organisation", "programme", "place", "policy"}
KEYWORD_FIELDS = {"department", "stage", "year", "doc_kind"}

MESSAGE_SHORTENED = f"Your search was shortened to its first {MAX_QUERY_CHARS} characters."
MESSAGE_UNCLOSED_QUOTE = "A quotation mark in your search was not closed; we closed it at the end."
MESSAGE_SYNTAX = "We could not understand the search syntax, so we searched for the words in it."
MESSAGE_NO_WORDS = "Your search has no words we can look for: try other words."

_TOKEN = re.compile(r'\s*(?:(?P<field>[A-Za-z_]+):(?=["(\w])|(?P<phrase>"[^"]*")|(?P<paren>[()])|(?P<word>[^\s()"]+))')


@dataclass(frozen=True)
class Text:
    """Words that must appear together, in order when `phrase` (a field of None: any text field)."""
    words: str
    field: str | None = None
    phrase: bool = False


@dataclass(frozen=True)
class Keyword:
    """An exact value of a keyword field (department code or acronym, stage, year, document kind)."""
    field: str
    value: str


@dataclass(frozen=True)
class Not:
    child: object


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


class _Syntax(ValueError):
    pass


def _tokens(text):
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            break
        position = match.end()
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
    return tokens


class _Parser:
    """or := and ("OR" and)*;  and := unary+ (with optional "AND");  unary := "NOT" unary | atom."""

    def __init__(self, tokens):
        self.tokens, self.i = tokens, 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.i += 1
        return token

    def parse(self):
        node = self.or_()
        if self.i < len(self.tokens):
            raise _Syntax("unexpected token")
        return node

    def or_(self):
        children = [self.and_()]
        while self.peek() == ("word", "OR"):
            self.take()
            children.append(self.and_())
        children = [c for c in children if c is not None]
        return children[0] if len(children) == 1 else (Or(tuple(children)) if children else None)

    def and_(self):
        children = []
        while True:
            kind, value = self.peek()
            if kind is None or (kind == "paren" and value == ")") or (kind, value) == ("word", "OR"):
                break
            if (kind, value) == ("word", "AND"):
                self.take()
                continue
            node = self.unary()
            if node is not None:
                children.append(node)
        if not children:
            return None
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self):
        if self.peek() == ("word", "NOT"):
            self.take()
            child = self.unary()
            return Not(child) if child is not None else None
        return self.atom(None)

    def atom(self, field):
        kind, value = self.take()
        if kind == "paren" and value == "(":
            node = self.or_()
            if self.take() != ("paren", ")"):
                raise _Syntax("unclosed parenthesis")
            return _with_field(node, field) if field else node
        if kind == "paren":
            raise _Syntax("unexpected parenthesis")
        if kind == "field":
            name = FIELD_ALIASES.get(value.lower(), value.lower())
            if name in TEXT_FIELDS or name in KEYWORD_FIELDS:
                return self.atom(name)
            # Not a field we know: its name is one more word to look for.
            following = self.atom(None)
            name_words = _leaf(value, None, False)
            return And((name_words, following)) if following is not None else name_words
        if kind == "phrase":
            return _leaf(value.strip('"'), field, True)
        if kind == "word":
            return _leaf(value, field, False)
        raise _Syntax("unexpected end")


def _leaf(text, field, phrase):
    words = " ".join(re.findall(r"[^\W_]+(?:['’][^\W_]+)*", text))
    if not words:
        return None
    if field in KEYWORD_FIELDS:
        return Keyword(field, text.strip().lower())
    return Text(words, field, phrase and len(words.split()) > 1)


def _with_field(node, field):
    if isinstance(node, Text):
        return Text(node.words, field, node.phrase) if field in TEXT_FIELDS else Keyword(field, node.words.lower())
    if isinstance(node, Not):
        return Not(_with_field(node.child, field))
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_with_field(c, field) for c in node.children))
    return node


def parse(text):
    """(tree or None for "everything", message). Never raises on what a user types."""
    text = (text or "").strip()
    message = ""
    if len(text) > MAX_QUERY_CHARS:
        text, message = text[:MAX_QUERY_CHARS], MESSAGE_SHORTENED
    if not text:
        return None, message
    if text.count('"') % 2:
        text += '"'
        message = message or MESSAGE_UNCLOSED_QUOTE
    try:
        tree = _Parser(_tokens(text)).parse()
    except _Syntax:
        words = " ".join("".join(c if c.isalnum() else " " for c in text).split())
        message = MESSAGE_SYNTAX
        tree = _leaf(words, None, False) if words else None
    if tree is None:
        return _NOTHING, message or MESSAGE_NO_WORDS
    return tree, message


class _Nothing:
    """A query that matches nothing (no words left to look for)."""


_NOTHING = _Nothing()


def matches_nothing(tree):
    return tree is _NOTHING


def leaves(node):
    """Every Text and Keyword in the tree, left to right."""
    if isinstance(node, (Text, Keyword)):
        return [node]
    if isinstance(node, Not):
        return leaves(node.child)
    if isinstance(node, (And, Or)):
        return [leaf for child in node.children for leaf in leaves(child)]
    return []
