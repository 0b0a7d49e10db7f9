"""Every Cypher statement the Neo4j store runs, each a named constant.

Rules kept here, so that a review of this one file is a review of all Cypher in ecograph:

* **Values only as parameters** (``$rows``, ``$ids``, ``$id``...): no user text is ever
  formatted into a statement.
* **Labels and relationship types only from the closed vocabularies** of
  :mod:`ecograph.model`. Cypher cannot take a label or a type as a parameter (5.26's
  dynamic ``$(...)`` labels cannot use indexes), so the statements that need one are
  built once, at import, for every kind in the vocabulary: ``ORG_LABELS`` and
  ``TIE_TYPES`` map each kind to its label or type, and the ``*_BY_KIND`` dicts hold the
  finished statements. An unknown kind is a ``KeyError``, never a new statement.
* Writes are ``UNWIND $rows AS row`` in batches of ``ECOGRAPH_BATCH_SIZE`` rows: ``CREATE``
  for records the store has just looked up and not found (``CREATE_*_BY_KIND``), ``MERGE``
  for the ones that changed.
* **Rows are lists, not maps**: ``row[0]``, ``row[1]``... in the order of
  ``ORG_PROPERTIES`` and ``TIE_ROW``, for writes and for reads. The Python driver encodes
  and decodes a map's key names on every row; lists cost a third less on both sides, and
  property maps spelled out in the statement (``{id: row[0], ...}``) let the planner see
  which properties a write touches (``SET o = row.props`` made it add an ``Eager`` that
  buffers the whole batch).
* **Whole-store reads come in pages of one record**: ``collect([...])`` over up to
  ``$limit`` rows, paged along an index in key order. One Bolt record per row cost the
  driver ~50 µs each (record objects, per-message bookkeeping) — most of a snapshot.

Graph layout::

    (:Organization:<Kind> {id, name, name_key, kind, country, province, city, sectors,
                           founded, aliases, website, ror, description})
    (a:Organization)-[:<TYPE> {key, kind, weight, start, end, amount, currency,
                               evidence, id}]->(b:Organization)
    (:LoadBatch {id, seq, data})                    one per file of a load, data = JSON
    (:ProvenanceChunk {batch_id, record_type, keys, sources})
                                                    which records a batch held, in chunks
    (:EcographMeta {key: "store", version, batch_seq, locked_at, identity})
    (:Identifier {scheme, value, org_id, record})   entity resolution (see
    (:TieRewrite {tie_key, end, original})          ecograph.resolution.records);
    (:MergeCandidate {a, b, status, data})          data = JSON
    (:MergeRecord {id, seq, data})
    (:SavedSnapshot {name, created, store_version, organizations, collaborations, data})
                                                    a saved state, data = compressed bytes
"""

from __future__ import annotations

import re

from ecograph.model import COLLABORATION_FIELDS, ORG_KINDS, ORGANIZATION_FIELDS, TIE_KINDS

