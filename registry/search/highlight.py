"""Snippets: the best window of a hit's text, escaped, with matched words in <mark>.

whoosh's highlighter re-analyses the whole stored text of every hit (stemming
each word), which cost most of a query's time on long passages. Here only words
that could stem to a matched term (same first letters) are stemmed.
"""
import html
import re
from functools import lru_cache

from whoosh.lang import stemmer_for_language

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_stem = lru_cache(maxsize=100_000)(stemmer_for_language("en"))


def _is_match(word, stems):
    lower = word.lower().replace("’", "'")
    return lower in stems or _stem(lower) in stems


def snippet(text, stems, width=240, before=60):
    """Safe HTML for the window of text with the most matches (plain start when none)."""
    text = text or ""
    stems = {s for s in stems if s}
    prefixes = {s[:4] for s in stems} | {s[:3] for s in stems if len(s) == 3}
    spans = []
    if stems:
        # Only words starting like a matched stem can match it: find those with one regex.
        alternatives = "|".join(sorted((re.escape(p) for p in prefixes), key=len, reverse=True))
        candidates = re.compile(r"(?<![^\W_])(?:" + alternatives + r")[^\W_]*(?:['’][^\W_]+)*", re.IGNORECASE)
        spans = [m.span() for m in candidates.finditer(text) if _is_match(m.group(), stems)]
    if spans:
        best, best_count, j = 0, 0, 0
        for i, (start, _) in enumerate(spans):
            while j < len(spans) and spans[j][1] <= start + width:
                j += 1
            if j - i > best_count:
                best, best_count = i, j - i
        begin = max(0, spans[best][0] - before)
    else:
        begin = 0
    end = min(len(text), begin + width + before)
    # Whole words at the edges.
    if begin > 0:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < begin + 30 else begin
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin else end
    out, cursor = [], begin
    for start, stop in spans:
        if start < begin or stop > end:
            continue
        out.append(html.escape(text[cursor:start]))
        out.append("<mark>" + html.escape(text[start:stop]) + "</mark>")
        cursor = stop
    out.append(html.escape(text[cursor:end]))
    body = " ".join("".join(out).split())
    return ("… " if begin > 0 else "") + body + (" …" if end < len(text) else "")
