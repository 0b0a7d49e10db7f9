"""Queries: the named-query catalogue with a form per query; on a Neo4j store, a read-only Cypher box."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import queries as catalogue
from ecograph.errors import EcographError
from ecograph.explorer import state, ui
from ecograph.explorer.cypher import CypherRefused, run_read_only

__all__ = ["render"]

CYPHER_TIMEOUT = 10.0
CYPHER_ROWS = 1000
# Named-query results kept per store state (a comment: a page's bare strings are drawn):
# visitors choose the parameters.
QUERY_RESULTS_KEPT = 64


def run_query(ctx: state.Context, name: str, params: tuple) -> list[dict]:
    """The rows of named query *name* with *params* (``(name, value)`` pairs), from the store
    state's analysis state: computed once per store state and shared (read-only) by every
    session, in memory only, so that what visitors type never reaches the disk, and the
    latest :data:`QUERY_RESULTS_KEPT` kept."""
    ws = ctx.workspace()
    asked = {"query": name, "params": dict(params)}
    with st.spinner("Running the query…"):
        return ws.derived(
            "named-query", asked, lambda: catalogue.get(name)(ws, **dict(params)), keep=QUERY_RESULTS_KEPT
        )


def _form(name: str) -> dict[str, object] | None:
    """The query's parameter form; the values when it was submitted, else None."""
    query = catalogue.get(name)
    values: dict[str, object] = {}
    with st.form(f"query_form_{name}"):
        cols = st.columns(3)
        for i, p in enumerate(query.parameters):
            label = p.name.replace("_", " ") + (" *" if p.required else "")
            with cols[i % 3]:
                if p.type == "choice":
                    options = list(p.choices) if p.default is not None else [None, *p.choices]
                    values[p.name] = st.selectbox(
                        label,
                        options,
                        index=options.index(p.default) if p.default in options else 0,
                        format_func=lambda c: "any" if c is None else ui.pretty(c),
                        help=p.help,
                        key=f"query_{name}_{p.name}",
                    )
                elif p.type in ("int", "float"):
                    cast = int if p.type == "int" else float
                    values[p.name] = st.number_input(
                        label,
                        value=cast(p.default) if p.default is not None else cast(0),
                        step=cast(1),
                        help=p.help,
                        key=f"query_{name}_{p.name}",
                    )
                else:
                    values[p.name] = (
                        st.text_input(
                            label, value=str(p.default or ""), help=p.help, key=f"query_{name}_{p.name}"
                        ).strip()
                        or None
                    )
        submitted = st.form_submit_button("Run", type="primary")
    return values if submitted else None


def _catalogue(ctx: state.Context) -> None:
    names = sorted(catalogue.REGISTRY, key=lambda n: catalogue.REGISTRY[n].title)
    name = st.selectbox("Query", names, format_func=lambda n: catalogue.REGISTRY[n].title, key="query_name")
    query = catalogue.get(name)
    st.markdown(ui.md(query.description))
    st.caption(f"Command line: `ecograph query run {name}` · returns {query.returns}")
    submitted = _form(name)
    memory = st.session_state.setdefault("query_last", {})
    if submitted is not None:
        memory[name] = tuple(sorted(submitted.items()))
    params = memory.get(name)
    if params is None:
        return
    try:
        rows = run_query(ctx, name, params)
    except EcographError as exc:
        state.show_error(exc)
        return
    st.subheader("Result")
    if not rows:
        st.info("The query returned no rows.")
        return
    frame = ui.rows_frame(rows)
    st.caption(f"{len(frame):,} rows")
    st.dataframe(frame, hide_index=True)
    ui.csv_button(frame, f"{name}.csv", key="query_csv")


def _cypher(ctx: state.Context) -> None:
    st.header("Cypher (read-only)")
    st.caption(
        "Reading clauses and expressions only (MATCH, WITH, UNWIND, RETURN…; no LOAD CSV, SHOW or "
        "procedures other than the schema's), in a read transaction on the Neo4j store: at most "
        f"{CYPHER_ROWS:,} rows come back, and a query is stopped after {CYPHER_TIMEOUT:g} seconds."
    )
    with st.form("cypher_form"):
        text = st.text_area(
            "Cypher",
            value="MATCH (o:Organization) RETURN o.id AS id, o.name AS name, o.kind AS kind LIMIT 25",
            height=120,
            key="cypher_text",
        )
        submitted = st.form_submit_button("Run Cypher")
    if not submitted:
        return
    try:
        result = run_read_only(ctx.store, text, timeout=CYPHER_TIMEOUT, limit=CYPHER_ROWS)
    except CypherRefused as exc:
        st.error(str(exc), icon=":material/block:")
        return
    except EcographError as exc:
        state.show_error(exc)
        return
    if result.truncated:
        st.warning(f"Only the first {CYPHER_ROWS:,} rows are shown.")
    frame = pd.DataFrame(result.rows, columns=result.columns)
    st.caption(f"{len(frame):,} rows")
    st.dataframe(ui.rows_frame(frame.to_dict("records"), result.columns), hide_index=True)


def render() -> None:
    st.title("Queries")
    ctx = state.require_data()
    _catalogue(ctx)
    if not ctx.url.startswith("sqlite:"):
        _cypher(ctx)


if __name__ == "__main__":
    render()
