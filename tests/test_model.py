"""The data model: vocabularies, validation rules, identities and name normalisation."""

import pytest
from checking import checked, parse_collaboration, parse_organization
from hypothesis import given, settings
from hypothesis import strategies as st

from ecograph.model import Collaboration, Organization, category, clean_text, tie_key
from ecograph.names import fold, name_key, name_keys


def org(**fields):
    return parse_organization({"id": "o1", "name": "Org", "kind": "startup", **fields})


def tie(**fields):
    return parse_collaboration({"source": "a", "target": "b", "kind": "research", **fields})


def problem_types(result):
    return [p.type for p in result[1]]


def test_organization_defaults_to_home_country_and_lowercases_kind():
    record, problems = org(kind=" Research_Institute ", sectors="AI| iot |ai")
    assert problems == []
    assert record == Organization("o1", "Org", "research_institute", "VN", sectors=("ai", "iot"))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"kind": "lab"}, ["unknown-kind"]),
        ({"kind": ""}, ["missing-field"]),
        ({"name": "  "}, ["missing-field"]),
        ({"id": "has space"}, ["bad-id"]),
        ({"id": "x" * 129}, ["bad-id"]),
        ({"id": ""}, ["missing-field"]),
        ({"country": "XX"}, ["bad-country"]),
        ({"country": "VNM"}, ["bad-country"]),
        ({"founded": "19x5"}, ["bad-year"]),
        ({"founded": "3000"}, ["bad-year"]),
    ],
)
def test_organization_rules(fields, expected):
    assert problem_types(org(**fields)) == expected


def test_id_rule_accepts_the_allowed_punctuation_and_128_characters():
    assert org(id="ror:05x2bcf33.v-1_a")[1] == []
    assert org(id="x" * 128)[1] == []


def test_country_is_case_insensitive_and_category_follows_home_country():
    record, _ = org(country="jp")
    assert record.country == "JP"
    assert record.category("VN") == "foreign_partner"
    assert record.category("JP") == "startup"
    assert category("university", "VN", "VN") == "university"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"weight": "0"}, ["bad-weight"]),
        ({"weight": "-2"}, ["bad-weight"]),
        ({"weight": "heavy"}, ["bad-number"]),
        ({"weight": "nan"}, ["bad-number"]),
        ({"start": "2021-02-30"}, ["bad-date"]),
        ({"start": "21/03/2020"}, ["bad-date"]),
        ({"start": "2020", "end": "2019"}, ["bad-date"]),
        ({"kind": "friendship"}, ["unknown-kind"]),
        ({"target": "a"}, ["self-loop"]),
        ({"currency": "dollars"}, ["bad-value"]),
        ({"amount": "-5"}, ["bad-number"]),
    ],
)
def test_collaboration_rules(fields, expected):
    assert problem_types(tie(**fields)) == expected


def test_collaboration_accepts_dates_and_json_numbers():
    record, problems = tie(weight=2.5, start="2020-02-29", end="2024", amount=1e6, currency="usd")
    assert problems == []
    assert (record.weight, record.start, record.end, record.currency) == (
        2.5,
        "2020-02-29",
        "2024",
        "USD",
    )


def test_mutual_ties_ignore_direction_directed_ones_do_not():
    assert Collaboration("b", "a", "mou").key == Collaboration("a", "b", "mou").key
    assert Collaboration("b", "a", "investment").key != Collaboration("a", "b", "investment").key
    assert Collaboration("a", "b", "mou", start="2020").key != Collaboration("a", "b", "mou").key
    assert Collaboration("a", "b", "mou", id="T1").key == tie_key("x", "y", "other", None, "T1")


def test_vietnamese_names_fold_for_matching_but_stay_as_written():
    assert name_key("Đại học Bách khoa Hà Nội") == "dai hoc bach khoa ha noi"
    assert name_key("TRƯỜNG ĐẠI HỌC  Cần Thơ") == name_key("truong dai hoc can tho")
    assert fold("Đà Nẵng") == "da nang"
    record, _ = org(name="  Đại học Bách khoa Hà Nội ")
    assert record.name == "Đại học Bách khoa Hà Nội"


@given(st.text())
def test_name_key_is_idempotent_and_trimmed(text):
    key = name_key(text)
    assert name_key(key) == key
    assert key == key.strip()


