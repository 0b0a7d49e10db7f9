"""What a user's read-only Cypher may hold: reading clauses, expressions and a few schema procedures.

:meth:`~ecograph.store.neo4j.Neo4jStore.read_query` (the explorer's Cypher box) runs text
typed by whoever reaches the explorer. Neo4j's own "read" classification is not enough:
``LOAD CSV`` reads (and fetches any URL), ``SHOW TRANSACTIONS`` reads (other sessions'
queries and addresses), ``TERMINATE TRANSACTIONS`` is a command, and an expression such as
``reduce`` over a long ``range`` keeps a server thread busy long after its timeout, because
Neo4j only checks a timeout between rows. So the text is checked here first, by
:func:`read_only_text`:

* it is split into tokens the way Cypher reads them (strings, backtick names, comments,
  numbers, words, symbols); anything else outside quotes — any character that is not
  ASCII, any control character — is refused, so no Unicode look-alike or odd space can
  hide a word;
* it must start with a reading clause (``MATCH``, ``OPTIONAL MATCH``, ``UNWIND``, ``WITH``,
  ``RETURN``, ``CALL``), and a word of Neo4j 5's clause and command vocabulary that is not
  a reading clause (:data:`REFUSED_WORDS`: writes, ``LOAD``, ``SHOW``, ``TERMINATE``,
  ``USE``, administration, ``EXPLAIN``/``PROFILE``/``CYPHER`` prefixes, ``IN
  TRANSACTIONS``) is refused wherever it could be read as one (everywhere except after a
  ``.``: a property may be called ``set``);
* ``CALL`` runs a subquery (``CALL { … }``, checked like the rest) or one of
  :data:`PROCEDURES`, which only describe the schema;
* a function call must name one of :data:`FUNCTIONS` (Cypher's own functions, without
  ``reduce``); a quantifier (``all``, ``any``, ``none``, ``single``) may not hold another,
  and ``range`` takes integer literals spanning at most :data:`MAX_RANGE` numbers — the
  loops Neo4j cannot interrupt stay short;
* there is one statement, of at most :data:`MAX_LENGTH` characters.

What is sent to Neo4j is the text rebuilt from the checked tokens (comments dropped,
strings re-quoted), so the server reads exactly what was checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ecograph.errors import UsageError

__all__ = [
    "FUNCTIONS",
    "MAX_LENGTH",
    "MAX_RANGE",
    "PROCEDURES",
    "REFUSED_WORDS",
    "QueryRefused",
    "read_only_text",
]

#: The longest query text the box takes, in characters.
MAX_LENGTH = 10_000
#: The most numbers one ``range(…)`` may give.
MAX_RANGE = 1_000_000


class QueryRefused(UsageError):
    """A Cypher query the read-only box will not run, or that Neo4j rejected or stopped;
    the message says why and never holds the password."""


#: Clauses a query may start with.
_FIRST = frozenset({"MATCH", "OPTIONAL", "UNWIND", "WITH", "RETURN", "CALL"})
_WRITES = frozenset({"CREATE", "INSERT", "MERGE", "SET", "DELETE", "DETACH", "NODETACH", "REMOVE", "FOREACH"})
#: Neo4j 5's clause and command words that are not reading clauses (the 5.26 grammar's
#: clauses and commands), and the statement prefixes.
REFUSED_WORDS = _WRITES | frozenset(
    {
        "LOAD", "USE", "SHOW", "TERMINATE", "TRANSACTIONS", "ALTER", "DROP", "RENAME", "GRANT",
        "DENY", "REVOKE", "START", "STOP", "ENABLE", "DEALLOCATE", "REALLOCATE", "DRYRUN", "WAIT",
        "USING", "PERIODIC", "COMMIT", "EXPLAIN", "PROFILE", "CYPHER",
    }
)  # fmt: skip

#: Procedures ``CALL`` may run: they describe the schema and change nothing.
PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.schema.visualization",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
    }
)

#: Functions a query may call (lower case; Cypher's own names are not case-sensitive).
FUNCTIONS = frozenset(
    """
    avg collect count max min percentilecont percentiledisc stdev stdevp sum
    keys labels nodes range relationships reverse tail
    tobooleanlist tofloatlist tointegerlist tostringlist
    e exp log log10 sqrt abs ceil floor isnan rand round sign
    acos asin atan atan2 cos cot degrees haversin pi radians sin tan
    all any exists isempty none single
    char_length character_length coalesce elementid endnode head id last length nullif
    properties randomuuid size startnode timestamp type valuetype
    toboolean tobooleanornull tofloat tofloatornull tointeger tointegerornull
    btrim left lower ltrim normalize replace right rtrim split substring
    tolower tostring tostringornull toupper trim upper
    date datetime localdatetime localtime time duration point
    date.truncate datetime.truncate localdatetime.truncate localtime.truncate time.truncate
    duration.between duration.indays duration.inmonths duration.inseconds point.distance
    shortestpath allshortestpaths
    """.split()  # noqa: SIM905 - a list of words reads better than a hundred quoted strings
)
_QUANTIFIERS = frozenset({"all", "any", "none", "single"})
#: Words that may stand before "(" without calling a function.
_BEFORE_PAREN = frozenset(
    """
    MATCH OPTIONAL WHERE AND OR XOR NOT IN RETURN WITH UNWIND WHEN THEN ELSE CASE DISTINCT
    BY SKIP LIMIT OFFSET CONTAINS CALL SHORTEST PATHS PATH GROUPS UNION
    """.split()  # noqa: SIM905
)

_TOKEN = re.compile(
    r"""
      (?P<space>[ \t\n\r\f\v]+)
    | (?P<comment>//[^\n\r]*|/\*.*?\*/)
    | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<quoted>`(?:[^`]|``)+`)
    | (?P<number>0x[0-9A-Fa-f_]+|0o[0-7_]+|(?:\d[\d_]*(?:\.\d[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<symbol>\.\.|::|<>|!=|<=|>=|=~|->|<-|\+=|\|\||[()\[\]{},.:;|+\-*/%^=<>$&!])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_STRING_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_INTEGER = re.compile(r"0x[0-9A-Fa-f_]+|0o[0-7_]+|\d[\d_]*")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # string, quoted, number, word, symbol
    text: str  # as written (a string: its value)
    spaced: bool  # whitespace or a comment came before it
    at: int  # offset in the original text

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""

    def name(self) -> str | None:
        """The name this token gives, bare or in backticks; None for other tokens."""
        return self.text if self.kind in ("word", "quoted") else None


def _unescape(literal: str, at: int) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        if code in _ESCAPES:
            return _ESCAPES[code]
        raise QueryRefused(f"\\{code} at character {at + 1} is not an escape Cypher knows")

    return _STRING_ESCAPE.sub(one, literal[1:-1])


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    at, spaced = 0, False
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at or (match.lastgroup == "symbol" and text.startswith("/*", at)):
            char = text[at]
            if text.startswith("/*", at):
                raise QueryRefused(f"the comment at character {at + 1} is not closed with */")
            if char in "'\"`":
                raise QueryRefused(f"the quote {char} at character {at + 1} is not closed")
            what = f"the character {char!r} (U+{ord(char):04X})"
            raise QueryRefused(
                f"{what} at character {at + 1} is not allowed outside quotes; "
                "write names and text in quotes ('text' or `name`)"
            )
        kind = match.lastgroup or ""
        value = match.group()
        if kind in ("space", "comment"):
            spaced = True
        else:
            if kind == "string":
                value = _unescape(value, at)
            elif kind == "quoted":
                value = value[1:-1].replace("``", "`")
                if _CONTROL.search(value):
                    raise QueryRefused(f"the name at character {at + 1} holds a control character")
            tokens.append(_Token(kind, value, spaced, at))
            spaced = False
        at = match.end()
    return tokens