__all__ = [
    "ANY_NODE",
    "ANY_ORG",
    "AWAIT_INDEXES",
    "COUNT_BY_CATEGORY",
    "COUNT_BY_COUNTRY",
    "COUNT_BY_KIND",
    "COUNT_TIES_BY_TYPE",
    "CREATE_BATCH",
    "CREATE_ORGS_BY_KIND",
    "CREATE_PROVENANCE_CHUNKS",
    "CREATE_SNAPSHOT",
    "CREATE_TIES_BY_KIND",
    "DELETE_ALL_IN_TRANSACTIONS",
    "DELETE_IDENTIFIERS",
    "DELETE_ORGS",
    "DELETE_PROVENANCE_OF_BATCH",
    "DELETE_REWRITES",
    "DELETE_SNAPSHOT",
    "DELETE_TIES_BY_KIND",
    "EXISTING_IDS",
    "FIND_TIES_BY_KIND",
    "GDS_DROP",
    "GDS_PROJECT",
    "GDS_PROJECTION",
    "GDS_STREAMS",
    "GDS_VERSION",
    "INDEX_STATES",
    "LEGACY_SCHEMA",
    "LOCK_META",
    "MERGE_BATCH",
    "MERGE_ORGS_BY_KIND",
    "MERGE_TIES_BY_KIND",
    "NODE_IDS",
    "ORG_LABELS",
    "ORG_PROPERTIES",
    "ORG_READ_ROW",
    "PING",
    "READ_ALIASES",
    "READ_BATCHES",
    "READ_BATCH_IDS",
    "READ_CANDIDATES",
    "READ_IDENTIFIERS",
    "READ_IDENTIFIERS_OF",
    "READ_IDENTITY",
    "READ_MERGES",
    "READ_ORG",
    "READ_ORGS_BY_ID",
    "READ_ORG_PAGE",
    "READ_PROVENANCE",
    "READ_PROVENANCE_OF_BATCH",
    "READ_REWRITES",
    "READ_SNAPSHOT",
    "READ_SNAPSHOTS",
    "READ_TIE_PAGE_BY_KIND",
    "READ_VERSION",
    "REPLACE_SNAPSHOT",
    "SCHEMA",
    "SET_META",
    "SHOW_TAGGED_TRANSACTIONS",
    "TERMINATE_TRANSACTIONS",
    "TIES_OF",
    "TIE_READ_ROW",
    "TIE_ROW",
    "TIE_TYPES",
    "TIE_TYPE_PATTERN",
    "UPSERT_CANDIDATES",
    "UPSERT_IDENTIFIERS",
    "UPSERT_MERGES",
    "UPSERT_REWRITES",
]

#: Organisation kind → the second label of its node.
ORG_LABELS: dict[str, str] = {
    "startup": "Startup",
    "company": "Company",
    "university": "University",
    "research_institute": "ResearchInstitute",
    "investor": "Investor",
    "government": "Government",
    "support_org": "SupportOrg",
    "other": "OtherOrganization",
}
#: Collaboration kind → its relationship type.
TIE_TYPES: dict[str, str] = {
    "research": "RESEARCH",
    "co_publication": "CO_PUBLICATION",
    "joint_project": "JOINT_PROJECT",
    "investment": "INVESTED_IN",
    "mou": "MOU",
    "spin_off": "SPIN_OFF",
    "incubation": "INCUBATION",
    "licensing": "LICENSING",
    "training": "TRAINING",
    "other": "OTHER",
}

# A kind added to the model without a label or type here must fail at import, loudly.
if tuple(ORG_LABELS) != ORG_KINDS or tuple(TIE_TYPES) != TIE_KINDS:
    raise ImportError("ecograph.store.cypher: ORG_LABELS/TIE_TYPES do not match ecograph.model")
if not all(re.fullmatch(r"[A-Z][A-Za-z]*", v) for v in ORG_LABELS.values()) or not all(
    re.fullmatch(r"[A-Z][A-Z_]*", v) for v in TIE_TYPES.values()
):
    raise ImportError("ecograph.store.cypher: a label or type is not a plain identifier")

#: ``RESEARCH|CO_PUBLICATION|...``: every collaboration type, for reads of all ties (and
#: nothing else: provenance and batches are nodes, not relationships).
TIE_TYPE_PATTERN = "|".join(TIE_TYPES.values())
_ALL_KIND_LABELS = ":".join(ORG_LABELS.values())

#: An organisation row: its node's properties, in this order.
ORG_PROPERTIES: tuple[str, ...] = (*ORGANIZATION_FIELDS, "name_key")
#: A collaboration row: its ends' ids, then its relationship's properties (``TIE_ROW[2:]``).
TIE_ROW: tuple[str, ...] = (*COLLABORATION_FIELDS, "key")
if TIE_ROW[:2] != ("source", "target"):
    raise ImportError("ecograph.store.cypher: a collaboration no longer starts with source, target")


