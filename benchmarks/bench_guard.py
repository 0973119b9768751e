"""Query-guard time against query size (8, 16, 32 and 64 KB): linear growth.

For each size and each kind of query text, the median of ``--repeat`` runs of

- ``thread ms`` — what ``kg serve`` does in the request thread before a query's child starts:
  the size check and the query's form (``query_kind``: the guard's tokeniser), and
  ``blank_out`` (the tokeniser again, as ``kg query`` and ``--param`` use it);
- ``guard ms`` — the whole guard, ``check_query``: ``\\u`` escapes expanded, the token pass
  (nesting, fetching keywords) and rdflib's parse walked for SERVICE / updates / FROM. It runs
  in the query's own process under the query's time limit, so it stalls no other request.

``µs/KB`` is guard ms per KB: flat when the growth is linear. The kinds are ``triples`` (a
valid query of many triple patterns and filters, the parser's real work), and hostile texts
that made the old regular-expression guard quadratic: ``<<<…`` (``<`` repeated), ``'''a…``
(an unterminated long string) and ``"…`` (quotes).

    .venv/bin/python benchmarks/bench_guard.py [--sizes 8,16,32,64] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from kg.query.guard import MAX_QUERY_CHARS, QueryRefused, blank_out, check_query
from kg.serve import query_kind


def triples(size: int) -> str:
    """A valid query of about ``size`` characters (never more)."""
    lines, total, i = ["SELECT * WHERE {"], 17, 0
    while True:
        line = f'  ?s{i} <http://example.org/p{i}> "v{i}" . FILTER(?s{i} != kg:x{i})'
        if total + len(line) + 3 > size:
            break
        lines.append(line)
        total += len(line) + 1
        i += 1
    lines.append("}")
    return "\n".join(lines)


KINDS: dict[str, Callable[[int], str]] = {
    "triples": triples,
    "<<<...": lambda n: "<" * n,
    "'''a...": lambda n: "'''" + "a" * (n - 3),
    '"...': lambda n: '"' * n,
}


def _median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _guard(text: str) -> str:
    try:
        check_query(text)
        return "passed"
    except QueryRefused as err:
        return "refused: " + str(err)[:40]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="8,16,32,64", help="sizes in KB")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'kind':<9} {'KB':>4} {'thread ms':>10} {'guard ms':>9} {'µs/KB':>7}  outcome")
    for kind, make in KINDS.items():
        for kb in (int(s) for s in args.sizes.split(",")):
            text = make(min(kb * 1024, MAX_QUERY_CHARS))
            thread = _median_ms(lambda t=text: (query_kind(t), blank_out(t)), args.repeat)
            guard = _median_ms(lambda t=text: _guard(t), args.repeat)
            outcome = _guard(text)
            print(
                f"{kind:<9} {kb:>4} {thread:>10.1f} {guard:>9.1f} {guard * 1000 / kb:>7.0f}  "
                f"{outcome}"
            )


if __name__ == "__main__":
    main()
