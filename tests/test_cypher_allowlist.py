"""The read-only Cypher box's allow-list, checked before anything reaches Neo4j (no server needed)."""

from __future__ import annotations

import pytest

from ecograph.store.cypher_allowlist import MAX_LENGTH, QueryRefused, read_only_text


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        (
            "MATCH (o:Organization) RETURN o.name AS name LIMIT 5;",
            "MATCH (o:Organization) RETURN o.name AS name LIMIT 5",
        ),
        ("OPTIONAL MATCH (a)-[r:RESEARCH*1..3]->(b) RETURN count(*)", None),
        ("UNWIND range(1, 10) AS i WITH i WHERE i % 2 = 0 RETURN collect(i)", None),
        ("MATCH (o) WHERE o.name =~ '(?i).*hà nội.*' RETURN o.id ORDER BY o.id DESC SKIP 1 LIMIT 2", None),
        ("MATCH (o) RETURN o.set, o.start, o.end, (o).create", None),  # properties named like clauses
        ("CALL db.labels() YIELD label RETURN label", None),
        ("CALL db.schema.visualization()", None),
        ("CALL { MATCH (n) RETURN n } RETURN count(n)", None),
        ("MATCH (o) RETURN COUNT { (o)--() } AS degree, EXISTS { (o)-->() } AS out", None),
        ("MATCH (o) RETURN any(s IN o.sectors WHERE s = 'ai') AND all(x IN [1] WHERE x = 1)", None),
        ("MATCH p = shortestPath((a {id: 'a'})-[*]-(b {id: 'b'})) RETURN length(p)", None),
        ("RETURN 1 UNION ALL RETURN 2", None),
        ("MATCH (n) RETURN n // a comment\n", "MATCH (n) RETURN n"),
        ("MATCH (n) /* a\ncomment */ RETURN n", "MATCH (n) RETURN n"),
        ("RETURN 'it''s' AS a", None),  # two string literals side by side: Neo4j's to refuse or read
        ('RETURN "say \\"hi\\"" AS q, \'Đà Nẵng\' AS p', "RETURN 'say \"hi\"' AS q, 'Đà Nẵng' AS p"),
        ("MATCH (`odd name`) RETURN `odd name`.`key``s`", None),
    ],
)
def test_reads_pass_and_are_sent_as_checked(text: str, sent: str | None) -> None:
    assert read_only_text(text) == (sent if sent is not None else text)


# The examples, and the ways around a naive check.
REFUSED = {
    "LOAD CSV FROM 'http://127.0.0.1:8000/secret.csv' AS row RETURN row": "LOAD",
    "WITH 1 AS x LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row": "LOAD",
    "SHOW TRANSACTIONS": "SHOW",
    "SHOW TRANSACTIONS YIELD currentQuery, clientAddress": "SHOW",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-42'": "TERMINATE",
    "RETURN size(reduce(s='', x IN range(1,3000000) | s + 'xxxxxxxxxx'))": "reduce",
    "MATCH (n) RETURN `reduce`(0, x IN [1] | 1)": "reduce",  # a backtick name is still a call
    "MATCH (o:Organization {id: 'a'}) SET o.name = 'changed'": "SET",
    "MATCH (n) DETACH DELETE n": "DETACH",
    "CREATE (:Organization {id: 'x'})": "CREATE",
    "MERGE (n:X) RETURN n": "MERGE",
    "MATCH (n) FOREACH (x IN [1] | REMOVE n.name)": "FOREACH",
    "MATCH (n) CALL { CREATE (m) } RETURN 1": "CREATE",  # inside a subquery
    "CALL { MATCH (n) RETURN n } IN TRANSACTIONS RETURN 1": "TRANSACTIONS",
    "USE system SHOW USERS": "USE",
    "CALL dbms.listConfig()": "dbms.listConfig",
    "CALL db.createLabel('Sneaky')": "db.createLabel",
    "CALL `apoc`.`load`.json('http://x')": "apoc.load.json",
    "MATCH (n) RETURN apoc.text.join(['a'], ',')": "apoc.text.join",
    "EXPLAIN MATCH (n) RETURN n": "EXPLAIN",
    "PROFILE MATCH (n) RETURN n": "PROFILE",
    "CYPHER runtime=parallel MATCH (n) RETURN n": "CYPHER",
    "CREATE INDEX x FOR (o:Organization) ON (o.name)": "CREATE",
    "ALTER CURRENT USER SET PASSWORD FROM 'a' TO 'b'": "ALTER",
    "RETURN 1. SET": "SET",  # "1." is a number before a clause, not a property
    "MATCH (n) RETURN n; MATCH (m) RETURN m": "one statement",
    "WITH 1 AS x LOAD/**/CSV FROM 'f' AS r RETURN r": "LOAD",  # a comment does not join words
    "MATCH (n)\n// hidden?\rLOAD CSV FROM 'http://x' AS r RETURN r": "LOAD",  # CR ends a comment
    "RETURN any(x IN range(1,1000000) WHERE any(y IN range(1,1000000) WHERE x = y))": "inside another",
    "RETURN none(x IN [1] WHERE single(y IN [x] WHERE y = 1))": "inside another",
    "RETURN range(1, 1000000000)": "at most 1,000,000",
    "UNWIND range(0, $n) AS i RETURN i": "whole numbers",
    "RETURN range(1, 10, 0)": "step",
    "MATCH (n) RETURN n /* never closed": "not closed",
    "RETURN 'never closed": "not closed",
    "RETURN ＬＯＡＤ": "U+FF2C",  # fullwidth letters are no keyword, and no name either
    "MATCH (n)\u00a0LOAD CSV FROM 'x' AS r RETURN r": "U+00A0",  # a no-break space
    "MATCH (n) RETURN n\u2028": "U+2028",
    "MATCH (n) RETURN n\x00": "U+0000",
    "RETURN '\\q'": "escape",
    "foo": "starts with",
    "   ;  ": "Type a Cypher query",
}


@pytest.mark.parametrize("text", REFUSED)
def test_everything_else_is_refused_with_the_reason(text: str) -> None:
    with pytest.raises(QueryRefused) as refused:
        read_only_text(text)
    assert REFUSED[text] in str(refused.value)
    assert "\n" not in str(refused.value)


def test_writes_are_refused_as_writes() -> None:
    with pytest.raises(QueryRefused, match=r"^Only reads are allowed here: SET would change the store\."):
        read_only_text("MATCH (o) SET o.x = 1")


def test_strings_are_sent_re_quoted_so_the_server_reads_what_was_checked() -> None:
    # Whatever hides in a string stays a string: quotes and control characters are escaped.
    sent = read_only_text("RETURN 'a\\'b\\nc\\u0027) LOAD CSV' AS s")
    assert sent == "RETURN 'a\\'b\\u000ac\\') LOAD CSV' AS s"


def test_the_text_has_a_length_limit() -> None:
    text = "RETURN 1" + " " * MAX_LENGTH
    with pytest.raises(QueryRefused, match="at most 10,000"):
        read_only_text(text)