def _from_row(names: tuple[str, ...], offset: int = 0) -> str:
    """``{`a`: row[0], `b`: row[1], ...}``: a null leaves the property out, as Neo4j stores none."""
    return "{" + ", ".join(f"`{name}`: row[{i + offset}]" for i, name in enumerate(names)) + "}"


#: A whole-store read's organisation row: its node id, then the model's fields.
ORG_READ_ROW: tuple[str, ...] = ("node", *ORGANIZATION_FIELDS)
#: A whole-store read's tie row: its ends' node ids, then its properties but ``kind`` (the
#: type says it), the key last.
TIE_READ_ROW: tuple[str, ...] = ("source", "target", *(n for n in TIE_ROW[2:] if n != "kind"))


def _read_list(names: tuple[str, ...]) -> str:
    """``[id(a), id(b), r.`key`, ...]`` for the names of ``ORG_READ_ROW`` or ``TIE_READ_ROW``."""
    ends = {"node": "id(o)", "source": "id(a)", "target": "id(b)"}
    var = "o" if "node" in names else "r"
    return "[" + ", ".join(ends.get(n, f"{var}.`{n}`") for n in names) + "]"


_ORG_MAP = _from_row(ORG_PROPERTIES)
_TIE_MAP = _from_row(TIE_ROW[2:], offset=2)
_ORG_LIST = "[" + ", ".join(f"o.`{name}`" for name in ORG_PROPERTIES) + "]"
_TIE_LIST = "[a.id, b.id, " + ", ".join(f"r.`{name}`" for name in TIE_ROW[2:]) + "]"

# -- schema ----------------------------------------------------------------------------------

#: Constraints and indexes, created at open with ``IF NOT EXISTS`` (each its own
#: auto-commit transaction: schema and data changes cannot share one).
SCHEMA: tuple[str, ...] = (
    # One node per organisation id; also the index every MERGE and MATCH by id uses.
    "CREATE CONSTRAINT organization_id IF NOT EXISTS FOR (o:Organization) REQUIRE o.id IS UNIQUE",
    # Search and filters by name (as written and folded) and by kind.
    "CREATE INDEX organization_name IF NOT EXISTS FOR (o:Organization) ON (o.name)",
    "CREATE INDEX organization_name_key IF NOT EXISTS FOR (o:Organization) ON (o.name_key)",
    "CREATE INDEX organization_kind IF NOT EXISTS FOR (o:Organization) ON (o.kind)",
    # One load batch per id; one meta node.
    "CREATE CONSTRAINT load_batch_id IF NOT EXISTS FOR (b:LoadBatch) REQUIRE b.id IS UNIQUE",
    "CREATE CONSTRAINT ecograph_meta_key IF NOT EXISTS FOR (m:EcographMeta) REQUIRE m.key IS UNIQUE",
    "CREATE INDEX provenance_chunk_batch IF NOT EXISTS FOR (c:ProvenanceChunk) ON (c.batch_id)",
    # A collaboration's identity (its key), indexed per type for lookups and key-ordered
    # pages. A plain index, not a uniqueness constraint: every write classifies its keys
    # against the store under the meta-node lock, which already keeps a key to one
    # relationship (across types too: an id-keyed tie that changes kind is deleted and
    # created anew); the constraint's per-relationship check and lock cost a quarter of a
    # first load. Stores made before keep their constraints until ``LEGACY_SCHEMA`` drops them.
    *(
        f"CREATE INDEX tie_key_index_{kind} IF NOT EXISTS FOR ()-[r:{rel_type}]-() ON (r.key)"
        for kind, rel_type in TIE_TYPES.items()
    ),
    # Entity resolution: identifiers by (scheme, value) and by node; one rewrite per tie end;
    # one review candidate per pair; one journal entry per merge id.
    "CREATE CONSTRAINT identifier_key IF NOT EXISTS FOR (i:Identifier) REQUIRE (i.scheme, i.value, i.org_id) IS UNIQUE",
    "CREATE INDEX identifier_org IF NOT EXISTS FOR (i:Identifier) ON (i.org_id)",
    "CREATE CONSTRAINT tie_rewrite_key IF NOT EXISTS FOR (w:TieRewrite) REQUIRE (w.tie_key, w.end) IS UNIQUE",
    "CREATE CONSTRAINT merge_candidate_pair IF NOT EXISTS FOR (c:MergeCandidate) REQUIRE (c.a, c.b) IS UNIQUE",
    "CREATE CONSTRAINT merge_record_id IF NOT EXISTS FOR (m:MergeRecord) REQUIRE m.id IS UNIQUE",
    # One saved snapshot per name (ecograph.saved_snapshots).
    "CREATE CONSTRAINT saved_snapshot_name IF NOT EXISTS FOR (s:SavedSnapshot) REQUIRE s.name IS UNIQUE",
)

