"""The ranking behind adops_find_tools: plain-language requests to the tools that serve them.

BM25F over each tool's fields (name, title, description, parameters, and the words people use for it),
with a light stemmer, stop words and the ad-ops vocabulary in `tools/vocabulary.json`. On top of the
text score: a vendor named in the request narrows to that vendor, and a request for one object (an id,
"this job") or for many ("all", "list", plurals) favours the tools that act on one or list many.

Written here rather than taken from a library: the catalogue is under a hundred short documents, the
vocabulary and the one-or-many rule need their own tokenising anyway, and no dependency. This module
loads on the first search (not at start-up), and builds its index then (a few milliseconds).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Container, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ..tools import index
from .adops_tools import SEARCHABLE_ADOPS_TOOLS
from .lazy import packaged_schemas

VOCABULARY = index.INDEX.with_name("vocabulary.json")

# Field weights: a word in the tool's name says more than one in its description.
WEIGHTS = {"name": 3.0, "title": 2.0, "words": 1.5, "description": 1.0, "pointers": 1.0, "params": 0.5}
K1 = 1.2
B = 0.75
SYNONYM_WEIGHT = 0.7  # a word the vocabulary adds counts a little less than the user's own
CARDINALITY = 1.2  # how much a request for one object (or for many) favours the tools that match it
NAME_COVERAGE = 0.5  # a tool whose name the request says in full comes before one it only touches
READ_NOT_CHANGE = 1.3  # a request to read ("what ...?", "show") puts tools that change things after
HEAD_OBJECT = 1.3  # a tool named after the first object a request names: what it acts on ("creatives of plan 7")
OTHER_CHANGE = 1.3  # a tool that makes another change than the one asked for
MANY_LIST_WEIGHT = 0.5  # "all", "every", "which" ask for a list
LATER_STEP_WEIGHT = 0.5  # words after "then" / "so I can" are the next step: the first comes first
NOT_COMMANDS = ("ed", "ion", "ing", "s")  # "paused", "activation", "pausing": states and things, not orders
LATER_STEP = frozenset({"then", "so", "afterwards"})


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


VERBS = _words(
    "list get create add update delete pause enable activate diagnose wait submit set apply generate request"
)
VERBS |= {"send", "stream"}
CHANGE_VERBS = _words("create add update delete pause enable activate set apply send")
QUESTION_WORDS = _words("is are was were does do did has have had what whats which who when where how can")
# `get` stays: it is a catalogue word, and "show"/"details" add it through the vocabulary.
STOP_WORDS = _words(
    """a an the of in on for to from at by with and or but so as is are was were be been being it its this
    that these those me my our we us i you your please can could would should will shall do does did have has
    had now yet what whats how who whom whose there their them they he she his her any some just also want
    need like let lets give tell make sure id ids im about into under over up out via then than too very
    only still already first next after before"""
)
_TOKEN = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_TOOL_NAME = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
_CLAUSES = re.compile(r"[.;()]")


STEM_EXCEPTIONS = {"settings": "setting", "setting": "setting"}  # not the verb "set"


@functools.lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light English stemmer: plurals, -ing, -ed, -ation, -er, -al and a final e come off."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word in STEM_EXCEPTIONS:
        return STEM_EXCEPTIONS[word]
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return stem(word[: -len(suffix)] + replacement)
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if word.endswith("ation") and len(word) > 7:
        word = word[:-5] + "at"
    elif word.endswith("tion") and len(word) > 6:
        word = word[:-3]
    elif (word.endswith("er") and len(word) > 5) or (word.endswith("al") and len(word) > 6):
        word = word[:-2]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


@dataclass(frozen=True)
class Vocabulary:
    phrases: dict[tuple[str, ...], str]
    synonyms: dict[tuple[str, ...], tuple[str, ...]]
    vendors: dict[str, str]  # word -> vendor
    many: frozenset[str]
    one: frozenset[str]
    tool_words: dict[str, tuple[str, ...]]

    @functools.cached_property
    def longest_phrase(self) -> int:
        return max(len(k) for k in self.phrases)

    @functools.cached_property
    def phrase_starts(self) -> frozenset[str]:
        return frozenset(k[0] for k in self.phrases)

    @functools.cached_property
    def longest_synonym(self) -> int:
        return max(len(k) for k in self.synonyms)

    @functools.cached_property
    def words(self) -> frozenset[str]:
        """Every single word the vocabulary knows (typo correction leaves them alone)."""
        return frozenset(w for k in (*self.phrases, *self.synonyms) for w in k)

    @staticmethod
    def load(data: Mapping[str, Any]) -> Vocabulary:
        def key(text: str) -> tuple[str, ...]:
            return tuple(_TOKEN.findall(text.lower()))

        loaded = Vocabulary(
            phrases={key(k): v for k, v in data["phrases"].items()},
            synonyms={},
            vendors={word: vendor for vendor, words in data["vendors"].items() for word in words},
            many=frozenset(data["many"]),
            one=frozenset(data["one"]),
            tool_words={name: tuple(words) for name, words in data["tool_words"].items()},
        )
        # Synonyms see a request after its phrases are joined ("stopped delivering" -> "stopped deliver").
        loaded.synonyms.update({tuple(loaded.rewrite(list(key(k)))): tuple(v) for k, v in data["synonyms"].items()})
        return loaded

    def rewrite(self, tokens: list[str]) -> list[str]:
        """Several words that name one thing ("job group", "posting config") become one term."""
        return [term for term, _ in self.rewrite_spans(tokens)]

    def rewrite_spans(self, tokens: list[str]) -> list[tuple[str, str]]:
        """`rewrite`, each term with the words it came from."""
        out: list[tuple[str, str]] = []
        i = 0
        longest = self.longest_phrase
        starts = self.phrase_starts
        while i < len(tokens):
            for size in range(min(longest, len(tokens) - i) if tokens[i] in starts else 0, 0, -1):
                joined = self.phrases.get(tuple(tokens[i : i + size]))
                if joined is not None:
                    last = tokens[i + size - 1]
                    # "job groups" stays plural: a request for many
                    plural = last.endswith("s") and stem(last) != last and joined not in self.vendors
                    out.append((joined + "s" if plural else joined, " ".join(tokens[i : i + size])))
                    i += size
                    break
            else:
                out.append((tokens[i], tokens[i]))
                i += 1
        return out

    def translate(self, tokens: list[str]) -> list[tuple[str, float, str, int]]:
        """(word, weight, the request's words it came from, their position) for a request's tokens, longest
        vocabulary match first. A word the vocabulary maps is replaced by what it means, unless its list names
        the word itself: then it stays, and the other words widen it at a lower weight."""
        out: list[tuple[str, float, str, int]] = []
        longest = self.longest_synonym
        i = 0
        while i < len(tokens):
            for size in range(min(longest, len(tokens) - i), 0, -1):
                meaning = self.synonyms.get(tuple(tokens[i : i + size]))
                if meaning is not None:
                    origin = " ".join(tokens[i : i + size])
                    keeps = origin in meaning
                    out += [(w, 1.0 if w == origin or not keeps else SYNONYM_WEIGHT, origin, i) for w in meaning]
                    i += size
                    break
            else:
                out.append((tokens[i], 1.0, tokens[i], i))
                i += 1
        return out


def raw_tokens(text: str) -> list[str]:
    """Lower-case words, snake_case and camelCase split; hyphenated ids ("WH-77") stay whole."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).replace("_", " ")
    return _TOKEN.findall(text.lower())


def terms(tokens: Iterable[str]) -> list[str]:
    """Stemmed catalogue terms of already rewritten tokens, stop words out, hyphenated words split."""
    out: list[str] = []
    for token in tokens:
        token = token.removesuffix("'s").replace("'", "")
        parts = token.split("-") if not any(c.isdigit() for c in token) else [token]
        out += [stem(part) for part in parts if part and part not in STOP_WORDS]
    return out


@dataclass
class Doc:
    name: str
    vendor: str
    fields: dict[str, Counter[str]]
    effect: str
    verb: str  # the first word of its name after the vendor: get, list, pause, ...
    many: bool  # lists or reads many objects
    siblings: tuple[str, ...]  # tools its description points to
    raw: set[str] = field(default_factory=set)  # its words before stemming, for typo correction
    term_scores: dict[str, float] = field(default_factory=dict)  # term -> its BM25F score in this tool

    @functools.cached_property
    def carries_out(self) -> frozenset[str]:
        """The commands this tool carries out: its verb's, and those its vocabulary words name (Merchenta's
        set status pauses and resumes)."""
        return VERB_FAMILIES.get(self.verb, frozenset({self.verb})) | frozenset(self.fields["words"])

    @functools.cached_property
    def lengths(self) -> dict[str, int]:
        return {f: sum(c.values()) for f, c in self.fields.items()}


@dataclass(frozen=True)
class Hit:
    name: str
    score: float
    matched: tuple[str, ...]
    why: str
    siblings: tuple[str, ...] = field(default=())


@dataclass
class Query:
    weights: dict[str, float]  # term -> weight
    origins: dict[str, str]  # term -> the request's words it came from
    vendors: set[str]
    wants: str | None  # "one", "many" or None
    reads: bool  # asks to read (a question, "show", "list") and names no change
    question: bool
    head: str | None  # the first object it names: what it acts on ("creatives" of "bidding plan 7")
    commands: frozenset[str]  # the change verbs it says in the imperative ("pause", not "paused")


class Index:
    def __init__(self, entries: Iterable[Mapping[str, Any]], vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        entries = list(entries)
        names = {e["name"] for e in entries}
        # What other tools' descriptions say of a tool ("One job in full: joveo_get_job") describes it too.
        self.pointers: dict[str, list[str]] = {}
        for entry in entries:
            for clause in _CLAUSES.split(entry["description"]):
                for target in {n for n in _TOOL_NAME.findall(clause) if n in names and n != entry["name"]}:
                    self.pointers.setdefault(target, []).append(_TOOL_NAME.sub(" ", clause))
        self.docs = [self._doc(e, names) for e in entries]
        self.df: Counter[str] = Counter()
        for doc in self.docs:
            self.df.update(set().union(*doc.fields.values()))
        self.known = set(self.df)
        self.raw_words = set().union(*(d.raw for d in self.docs))
        self._corrected: dict[str, str] = {}
        self.avg = {
            f: max(1.0, sum(sum(d.fields[f].values()) for d in self.docs) / max(1, len(self.docs))) for f in WEIGHTS
        }
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in self.df.items()}
        for doc in self.docs:  # BM25F: field-weighted, length-normalised term frequency, saturated once
            for term in set().union(*doc.fields.values()):
                tf = sum(
                    w * doc.fields[f][term] / (1 - B + B * doc.lengths[f] / self.avg[f])
                    for f, w in WEIGHTS.items()
                    if doc.fields[f][term]
                )
                doc.term_scores[term] = self.idf[term] * tf / (K1 + tf)
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for position, doc in enumerate(self.docs):
            for term, score in doc.term_scores.items():
                self.postings.setdefault(term, []).append((position, score))

    def _text_terms(self, text: str) -> list[str]:
        return terms(self.vocabulary.rewrite(raw_tokens(text)))

    def _doc(self, entry: Mapping[str, Any], names: set[str]) -> Doc:
        name: str = entry["name"]
        vendor: str = entry["vendor"]
        description: str = entry["description"]
        # Clauses that point at another tool describe that tool, not this one: they name siblings instead.
        siblings = tuple(dict.fromkeys(n for n in _TOOL_NAME.findall(description) if n in names and n != name))
        own = " ".join(_own_words(c, siblings) for c in _CLAUSES.split(description))
        vendor_words = {w for w, v in self.vocabulary.vendors.items() if v == vendor} | {name.split("_")[0]}
        name_tokens = [t for t in raw_tokens(name) if t not in vendor_words]
        params: list[str] = []
        for pname, prop in entry.get("properties", {}).items():
            params += self._text_terms(pname) + self._text_terms(str(prop.get("description", "")))
        fields = {
            "name": Counter(terms(self.vocabulary.rewrite(name_tokens))),
            "title": Counter(t for t in self._text_terms(entry["title"]) if t not in vendor_words),
            "words": Counter(t for w in self.vocabulary.tool_words.get(name, ()) for t in self._text_terms(w)),
            "description": Counter(t for t in self._text_terms(own) if t not in vendor_words),
            "params": Counter(params),
            "pointers": Counter(t for c in self.pointers.get(name, ()) for t in self._text_terms(c)),
        }
        many = any(t in ("list", "metadata", "bulk") for t in name_tokens) or any(
            t.endswith("s") and stem(t) != t and t not in ("status", "stats") for t in name_tokens
        )
        raw = set(raw_tokens(f"{name} {entry['title']} {own}"))
        verb = stem(name_tokens[0]) if name_tokens else ""
        return Doc(name, vendor, fields, entry["effect"], verb, many, siblings, raw)

    @functools.cached_property
    def spellings(self) -> dict[int, list[str]]:
        """Every word the catalogue and the vocabulary know, by length, to correct typos against."""
        words = set(self.raw_words) | {w for k in (*self.vocabulary.synonyms, *self.vocabulary.phrases) for w in k}
        words |= set(self.vocabulary.vendors)
        by_length: dict[int, list[str]] = {}
        for word in sorted(words):
            if len(word) >= 4 and word.isalpha():
                by_length.setdefault(len(word), []).append(word)
        return by_length

    def correct(self, token: str) -> str:
        """Two known words glued together ("activationstatus"), or the known word one typo away (two for
        long words), else the token itself."""
        if len(token) < 4 or not token.isalpha() or token in STOP_WORDS or stem(token) in self.known:
            return token
        if token in self.vocabulary.vendors or token in self.vocabulary.words:
            return token
        if token in self._corrected:
            return self._corrected[token]
        for cut in range(3, len(token) - 2):
            if stem(token[:cut]) in self.known and stem(token[cut:]) in self.known:
                return f"{token[:cut]} {token[cut:]}"
        allowed = 1 if len(token) < 7 else 2
        best, best_distance = token, allowed + 1
        for length in range(len(token) - allowed, len(token) + allowed + 1):
            for word in self.spellings.get(length, ()):
                if word[0] != token[0] and word[:2] != token[1::-1]:
                    continue  # a typo rarely touches the first letter (but may swap the first two)
                distance = typo_distance(token, word, best_distance + 1)
                # on a tie, a word of the tools' names wins ("activte": activate, not active)
                if distance < best_distance or (
                    distance == best_distance <= allowed and self._naming(word) > self._naming(best)
                ):
                    best, best_distance = word, distance
        if len(self._corrected) < 10_000:
            self._corrected[token] = best
        return best

    def _naming(self, word: str) -> bool:
        return stem(word) in self.objects or stem(word) in _STEMMED_VERBS

    def query(self, text: str) -> Query:
        vocabulary = self.vocabulary
        shouted = {w.lower() for w in re.findall(r"\b[A-Z][A-Z0-9-]+\b", re.sub(r"([a-z])([A-Z])", r"\1 \2", text))}
        words = raw_tokens(text)
        spans = vocabulary.rewrite_spans([w for t in words for w in self.correct(t).split()])
        tokens = [term for term, _ in spans]
        vendors = {vocabulary.vendors[t] for t in tokens if t in vocabulary.vendors}
        one = many = 0
        kept: list[str] = []
        said: list[str] = []  # the request's own words for each kept term, for `why`
        later = len(tokens)  # where a second step starts ("..., then pause it"): it counts less
        for token, source in spans:
            if token in vocabulary.vendors:
                continue
            if (any(c.isdigit() for c in token) or token in shouted) and stem(token) not in self.known:
                one = 1  # an object's id ("WH-77", "c-123", "5f2a9c01", "7101", "SPRING24")
                prefix = token.split("-")[0]  # "JG-4" names a job group
                if prefix != token and prefix.isalpha() and (prefix,) in vocabulary.phrases:
                    kept.append(vocabulary.phrases[(prefix,)])
                    said.append(source)
                continue
            if token in LATER_STEP and kept:
                later = min(later, len(kept))
            if token in vocabulary.many:
                many += 2
            elif token in vocabulary.one:
                one += 1
            kept.append(token)
            said.append(source)
        weights: dict[str, float] = {}
        origins: dict[str, str] = {}
        head: str | None = None
        commands: set[str] = set()
        for word, weight, origin, position in vocabulary.translate(kept):
            if word in vocabulary.many and word != "list":
                word, weight = "list", MANY_LIST_WEIGHT
            factor = LATER_STEP_WEIGHT if position >= later else 1.0
            for term in terms([word]):
                if term not in self.known:
                    continue
                if word == origin and word.endswith("s") and term != word and term in self.objects:
                    many += 2  # a plural object: "jobs", "job groups"
                if head is None and term in self.objects and factor == 1.0:
                    head = term
                if term in _STEMMED_CHANGE_VERBS and factor == 1.0 and not origin.endswith(NOT_COMMANDS):
                    commands.add(term)
                if weights.get(term, 0.0) < weight * factor:
                    weights[term] = weight * factor
                    origins[term] = " ".join(said[position : position + len(origin.split())])
        wants = "many" if many > one else "one" if one > many else None
        question = text.rstrip().endswith("?") or (bool(words) and words[0].removesuffix("'s") in QUESTION_WORDS)
        reads = question or any(t in weights for t in ("get", "list"))
        return Query(weights, origins, vendors, wants, reads and not commands, question, head, frozenset(commands))

    @functools.cached_property
    def objects(self) -> set[str]:
        """The nouns of tool names (job, jobgroup, campaign, ...): what a request acts on."""
        return {t for d in self.docs for t in d.fields["name"]} - _STEMMED_VERBS

    def rank(self, text: str, allowed: Container[str] | None = None, limit: int | None = None) -> list[Hit]:
        """The tools `text` asks for, best first (those in `allowed` only); the first `limit` say why."""
        q = self.query(text)
        vendors = q.vendors
        if vendors and not any(d.vendor in vendors and (allowed is None or d.name in allowed) for d in self.docs):
            vendors = set()  # none of the named vendors' tools runs here: search them all
        sums: dict[int, float] = {}
        for term, weight in q.weights.items():
            for position, score in self.postings[term]:
                sums[position] = sums.get(position, 0.0) + weight * score
        scored: list[tuple[float, int, Doc]] = []
        for position, score in sums.items():
            doc = self.docs[position]
            if (allowed is None or doc.name in allowed) and (not vendors or doc.vendor in vendors):
                scored.append((-score * self._prior(q, doc), position, doc))
        scored.sort(key=lambda s: (s[0], s[1]))
        hits = []
        for rank, (neg, _, doc) in enumerate(scored):
            if limit is not None and rank >= limit:
                hits.append(Hit(doc.name, -neg, (), "", doc.siblings))
                continue
            matched = tuple(dict.fromkeys(q.origins[t] for t in q.weights if t in doc.term_scores))
            why = "matches " + ", ".join(matched)
            if q.wants is not None and doc.many == (q.wants == "many"):
                why += "; lists many" if doc.many else "; acts on one"
            hits.append(Hit(doc.name, -neg, matched, why, doc.siblings))
        return hits

    def _prior(self, q: Query, doc: Doc) -> float:
        """How well the tool fits what the request asks, beyond its words: its name, one or many, read or change."""
        name = doc.fields["name"]
        factor = 1 + NAME_COVERAGE * sum(1 for t in name if t in q.weights) / max(1, len(name))
        if q.wants is not None:
            factor *= CARDINALITY if doc.many == (q.wants == "many") else 1 / CARDINALITY
        if q.reads and (doc.verb in _STEMMED_CHANGE_VERBS or (q.question and doc.verb in _STEMMED_START_VERBS)):
            factor /= READ_NOT_CHANGE  # a question reads: it neither changes nor starts anything
        if q.commands and doc.verb in _STEMMED_READ_VERBS:
            factor /= OTHER_CHANGE  # asked to change something, not to read it
        if q.commands and doc.verb in _STEMMED_CHANGE_VERBS and not q.commands & doc.carries_out:
            factor /= OTHER_CHANGE  # asked to pause: enabling, deleting or updating is another action
        if q.head is not None and q.head in name:
            factor *= HEAD_OBJECT
        return factor


def _own_words(clause: str, siblings: tuple[str, ...]) -> str:
    """A description clause as it speaks of its own tool: "One job in full: joveo_get_job" speaks of a
    sibling (dropped); "After jivox_activate_retail_campaign: follows activation" keeps what follows."""
    named = [s for s in siblings if s in clause]
    if not named:
        return clause
    before, colon, after = clause.partition(":")
    return after if colon and all(s in before for s in named) else ""


def typo_distance(a: str, b: str, limit: int) -> int:
    """Edit distance with transpositions (optimal string alignment), or `limit` once it is reached."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)


_STEMMED_VERBS = frozenset(stem(v) for v in VERBS)
_STEMMED_CHANGE_VERBS = frozenset(stem(v) for v in CHANGE_VERBS)
_STEMMED_START_VERBS = frozenset(stem(v) for v in ("submit", "generate", "request"))  # start a report
_STEMMED_READ_VERBS = frozenset(stem(v) for v in ("get", "list"))
# The commands a tool's verb carries out (a tool's vocabulary words add more: Delta's update pauses).
VERB_FAMILIES = {
    stem(verb): frozenset(stem(w) for w in words.split())
    for verb, words in {
        "create": "create add",
        "add": "add create",
        "update": "update",
        "delete": "delete",
        "pause": "pause",
        "enable": "enable activate",
        "activate": "activate enable",
        "apply": "apply pause enable create",
        "send": "send update",
    }.items()
}


@functools.cache
def vocabulary() -> Vocabulary:
    return Vocabulary.load(json.loads(VOCABULARY.read_text(encoding="utf-8")))


def build_index(entries: Iterable[Mapping[str, Any]]) -> Index:
    return Index(entries, vocabulary())


@functools.cache
def catalogue_index() -> Index:
    """The index of every tool the search can offer: the vendor operations and the server's own tools."""
    schemas = packaged_schemas()
    entries: list[dict[str, Any]] = []
    for summary in index.summaries().values():
        properties = schemas.get(summary.name, {}).get("inputSchema", {}).get("properties", {})
        entries.append({**asdict(summary), "properties": properties})
    entries += [{**tool.catalogue_entry(), "properties": {}} for tool in SEARCHABLE_ADOPS_TOOLS]
    return build_index(entries)
