"""A small SPARQL lexer: what the endpoint must know about a request before running it.

pyoxigraph parses and evaluates every query; this module only reads the token stream
(strings, IRIs and comments skipped exactly as the SPARQL grammar says) to learn

- the query form (SELECT, ASK, CONSTRUCT, DESCRIBE) or that the text is an update,
  so that the endpoint negotiates the right formats and refuses updates clearly;
- every ``SERVICE`` target (IRI, prefixed name resolved with the query's own PREFIX
  declarations, or a variable), so that federation stays off unless allow-listed:
  pyoxigraph *does* fetch ``SERVICE`` IRIs over HTTP, so this check is the guard.

SPARQL allows ``\\uXXXX`` escapes anywhere in a query; a text holding any is analysed
both as written and with the escapes decoded, and the findings are merged.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
               | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               | '(?:[^'\\\n\r]|\\.)*'
               | "(?:[^"\\\n\r]|\\.)*")
    | (?P<var>[?$][^\s{}()\[\]<>,;"'\#=!|&*/+^.]+)
    | (?P<bare>[^\s{}()\[\]<>,;"'\#=!|&*/+^?$]+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass
class QueryInfo:
    """What the lexer found in a request's text."""

    form: str | None = None  # "SELECT" | "ASK" | "CONSTRUCT" | "DESCRIBE" | None (not a query)
    update: str | None = None  # the update keyword (INSERT, LOAD, ...) when the text is an update
    services: list[str] = field(default_factory=list)  # resolved SERVICE IRIs, "?var" for variables
    unterminated: bool = False  # an IRI, string or bracket the lexer could not close
    has_dataset: bool = False  # FROM / FROM NAMED clauses: the query names its own dataset
    from_graphs: list[str] = field(default_factory=list)  # FROM <iri>, resolved
    from_named: list[str] = field(default_factory=list)  # FROM NAMED <iri>, resolved

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def _tokens(text: str):
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        yield kind, m.group()


def _analyse(text: str) -> QueryInfo:
    info = QueryInfo()
    prefixes: dict[str, str] = {}
    base = ""
    toks = list(_tokens(text))
    i, n = 0, len(toks)

    def resolve(kind: str, value: str) -> str:
        if kind == "iri":
            return urljoin(base, value[1:-1]) if base else value[1:-1]
        if kind == "var":
            return "?" + value[1:]
        prefix, _, local = value.rstrip(".").partition(":")
        ns = prefixes.get(prefix)
        return ns + local.replace("\\", "") if ns is not None else value

    # the prologue: BASE and PREFIX declarations
    while i < n:
        kind, value = toks[i]
        upper = value.upper()
        if kind == "bare" and upper == "BASE" and i + 1 < n and toks[i + 1][0] == "iri":
            base = resolve("iri", toks[i + 1][1])
            i += 2
        elif kind == "bare" and upper == "PREFIX" and i + 2 < n and toks[i + 2][0] == "iri":
            prefixes[toks[i + 1][1].rstrip(":")] = resolve("iri", toks[i + 2][1])
            i += 3
        else:
            break
    if i < n and toks[i][0] == "bare":
        first = toks[i][1].upper()
        if first in QUERY_FORMS:
            info.form = first
        elif first in UPDATE_KEYWORDS:
            info.update = first
    # anywhere: SERVICE targets, and update operations after a ';' (multi-operation updates)
    for j in range(i, n):
        kind, value = toks[j]
        if kind == "other" and value == "'" or kind == "other" and value == '"':
            info.unterminated = True
        if kind != "bare":
            continue
        upper = value.upper()
        if upper == "FROM":
            info.has_dataset = True
            k = j + 1
            named = k < n and toks[k][0] == "bare" and toks[k][1].upper() == "NAMED"
            k += 1 if named else 0
            if k < n and toks[k][0] in ("iri", "bare"):
                (info.from_named if named else info.from_graphs).append(resolve(*toks[k]))
        elif upper == "SERVICE":
            k = j + 1
            if k < n and toks[k][0] == "bare" and toks[k][1].upper() == "SILENT":
                k += 1
            if k < n and toks[k][0] in ("iri", "var", "bare"):
                info.services.append(resolve(*toks[k]))
            else:
                info.services.append("?")
        elif upper in UPDATE_KEYWORDS and j > 0 and toks[j - 1] == ("other", ";") and info.form is None:
            info.update = info.update or upper
    return info


def analyse(query: str) -> QueryInfo:
    """Reads a query's form, update keywords and SERVICE targets (see the module doc)."""
    info = _analyse(query)
    if _ESCAPE.search(query):
        def char(m: re.Match) -> str:
            code = int(m.group(1) or m.group(2), 16)
            return chr(code) if code <= 0x10FFFF else "\ufffd"

        decoded = _ESCAPE.sub(char, query)
        other = _analyse(decoded)
        info.services = sorted(set(info.services) | set(other.services))
        info.update = info.update or other.update
        info.form = info.form or other.form
        info.has_dataset = info.has_dataset or other.has_dataset
    return info


_SPARQL_WS = re.compile(r"[ \t\r\n]+")


