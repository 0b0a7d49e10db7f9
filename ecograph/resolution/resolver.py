"""Deciding, during a load, which node each incoming organisation record belongs to.

Keys are tried in order of trust (README, "One organisation, several sources"): the ROR id, other external ids,
the website's domain, the normalised name with the country, then aliases. A key that
points at exactly one node, with no identifier that contradicts it, merges the record
into that node. A match that is likely but not certain — a shared acronym, a similar
name, two names alike with different ROR ids, a domain in another country — goes to the
review queue instead, and the record becomes a node of its own. Names never match across
countries.

The first record that makes a node owns its fields: reloading it updates them (a
rename updates in place). Records merged into a node only fill its empty fields and add
their names as aliases, so reloading any source in any order changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace

from ecograph.model import Collaboration, Organization
from ecograph.names import name_key
from ecograph.resolution.keys import acronym_like, domain, match_key, name_tokens, similarity
from ecograph.resolution.records import RECORD, Candidate, Edit, Identifier, Merge, Rewrite

__all__ = ["Incoming", "Resolution", "Resolver", "combine", "identifiers_of", "resolve_chain"]

# Identifiers one organisation has exactly one of: two different values mean two organisations.
SINGLE_VALUED = frozenset({"ror", "grid", "wikidata", "pic", "openalex", "mag", "permalink"})
STRONG = SINGLE_VALUED | {"isni", "fundref", "vat"}
REVIEW_SIMILARITY = 0.75  # Dice over name words; below this two names are not worth a look
_MAX_POSTINGS = 100  # a word shared by more nodes than this ("university") does not block
_FILLED = ("province", "city", "founded", "website", "ror", "description")


@dataclass(slots=True)
class Incoming:
    """One validated organisation record of the load, with what the loader knew besides."""

    part: int
    org: Organization
    external_ids: Mapping[str, list[str]] = field(default_factory=dict)
    source: str | None = None
    source_id: str | None = None
    # False for curated files (canonical): the record is its own node, written as given
    resolve: bool = True


@dataclass
class Resolution:
    """What the resolver decided for a load."""

    organizations: list[list[Organization]]  # per part, the records to write
    collaborations: list[list[Collaboration]]  # per part, ends rewritten to nodes
    edit: Edit
    merged: list[int]  # per part, records merged into another node
    queued: list[int]  # per part, review candidates raised
    dropped_ties: int = 0  # ties whose two ends became one node
    rekeyed: dict[str, str] = field(default_factory=dict)  # tie key as loaded -> as written


def identifiers_of(
    org: Organization, external_ids: Mapping[str, Iterable[str]] | None = None
) -> set[tuple[str, str]]:
    """``(scheme, value)`` pairs of a record: its ROR id, website domain and external ids.

    Examples
    --------
    >>> sorted(identifiers_of(Organization("x", "X", "university", "VN", website="https://www.x.edu.vn",
    ...                                    ror="https://ror.org/0abc"), {"GRID": ["grid.1"]}))
    [('domain', 'x.edu.vn'), ('grid', 'grid.1'), ('ror', 'https://ror.org/0abc')]
    """
    found: set[tuple[str, str]] = set()
    for scheme, values in (external_ids or {}).items():
        for value in values if isinstance(values, list | tuple) else [values]:
            if value not in (None, ""):
                found.add((str(scheme).lower(), _normal_id(str(scheme).lower(), str(value))))
    if org.ror:
        found.add(("ror", _normal_id("ror", org.ror)))
    host = domain(org.website)
    if host:
        found.add(("domain", host))
    return found


def _normal_id(scheme: str, value: str) -> str:
    value = value.strip()
    if scheme == "ror" and "/" not in value:
        return "https://ror.org/" + value.lower()
    if scheme == "wikidata":
        return value.rsplit("/", 1)[-1].upper()
    if scheme in ("isni", "vat"):
        return value.replace(" ", "").upper()
    return value.lower() if scheme == "ror" else value


def resolve_chain(id: str, aliases: Mapping[str, str]) -> str:
    """Follow *aliases* from *id* to the node it now lives on."""
    seen = {id}
    while id in aliases:
        id = aliases[id]
        if id in seen:  # a cycle would be a bug elsewhere; stop rather than spin
            break
        seen.add(id)
    return id


def combine(current: Organization | None, record: Organization, *, owner: bool) -> Organization:
    """The node after *record* is applied to *current*.

    An owner record sets every field it has; a merged record only fills empty ones. Both
    keep the union of aliases and sectors, and a merged record's name becomes an alias.
    """
    if current is None:
        # the same aliases a reload keeps: a first load that kept more would change on reload
        return replace(record, aliases=_distinct_aliases(record.name, record.aliases))
    base, other = (record, current) if owner else (current, record)
    changes: dict[str, object] = {f: getattr(other, f) for f in _FILLED if getattr(base, f) is None}
    names = [*base.aliases, *other.aliases]
    if not owner and name_key(record.name) != name_key(base.name):
        names.append(record.name)
    changes["aliases"] = _distinct_aliases(base.name, names)
    changes["sectors"] = tuple(dict.fromkeys((*base.sectors, *other.sectors)))
    return replace(base, **changes)


def _distinct_aliases(name: str, aliases: Iterable[str]) -> tuple[str, ...]:
    """*aliases* less those that read as *name* or as an earlier alias once folded
    (``Thủ Dầu Một University`` is ``Thu Dau Mot University``)."""
    keep = {name_key(name)}
    out = []
    for alias in aliases:
        key = name_key(alias)
        if key not in keep:
            keep.add(key)
            out.append(alias)
    return tuple(out)


class Resolver:
    """Matches incoming records against the store and against each other.

    Build it with :meth:`from_store`; call :meth:`resolve` once per load.
    """

    def __init__(
        self,
        nodes: Iterable[Organization],
        identifiers: Iterable[Identifier],
        candidates: Iterable[Candidate],
        merges: Iterable[Merge],
    ):
        self.nodes: dict[str, Organization] = {}
        self.aliases: dict[str, str] = {}
        self.by_id: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.ids_of: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.by_name: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.by_alias: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.by_word: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.tokens: dict[str, frozenset[str]] = {}  # each node's name words, for similarity
        self.pairs = {c.pair: c for c in candidates}
        self.active_merges = {m.absorbed: m for m in merges if m.active}
        for org in nodes:
            self._add_node(org)
        for ident in identifiers:
            if ident.scheme == RECORD:
                self.aliases[ident.value] = ident.org_id
            else:
                self._add_id(ident.scheme, ident.value, ident.org_id)

    @classmethod
    def from_store(cls, store, countries: Iterable[str] | None = None) -> Resolver:
        """Index the store's organisations (of *countries*, if given) and its decisions."""
        wanted = set(countries) if countries is not None else None
        return cls(
            (o for o in store.organizations() if wanted is None or o.country in wanted),
            store.identifiers(),
            store.candidates(),
            store.merges(),
        )

    # -- the index ------------------------------------------------------------------

    def _add_id(self, scheme: str, value: str, org_id: str) -> None:
        self.by_id[(scheme, value)].add(org_id)
        self.ids_of[org_id][scheme].add(value)

    def _add_names(self, org_id: str, country: str, names: Iterable[str], *, primary: str | None) -> None:
        if primary is not None:
            key = match_key(primary)
            self.by_name[(country, key)].add(org_id)
            self.tokens[org_id] = name_tokens(primary)
            for word in self.tokens[org_id]:
                self.by_word[(country, word)].add(org_id)
        for alias in names:
            self.by_alias[(country, match_key(alias))].add(org_id)

    def _add_node(self, org: Organization) -> None:
        self.nodes[org.id] = org
        for scheme, value in identifiers_of(org):
            self._add_id(scheme, value, org.id)
        self._add_names(org.id, org.country, org.aliases, primary=org.name)

    def node_of(self, id: str) -> str | None:
        """The node *id* lives on now, or None when it is unknown."""
        if id not in self.aliases:  # the common case, asked twice per tie
            return id if id in self.nodes else None
        target = resolve_chain(id, self.aliases)
        return target if target in self.nodes else None

    # -- matching -------------------------------------------------------------------

    def _conflicts(self, ids: set[tuple[str, str]], node: str) -> list[str]:
        theirs = self.ids_of.get(node, {})
        return sorted(
            f"{scheme} {value} ≠ {', '.join(sorted(theirs[scheme]))}"
            for scheme, value in ids
            if scheme in SINGLE_VALUED and theirs.get(scheme) and value not in theirs[scheme]
        )

    def _distinct(self, a: str, b: str) -> bool:
        c = self.pairs.get((a, b) if a < b else (b, a))
        return c is not None and c.status == "distinct"

    def _nodes(self, ids: Iterable[str], exclude: str) -> set[str]:
        found = set()
        for id in ids:
            node = self.node_of(id)
            if node is not None and node != exclude and not self._distinct(node, exclude):
                found.add(node)
        return found

    def match(
        self, org: Organization, ids: set[tuple[str, str]]
    ) -> tuple[str | None, str, dict, list[Candidate]]:
        """``(node, rule, evidence, candidates)`` for a record that is not a node yet.

        *node* is the certain match, or None; *candidates* are the unsure ones to queue.
        """
        unsure: dict[str, tuple[float, str, dict]] = {}

        def consider(nodes: set[str], rule: str, score: float, evidence: dict) -> str | None:
            clean = [n for n in sorted(nodes) if not self._conflicts(ids, n)]
            for n in sorted(nodes):
                conflicts = self._conflicts(ids, n)
                if conflicts:
                    unsure.setdefault(
                        n, (min(score, 0.7), f"{rule}, conflicting ids", {**evidence, "conflicts": conflicts})
                    )
            if len(clean) == 1:
                return clean[0]
            for n in clean:  # several equally good: a person must pick
                unsure.setdefault(
                    n, (score * 0.9, f"{rule}, ambiguous", {**evidence, "also": [m for m in clean if m != n]})
                )
            return None

        for scheme, value in sorted(ids):
            if scheme in STRONG:
                node = consider(self._nodes(self.by_id.get((scheme, value), ()), org.id), f"{scheme} id", 1.0,
                                {scheme: value})  # fmt: skip
                if node:
                    return node, f"{scheme} id", {scheme: value}, []
        for scheme, value in ids:
            if scheme == "domain":
                nodes = self._nodes(self.by_id.get((scheme, value), ()), org.id)
                here = {n for n in nodes if self.nodes[n].country == org.country}
                node = consider(here, "website domain", 0.95, {"domain": value})
                if node:
                    return node, "website domain", {"domain": value}, []
                for n in nodes - here:
                    unsure.setdefault(n, (0.6, "website domain in another country", {"domain": value}))
        key = match_key(org.name)
        names = [(org.name, key), *((a, match_key(a)) for a in org.aliases)]
        for label, (written, k) in zip(["name", *["alias"] * len(org.aliases)], names, strict=True):
            nodes = self._nodes(self.by_name.get((org.country, k), ()), org.id) | self._nodes(
                self.by_alias.get((org.country, k), ()), org.id
            )
            if not nodes:
                continue
            evidence = {label: written, "country": org.country}
            if acronym_like(written):
                for n in nodes:
                    unsure.setdefault(n, (0.8, f"same {label} (one word) and country", evidence))
                continue
            node = consider(nodes, f"same {label} and country", 0.9, evidence)
            if node:
                return (
                    node,
                    f"same {label} and country",
                    evidence,
                    [self._candidate(org.id, n, *v) for n, v in unsure.items() if n != node],
                )
        words = name_tokens(org.name)
        near: set[str] = set()
        for word in words:
            posting = self.by_word.get((org.country, word), ())
            if len(posting) <= _MAX_POSTINGS:
                near.update(posting)
        for n in self._nodes(near, org.id):
            if n in unsure:
                continue
            score = similarity(words, self.tokens[n])
            if score >= REVIEW_SIMILARITY:
                unsure[n] = (round(score, 3), "similar name, same country",
                             {"name": org.name, "their_name": self.nodes[n].name, "country": org.country})  # fmt: skip
        return None, "", {}, [self._candidate(org.id, n, *v) for n, v in sorted(unsure.items())]

    def _candidate(self, a: str, b: str, score: float, rule: str, evidence: dict) -> Candidate:
        return Candidate(a, b, score, rule, evidence)

    # -- a load ---------------------------------------------------------------------

    def resolve(
        self,
        incoming: list[Incoming],
        ties: Iterable[tuple[int, Collaboration]],
        parts: int,
        loaded_keys: Collection[str] = (),
    ) -> Resolution:
        """Decide every incoming record, then point *ties* (``(part, tie)``) at the nodes.

        *loaded_keys* are the keys of every tie of the load, all distinct: a tie whose
        ends move onto a node can only collide with one of those or another moved one.
        """
        edit = Edit()
        merged, queued = [0] * parts, [0] * parts
        touched: dict[str, tuple[int, Organization]] = {}  # node -> (part, record to write)
        stored = dict(self.nodes)
        for item in incoming:
            org, ids = item.org, identifiers_of(item.org, item.external_ids)
            node = self.node_of(org.id)
            if not item.resolve:
                node = org.id
            elif node is None:
                node, rule, evidence, unsure = self.match(org, ids)
                for c in unsure:
                    if c.pair not in self.pairs:
                        self.pairs[c.pair] = c
                        edit.candidates.append(c)
                        queued[item.part] += 1
                if node is not None:
                    merge = Merge(node, org.id, rule, automatic=True,
                                  evidence={**evidence, "source": item.source, "source_id": item.source_id})  # fmt: skip
                    merge.undo["kept_before"] = self._current(node, touched, stored)
                    self.active_merges[org.id] = merge
                    self.aliases[org.id] = node
                    edit.identifiers.append(Identifier(RECORD, org.id, node, org.id))
            if node is None:  # a new node of its own
                node = org.id
                self.nodes[node] = org
                self._add_names(node, org.country, (), primary=org.name)
            owner = node == org.id
            current = touched[node][1] if node in touched else stored.get(node)
            after = combine(current, org, owner=owner) if item.resolve else org
            touched[node] = (touched[node][0] if node in touched else item.part, after)
            self.nodes[node] = after
            self._add_names(node, org.country, after.aliases, primary=None)
            for scheme, value in sorted(ids):
                self._add_id(scheme, value, node)
                edit.identifiers.append(Identifier(scheme, value, node, org.id))
            if not owner:
                merged[item.part] += 1
                merge = self.active_merges.get(org.id)
                if merge is not None and merge.automatic and merge.undo.get("record") != org.as_dict():
                    # keep the record as last loaded, so a split restores today's version
                    merge.undo["record"] = org.as_dict()
                    merge.undo["source"] = [item.source, item.source_id]
                    edit.merges.append(merge)
        for m in edit.merges:  # the node each new merge produced, for a split to compare with
            if "kept_after" not in m.undo and m.kept in touched:
                m.undo["kept_after"] = touched[m.kept][1].as_dict()
        organizations: list[list[Organization]] = [[] for _ in range(parts)]
        for part, record in touched.values():
            organizations[part].append(record)
        collaborations: list[list[Collaboration]] = [[] for _ in range(parts)]
        moved_keys: set[str] = set()
        rekeyed: dict[str, str] = {}
        dropped = 0
        for part, tie in ties:
            source, target = self.node_of(tie.source) or tie.source, self.node_of(tie.target) or tie.target
            if (source, target) == (tie.source, tie.target):
                new = tie
            elif source == target:
                dropped += 1
                continue
            else:
                new = tie.replace(source=source, target=target)
                # a mutual tie sorts its ends again, so an original may now sit at the other end
                swapped = new.source != source
                originals = (tie.target, tie.source) if swapped else (tie.source, tie.target)
                for end, original in zip(("source", "target"), originals, strict=True):
                    if getattr(new, end) != original:
                        edit.rewrites.append(Rewrite(new.key, end, original))
                if new.key != tie.key:
                    rekeyed[tie.key] = new.key
            if new is not tie:
                if new.key in moved_keys or (new.key != tie.key and new.key in loaded_keys):
                    continue  # the same tie as one already kept
                moved_keys.add(new.key)
            collaborations[part].append(new)
        return Resolution(organizations, collaborations, edit, merged, queued, dropped, rekeyed)

    def _current(self, node: str, touched: dict, stored: dict) -> dict | None:
        org = touched[node][1] if node in touched else stored.get(node)
        return org.as_dict() if org is not None else None
