"""Small rendering helpers the pages share: safe text, tables, downloads, filters, links."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import streamlit as st

from ecograph import csvcells
from ecograph.explorer import page_path
from ecograph.explorer.state import Context
from ecograph.model import CATEGORIES

__all__ = [
    "csv_button",
    "filter_widgets",
    "frames",
    "md",
    "org_link",
    "pretty",
    "rows_frame",
    "table_height",
]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def md(text: object) -> str:
    """*text* for a Markdown context: every character Markdown (or Streamlit) would act on escaped.

    Examples
    --------
    >>> md("<img src=x> *bold* [a](b)")
    '\\\\<img src=x\\\\> \\\\*bold\\\\* \\\\[a\\\\]\\\\(b\\\\)'
    """
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text)).replace("\n", " ")


_WORDS = {
    "foreign_partner": "foreign partner",
    "research_institute": "research institute",
    "support_org": "support organisation",
    "co_publication": "co-publication",
    "joint_project": "joint project",
    "spin_off": "spin-off",
}


def pretty(value: object) -> str:
    """A vocabulary word as people write it: ``research_institute`` → ``research institute``."""
    text = "" if value is None else str(value)
    return _WORDS.get(text, text.replace("_", " "))


def rows_frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Rows (dicts) as a DataFrame: lists and tuples joined with ``, ``, columns in order."""
    frame = pd.DataFrame(list(rows))
    if columns is not None:
        for c in columns:
            if c not in frame:
                frame[c] = None
        frame = frame[list(columns)]
    for c in frame.columns:
        if frame[c].map(lambda x: isinstance(x, list | tuple | set | frozenset)).any():
            frame[c] = frame[c].map(
                lambda x: ", ".join(map(str, x)) if isinstance(x, list | tuple | set | frozenset) else x
            )
        elif frame[c].map(lambda x: isinstance(x, dict)).any():
            frame[c] = frame[c].map(lambda x: _dict_text(x) if isinstance(x, dict) else x)
    return frame


def _dict_text(value: Mapping) -> str:
    """``{"category": {"startup": 3}}`` → ``category: startup 3``."""
    parts = []
    for key, inner in value.items():
        if isinstance(inner, Mapping):
            parts.append(f"{pretty(key)}: " + ", ".join(f"{pretty(k)} {v}" for k, v in inner.items()))
        else:
            parts.append(f"{pretty(key)}: {inner}")
    return "; ".join(parts)


def table_height(rows: int, most: int = 320) -> int:
    """Pixels for a table of *rows* rows: no empty rows below a short table, a scroll past *most*."""
    return min(38 + 35 * max(rows, 1), most)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """*frame* as UTF-8 CSV (with BOM, so spreadsheets read diacritics) that is safe to open in
    a spreadsheet: no cell runs as a formula (:func:`ecograph.csvcells.write`)."""
    buffer = io.StringIO()
    cells = frame.astype(object).where(frame.notna(), None)
    csvcells.write(buffer, [str(c) for c in frame.columns], cells.itertuples(index=False, name=None))
    return buffer.getvalue().encode("utf-8-sig")


def csv_button(
    frame: pd.DataFrame, filename: str, label: str = "Download CSV", key: str | None = None
) -> None:
    """A download button for *frame* as :func:`csv_bytes` — the explorer's only CSV download
    (the tables' own export is turned off in ``.streamlit/config.toml``). The CSV is written
    when the button is clicked, not on each script run (a quarter of a second for 10,000 rows)."""
    st.download_button(
        label,
        data=lambda: csv_bytes(frame),
        file_name=filename,
        mime="text/csv",
        icon=":material/download:",
        key=key,
    )


def org_link(org_id: str, label: str, *, key: str | None = None) -> None:
    """A link to the profile of *org_id*; the label is shown as text."""
    st.page_link(
        page_path("profile"),
        label=md(label),
        icon=":material/domain:",
        query_params={"org": str(org_id)},
    )


# -- organisation and tie tables ----------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=4)
def frames(_ctx: Context, key: tuple[str, str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every organisation and every collaboration of the store, one row each (from its columns)."""
    columns = _ctx.workspace().columns
    fields = ("id", "name", "kind", "country", "province")
    orgs = pd.DataFrame({f: columns.organizations[f].to_pylist() for f in fields})
    orgs.insert(2, "category", columns.category.tolist())
    orgs["sectors"] = columns.column("sectors")
    ids = np.asarray(columns.ids, dtype=object)
    ties = pd.DataFrame(
        {
            "source": ids[columns.source],
            "target": ids[columns.target],
            "kind": columns.collaborations["kind"].to_pylist(),
            "year": pd.array(columns.table.start, dtype="Float64").astype("Int64"),
            "weight": columns.collaborations["weight"].to_pylist(),
        }
    )
    return orgs, ties


@st.cache_data(show_spinner=False, max_entries=4)
def choices(_ctx: Context, key: tuple[str, str, int]) -> dict[str, list]:
    """The values each filter offers: categories, kinds, sectors, provinces, tie kinds, years
    (of the ties' starts). Read from the store's columns, not from :func:`frames`: the map's
    first view needs these and not the tables (half a second at 10,000 organisations)."""
    columns = _ctx.workspace().columns
    present = set(columns.category.tolist())
    start = columns.table.start
    years = start[~np.isnan(start)]

    def values(table: pa.Table, field: str) -> list:
        return sorted(v for v in pc.unique(table[field]).to_pylist() if v is not None)

    return {
        "category": [c for c in CATEGORIES if c in present],
        "kind": values(columns.organizations, "kind"),
        "sector": sorted({s for ss in columns.column("sectors") for s in ss}),
        "province": values(columns.organizations, "province"),
        "tie_kind": values(columns.collaborations, "kind"),
        "years": (int(years.min()), int(years.max())) if len(years) else None,
    }


_FILTER_LABELS = {
    "category": "Category",
    "kind": "Kind",
    "sector": "Sector",
    "province": "Province",
    "tie_kind": "Tie kind",
}


def filter_widgets(
    ctx: Context,
    prefix: str,
    which: Iterable[str] = ("category", "kind", "sector", "province"),
    columns: int = 4,
) -> dict[str, list]:
    """Multiselects for *which* filters (empty selection: everything); returns name → selected values.

    A link can preset them: ``?province=Hà Nội&province=Đà Nẵng&category=startup``.
    """
    offered = choices(ctx, ctx.key)
    which = list(which)
    cols = st.columns(min(columns, len(which)) or 1)
    out: dict[str, list] = {}
    for i, name in enumerate(which):
        preset = [v for v in st.query_params.get_all(name) if v in offered[name]]
        with cols[i % len(cols)]:
            out[name] = st.multiselect(
                _FILTER_LABELS[name],
                offered[name],
                default=preset or None,
                format_func=pretty,
                key=f"{prefix}_{name}",
                placeholder="All",
            )
    return out


def select_orgs(orgs: pd.DataFrame, selected: Mapping[str, Sequence]) -> pd.Series:
    """A boolean mask of *orgs* matching every non-empty filter (an organisation matches a
    sector filter when it has any of the sectors)."""
    mask = pd.Series(True, index=orgs.index)
    for column in ("category", "kind", "province"):
        values = selected.get(column)
        if values:
            mask &= orgs[column].isin(list(values))
    sectors = selected.get("sector")
    if sectors:
        wanted = set(sectors)
        mask &= orgs["sectors"].map(lambda ss: bool(wanted.intersection(ss)))
    return mask