def cache_text(query: str) -> str:
    """The query with its layout normalised, for the result cache's key: every run of white space
    between tokens becomes one space (one newline after a comment, which must still end there),
    leading and trailing white space goes. Strings, IRIs and comments are kept as written.

    Done only when the lexer's view is certainly the engine's: a text with a backslash (``\\u``
    escapes can hide quotes, ``\\#`` in a local name is not a comment) or with a quote the lexer
    could not close is returned unchanged. Two texts with the same key are thus one query laid out
    twice, which has one meaning in SPARQL (error messages, never cached, may differ in columns)."""
    if "\\" in query:
        return query
    parts: list[str] = []
    previous = None
    for m in _TOKEN.finditer(query):
        kind, value = m.lastgroup, m.group()
        if kind == "ws":
            if not _SPARQL_WS.fullmatch(value):
                return query  # other Unicode spaces are not SPARQL white space: leave it to the engine
            parts.append("\n" if previous == "comment" else " ")
        elif kind == "other" and value in ("'", '"'):
            return query
        else:
            parts.append(value)
        previous = kind
    return "".join(parts).strip(" \n")


#: SPARQL 1.1 keywords, for "did you mean" when a bare word is close to one.
KEYWORDS = (
    "SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "WHERE", "FROM", "NAMED", "PREFIX", "BASE", "DISTINCT", "REDUCED",
    "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE", "SILENT", "FILTER", "BIND", "VALUES", "AS", "ORDER", "BY",
    "ASC", "DESC", "LIMIT", "OFFSET", "GROUP", "HAVING", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE",
    "GROUP_CONCAT", "SEPARATOR", "NOT", "EXISTS", "IN", "UNDEF", "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND",
    "IRI", "URI", "BNODE", "RAND", "ABS", "CEIL", "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE", "LCASE", "CONTAINS",
    "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER", "REGEX", "REPLACE", "SUBSTR", "ENCODE_FOR_URI", "YEAR", "MONTH",
    "DAY", "HOURS", "MINUTES", "SECONDS", "NOW", "COALESCE", "IF", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL",
    "ISNUMERIC", "SAMETERM", "TRUE", "FALSE", "A",
)


def _close_keyword(word: str) -> str | None:
    upper = word.upper()
    if upper in KEYWORDS or len(word) < 3 or not word.isalpha():
        return None
    found = difflib.get_close_matches(upper, KEYWORDS, n=1, cutoff=0.8)
    return found[0] if found else None


def explain_syntax_error(query: str, message: str, known_prefixes: tuple[str, ...] = ()) -> str:
    """An engine's syntax error for a reader: a plain sentence, the line with a caret under the place,
    then the engine's own words (without its character-class noise).

    ``error at 1:35: expected one of HAVING, …`` (pyoxigraph) gives the place; other engines' messages
    keep their words and get the sentence only."""
    text = " ".join(message.split())
    m = re.search(r"\bat (\d+):(\d+)", text)
    lines = query.splitlines() or [""]
    line_no, col = (int(m[1]), int(m[2])) if m else (None, None)
    if line_no is not None and not 1 <= line_no <= len(lines):
        line_no = col = None
    declared = {d.lower() for d in re.findall(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:", query)}
    known = {p.lower() for p in known_prefixes}
    words = [t for kind, t in _tokens(query) if kind == "bare"]
    misspelt = next(((w, k) for w in words if (k := _close_keyword(w))), None)
    undeclared = sorted({w.split(":", 1)[0] for w in words if re.fullmatch(r"[A-Za-z][\w.-]*:\S*", w)}
                        - {""} - {p for p in {w.split(":", 1)[0] for w in words} if p.lower() in declared | known})
    if undeclared and ("Prefix not found" in text or "expected" in text):
        names = ", ".join(f"“{p}:”" for p in undeclared)
        sentence = (f"{names} {'is' if len(undeclared) == 1 else 'are'} not declared: add "
                    f"PREFIX {undeclared[0]}: <…> before the query"
                    + (f" (known without a declaration: {', '.join(sorted(known))})" if known else "") + ".")
    elif misspelt:
        sentence = f"“{misspelt[0]}” is not a SPARQL keyword: did you mean {misspelt[1]}?"
    elif "IRI parsing failed" in text:
        sentence = "An IRI between < and > is not valid: it may not hold spaces, quotes or braces."
    elif '"\\""' in text:
        sentence = "A string is not closed: every \" needs its closing \"."
    elif bracket := re.search(r'expected "([)}\]])"', text):
        sentence = f"A bracket is not closed: the engine expected “{bracket[1]}” here."
    elif line_no is not None and (line_no, col) >= (len(lines), len(lines[-1]) + 1):
        sentence = ("The query ends too early: something is missing before its end (a closing brace, the object "
                    "of a triple pattern, …).")
    elif line_no is not None:
        sentence = "The query is not valid SPARQL where the caret points."
    else:
        sentence = "The query is not valid SPARQL."
    out = ["SPARQL syntax error" + (f" at line {line_no}, column {col}" if line_no else "") + ": " + sentence]
    if line_no is not None and col is not None:
        shown = lines[line_no - 1].replace("\t", " ")
        start = max(0, col - 1 - 100)
        shown = shown[start:start + 200]
        caret = " " * min(max(col - 1 - start, 0), len(shown))
        out += ["", f"  {line_no} | {shown}", f"  {' ' * len(str(line_no))} | {caret}^"]
    engine = re.sub(r"\[[^\]]*\]", "", text)  # character classes: ['A' ..= 'Z' | …]
    engine = re.sub(r"(, )+", ", ", re.sub(r",\s*(?=,|$)", "", engine)).strip(" ,")
    out += ["", f"The engine said: {engine[:300]}{' …' if len(engine) > 300 else ''}"]
    return "\n".join(out)