#: Schema of earlier versions that a store drops when it opens (``IF EXISTS``): the
#: per-type uniqueness constraints on the tie key, replaced by the ``tie_key_index_*`` indexes.
LEGACY_SCHEMA: dict[str, str] = {
    f"tie_key_{kind}": f"DROP CONSTRAINT tie_key_{kind} IF EXISTS" for kind in TIE_TYPES
}

#: Wait (up to 300 s) until the indexes just created are online.
AWAIT_INDEXES = "CALL db.awaitIndexes(300)"
#: Every index (those behind constraints too) and whether it is ``ONLINE`` yet.
INDEX_STATES = "SHOW INDEXES YIELD name, state"

#: A cheap query that proves the database exists and answers.
PING = "RETURN 1 AS ok"

# -- meta ------------------------------------------------------------------------------------

#: The store version (0 when nothing was ever written).
READ_VERSION = "OPTIONAL MATCH (m:EcographMeta {key: $key}) RETURN coalesce(m.version, 0) AS version"

#: The store's identity: a random id the first write gives the meta node ("" before it).
READ_IDENTITY = "OPTIONAL MATCH (m:EcographMeta {key: $key}) RETURN m.identity AS identity"

#: First statement of every write: create the meta node if needed and write to it, which
#: takes its exclusive lock, so concurrent loads run one after the other and each classifies
#: records against a state no one else is changing. A new meta node (a new or cleared store)
#: gets its identity here.
LOCK_META = (
    "MERGE (m:EcographMeta {key: $key}) "
    "SET m.locked_at = datetime(), m.identity = coalesce(m.identity, $identity) "
    "RETURN coalesce(m.version, 0) AS version, coalesce(m.batch_seq, 0) AS batch_seq"
)

#: Last statement of a write: the new version and the last batch sequence number.
SET_META = "MATCH (m:EcographMeta {key: $key}) SET m.version = $version, m.batch_seq = $batch_seq"

# -- a user's read-only query (Neo4jStore.read_query) ---------------------------------------

#: The transactions that carry ``$tag`` in their metadata: a user's query, run by the box.
SHOW_TAGGED_TRANSACTIONS = (
    "SHOW TRANSACTIONS YIELD transactionId, metaData "
    "WHERE metaData.ecograph_query = $tag RETURN transactionId"
)

#: Stop the transactions ``$ids`` (a user's query that outlived its timeout).
TERMINATE_TRANSACTIONS = "TERMINATE TRANSACTIONS $ids"

# -- organisations ---------------------------------------------------------------------------

#: The rows of those of ``$ids`` that exist (to classify a load's rows), as one record.
READ_ORGS_BY_ID = f"UNWIND $ids AS id MATCH (o:Organization {{id: id}}) RETURN collect({_ORG_LIST}) AS rows"

#: Which of ``$ids`` exist.
EXISTING_IDS = "UNWIND $ids AS id MATCH (o:Organization {id: id}) RETURN collect(o.id) AS ids"

#: Is there any node at all? (``--bulk`` imports only into an empty database.)
ANY_NODE = "MATCH (n) RETURN 1 AS found LIMIT 1"

