"""Synonyms as data: acronyms and spellings from the MethodSynonym table expand a
query both ways (IPW -> inverse probability weighting and back).

Expansion happens on the query string, before parsing, so the index never has to
be rebuilt when a synonym changes: the backend keeps the table's rows in a file
beside the index (rewritten whenever the table changes) and every process
reloads it when the file changes.
"""
import re
from functools import lru_cache

TOKEN = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
MAX_VARIANTS = 8


def normalise(text):
    """Lower case words, hyphens and punctuation as spaces: 'Cost-benefit' -> ('cost', 'benefit')."""
    return tuple(re.findall(r"[\w']+", text.lower().replace("’", "'")))


def _quote(phrase):
    words = normalise(phrase)
    return words[0] if len(words) == 1 else '"' + " ".join(words) + '"'


def _alternatives(pairs):
    out = {}
    for term, expansion in pairs:
        a, b = normalise(term), normalise(expansion)
        if a and b and a != b:
            out.setdefault(a, set()).add(b)
            out.setdefault(b, set()).add(a)
    return out


@lru_cache(maxsize=1)
def _builtin_alternatives():
    """British / American spellings and joined / hyphenated words (data files, see
    registry/search/spellings.py), the same for every query."""
    from registry.search.spellings import builtin_pairs

    return _alternatives(builtin_pairs())


class Synonyms:
    """Equivalent phrases, grouped: every phrase maps to the others of its group.
    The table's pairs (acronyms, method names) come on top of the built-in
    spellings unless `builtin` is False."""

    def __init__(self, pairs=(), builtin=True):
        self.pairs = sorted({(a, b) for a, b in pairs if normalise(a) and normalise(b)})
        self.alternatives = dict(_builtin_alternatives()) if builtin else {}
        for key, alternatives in _alternatives(self.pairs).items():
            self.alternatives[key] = self.alternatives.get(key, set()) | alternatives  # never mutate the shared sets
        self.longest = max((len(k) for k in self.alternatives), default=0)

    def _matches(self, words):
        """Yield (start, end, alternatives) for the longest synonym phrases in words, left to right."""
        i = 0
        while i < len(words):
            for n in range(min(self.longest, len(words) - i), 0, -1):
                alts = self.alternatives.get(tuple(words[i:i + n]))
                if alts:
                    yield i, i + n, sorted(alts)
                    i += n
                    break
            else:
                i += 1

    def _expand_phrase(self, token):
        words = list(normalise(token.strip('"')))
        variants = []
        for start, end, alts in self._matches(words):
            for alt in alts:
                variants.append(" ".join(words[:start] + list(alt) + words[end:]))
        if not variants:
            return token
        closed = token if token.endswith('"') and len(token) > 1 else token + '"'
        return "(" + " OR ".join([closed] + [f'"{v}"' for v in variants[:MAX_VARIANTS]]) + ")"

    def expand(self, text):
        """The query string with each synonym phrase replaced by (phrase OR alternative...)."""
        if not self.alternatives or not text:
            return text
        tokens = TOKEN.findall(text)
        out, run = [], []  # run: consecutive plain word tokens

        def flush():
            units = []  # (normalised word, token index in run)
            for index, token in enumerate(run):
                units += [(w, index) for w in normalise(token)]
            words = [w for w, _ in units]
            done = 0
            for start, end, alts in self._matches(words):
                first, last = units[start][1], units[end - 1][1]
                # Only whole tokens: a synonym inside "cost-benefit-ish" is left alone.
                whole = (start == 0 or units[start - 1][1] != first) and (end == len(units) or units[end][1] != last)
                if not whole or first < done:
                    continue
                out.extend(run[done:first])
                original = " ".join(run[first:last + 1])
                if first != last or len(normalise(original)) != 1:
                    # The words as typed stay plain words, not a phrase: "looked after
                    # children" must still find "looked after child".
                    original = "(" + " ".join(words[start:end]) + ")"
                out.append("(" + " OR ".join([original] + [_quote(" ".join(a)) for a in alts]) + ")")
                done = last + 1
            out.extend(run[done:])
            run.clear()

        skip_next = False
        for token in tokens:
            if skip_next:  # the value of a field query: left as typed
                out[-1] += token
                skip_next = False
            elif token.startswith('"'):
                flush()
                out.append(self._expand_phrase(token))
            elif token in OPERATORS or token in "()" or ":" in token or token.startswith(("+", "-")):
                flush()
                out.append(token)
                skip_next = token.endswith(":")
            else:
                run.append(token)
        flush()
        return " ".join(out)