def test_name_key_keeps_non_latin_scripts():
    assert name_key("東京大学") == "東京大学"
    assert name_key("서울대학교 (SNU)") == "서울대학교 snu"


# Raw CSV cells as a canonical organisations file could hold them: clean values, values
# with spaces or odd case, empties and plain junk.
_CELLS = {
    "id": st.sampled_from(["o1", "vn-uni-0001", "a b", "", "x" * 129, "ok.id:2"]),
    "name": st.sampled_from(["Đại học Cần Thơ", "  Lotus  ", "", "   ", "<script>"]),
    "kind": st.sampled_from(["startup", "University", " company ", "lab", ""]),
    "country": st.sampled_from(["VN", "jp", " de ", "", "  ", "XX", "Vietnam"]),
    "province": st.sampled_from(["Hà Nội", " Đà Nẵng ", "", "  "]),
    "city": st.sampled_from(["Huế", "", " "]),
    "sectors": st.sampled_from(["ai|iot", "AI| ai |", "", "|", "bad tag", "fintech||agritech"]),
    "founded": st.sampled_from(["2019", " 2001 ", "", "1_999", "999", "year", "2101"]),
    "aliases": st.sampled_from(["HUST|Bách khoa", " A | A |", "", "|"]),
    "website": st.sampled_from(["https://example.vn", "", " "]),
    "ror": st.sampled_from(["https://ror.org/04xs57h96", ""]),
    "description": st.sampled_from(["A lab; with 'quotes'", "", "  =cmd|x "]),
}


@settings(deadline=None, max_examples=60)
@given(st.lists(st.fixed_dictionaries(_CELLS), min_size=1, max_size=8), st.sampled_from(["VN", "JP"]))
def test_a_record_checked_among_others_is_checked_as_alone(rows, home):
    """The rules run over whole columns: a record's outcome does not depend on its neighbours."""
    together = checked("organization", rows, home)
    alone = [parse_organization(row, home) for row in rows]
    assert [(r, [(p.type, p.field, p.value, p.note) for p in ps]) for r, ps in together] == [
        (r, [(p.type, p.field, p.value, p.note) for p in ps]) for r, ps in alone
    ]


_ODD_TEXT = st.text(
    st.sampled_from(
        ["a", "e", "\u0301", "\u0323", "\u1ec7", "Đ", "\n", "\r", "\t", "\x0b", "\x85", "\x1f", " ", "한"]
    )
)


@settings(deadline=None)
@given(st.lists(_ODD_TEXT, min_size=1, max_size=12))
def test_text_checked_among_others_is_clean_text_of_each(descriptions):
    """A column's text is made uniform by searching all its values at once (NFC, controls):
    each value comes out as clean_text makes it alone."""
    rows = [
        {"id": f"o{i}", "name": "Org", "kind": "startup", "description": d}
        for i, d in enumerate(descriptions)
    ]
    kept = [record.description for record, _ in checked("organization", rows)]
    assert kept == [clean_text(d).strip() or None for d in descriptions]


@settings(deadline=None)
@given(st.lists(st.text(), max_size=20))
def test_name_keys_over_a_column_are_name_key_of_each(names):
    import pyarrow as pa

    assert name_keys(pa.array(names, pa.string())).to_pylist() == [name_key(n) for n in names]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"founded": "２０１９"}, ["bad-year"]),  # fullwidth digits: ASCII digits only
        ({"founded": "1_999"}, ["bad-year"]),
        ({"founded": " 2001 "}, []),
    ],
)
def test_years_take_ascii_digits_only(fields, expected):
    assert problem_types(org(**fields)) == expected


@pytest.mark.parametrize("start", ["２０２１", "2021-０３-01", "٢٠٢١"])
def test_dates_take_ascii_digits_only(start):
    assert problem_types(tie(start=start)) == ["bad-date"]


def test_text_is_nfc_and_control_characters_become_spaces():
    decomposed = "Đại học".replace("ạ", "a\u0323").replace("ọ", "o\u0323")
    assert decomposed != "Đại học"
    record, problems = org(name=decomposed + "\x0bBách\x00khoa\r\nHà Nội\x85", description="a\tb\rc")
    assert problems == []
    assert record.name == "Đại học Bách khoa\nHà Nội"
    assert record.description == "a\tb\nc"
