"""Full-text search over every provision of every text: the index a build writes, and the search on it.

A build writes the index into its release folder (``search/``, beside ``store/`` and ``dumps/``),
from the store it has just filled and linked (:func:`entries`, :func:`write_index`), so that a
release switch switches the index with the store and the pruner removes it with its release.
The service (``/search``), and any other reader, opens it with :meth:`SearchIndex.open` and asks
:meth:`SearchIndex.search`; what the graph says about the hits of one page (their translation,
their draft source) comes from the store with :func:`counterparts`.

The engine is tantivy (BM25 ranking, positions for phrases, a snippet generator), in process.
One document per provision that has text (copies of a repeated block excepted: they would
only repeat their original), its text in the field of its language, each with its analyser:

* ``en``, ``sv``, ``ar``: tantivy's simple tokenizer (runs of letters and digits), lower case,
  then the language's Snowball stemmer, so "workers" finds "worker" and "arbetskraftsinvandringen"
  finds "arbetskraftsinvandring";
* before that, every text and every query goes through :func:`normalise`, the same function at
  index and at query time: Arabic diacritics and tatweel removed, alef variants (أ إ آ ٱ) to
  ا, alef maqsura ى to ي, ta marbuta ة to ه, and the conjunction و/ف glued to the article
  (والهجرة → الهجرة), which the Snowball stemmer leaves.  Diacritics must go *before* tokenizing:
  they are not letters, so the tokenizer would otherwise split a word at each of them.

Query syntax is deliberately small: words, and "exact phrases" in double quotes.  Every word
and phrase must match (in the field of any language searched); nothing else is an operator,
so ``AND``, ``:``, ``(`` or a stray quote are searched as the plain words they contain and no
query string can fail to parse.  What can be refused is said by :class:`SearchError`: a query
with nothing to search for, too long, or a filter or page outside what the index holds.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tantivy
from pyoxigraph import Literal, NamedNode

from gcmkg.errors import GcmkgError
from gcmkg.iris import ELI, RDFS, Iris
from gcmkg.model import ProvisionKind
from gcmkg.store import GraphStore

INDEX_FOLDER = "search"  # inside a release folder
FACETS_FILE = "facets.json"  # the values each filter can take, with their names
LANGUAGES = {"en": "english", "sv": "swedish", "ar": "arabic"}  # language tag → tantivy stemmer
LANGUAGE_NAMES = {"en": "English", "sv": "Swedish", "ar": "Arabic"}
MAX_QUERY_CHARS = 500
MAX_LIMIT = 100
MAX_OFFSET = 10_000
SNIPPET_CHARS = 240
_KINDS = {kind.value for kind in ProvisionKind}


class SearchError(GcmkgError):
    """A search that cannot be run as asked (a client's fault: the service answers 400)."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(message)


class NoSearchIndex(GcmkgError):
    """The release has no search index (built before search existed, or the stage failed)."""


# normalisation and analysis --------------------------------------------------------------------

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640]")
# "and the" / "so the" written as one word (والهجرة): the stemmer strips the article but not the
# conjunction before it, so وال… would never meet ال…; three letters at least must follow the article
_ARABIC_CONJUNCTION = re.compile(r"(?<!\w)[وف](?=ال\w{3})")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


def normalise(text: str) -> str:
    """The text as it is indexed and searched: Arabic diacritics and tatweel gone, letter variants unified.

    The conjunction و or ف written before the article is dropped too (والاعتراف → الاعتراف).

    >>> normalise("الهِجْرَة") == normalise("الهجره") == "الهجره"
    True
    >>> normalise("إدارة أمن المهاجرين في مصر، على ســواحل") == "اداره امن المهاجرين في مصر، علي سواحل"
    True
    >>> normalise("والاعتراف المتبادل وفد") == "الاعتراف المتبادل وفد"
    True
    >>> normalise("Migrant workers")
    'Migrant workers'
    """
    return _normalised(text)[0]


def _normalised(text: str) -> tuple[str, list[int]]:
    """The normalised text, and for each of its characters the index of the character it came from."""
    marks = {match.start() for match in _ARABIC_MARKS.finditer(text)}
    origin = [i for i in range(len(text)) if i not in marks] if marks else list(range(len(text)))
    folded = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)  # the fold maps one letter to one
    dropped = {match.start() for match in _ARABIC_CONJUNCTION.finditer(folded)}
    if not dropped:
        return folded, origin
    kept_at = [i for i in range(len(folded)) if i not in dropped]
    return "".join(folded[i] for i in kept_at), [origin[i] for i in kept_at]