def _render(tokens: list[_Token]) -> str:
    """The checked tokens as Cypher text: what Neo4j reads is what was checked."""
    parts = []
    for token in tokens:
        if token.spaced and parts:
            parts.append(" ")
        if token.kind == "string":
            body = token.text.replace("\\", "\\\\").replace("'", "\\'")
            parts.append("'" + _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", body) + "'")
        elif token.kind == "quoted":
            parts.append("`" + token.text.replace("`", "``") + "`")
        else:
            parts.append(token.text)
    return "".join(parts)


def _is_property_or_parameter(tokens: list[_Token], i: int) -> bool:
    """Whether token *i* names a property (``o.set``, ``(o).start``) or a parameter (``$set``)."""
    before = tokens[i - 1]
    if before.kind != "symbol" or before.text not in (".", "$"):
        return False
    if before.text == "$":
        return True
    owner = tokens[i - 2] if i >= 2 else None  # "1. SET" is a number and a clause, not a property
    return owner is not None and (owner.name() is not None or owner.text in (")", "]", "}"))


def _name_chain(tokens: list[_Token], i: int) -> tuple[str, int]:
    """The dotted name starting at token *i* (``db.schema.visualization``) and the index after it."""
    names = [tokens[i].text]
    j = i + 1
    while (
        j + 1 < len(tokens)
        and tokens[j].kind == "symbol"
        and tokens[j].text == "."
        and tokens[j + 1].name() is not None
        and not tokens[j + 1].spaced
        and not tokens[j].spaced
    ):
        names.append(tokens[j + 1].text)
        j += 2
    return ".".join(names), j


def _integer(tokens: list[_Token], i: int) -> tuple[int, int] | None:
    """An integer literal (optionally negative) at token *i*: its value and the index after it."""
    sign = 1
    if tokens[i].kind == "symbol" and tokens[i].text == "-":
        sign, i = -1, i + 1
    if i < len(tokens) and tokens[i].kind == "number" and _INTEGER.fullmatch(tokens[i].text):
        text = tokens[i].text.replace("_", "").lower()
        base = 16 if text.startswith("0x") else 8 if text.startswith("0o") else 10
        return sign * int(text[2:] if base != 10 else text, base), i + 1
    return None


def _check_range(tokens: list[_Token], open_at: int) -> None:
    """``range(a, b[, step])`` with integer literals, giving at most :data:`MAX_RANGE` numbers."""
    values, i = [], open_at + 1
    while True:
        found = _integer(tokens, i) if i < len(tokens) else None
        if found is None:
            break
        values.append(found[0])
        i = found[1]
        if i < len(tokens) and tokens[i].text == "," and tokens[i].kind == "symbol":
            i += 1
            continue
        break
    closed = i < len(tokens) and tokens[i].kind == "symbol" and tokens[i].text == ")"
    if not closed or len(values) not in (2, 3):
        raise QueryRefused("range(…) takes two or three whole numbers written out here, e.g. range(1, 10)")
    start, end = values[0], values[1]
    step = values[2] if len(values) == 3 else 1
    if step == 0:
        raise QueryRefused("range(…) needs a step other than 0")
    count = max(0, (end - start) // step + 1)
    if count > MAX_RANGE:
        raise QueryRefused(f"range(…) may give at most {MAX_RANGE:,} numbers here, not {count:,}")


def read_only_text(text: str) -> str:
    """*text* checked against the allow-list and rebuilt as the Cypher to send.

    Raises
    ------
    QueryRefused
        The text is empty, too long, not one reading statement, or holds a clause,
        procedure, function or character the box does not run; the message says which.

    Examples
    --------
    >>> read_only_text("MATCH (o:Organization) // who\\nRETURN o.name LIMIT 5;")
    'MATCH (o:Organization) RETURN o.name LIMIT 5'
    >>> read_only_text("LOAD CSV FROM 'http://example.org/x.csv' AS row RETURN row")
    Traceback (most recent call last):
    ...
    ecograph.store.cypher_allowlist.QueryRefused: Only reads are allowed here: LOAD is not one of the reading clauses this box runs (MATCH, OPTIONAL MATCH, WHERE, WITH, UNWIND, RETURN, ORDER BY, SKIP, LIMIT, UNION, CALL {…} and CALL of a schema procedure)
    """
    if len(text) > MAX_LENGTH:
        raise QueryRefused(
            f"the query is {len(text):,} characters long; the box takes at most {MAX_LENGTH:,}"
        )
    tokens = _tokens(text)
    while tokens and tokens[-1].kind == "symbol" and tokens[-1].text == ";":
        tokens.pop()
    if not tokens:
        raise QueryRefused("Type a Cypher query, e.g. MATCH (o:Organization) RETURN o.name LIMIT 10")
    quantified: list[int] = []  # depths at which an open quantifier's parentheses close
    depth = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        after_dot = i > 0 and _is_property_or_parameter(tokens, i)
        if token.kind == "symbol":
            if token.text == ";":
                raise QueryRefused("Only one statement at a time: remove the ';' in the middle")
            if token.text in "([{":
                depth += 1
            elif token.text in ")]}":
                depth -= 1
                while quantified and quantified[-1] > depth:
                    quantified.pop()
            i += 1
            continue
        if token.name() is None or after_dot:
            i += 1
            continue
        word = token.upper
        if word in REFUSED_WORDS:
            if word in _WRITES:
                raise QueryRefused(
                    f"Only reads are allowed here: {word} would change the store. "
                    "Load data with `ecograph load` or the Load data page."
                )
            raise QueryRefused(
                f"Only reads are allowed here: {word} is not one of the reading clauses this box runs "
                "(MATCH, OPTIONAL MATCH, WHERE, WITH, UNWIND, RETURN, ORDER BY, SKIP, LIMIT, UNION, "
                "CALL {…} and CALL of a schema procedure)"
            )
        if word == "CALL":
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is not None and nxt.kind == "symbol" and nxt.text in "{(":
                i += 1
                continue
            if nxt is None or nxt.name() is None:
                raise QueryRefused("CALL takes a subquery { … } or the name of a schema procedure")
            name, i = _name_chain(tokens, i + 1)
            if name not in PROCEDURES:
                raise QueryRefused(
                    f"Only reads are allowed here: CALL {name} is not one of the procedures this box "
                    f"runs ({', '.join(sorted(PROCEDURES))})"
                )
            continue
        name, j = _name_chain(tokens, i)
        calls = j < len(tokens) and tokens[j].kind == "symbol" and tokens[j].text == "("
        if calls and not (j == i + 1 and token.kind == "word" and word in _BEFORE_PAREN):
            function = name.lower()
            if function not in FUNCTIONS:
                raise QueryRefused(
                    f"{name}(…) is not one of the functions this box runs: Cypher's own functions "
                    "except reduce, and no procedure-like or plugin functions"
                )
            if function in _QUANTIFIERS:
                if quantified:
                    raise QueryRefused(
                        f"{name}(…) inside another all/any/none/single(…) is not allowed here: "
                        "Neo4j cannot stop such a loop in time"
                    )
                quantified.append(depth + 1)
            elif function == "range":
                _check_range(tokens, j)
        i = j
    if tokens[0].upper not in _FIRST:
        raise QueryRefused(
            "Only reads are allowed here: a query starts with MATCH, OPTIONAL MATCH, UNWIND, WITH, "
            "RETURN or CALL"
        )
    return _render(tokens)
