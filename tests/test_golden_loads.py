"""Every bad input prints exactly what it printed when the golden files were recorded:
the same problems, words, rows and order, the same ``--json`` report, exit code and store."""

import json

import pytest
from golden_loads import CASES, GOLDEN, run_case

RECORDED = json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_every_case_is_recorded():
    assert [case.name for case in CASES] == list(RECORDED)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_output_is_byte_identical_to_the_recorded_one(case, tmp_path):
    assert run_case(case, tmp_path) == RECORDED[case.name]