def analyser(language: str) -> tantivy.TextAnalyzer:
    """The analyser of one language's field: simple tokens, lower case, the language's stemmer.

    >>> analyser("sv").analyze("Arbetskraftsinvandringen")
    ['arbetskraftsinvandring']
    >>> analyser("ar").analyze(normalise("العمال المهاجرين"))
    ['عمال', 'مهاجر']
    """
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer(LANGUAGES[language]))
        .build()
    )


def _text_field(language: str) -> str:
    return f"text_{language}"


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in ("iri", "document", "language", "kind", "objective"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw")  # exact values: filters
    for name in ("symbol", "number", "label", "text"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    for language in LANGUAGES:
        builder.add_text_field(_text_field(language), stored=True, tokenizer_name=f"gcm_{language}")
    return builder.build()


def _register(index: tantivy.Index) -> None:
    # analysers are not stored with an index: every opener registers the same ones
    for language in LANGUAGES:
        index.register_tokenizer(f"gcm_{language}", analyser(language))


# what is indexed --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One provision as the index holds it."""

    iri: str
    document: str  # the document's key (``a-73-l-66``)
    symbol: str  # what the document is called: its symbol, or its title
    language: str  # the language of the text (a provision may be printed in another than its document's)
    kind: str  # the provision's class (:class:`gcmkg.model.ProvisionKind` value)
    number: str  # as printed, "" for unnumbered provisions
    label: str
    text: str  # heading and text, as printed
    objectives: tuple[str, ...]  # objective numbers: its own objective's, or those it reviews / corresponds to


@dataclass(frozen=True)
class Facet:
    value: str
    name: str


@dataclass(frozen=True)
class Facets:
    """The values each filter can take in one index, in display order, with their names."""

    documents: tuple[Facet, ...]
    languages: tuple[Facet, ...]
    kinds: tuple[Facet, ...]
    objectives: tuple[Facet, ...]

    def values(self, name: str) -> set[str]:
        return {facet.value for facet in getattr(self, name)}


_PROVISIONS = """
SELECT ?provision ?document ?text ?kind ?number ?label ?heading ?order WHERE {
  ?provision gcm:inDocument ?document ; gcm:text ?text ; gcm:readingOrder ?order ; a ?kind .
  FILTER NOT EXISTS { ?provision gcm:copyOf ?original }
  OPTIONAL { ?provision gcm:number ?number }
  OPTIONAL { ?provision rdfs:label ?label }
  OPTIONAL { ?provision gcm:heading ?heading }
}"""

_OBJECTIVES = """
SELECT ?provision ?number WHERE {
  ?objective a gcm:Objective ; gcm:number ?number .
  { ?provision eli:is_part_of* ?objective } UNION { ?provision gcm:reviews|gcm:correspondsTo ?objective }
}"""

_DOCUMENTS = """
SELECT ?document ?name ?order WHERE {
  ?document a gcm:Document ; eli:realizes/rdfs:label ?name .
  OPTIONAL { ?document eli:date_document ?order }
}"""

_KIND_NAMES = """
SELECT ?kind ?name WHERE { ?kind a owl:Class ; rdfs:label ?name . FILTER(lang(?name) = "en") }"""


def _prologue(iris: Iris) -> str:
    return (
        f"PREFIX gcm: <{iris.term('').value}>\nPREFIX eli: <{ELI}>\nPREFIX rdfs: <{RDFS}>\n"
        "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
    )


def _value(row: dict[str, Any], name: str) -> str:
    term = row.get(name)
    return term.value if term is not None else ""


def entries(store: GraphStore) -> tuple[list[Entry], Facets]:
    """Every provision with text in ``store``, in document and reading order, and the filters' values."""
    iris = Iris(store.base_iri)
    prologue = _prologue(iris)
    documents: dict[str, tuple[str, str]] = {}
    for row in store.select(prologue + _DOCUMENTS):
        documents[_value(row, "document")] = (_value(row, "name"), _value(row, "order"))
    kind_names = {
        _value(row, "kind").removeprefix(iris.term("").value): _value(row, "name")
        for row in store.select(prologue + _KIND_NAMES)
    }
    objectives: dict[str, set[str]] = defaultdict(set)
    for row in store.select(prologue + _OBJECTIVES):
        objectives[_value(row, "provision")].add(_value(row, "number"))
    found: dict[str, tuple[tuple[str, str, int], Entry]] = {}
    for row in store.select(prologue + _PROVISIONS):
        kind = _value(row, "kind").removeprefix(iris.term("").value)
        document = _value(row, "document")
        key = iris.document_key(document)
        if kind not in _KINDS or key is None:
            continue  # another type of the same provision (gcm:Copy is excluded above)
        text, heading = row["text"], _value(row, "heading")
        assert isinstance(text, Literal)
        shown = text.value if not heading or heading in text.value else f"{heading}. {text.value}"
        entry = Entry(
            iri=_value(row, "provision"),
            document=key[0],
            symbol=documents.get(document, (key[0], ""))[0],
            # a text tagged "mul" (a letter quoting several languages) is searched in its document's
            language=text.language if text.language in LANGUAGES else key[1],
            kind=kind,
            number=_value(row, "number"),
            label=_value(row, "label"),
            text=shown,
            objectives=tuple(sorted(objectives.get(_value(row, "provision"), ()), key=_number_order)),
        )
        order = (documents.get(document, ("", ""))[1], key[0], int(_value(row, "order")))
        found[entry.iri] = (order, entry)
    ordered = [entry for _, entry in sorted(found.values(), key=lambda pair: pair[0])]
    return ordered, _facets(ordered, kind_names)


def _number_order(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (10**6, number)


def _facets(indexed: Sequence[Entry], kind_names: dict[str, str]) -> Facets:
    documents: dict[str, str] = {}
    for entry in indexed:
        documents.setdefault(entry.document, entry.symbol)
    kinds = sorted({entry.kind for entry in indexed}, key=lambda kind: (kind_names.get(kind) or kind).lower())
    numbers = sorted({n for entry in indexed for n in entry.objectives}, key=_number_order)
    # an objective is named by its title in the latest text that has objectives (entries are in
    # date order, later ones win): the final text's, the one every other text is aligned to
    titles = {e.number: e.text for e in indexed if e.kind == ProvisionKind.OBJECTIVE.value and e.number}
    return Facets(
        documents=tuple(Facet(key, name) for key, name in documents.items()),
        languages=tuple(
            Facet(language, LANGUAGE_NAMES[language])
            for language in LANGUAGES
            if any(e.language == language for e in indexed)
        ),
        kinds=tuple(Facet(kind, kind_names.get(kind, kind)) for kind in kinds),
        objectives=tuple(Facet(n, f"Objective {n}: {titles[n]}" if n in titles else f"Objective {n}") for n in numbers),
    )


@dataclass(frozen=True)
class IndexFigures:
    """What :func:`write_index` wrote, for the build's progress line."""

    documents: int
    bytes: int


def write_index(folder: Path, indexed: Iterable[Entry], facets: Facets) -> IndexFigures:
    """Write the index of ``indexed`` into ``folder`` (replacing what is there), with its facets."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    index = tantivy.Index(_schema(), path=str(folder))
    _register(index)
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    count = 0
    for entry in indexed:
        if entry.language not in LANGUAGES:
            raise GcmkgError(f"{entry.iri}: text in {entry.language!r}, which the search index has no analyser for")
        fields: dict[str, Any] = {
            "iri": entry.iri,
            "document": entry.document,
            "symbol": entry.symbol,
            "language": entry.language,
            "kind": entry.kind,
            "number": entry.number,
            "label": entry.label,
            "text": entry.text,
            _text_field(entry.language): normalise(entry.text),
        }
        document = tantivy.Document(**fields)
        for objective in entry.objectives:
            document.add_text("objective", objective)
        writer.add_document(document)
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    (folder / FACETS_FILE).write_text(json.dumps(asdict(facets), ensure_ascii=False, indent=1), encoding="utf-8")
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    return IndexFigures(count, size)


# searching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One ranked provision: what it is, where it is, and its text with the matches marked."""

    iri: str
    document: str
    symbol: str
    number: str
    kind: str
    language: str
    label: str
    snippet: str  # HTML: the text escaped, matches in <mark>; cut to about SNIPPET_CHARS with "…"
    score: float


@dataclass(frozen=True)
class Results:
    """One page of ranked hits, and how many there are in all."""

    query: str
    total: int
    offset: int
    limit: int
    hits: tuple[Hit, ...]
    filters: dict[str, str] = field(default_factory=dict)  # the filters applied, by name


_TERMS = re.compile(r'"([^"]*)"|([^\s"]+)')


def query_parts(text: str) -> list[tuple[str, bool]]:
    """``(text, is_phrase)`` for each word and quoted phrase; a quote left open is ignored.

    >>> query_parts('migrant "decent work" ILO')
    [('migrant', False), ('decent work', True), ('ILO', False)]
    >>> query_parts('"decent work')
    [('decent', False), ('work', False)]
    """
    if text.count('"') % 2:
        last = text.rindex('"')
        text = text[:last] + " " + text[last + 1 :]
    return [(phrase or word, bool(phrase)) for phrase, word in _TERMS.findall(text) if (phrase or word).strip()]


class SearchIndex:
    """An index opened for searching; thread-safe (tantivy searchers are)."""

    def __init__(self, index: tantivy.Index, facets: Facets) -> None:
        self._index = index
        self._schema = index.schema
        self._searcher = index.searcher()
        self._analysers = {language: analyser(language) for language in LANGUAGES}
        self.facets = facets

    @classmethod
    def open(cls, folder: Path) -> SearchIndex:
        """The index in ``folder`` (a release's ``search/``); :class:`NoSearchIndex` if there is none."""
        if not (folder / FACETS_FILE).is_file():
            raise NoSearchIndex(f"{folder}: no search index here; rebuild the release (`make build`)")
        index = tantivy.Index.open(str(folder))
        _register(index)
        facets_json = json.loads((folder / FACETS_FILE).read_text(encoding="utf-8"))
        facets = Facets(**{name: tuple(Facet(**f) for f in values) for name, values in facets_json.items()})
        return cls(index, facets)

    @property
    def size(self) -> int:
        return int(self._searcher.num_docs)

    def contains(self, iri: str) -> bool:
        """True if the provision ``iri`` is indexed."""
        query = tantivy.Query.term_query(self._schema, "iri", iri)
        return bool(self._searcher.search(query, 1).hits)

    def search(
        self,
        text: str,
        *,
        language: str | None = None,
        document: str | None = None,
        kind: str | None = None,
        objective: str | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> Results:
        """The provisions matching every word and phrase of ``text``, best first (BM25).

        Filters (each one of :attr:`facets`' values, or None for any) narrow the hits; ``limit``
        and ``offset`` page them.  :class:`SearchError` names what cannot be searched.
        """
        applied = self.filters(language=language, document=document, kind=kind, objective=objective)
        if not 1 <= limit <= MAX_LIMIT:
            raise SearchError("limit", f"limit must be from 1 to {MAX_LIMIT}")
        if not 0 <= offset <= MAX_OFFSET:
            raise SearchError("offset", f"offset must be from 0 to {MAX_OFFSET}")
        if len(text) > MAX_QUERY_CHARS:
            raise SearchError("q", f"the query is {len(text)} characters long; at most {MAX_QUERY_CHARS} are searched")
        languages = [language] if language else list(LANGUAGES)
        query = self._query(text, languages)
        clauses = [(tantivy.Occur.Must, query)]
        for name, value in applied.items():
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(self._schema, name, value)))
        found = self._searcher.search(tantivy.Query.boolean_query(clauses), limit, count=True, offset=offset)
        snippets: dict[str, tantivy.SnippetGenerator] = {}  # made only for the languages of this page's hits
        hits = []
        for score, address in found.hits:
            stored = self._searcher.doc(address)
            lang = stored["language"][0]
            hits.append(
                Hit(
                    iri=stored["iri"][0],
                    document=stored["document"][0],
                    symbol=stored["symbol"][0],
                    number=stored["number"][0],
                    kind=stored["kind"][0],
                    language=lang,
                    label=stored["label"][0],
                    snippet=_snippet(self._snippets(query, lang, snippets).snippet_from_doc(stored), stored["text"][0]),
                    score=round(float(score), 4),
                )
            )
        total = found.count  # type: ignore[attr-defined]  # there with count=True; missing from tantivy's stubs
        return Results(text, int(total or 0), offset, limit, tuple(hits), applied)

    def filters(
        self,
        *,
        language: str | None = None,
        document: str | None = None,
        kind: str | None = None,
        objective: str | None = None,
    ) -> dict[str, str]:
        """The filters given (None or "" is any), checked: :class:`SearchError` for a value the index does not hold."""
        given = {"language": language, "document": document, "kind": kind, "objective": objective}
        applied = {name: value for name, value in given.items() if value}
        for name, value in applied.items():
            if value not in self.facets.values(f"{name}s"):
                raise SearchError(
                    name,
                    f"{name} {value!r} is not in this index; known: "
                    + ", ".join(sorted(self.facets.values(f"{name}s"), key=_number_order)),
                )
        return applied

    def _query(self, text: str, languages: list[str]) -> tantivy.Query:
        """Every word and phrase must match, each in the field of any of ``languages``."""
        parts = []
        for part, _ in query_parts(normalise(text)):
            alternatives = []
            for language in languages:
                terms = self._analysers[language].analyze(part)
                name = _text_field(language)
                if len(terms) == 1:
                    alternatives.append(tantivy.Query.term_query(self._schema, name, terms[0]))
                elif terms:  # a phrase, or a word the tokenizer splits ("migration-related")
                    alternatives.append(
                        tantivy.Query.phrase_query(self._schema, name, list[str | tuple[int, str]](terms))
                    )
            if alternatives:
                parts.append(
                    alternatives[0]
                    if len(alternatives) == 1
                    else tantivy.Query.boolean_query(
                        [(tantivy.Occur.Should, alternative) for alternative in alternatives]
                    )
                )
        if not parts:
            raise SearchError("q", "nothing to search for: give at least one word (letters or digits)")
        return (
            parts[0] if len(parts) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Must, part) for part in parts])
        )

    def _snippets(
        self, query: tantivy.Query, language: str, made: dict[str, tantivy.SnippetGenerator]
    ) -> tantivy.SnippetGenerator:
        if language not in made:
            made[language] = tantivy.SnippetGenerator.create(self._searcher, query, self._schema, _text_field(language))
            made[language].set_max_num_chars(SNIPPET_CHARS)
        return made[language]


