"""Load data: upload files, read the validation report, then load them on confirmation.

The page is in the navigation only when ``ECOGRAPH_ALLOW_WRITES=1``; reached any other way
it explains how to enable it and writes nothing.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import streamlit as st

from ecograph import ingest
from ecograph.errors import EcographError, ValidationFailed
from ecograph.explorer import allow_writes, state, ui
from ecograph.report import LoadReport

__all__ = ["render"]

RESULT_KEY = "load_result"
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


@contextlib.contextmanager
def _staged(files) -> Iterator[list[Path]]:
    """The uploaded files, written to a private folder that lasts only while they are read.

    Streamlit keeps the uploads themselves in the session's memory, so each run writes them
    out again (cheap beside validating them): an upload that is never confirmed, or a tab
    that is closed, leaves no folder behind.
    """
    with tempfile.TemporaryDirectory(prefix="ecograph-upload-") as folder:
        paths: list[Path] = []
        for f in files:
            name = _UNSAFE.sub("_", Path(f.name).name).strip("._") or "upload.csv"
            path = Path(folder) / name
            n = 1
            while path.exists():
                n += 1
                path = Path(folder) / f"{Path(name).stem}-{n}{Path(name).suffix}"
            path.write_bytes(f.getvalue())
            paths.append(path)
        yield paths


def _shown(name: str, folder: Path) -> str:
    """A staged file's path as the steward knows it: the uploaded file's name."""
    return name[len(str(folder)) + 1 :] if name.startswith(str(folder)) else name


def _report_table(report: LoadReport, folder: Path) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "file": _shown(b.file, folder),
                "format": b.format,
                "encoding": b.encoding,
                "rows read": b.rows_read,
                "rejected": b.rejected,
                "organisations new": b.organizations_inserted,
                "organisations changed": b.organizations_updated,
                "organisations unchanged": b.organizations_unchanged,
                "collaborations new": b.collaborations_inserted,
                "collaborations changed": b.collaborations_updated,
                "collaborations unchanged": b.collaborations_unchanged,
            }
            for b in report.batches
        ]
    )


def _problems(report: LoadReport, folder: Path) -> None:
    count = report.problem_count
    st.error(
        f"{count:,} problem{'s' if count != 1 else ''} found; nothing would be written. "
        "Correct the files and upload them again.",
        icon=":material/rule:",
    )
    frame = pd.DataFrame(
        [
            {"file": _shown(p.file, folder), "row": p.row, "field": p.field or "", "message": p.message}
            for p in sorted(report.problems, key=lambda p: (p.file, p.row or 0))
        ],
        columns=["file", "row", "field", "message"],
    )
    frame["row"] = frame["row"].astype("Int64")
    st.dataframe(
        frame,
        hide_index=True,
        height=ui.table_height(len(frame), 420),
        column_config={"message": st.column_config.TextColumn(width="large")},
    )
    if count > len(report.problems):
        st.caption(f"The first {len(report.problems):,} of {count:,} problems are listed.")
    st.caption("Row numbers are the files' line numbers: the header is row 1, the first data row is row 2.")
    ui.csv_button(frame, "problems.csv", label="Download the problems (CSV)", key="load_problems_csv")


def _disabled() -> None:
    st.info(
        "Loading from the explorer is turned off, so that a shared explorer cannot change the store.",
        icon=":material/lock:",
    )
    st.markdown("Start the explorer with writes allowed to upload files here:")
    st.code("ECOGRAPH_ALLOW_WRITES=1 ecograph serve", language="bash")
    st.markdown("or load them from a terminal:")
    st.code("ecograph load organisations.csv collaborations.csv", language="bash")


def render() -> None:
    st.title("Load data")
    if not allow_writes():
        _disabled()
        return
    try:
        ctx = state.context()
    except EcographError as exc:
        state.show_error(exc)
        return
    st.markdown(
        "Upload organisation and collaboration files — canonical CSV (`id,name,kind,…` and "
        "`source,target,kind,…`) or JSON Lines. Every row is validated first; nothing is written "
        "until you confirm, and then the whole load is written in one transaction."
    )
    st.caption(
        f"Store: {ui.md(ctx.name)} · version {ctx.version:,} · {ctx.counts['organizations']:,} organisations"
    )
    done = st.session_state.pop(RESULT_KEY, None)
    if done:
        st.success(done["summary"], icon=":material/check_circle:")
        st.dataframe(pd.DataFrame(done["table"]), hide_index=True)
    files = st.file_uploader(
        "Files",
        type=["csv", "tsv", "txt", "jsonl", "json", "ndjson"],
        accept_multiple_files=True,
        key=f"load_files_{st.session_state.get('load_round', 0)}",
    )
    if not files:
        return
    with _staged(files) as paths:
        _validate_then_load(ctx, paths)


def _validate_then_load(ctx: state.Context, paths: list[Path]) -> None:
    folder = paths[0].parent
    st.subheader("Validation report")
    try:
        report = ingest.load(paths, ctx.store, dry_run=True)
    except ValidationFailed as exc:
        _problems(exc.report, folder)
        return
    except EcographError as exc:
        state.show_error(exc)
        return
    st.success(
        "Every row is valid. " + report.summary_line().capitalize() + ".", icon=":material/fact_check:"
    )
    for note in report.notes:
        st.caption(ui.md(note))
    st.dataframe(_report_table(report, folder), hide_index=True)
    label = f"Load {len(paths)} file{'s' if len(paths) != 1 else ''} into the store"
    if st.button(label, type="primary", key="load_confirm"):
        try:
            written = ingest.load(paths, ctx.store)
        except ValidationFailed as exc:  # the store changed since the dry run
            _problems(exc.report, folder)
            return
        except EcographError as exc:
            state.show_error(exc)
            return
        st.session_state[RESULT_KEY] = {
            "summary": f"Loaded. {written.summary_line().capitalize()}; store version {written.store_version:,}.",
            "table": _report_table(written, folder).to_dict("records"),
        }
        st.session_state["load_round"] = st.session_state.get("load_round", 0) + 1  # a fresh, empty uploader
        st.rerun()


if __name__ == "__main__":
    render()