#: Is there any organisation at all? (An empty store needs no classification reads.)
ANY_ORG = "MATCH (o:Organization) RETURN o.id AS id LIMIT 1"

#: ``[id, node id]`` of the organisations written or found, as one record: the tie writes
#: of the same transaction find their ends by node id (``_MATCH_ENDS``). ``id()``, not
#: ``elementId()``: a node id never outlives the transaction (or version-checked read)
#: that looked it up, and an integer travels in 8 bytes where an element id's text
#: (``4:<database uuid>:<n>``) takes ~45, once per tie end; ``id()`` is deprecated but
#: present throughout Neo4j 5.26 LTS (see the README).
_NODE_IDS = "RETURN collect([o.id, id(o)]) AS nodes"

#: The node ids of those of ``$ids`` that exist, as one record.
NODE_IDS = f"UNWIND $ids AS id MATCH (o:Organization {{id: id}}) {_NODE_IDS}"

#: Create organisations of one kind that the store does not hold yet (looked up under the
#: meta lock, so no one can have created them meanwhile; the uniqueness constraint on the id
#: stays as a safety net).
CREATE_ORGS_BY_KIND: dict[str, str] = {
    kind: f"UNWIND $rows AS row CREATE (o:Organization:{label} {_ORG_MAP}) {_NODE_IDS}"
    for kind, label in ORG_LABELS.items()
}

#: Update organisations of one kind: ``SET o = {...}`` replaces every property (a field that
#: became empty disappears); the kind label is reset in case the kind changed.
MERGE_ORGS_BY_KIND: dict[str, str] = {
    kind: (
        "UNWIND $rows AS row "
        "MERGE (o:Organization {id: row[0]}) "
        f"SET o = {_ORG_MAP} "
        f"REMOVE o:{_ALL_KIND_LABELS} "
        f"SET o:{label} "
        f"{_NODE_IDS}"
    )
    for kind, label in ORG_LABELS.items()
}

#: One organisation's properties.
READ_ORG = "MATCH (o:Organization {id: $id}) RETURN properties(o) AS props"

#: The next ``$limit`` organisations after id ``$after``, in id order (the unique index
#: gives the order, so a page costs its own rows only), as one record of ``ORG_READ_ROW``
#: rows (lists: ``collect()`` of a property would drop its nulls). The node id is what the
#: ties' ends are mapped to.
READ_ORG_PAGE = (
    "MATCH (o:Organization) WHERE o.id > $after WITH o ORDER BY o.id LIMIT $limit "
    f"RETURN collect({_read_list(ORG_READ_ROW)}) AS rows"
)

# -- collaborations --------------------------------------------------------------------------

# Reads by tie key force a seek of their index (``USING INDEX SEEK``): planned right after
# a large first load, while the index statistics still said "empty", the lookup scanned
# the whole index once per key (a 20k-organisation reload took 100 s instead of 15).

#: The stored rows of the ties of one type whose key is in ``$keys``, as one record.
FIND_TIES_BY_KIND: dict[str, str] = {
    kind: f"UNWIND $keys AS k MATCH (a:Organization)-[r:{t} {{key: k}}]->(b:Organization) "
    f"USING INDEX SEEK r:{t}(key) RETURN collect({_TIE_LIST}) AS rows"
    for kind, t in TIE_TYPES.items()
}

#: Delete ties of one type by key: an id-keyed tie whose kind or ends changed is deleted
#: here and created again by the MERGE below.
_DELETE_TIES = (
    "UNWIND $keys AS k MATCH ()-[r:{rel_type} {{key: k}}]->() USING INDEX SEEK r:{rel_type}(key) DELETE r"
)
DELETE_TIES_BY_KIND: dict[str, str] = {kind: _DELETE_TIES.format(rel_type=t) for kind, t in TIE_TYPES.items()}