def _snippet(snippet: tantivy.Snippet, original: str) -> str:
    """The snippet tantivy cut from the normalised text, shown in the original text, escaped, matches marked.

    tantivy's ranges are UTF-8 byte offsets into the normalised text (the fragment's into the whole
    field, the highlights' into the fragment); they are mapped back to characters of the original.
    """
    normalised, origin = _normalised(original)
    encoded = normalised.encode("utf-8")

    def source(byte: int) -> int:
        char = len(encoded[:byte].decode("utf-8", errors="ignore"))
        return origin[char] if char < len(origin) else len(original)  # a mark takes the diacritics after it

    if snippet.fragment():
        fragment = snippet.fragment_range()
        start, end = source(fragment.start), source(fragment.end)
        marks = [(source(fragment.start + m.start), source(fragment.start + m.end)) for m in snippet.highlighted()]
    else:  # nothing to highlight in this field: the beginning of the text
        start, end, marks = 0, min(len(original), SNIPPET_CHARS), []
    pieces, cursor = [], start
    for mark_start, mark_end in marks:
        pieces.append(html.escape(original[cursor:mark_start]))
        pieces.append(f"<mark>{html.escape(original[mark_start:mark_end])}</mark>")
        cursor = mark_end
    pieces.append(html.escape(original[cursor:end]))
    return ("…" if start > 0 else "") + "".join(pieces).strip() + ("…" if end < len(original) else "")


