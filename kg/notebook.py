"""A small API for notebooks: open a store (or a SPARQL endpoint) and ask it a saved query or
SPARQL, getting a pandas DataFrame when pandas is installed (``pip install 'policy-kg[notebook]'``)
and a list of dicts otherwise.

Example (``path`` is a store built with ``kg build corpus/ --store path``):

>>> import kg
>>> graph = kg.open_store(path)
>>> table = graph.query("indicator-compare", indicator="reconsideration_cases")
>>> sorted(zip(table["region"].tolist(), table["value"].tolist()))
[('保定市', 316), ('惠安县', 79), ('迎泽区', 15)]
>>> graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?r a kg:Report }", frame=False)
[{'n': '5'}]

Queries run as ``kg query`` runs them: a saved query's name (parameters as keyword arguments,
checked against its header) or SPARQL text with the project's prefixes; the same refusals
(updates, SERVICE …), the same time limit. In a DataFrame a column whose every value is a
number becomes numeric; unbound values are None (NaN in numeric columns).
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import KGError

__all__ = ["GraphHandle", "open_store"]

Row = dict[str, str | None]


@dataclass(frozen=True, slots=True)
class GraphHandle:
    """A local store directory or a SPARQL endpoint, to query."""

    path: Path | None = None
    endpoint: str | None = None
    timeout: float = 60.0

    def query(self, name_or_sparql: str, *, frame: bool | None = None, **params: object) -> Any:
        """The answer of a saved query or SPARQL SELECT: a DataFrame (``frame=True``, the
        default when pandas is installed) or a list of dicts of strings (``frame=False``)."""
        rows = self.rows(name_or_sparql, **params)
        if frame is None:
            frame = importlib.util.find_spec("pandas") is not None
        return _frame(rows) if frame else rows

    def rows(self, name_or_sparql: str, **params: object) -> list[Row]:
        """The answer as a list of dicts (column → text, None where unbound)."""
        from kg.query.params import bind, query_variables
        from kg.query.saved import QUERIES_DIR, saved_query

        text, what = name_or_sparql, "the query"
        allowed: list[str] | None = None
        required: list[str] = []
        if re.fullmatch(r"[\w-]+", name_or_sparql):
            saved = saved_query(name_or_sparql, QUERIES_DIR)
            text, what = saved.text, f"saved query {saved.name!r}"
            allowed, required = [p.name for p in saved.params], saved.required
        specs = tuple(f"{key}={value}" for key, value in params.items())
        names = allowed if allowed is not None else query_variables(text)
        substitutions = bind(specs, names, required, what)
        return [json.loads(line) for line in self._run(text, substitutions).splitlines() if line]

    def _run(self, text: str, substitutions: Any) -> str:
        if self.endpoint is not None:
            from kg.remote import Endpoint, RemoteStore, run_remote_query

            store = RemoteStore(Endpoint.from_options(self.endpoint, None, None), read_only=True)
            return run_remote_query(store, text, substitutions, "jsonl", self.timeout).text
        from kg.query.run import run_query

        assert self.path is not None
        return run_query(self.path, text, substitutions, "jsonl", self.timeout).text


def open_store(path_or_endpoint: str | Path, *, timeout: float = 60.0) -> GraphHandle:
    """A store directory made by ``kg build``, or the URL of a SPARQL endpoint (http, https)."""
    text = str(path_or_endpoint)
    if re.match(r"https?://", text):
        return GraphHandle(endpoint=text, timeout=timeout)
    path = Path(text)
    from kg.store import open_store as open_local

    with open_local(path, read_only=True):
        pass  # a missing or foreign store is reported now, not at the first query
    return GraphHandle(path=path, timeout=timeout)


def _frame(rows: list[Row]) -> Any:
    if importlib.util.find_spec("pandas") is None:
        raise KGError("a DataFrame needs pandas: pip install 'policy-kg[notebook]'")
    import pandas as pd

    table = pd.DataFrame(rows)
    for column in table.columns:
        values = table[column].dropna()
        if len(values) and values.map(_is_number).all():
            table[column] = pd.to_numeric(table[column])
    return table


def _is_number(value: object) -> bool:
    return (
        isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", value) is not None
    )