# Both ends are found by node id (``row[0]``, ``row[1]``; a ``NodeByIdSeek`` each): the
# store has just created or looked up every end in this transaction, under the meta lock,
# and maps the organisation ids of the rows to node ids (``_NODE_IDS``). Two index seeks
# per tie cost more. ``written`` lets the store check that no row was dropped by a missing end.
_MATCH_ENDS = "UNWIND $rows AS row MATCH (a) WHERE id(a) = row[0] MATCH (b) WHERE id(b) = row[1] "

#: Update ties of one type in place (same kind and ends; a tie that moved is deleted and
#: created again).
MERGE_TIES_BY_KIND: dict[str, str] = {
    kind: f"{_MATCH_ENDS}MERGE (a)-[r:{t} {{key: row[{len(TIE_ROW) - 1}]}}]->(b) "
    f"SET r = {_TIE_MAP} RETURN count(r) AS written"
    for kind, t in TIE_TYPES.items()
}

#: Create ties of one type that the store does not hold yet. The write holds the meta lock
#: and has just looked every key up, so no one can have created them meanwhile; CREATE
#: skips MERGE's per-row existence check and lock.
CREATE_TIES_BY_KIND: dict[str, str] = {
    kind: f"{_MATCH_ENDS}CREATE (a)-[r:{t} {_TIE_MAP}]->(b) RETURN count(r) AS written"
    for kind, t in TIE_TYPES.items()
}

#: The next ``$limit`` ties of one type after key ``$after``, in key order (from the type's
#: key index), as one record of ``TIE_READ_ROW`` rows. The ends are node ids: a string
#: per end would cost the server a property read each and the wire several times the
#: bytes; the store maps them to organisation ids once.
READ_TIE_PAGE_BY_KIND: dict[str, str] = {
    kind: f"MATCH (a:Organization)-[r:{t}]->(b:Organization) USING INDEX SEEK r:{t}(key) WHERE r.key > $after "
    f"WITH a, r, b ORDER BY r.key LIMIT $limit RETURN collect({_read_list(TIE_READ_ROW)}) AS rows"
    for kind, t in TIE_TYPES.items()
}

# -- counts ----------------------------------------------------------------------------------

#: Organisations by kind.
COUNT_BY_KIND = "MATCH (o:Organization) RETURN o.kind AS k, count(*) AS n ORDER BY k"
#: Organisations by category: foreign partner when the country is not ``$home``.
COUNT_BY_CATEGORY = (
    "MATCH (o:Organization) "
    "RETURN CASE WHEN o.country = $home THEN o.kind ELSE 'foreign_partner' END AS k, "
    "count(*) AS n ORDER BY k"
)
#: Organisations by country.
COUNT_BY_COUNTRY = "MATCH (o:Organization) RETURN o.country AS k, count(*) AS n ORDER BY k"
#: Ties by kind (the kind property; one type per kind).
COUNT_TIES_BY_TYPE = (
    f"MATCH (:Organization)-[r:{TIE_TYPE_PATTERN}]->(:Organization) "
    "RETURN r.kind AS k, count(*) AS n ORDER BY k"
)

# -- load batches and provenance -------------------------------------------------------------

#: Record one batch of a load.
CREATE_BATCH = "CREATE (b:LoadBatch {id: $id, seq: $seq, data: $data})"

#: Record a batch copied from another store unless it is already here; returns whether new.
MERGE_BATCH = (
    "MERGE (b:LoadBatch {id: $id}) "
    "ON CREATE SET b.seq = $seq, b.data = $data, b.created = true "
    "WITH b, coalesce(b.created, false) AS created REMOVE b.created "
    "RETURN created"
)

#: Every batch's JSON, oldest first.
READ_BATCHES = "MATCH (b:LoadBatch) RETURN b.data AS data ORDER BY b.seq"

#: The ids of the batches that exist among ``$ids``.
READ_BATCH_IDS = "UNWIND $ids AS id MATCH (b:LoadBatch {id: id}) RETURN b.id AS id"