# what the graph says about the hits -------------------------------------------------------------


@dataclass(frozen=True)
class Counterpart:
    """A provision the graph links a hit to: its translation, or the draft it descends from."""

    relation: str  # "translation" or "draft source"
    iri: str
    label: str
    language: str
    text: str


def counterparts(store: GraphStore, hits: Iterable[str]) -> dict[str, list[Counterpart]]:
    """For each hit IRI, its aligned provision in the other language and, for the final text, its draft source.

    Index lookups on the store (the ``gcm:translates`` and ``gcm:descendsFrom`` links of the
    alignments graph), meant for the hits of one page.
    """
    iris = Iris(store.base_iri)
    translates, descends = iris.term("translates"), iris.term("descendsFrom")
    label, text_of = NamedNode(RDFS + "label"), iris.term("text")

    def describe(relation: str, node: Any) -> Counterpart | None:
        if not isinstance(node, NamedNode):
            return None
        texts = [q.object for q in store.match(node, text_of, None) if isinstance(q.object, Literal)]
        labels = [q.object.value for q in store.match(node, label, None) if isinstance(q.object, Literal)]
        if not texts:
            return None
        return Counterpart(
            relation, node.value, labels[0] if labels else node.value, texts[0].language or "", texts[0].value
        )

    found: dict[str, list[Counterpart]] = {}
    for iri in hits:
        node = NamedNode(iri)
        linked = [
            *(("translation", q.object) for q in store.match(node, translates, None)),
            *(("translation", q.subject) for q in store.match(None, translates, node)),
            *(("draft source", q.object) for q in store.match(node, descends, None)),
        ]
        described = [c for relation, other in linked if (c := describe(relation, other)) is not None]
        found[iri] = sorted({c.iri: c for c in described}.values(), key=lambda c: (c.relation != "translation", c.iri))
    return found


_open_lock = threading.Lock()


def open_cached(folder: Path, cache: dict[str, Any]) -> SearchIndex:
    """The index of ``folder``, opened once and kept in ``cache`` (a served release's per-release cache)."""
    with _open_lock:
        index = cache.get("search-index")
        if index is None:
            index = cache["search-index"] = SearchIndex.open(folder)
        return index  # type: ignore[no-any-return]
