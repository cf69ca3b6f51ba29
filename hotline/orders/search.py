"""Full-text search of work orders by overlapping character pairs (二元切分, as pg_bigm).

Chinese has no spaces between words, and callers' words are short: 噪声, 停水, 路灯. Each
order's number, title, content, address, company and reply become a list of terms: every
pair of neighbouring Chinese characters, and every run of letters or digits. A search for
噪声扰民 is the phrase 噪声 声扰 扰民. The terms live in ``OrderSearch``; SQLite indexes
them with FTS5, PostgreSQL with a GIN index on a ``simple`` text-search vector, so a word
is found among millions of orders without reading them all.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
RUNS = re.compile(f"[{CJK}]+|[0-9a-z]+")
# PostgreSQL keeps positions up to 16,383; later terms would lose their phrase order.
MAX_TERMS = 16_000
SEARCHED_FIELDS = ("number", "title", "content", "address", "company_name", "reply")


def terms(text: str) -> list[str]:
    """The search terms of ``text``: Chinese bigrams (a lone character stays one term),
    and runs of letters or digits, lower-cased, full-width forms folded."""
    found: list[str] = []
    for run in RUNS.findall(unicodedata.normalize("NFKC", text).lower()):
        if run[0].isascii() or len(run) == 1:
            found.append(run)
        else:
            found.extend(run[i : i + 2] for i in range(len(run) - 1))
    return found


def document(order) -> str:
    """The terms of an order, as stored and indexed."""
    text = " ".join(str(getattr(order, name) or "") for name in SEARCHED_FIELDS)
    return " ".join(terms(text)[:MAX_TERMS])


def reindex(order) -> None:
    """Store the terms of ``order`` (in the caller's transaction)."""
    from .models import OrderSearch

    OrderSearch.objects.update_or_create(order_id=order.pk, defaults={"terms": document(order)})


def is_indexed_word(word_terms: list[str]) -> bool:
    """A lone Chinese character is not in the index (only pairs are)."""
    lone = len(word_terms) == 1 and len(word_terms[0]) == 1 and not word_terms[0].isascii()
    return bool(word_terms) and not lone


def matching(words: str) -> Q:
    """Orders containing every word of ``words`` (each as a phrase)."""
    condition = Q()
    phrases = []
    for word in words.split()[:10]:
        word_terms = terms(word)
        if is_indexed_word(word_terms):
            phrases.append(word_terms)
        elif word_terms:  # a single character: read the stored terms instead
            condition &= Q(search__terms__contains=word_terms[0])
    if not phrases:
        return condition
    if connection.vendor == "sqlite":
        expression = " AND ".join('"' + " ".join(p) + '"' for p in phrases)
        sql = "SELECT rowid FROM orders_ordersearch_fts WHERE orders_ordersearch_fts MATCH %s"
    elif connection.vendor == "postgresql":
        expression = " & ".join("(" + " <-> ".join(p) + ")" for p in phrases)
        # ANY(ARRAY(...)): the matches come from the GIN index first, then the orders by
        # primary key; with IN (...) the planner may recompute vectors order by order.
        matched = RawSQL(
            '"orders_workorder"."id" = ANY(ARRAY(SELECT order_id FROM orders_ordersearch '
            "WHERE to_tsvector('simple', terms) @@ to_tsquery('simple', %s)))",
            [expression],
            output_field=BooleanField(),
        )
        return condition & Q(matched)
    else:  # no index: still correct, only slower
        for phrase in phrases:
            condition &= Q(search__terms__contains=" ".join(phrase))
        return condition
    return condition & Q(pk__in=RawSQL(sql, [expression]))