#: Which records a batch held: chunks of ``keys`` with a JSON ``sources`` map
#: ``{key: [source, source_id]}`` for the records that carry one. Chunks keep the load's
#: provenance to a few large properties instead of one node per record per load.
CREATE_PROVENANCE_CHUNKS = (
    "UNWIND $chunks AS c "
    "CREATE (:ProvenanceChunk {batch_id: c.batch_id, record_type: c.record_type, "
    "keys: c.keys, sources: c.sources})"
)

#: A batch's chunks (to merge in copied provenance).
READ_PROVENANCE_OF_BATCH = (
    "MATCH (c:ProvenanceChunk {batch_id: $batch_id}) "
    "RETURN c.record_type AS record_type, c.keys AS keys, c.sources AS sources"
)
DELETE_PROVENANCE_OF_BATCH = "MATCH (c:ProvenanceChunk {batch_id: $batch_id}) DELETE c"

#: Every chunk, streamed; the store sorts the entries.
READ_PROVENANCE = (
    "MATCH (c:ProvenanceChunk) "
    "RETURN c.batch_id AS batch_id, c.record_type AS record_type, c.keys AS keys, "
    "c.sources AS sources"
)

# -- clearing --------------------------------------------------------------------------------

#: Delete everything ecograph keeps (and nothing else in the database), 10k nodes per
#: transaction so that a large store does not need a huge transaction. Needs an auto-commit
#: transaction (``session.run``): ``CALL {} IN TRANSACTIONS`` cannot run in ``execute_write``.
DELETE_ALL_IN_TRANSACTIONS = (
    "MATCH (n) WHERE n:Organization OR n:LoadBatch OR n:ProvenanceChunk OR n:EcographMeta "
    "OR n:Identifier OR n:TieRewrite OR n:MergeCandidate OR n:MergeRecord OR n:SavedSnapshot "
    "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
)


# -- entity resolution (ecograph.resolution.records) ----------------------------------------
# Plain nodes with fixed labels: identifiers, rewritten tie ends, the review queue and the
# merge journal (a JSON document each, as SQLite keeps them).

UPSERT_IDENTIFIERS = "UNWIND $rows AS r MERGE (i:Identifier {scheme: r[0], value: r[1], org_id: r[2]}) ON CREATE SET i.record = r[3]"
DELETE_IDENTIFIERS = (
    "UNWIND $rows AS r MATCH (i:Identifier {scheme: r[0], value: r[1], org_id: r[2]}) DELETE i"
)
READ_IDENTIFIERS = (
    "MATCH (i:Identifier) RETURN i.scheme AS scheme, i.value AS value, i.org_id AS org_id, i.record AS record"
)
READ_IDENTIFIERS_OF = (
    "UNWIND $ids AS id MATCH (i:Identifier {org_id: id}) "
    "RETURN i.scheme AS scheme, i.value AS value, i.org_id AS org_id, i.record AS record"
)
READ_ALIASES = "UNWIND $ids AS id MATCH (i:Identifier {scheme: 'record', value: id}) RETURN i.value AS value, i.org_id AS org_id"
UPSERT_REWRITES = "UNWIND $rows AS r MERGE (w:TieRewrite {tie_key: r[0], end: r[1]}) SET w.original = r[2]"
DELETE_REWRITES = "UNWIND $rows AS r MATCH (w:TieRewrite {tie_key: r[0], end: r[1]}) DELETE w"
READ_REWRITES = "UNWIND $keys AS k MATCH (w:TieRewrite {tie_key: k}) RETURN w.tie_key AS tie_key, w.end AS end, w.original AS original"
UPSERT_CANDIDATES = (
    "UNWIND $rows AS r MERGE (c:MergeCandidate {a: r[0], b: r[1]}) SET c.status = r[2], c.data = r[3]"
)
READ_CANDIDATES = "MATCH (c:MergeCandidate) WHERE $status IS NULL OR c.status = $status RETURN c.data AS data"
UPSERT_MERGES = (
    "UNWIND $rows AS r MERGE (m:MergeRecord {id: r[0]}) ON CREATE SET m.seq = r[1] SET m.data = r[2]"
)
READ_MERGES = "MATCH (m:MergeRecord) RETURN m.data AS data ORDER BY m.seq"
DELETE_ORGS = "UNWIND $ids AS id MATCH (o:Organization {id: id}) DELETE o RETURN count(*) AS written"
#: The ties with an end in ``$ids``, as one record (each once, whichever end matched).
TIES_OF = (
    f"CALL () {{ UNWIND $ids AS id MATCH (a:Organization {{id: id}})-[r:{TIE_TYPE_PATTERN}]->(b:Organization) RETURN a, r, b "
    f"UNION UNWIND $ids AS id MATCH (a:Organization)-[r:{TIE_TYPE_PATTERN}]->(b:Organization {{id: id}}) RETURN a, r, b }} "
    f"RETURN collect({_TIE_LIST}) AS rows"
)


