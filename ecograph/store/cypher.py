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
* Writes are ``UNWIND $rows AS row`` + ``MERGE`` in batches of ``ECOGRAPH_BATCH_SIZE`` rows
  (ties known to be new: ``CREATE``, see ``CREATE_TIES_BY_KIND``).

Graph layout::

    (:Organization:<Kind> {id, name, name_key, kind, country, province, city, sectors,
                           founded, aliases, website, ror, description})
    (a:Organization)-[:<TYPE> {key, kind, weight, start, end, amount, currency,
                               evidence, id}]->(b:Organization)
    (:LoadBatch {id, seq, data})                    one per file of a load, data = JSON
    (:ProvenanceChunk {batch_id, record_type, keys, sources})
                                                    which records a batch held, in chunks
    (:EcographMeta {key: "store", version, batch_seq, locked_at})
"""

from __future__ import annotations

import re

from ecograph.model import COLLABORATION_FIELDS, ORG_KINDS, ORGANIZATION_FIELDS, TIE_KINDS

__all__ = [
    "ANY_ORG",
    "AWAIT_INDEXES",
    "COUNT_BY_CATEGORY",
    "COUNT_BY_COUNTRY",
    "COUNT_BY_KIND",
    "COUNT_TIES_BY_TYPE",
    "CREATE_BATCH",
    "CREATE_PROVENANCE_CHUNKS",
    "CREATE_TIES_BY_KIND",
    "DELETE_ALL_IN_TRANSACTIONS",
    "DELETE_PROVENANCE_OF_BATCH",
    "DELETE_TIES_BY_KIND",
    "EXISTING_IDS",
    "FIND_TIES_BY_KIND",
    "LOCK_META",
    "MERGE_BATCH",
    "MERGE_ORGS_BY_KIND",
    "MERGE_TIES_BY_KIND",
    "ORG_LABELS",
    "PING",
    "READ_BATCHES",
    "READ_BATCH_IDS",
    "READ_ORG",
    "READ_ORGS",
    "READ_ORGS_BY_ID",
    "READ_PROVENANCE",
    "READ_PROVENANCE_OF_BATCH",
    "READ_TIES",
    "READ_VERSION",
    "SCHEMA",
    "SET_META",
    "TIE_TYPES",
    "TIE_TYPE_PATTERN",
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
    # A collaboration's identity (its key) is unique within its type; the store keeps it
    # unique across types by deleting the old relationship when an id-keyed tie changes kind.
    *(
        f"CREATE CONSTRAINT tie_key_{kind} IF NOT EXISTS FOR ()-[r:{rel_type}]-() REQUIRE r.key IS UNIQUE"
        for kind, rel_type in TIE_TYPES.items()
    ),
)

#: Wait (up to 300 s) until the indexes just created are online.
AWAIT_INDEXES = "CALL db.awaitIndexes(300)"

#: A cheap query that proves the database exists and answers.
PING = "RETURN 1 AS ok"

# -- meta ------------------------------------------------------------------------------------

#: The store version (0 when nothing was ever written).
READ_VERSION = "OPTIONAL MATCH (m:EcographMeta {key: $key}) RETURN coalesce(m.version, 0) AS version"

#: First statement of every write: create the meta node if needed and write to it, which
#: takes its exclusive lock, so concurrent loads run one after the other and each classifies
#: records against a state no one else is changing.
LOCK_META = (
    "MERGE (m:EcographMeta {key: $key}) "
    "SET m.locked_at = datetime() "
    "RETURN coalesce(m.version, 0) AS version, coalesce(m.batch_seq, 0) AS batch_seq"
)

#: Last statement of a write: the new version and the last batch sequence number.
SET_META = "MATCH (m:EcographMeta {key: $key}) SET m.version = $version, m.batch_seq = $batch_seq"

# -- organisations ---------------------------------------------------------------------------

#: The stored properties of those of ``$ids`` that exist (to classify a load's rows).
READ_ORGS_BY_ID = (
    "UNWIND $ids AS id MATCH (o:Organization {id: id}) RETURN o.id AS id, properties(o) AS props"
)

#: Which of ``$ids`` exist.
EXISTING_IDS = "UNWIND $ids AS id MATCH (o:Organization {id: id}) RETURN o.id AS id"

#: Is there any organisation at all? (An empty store needs no classification reads.)
ANY_ORG = "MATCH (o:Organization) RETURN o.id AS id LIMIT 1"

#: Upsert organisations of one kind: ``SET o = row.props`` replaces every property (a field
#: that became empty disappears); the kind label is reset in case the kind changed.
_MERGE_ORGS = (
    "UNWIND $rows AS row "
    "MERGE (o:Organization {{id: row.id}}) "
    "SET o = row.props "
    f"REMOVE o:{_ALL_KIND_LABELS} "
    "SET o:{label} "
    "RETURN count(o) AS written"
)
MERGE_ORGS_BY_KIND: dict[str, str] = {
    kind: _MERGE_ORGS.format(label=label) for kind, label in ORG_LABELS.items()
}

#: One organisation's properties.
READ_ORG = "MATCH (o:Organization {id: $id}) RETURN properties(o) AS props"

# Whole-store reads return plain columns, one per field of the model, in its order: a map per
# row (``properties(o)``) costs the client a decode of every key name on every row, about a
# third more CPU in the Python driver.
_ORG_COLUMNS = ", ".join(f"o.`{name}`" for name in ORGANIZATION_FIELDS)
_TIE_COLUMNS = ", ".join(
    {"source": "a.id", "target": "b.id"}.get(name, f"r.`{name}`") for name in COLLABORATION_FIELDS
)

READ_ORGS = f"MATCH (o:Organization) WHERE o.id IS NOT NULL RETURN {_ORG_COLUMNS} ORDER BY o.id"

# -- collaborations --------------------------------------------------------------------------

#: The stored ties of one type whose key is in ``$keys``, with their ends.
_FIND_TIES = (
    "UNWIND $keys AS k "
    "MATCH (a:Organization)-[r:{rel_type} {{key: k}}]->(b:Organization) "
    "RETURN a.id AS source, b.id AS target, properties(r) AS props"
)
FIND_TIES_BY_KIND: dict[str, str] = {kind: _FIND_TIES.format(rel_type=t) for kind, t in TIE_TYPES.items()}

#: Delete ties of one type by key: an id-keyed tie whose kind or ends changed is deleted
#: here and created again by the MERGE below.
_DELETE_TIES = "UNWIND $keys AS k MATCH ()-[r:{rel_type} {{key: k}}]->() DELETE r"
DELETE_TIES_BY_KIND: dict[str, str] = {kind: _DELETE_TIES.format(rel_type=t) for kind, t in TIE_TYPES.items()}

#: Upsert ties of one type between existing organisations. ``written`` lets the store
#: check that no row was dropped by a missing end.
_MERGE_TIES = (
    "UNWIND $rows AS row "
    "MATCH (a:Organization {{id: row.source}}) "
    "MATCH (b:Organization {{id: row.target}}) "
    "MERGE (a)-[r:{rel_type} {{key: row.key}}]->(b) "
    "SET r = row.props "
    "RETURN count(r) AS written"
)
MERGE_TIES_BY_KIND: dict[str, str] = {kind: _MERGE_TIES.format(rel_type=t) for kind, t in TIE_TYPES.items()}

#: Create ties of one type that the store does not hold yet. The write holds the meta lock
#: and has just looked every key up, so no one can have created them meanwhile; CREATE
#: skips MERGE's per-row existence check and lock (the uniqueness constraint on the key
#: stays as a safety net).
_CREATE_TIES = (
    "UNWIND $rows AS row "
    "MATCH (a:Organization {{id: row.source}}) "
    "MATCH (b:Organization {{id: row.target}}) "
    "CREATE (a)-[r:{rel_type}]->(b) "
    "SET r = row.props "
    "RETURN count(r) AS written"
)
CREATE_TIES_BY_KIND: dict[str, str] = {kind: _CREATE_TIES.format(rel_type=t) for kind, t in TIE_TYPES.items()}

#: Every tie, in key order, streamed.
READ_TIES = (
    f"MATCH (a:Organization)-[r:{TIE_TYPE_PATTERN}]->(b:Organization) RETURN {_TIE_COLUMNS} ORDER BY r.key"
)

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
    "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
)
