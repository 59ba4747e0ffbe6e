"""The SAS filter language and sortBy, parsed once into a tree the routes evaluate.

Functions: eq ne lt le gt ge in isNull contains startsWith endsWith and or not.
A member is a name (dotted for nested members) or a quoted name; a value is a
single- or double-quoted string (a doubled quote escapes itself) or a bare word
(`eq(createdBy,sasdemo)`, as pyviyatools writes it). Comparisons are on strings,
numerically when both sides are numbers; SAS timestamps order as strings.
A malformed filter is a 400 with errorCode 1100 saying where it failed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapters.sas.faults import SasError

COMPARISONS = {"eq", "ne", "lt", "le", "gt", "ge", "contains", "startsWith", "endsWith"}
LOGICAL = {"and", "or", "not"}
FUNCTIONS = COMPARISONS | LOGICAL | {"in", "isNull"}
MAX_LENGTH = 10_000
MAX_DEPTH = 32


@dataclass(frozen=True)
class Call:
    name: str
    member: str | None = None          # comparisons, in, isNull
    values: tuple = ()                 # their values
    args: tuple = ()                   # and / or / not: the inner calls


def _bad(message: str, position: int | None = None) -> SasError:
    where = "" if position is None else f" (at character {position + 1})"
    return SasError(400, 1100, f"{message}{where}",
                    remediation="Correct the filter expression; see the SAS REST API filtering reference.")


class _Parser:
    def __init__(self, text: str, members: frozenset[str], aliases: dict[str, str]):
        self.text, self.pos, self.members, self.aliases = text, 0, members, aliases

    def parse(self) -> Call:
        call = self.call(0)
        self.space()
        if self.pos != len(self.text):
            raise _bad(f"Unexpected text after the filter: {self.text[self.pos:self.pos + 20]!r}", self.pos)
        return call

    def space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def expect(self, char: str) -> None:
        self.space()
        if self.pos >= len(self.text) or self.text[self.pos] != char:
            found = self.text[self.pos] if self.pos < len(self.text) else "end of filter"
            raise _bad(f"Expected '{char}' but found {found!r}", self.pos)
        self.pos += 1

    def word(self) -> str:
        self.space()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "._-"):
            self.pos += 1
        return self.text[start:self.pos]

    def call(self, depth: int) -> Call:
        if depth > MAX_DEPTH:
            raise _bad("The filter is nested too deeply", self.pos)
        start = self.pos
        name = self.word()
        if not name:
            raise _bad("Expected a filter function", self.pos)
        if name not in FUNCTIONS:
            raise _bad(f"Unsupported function in filter request: {name}", start)
        self.expect("(")
        if name in LOGICAL:
            args = [self.call(depth + 1)]
            while self.comma():
                args.append(self.call(depth + 1))
            self.expect(")")
            if name == "not" and len(args) != 1:
                raise _bad("not() takes one expression", start)
            return Call(name, args=tuple(args))
        member = self.member()
        values = []
        while self.comma():
            values.append(self.value())
        self.expect(")")
        wanted = {"isNull": (0, 0), "in": (1, 1000)}.get(name, (1, 1))
        if not wanted[0] <= len(values) <= wanted[1]:
            raise _bad(f"Wrong number of values for {name}()", start)
        return Call(name, member=member, values=tuple(values))

    def comma(self) -> bool:
        self.space()
        if self.pos < len(self.text) and self.text[self.pos] == ",":
            self.pos += 1
            return True
        return False

    def member(self) -> str:
        self.space()
        start = self.pos
        name = self.quoted() if self.pos < len(self.text) and self.text[self.pos] in "'\"" else self.word()
        name = self.aliases.get(name, name)
        if name not in self.members:
            raise _bad(f"Unsupported member in filter request: {name or '(none)'}", start)
        return name

    def value(self) -> str:
        self.space()
        if self.pos < len(self.text) and self.text[self.pos] in "'\"":
            return self.quoted()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ",()":
            self.pos += 1
        bare = self.text[start:self.pos].strip()
        if not bare:
            raise _bad("Expected a value", start)
        return bare

    def quoted(self) -> str:
        quote, start = self.text[self.pos], self.pos
        self.pos += 1
        out = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char == quote:
                if self.pos < len(self.text) and self.text[self.pos] == quote:
                    out.append(quote)
                    self.pos += 1
                    continue
                return "".join(out)
            out.append(char)
        raise _bad("Unterminated quoted string", start)


def parse(text: str, members: frozenset[str], aliases: dict[str, str] | None = None) -> Call:
    if len(text) > MAX_LENGTH:
        raise _bad(f"The filter is longer than {MAX_LENGTH} characters")
    return _Parser(text, members, aliases or {}).parse()


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(left, right: str) -> int | None:
    if left is None:
        return None
    a, b = _number(left), _number(right)
    if a is not None and b is not None and not isinstance(left, str):
        return (a > b) - (a < b)
    text = left if isinstance(left, str) else str(left)
    return (text > right) - (text < right)


def _contains(value, wanted: str) -> bool:
    if isinstance(value, dict):
        return any(_contains(k, wanted) or _contains(v, wanted) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains(v, wanted) for v in value)
    return value is not None and wanted.lower() in str(value).lower()


_TESTS: dict[str, Callable[[Any, str], bool]] = {
    "eq": lambda v, w: _compare(v, w) == 0,
    "ne": lambda v, w: _compare(v, w) != 0,
    "lt": lambda v, w: (_compare(v, w) or 0) < 0 and v is not None,
    "le": lambda v, w: v is not None and (_compare(v, w) or 0) <= 0,
    "gt": lambda v, w: (_compare(v, w) or 0) > 0,
    "ge": lambda v, w: v is not None and (_compare(v, w) or 0) >= 0,
    "contains": _contains,
    "startsWith": lambda v, w: isinstance(v, str) and v.startswith(w),
    "endsWith": lambda v, w: isinstance(v, str) and v.endswith(w),
}


def matches(call: Call, read: Callable[[str], Any]) -> bool:
    """Whether the item whose members `read` gives passes the filter."""
    if call.name == "and":
        return all(matches(a, read) for a in call.args)
    if call.name == "or":
        return any(matches(a, read) for a in call.args)
    if call.name == "not":
        return not matches(call.args[0], read)
    value = read(call.member)
    if call.name == "isNull":
        return value is None or value == ""
    if call.name == "in":
        return any(_compare(value, w) == 0 for w in call.values)
    return _TESTS[call.name](value, call.values[0])


def conjuncts(call: Call | None) -> list[Call]:
    """The parts of a top-level `and` (the filter itself otherwise)."""
    if call is None:
        return []
    return [c for a in call.args for c in conjuncts(a)] if call.name == "and" else [call]


@dataclass(frozen=True)
class SortKey:
    member: str
    descending: bool = False


def parse_sort(text: str, members: frozenset[str], aliases: dict[str, str] | None = None) -> list[SortKey]:
    """`member[:ascending|descending][:primary|secondary...]`, comma-separated."""
    keys = []
    for part in text.split(","):
        name, *options = [p.strip() for p in part.split(":")]
        name = (aliases or {}).get(name, name)
        if name not in members:
            raise SasError(400, 0, f"The sortBy member {name!r} is not supported.",
                           remediation=f"Sort by one of: {', '.join(sorted(members))}.")
        direction = options[0].lower() if options else "ascending"
        if direction not in ("ascending", "descending") or len(options) > 2:
            raise SasError(400, 0, f"The sortBy criterion {part!r} is not valid.",
                           remediation="Write member[:ascending|descending], comma-separated.")
        keys.append(SortKey(name, direction == "descending"))
    return keys


def sort(items: list, keys: list[SortKey], read: Callable[[Any, str], Any]) -> list:
    """Stable sort by each key, the last applied first; missing values sort first."""
    for key in reversed(keys):
        items = sorted(items, key=lambda item: _sortable(read(item, key.member)), reverse=key.descending)
    return items


def _sortable(value):
    if value is None:
        return (0, 0, "")
    number = _number(value) if not isinstance(value, str) else None
    return (1, number, "") if number is not None else (2, 0, str(value))