# -- saved snapshots (ecograph.saved_snapshots) ----------------------------------------------
# One node each; the uniqueness constraint on the name refuses a second CREATE.

_SNAPSHOT_FIELDS = (
    "s.name AS name, s.created AS created, s.store_version AS store_version, "
    "s.organizations AS organizations, s.collaborations AS collaborations"
)
CREATE_SNAPSHOT = (
    "CREATE (:SavedSnapshot {name: $name, created: $created, store_version: $store_version, "
    "organizations: $organizations, collaborations: $collaborations, data: $data})"
)
REPLACE_SNAPSHOT = (
    "MERGE (s:SavedSnapshot {name: $name}) SET s.created = $created, s.store_version = $store_version, "
    "s.organizations = $organizations, s.collaborations = $collaborations, s.data = $data"
)
READ_SNAPSHOTS = f"MATCH (s:SavedSnapshot) RETURN {_SNAPSHOT_FIELDS} ORDER BY s.created, s.name"
READ_SNAPSHOT = f"MATCH (s:SavedSnapshot {{name: $name}}) RETURN {_SNAPSHOT_FIELDS}, s.data AS data"
DELETE_SNAPSHOT = "MATCH (s:SavedSnapshot {name: $name}) DELETE s RETURN count(*) AS deleted"


# -- the GDS engine (ecograph.engine; needs the OpenGDS plugin) -------------------------------
# The organisations and their ties as GDS's in-memory graph: undirected, the ties between two
# organisations folded into one relationship whose weight is the sum of theirs (what
# ecograph.snapshot.undirected makes for the Python analyses), a tie without weight as 1.

GDS_VERSION = "RETURN gds.version() AS version"
GDS_PROJECT = (
    "CALL gds.graph.project($graph, $nodes, $relationships) "
    "YIELD nodeCount, relationshipCount RETURN nodeCount, relationshipCount"
)
#: ``GDS_PROJECT``'s projection, sent as its parameters (statements hold no literals).
GDS_PROJECTION = {
    "nodes": "Organization",
    "relationships": {
        "TIE": {
            "type": "*",
            "orientation": "UNDIRECTED",
            "aggregation": "SUM",
            "properties": {"weight": {"property": "weight", "defaultValue": 1.0, "aggregation": "SUM"}},
        }
    },
}
GDS_DROP = "CALL gds.graph.drop($graph, false) YIELD graphName RETURN graphName"
#: One statement per measure, each returning its values as two lists (ids, values) in one
#: record. ``$config`` carries the algorithm's settings.
GDS_STREAMS = {
    measure: f"CALL gds.{procedure}.stream($graph, $config) YIELD nodeId, {field} "
    f"RETURN collect(gds.util.asNode(nodeId).id) AS ids, collect({field}) AS values"
    for measure, procedure, field in (
        ("degree", "degree", "score"),
        ("pagerank", "pageRank", "score"),
        ("betweenness", "betweenness", "score"),
        ("community", "louvain", "communityId"),
        ("component", "wcc", "componentId"),
    )
}
