"""Training and evaluating the intake classifiers from what the city already knows.

Besides labelled examples, every city has its category tree and its responsibility list:
a category's own name, its sub-categories' names and the matters and keywords of the rules
filed under it are phrases of that category. ``category_hints`` gathers them, from the
database when the city is loaded, else from the demo city's files.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from nlp.classify import (
    Example,
    TextClassifier,
    document,
    evaluate,
    forget_unused_terms,
    new_vectorizer,
    prepare,
)

DEMO_DATA = Path(__file__).resolve().parent.parent / "demo" / "data"


def city_tree() -> tuple[dict[str, tuple[str, str]], list[tuple[str, str]]]:
    """(code → (name, path), [(category code, rule phrase)]) of the city's database, or of
    the demo city's files when the database has no tree (an evaluation on a fresh machine)."""
    from django.db import DatabaseError

    from hotline.orgs.models import Category, ResponsibilityRule

    try:
        nodes = {c.code: (c.name, c.path) for c in Category.objects.only("code", "name", "path")}
        rules = [
            (rule.category.code, phrase_of(rule.matter, rule.keywords))
            for rule in ResponsibilityRule.objects.select_related("category").exclude(category=None)
        ]
    except DatabaseError:
        nodes, rules = {}, []
    return (nodes, rules) if nodes else demo_tree()


def tree_hints(by_name: bool = True) -> dict[str, list[str]]:
    """Each category (its name, or its code) → the phrases that belong to it: its own name,
    its sub-categories' names, and its rules' matters and keywords."""
    nodes, rules = city_tree()

    def key(code: str) -> str:
        return nodes[code][0] if by_name else code

    hints: dict[str, list[str]] = defaultdict(list)
    for name, path in nodes.values():
        for ancestor in path.split("/"):
            hints[key(ancestor)].append(name)
    for code, phrase in rules:
        for ancestor in nodes[code][1].split("/"):
            hints[key(ancestor)].append(phrase)
    return dict(hints)


def category_hints() -> dict[str, list[str]]:
    """Label (a category name, at any level) → phrases that belong to it."""
    return tree_hints(by_name=True)


def phrase_of(matter: str, keywords: str) -> str:
    """A rule's matter without the place it is for (the same matter repeats per district)."""
    return f"{re.sub(r'（[^（）]*）$', '', matter)} {keywords}".strip()


def demo_tree() -> tuple[dict[str, tuple[str, str]], list[tuple[str, str]]]:
    nodes: dict[str, tuple[str, str]] = {}

    def walk(children, parent_path: str) -> None:
        for node in children:
            path = f"{parent_path}/{node['code']}" if parent_path else node["code"]
            nodes[node["code"]] = (node["name"], path)
            walk(node.get("children", []), path)

    walk(json.loads((DEMO_DATA / "categories.json").read_text(encoding="utf-8")), "")
    rules = [
        (row["category"], phrase_of(row["matter"], " ".join(row.get("keywords", []))))
        for row in json.loads((DEMO_DATA / "rules.json").read_text(encoding="utf-8"))
        if row.get("category") in nodes
    ]
    return nodes, rules


def read_examples(path: str) -> list[tuple[str, Example]]:
    """``{"id", "title", "text", "label"}`` per line → (id, example)."""
    found = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text = document(row.get("title", ""), row.get("text", ""))
                found.append((str(row.get("id", number)), Example(text, str(row["label"]))))
            except (ValueError, KeyError) as error:
                raise ValueError(f"{path}:{number}: not an example ({error})") from error
    return found


def read_tree(path: str) -> dict[str, list[str]]:
    """A category tree from a file, as hints: each name → its own and its descendants' names.

    CSV: a header, then one row per path from the top (``level1,level2,level3``); JSON: the
    demo city's format (nodes with ``name`` and ``children``)."""
    hints: dict[str, list[str]] = defaultdict(list)

    def add(path: list[str]) -> None:
        for i, name in enumerate(path):
            hints[name].extend(path[i:])

    if path.endswith(".json"):

        def walk(nodes, above: list[str]) -> None:
            for node in nodes:
                add([*above, node["name"]])
                walk(node.get("children", []), [*above, node["name"]])

        walk(json.loads(Path(path).read_text(encoding="utf-8")), [])
    else:
        with open(path, encoding="utf-8", newline="") as rows:
            for row in list(csv.reader(rows))[1:]:
                add([name.strip() for name in row if name.strip()])
    return {name: sorted(set(names)) for name, names in hints.items()}


def read_texts(path: str) -> list[str]:
    """Unlabelled messages (``{"title", "text"}`` per line) as the classifier reads them."""
    found = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                found.append(document(row.get("title", ""), row.get("text", "")))
    return found


def tree_beside(train_path: str) -> str | None:
    """The category tree that came with a labelled file: ``taxonomy.csv`` (or
    ``categories.json``) in the same folder, as a city's export puts them."""
    folder = Path(train_path).resolve().parent
    for name in ("taxonomy.csv", "categories.json"):
        if (folder / name).exists():
            return str(folder / name)
    return None


def train_classifier(
    examples: list[Example], tree: str | None = None, unlabelled: list[str] = ()
) -> TextClassifier:
    """How ``hotline train`` and ``hotline eval`` fit the category classifier: the examples,
    the category tree's words (from ``tree``, else the city's own tree and responsibility
    list) and, for the vocabulary only, unlabelled texts."""
    hints = read_tree(tree) if tree else category_hints()
    return TextClassifier().fit(examples, hints=hints, unlabelled=unlabelled)


def eval_classify(
    train_path: str, test_path: str, tree: str | None = None, history: str | None = None
) -> dict:
    """Train on one file exactly as the live system trains, predict the other one by one
    with the live prediction code, and report the scores and the time per prediction.

    The category tree is ``tree``, else the one beside the training file, else the city's;
    ``history`` is a file of unlabelled messages of the same source."""
    tree = tree or tree_beside(train_path)
    print(f"category tree: {tree or 'the city database'}", file=sys.stderr)
    model = train_classifier(
        [example for _id, example in read_examples(train_path)],
        tree=tree,
        unlabelled=read_texts(history) if history else [],
    )
    test = read_examples(test_path)
    predicted, durations = [], []
    for _id, example in test:
        started = time.perf_counter()
        prediction = model.predict(example.text)
        durations.append(time.perf_counter() - started)
        predicted.append(prediction.label if prediction else None)
    report = evaluate([example.label for _id, example in test], predicted)
    durations.sort()
    report["p50_ms"] = round(durations[len(durations) // 2] * 1000, 2) if durations else 0.0
    report["p95_ms"] = (
        round(durations[max(0, int(len(durations) * 0.95 + 0.5) - 1)] * 1000, 2)
        if durations
        else 0.0
    )
    return report


# --- training on the city's own history ---------------------------------------------------

# The three questions a draft answers from the text, and the order field that answers each.
TARGETS = {
    "category": "category__code",
    "request_type": "request_type",
    "unit": "lead_unit__code",
}
MIN_PER_CLASS = 3  # fewer examples than this teach nothing; such classes are reported
HELD_BACK = 0.1  # a tenth of the history is kept aside for the report
CORRECTION_WEIGHT = 2.0  # an order a person corrected teaches twice as much


@dataclass
class HistoryRow:
    text: str
    labels: dict[str, str]
    weight: float = 1.0


def history(limit: int | None = None, progress=None) -> list[HistoryRow]:
    """The orders to learn from, oldest first: closed ones (their category, type and lead
    unit were checked by the whole chain) and any order a person corrected."""
    from django.db.models import Q

    from hotline.orders.lifecycle import Status
    from hotline.orders.models import WorkOrder

    from .models import Correction

    corrected = Correction.objects.filter(is_accepted=False).values("order_id")
    orders = (
        WorkOrder.objects.filter(Q(status=Status.CLOSED) | Q(pk__in=corrected))
        .filter(merged_into__isnull=True)
        .exclude(request_type="out_of_scope")
        .order_by("-registered_at")
    )
    fields = ["pk", "title", "content", *TARGETS.values()]
    rows = orders.values_list(*fields)
    if limit:
        rows = rows[:limit]
    corrected_ids = set(corrected.values_list("order_id", flat=True))
    found: list[HistoryRow] = []
    for pk, title, content, *values in rows.iterator(chunk_size=2000):
        labels = {name: str(value) for name, value in zip(TARGETS, values, strict=True) if value}
        weight = CORRECTION_WEIGHT if pk in corrected_ids else 1.0
        found.append(HistoryRow(document(title, content), labels, weight))
        if progress is not None:
            progress.update(1)
    found.reverse()
    return found


def train_from_history(
    limit: int | None = None, by: str = "", show_progress: bool = True, activate: bool = True
):
    """Fit the category, request-type and lead-unit classifiers on the city's history,
    report each on a tenth held back, store the result as a new version, and
    (unless told not to) make it the one the live drafts use. Refuses with ValueError
    when the history is too small to learn from."""
    from django.utils import timezone
    from tqdm import tqdm

    from . import versions
    from .models import Correction

    total = limit or history_size()
    with tqdm(
        total=total, desc="读取工单 reading orders", unit="单", disable=not show_progress
    ) as bar:
        rows = history(limit, progress=bar)
    if len(rows) < 20:
        raise ValueError(f"only {len(rows)} closed orders: at least 20 are needed to learn")
    train, test = hold_back(rows)
    hints = category_hints_by_code()
    # One vocabulary for the three classifiers, one pass over the texts: the training
    # texts, the category tree's phrases, and the open orders (for the weights only).
    phrases = sorted({prepare(p) for found in hints.values() for p in found})
    corpus = [prepare(row.text) for row in train] + phrases + open_order_texts()
    with tqdm(total=1, desc="向量化 n-grams", disable=not show_progress) as bar:
        vectorizer = new_vectorizer(len(corpus))
        matrix = vectorizer.fit_transform(corpus)
        forget_unused_terms(vectorizer)
        bar.update(1)
    phrase_row = {phrase: len(train) + i for i, phrase in enumerate(phrases)}
    models, report = {}, {}
    steps = tqdm(TARGETS, desc="训练 training", unit="模型", disable=not show_progress)
    for target in steps:
        steps.set_postfix_str(target)
        counts = Counter(row.labels[target] for row in train if target in row.labels)
        rare = sorted(label for label, n in counts.items() if n < MIN_PER_CLASS)
        rows_used = [
            i
            for i, row in enumerate(train)
            if counts.get(row.labels.get(target), 0) >= MIN_PER_CLASS
        ]
        labels = [train[i].labels[target] for i in rows_used]
        weights = [train[i].weight for i in rows_used]
        if target == "category":  # the tree's words, for the categories with examples
            for label in sorted(set(labels)):
                for phrase in sorted({prepare(p) for p in hints.get(label, [])}):
                    rows_used.append(phrase_row[phrase])
                    labels.append(label)
                    weights.append(1.0)
        if len(set(labels)) < 2:
            report[target] = {"skipped": "fewer than two classes with enough examples"}
            continue
        started = time.perf_counter()
        model = TextClassifier().fit_features(vectorizer, matrix[rows_used], labels, weights)
        seconds = time.perf_counter() - started
        scored = [row for row in test if target in row.labels]
        predicted = model.predict_many([row.text for row in scored])
        report[target] = {
            **evaluate(
                [row.labels[target] for row in scored],
                [p.label if p else None for p in predicted],
            ),
            "trained_on": len(rows_used),
            "classes": len(model.labels),
            "too_rare": rare,
            "fit_seconds": round(seconds, 1),
        }
        models[target] = model
    version = versions.save(
        models,
        report,
        examples=len(train),
        held_back=len(test),
        corrections=Correction.objects.filter(is_accepted=False).count(),
        by=by,
        now=timezone.now(),
        activate=activate,
    )
    return version


def open_order_texts(limit: int = 20_000) -> list[str]:
    """The newest orders still open: no checked label yet, but the city's current words."""
    from hotline.orders.lifecycle import Status
    from hotline.orders.models import WorkOrder

    rows = (
        WorkOrder.objects.exclude(status=Status.CLOSED)
        .order_by("-registered_at")
        .values_list("title", "content")[:limit]
    )
    return [prepare(document(title, content)) for title, content in rows]


def hold_back(rows: list[HistoryRow]) -> tuple[list[HistoryRow], list[HistoryRow]]:
    """Every tenth order of each category (by time) is held back for the report: each
    class with ten orders or more is scored, and the held-back part spans the whole
    period rather than its last weeks only."""
    step = round(1 / HELD_BACK)
    seen: Counter = Counter()
    train, test = [], []
    for row in rows:
        label = row.labels.get("category", "")
        seen[label] += 1
        (test if seen[label] % step == 0 else train).append(row)
    return train, test


def history_size() -> int:
    from django.db.models import Q

    from hotline.orders.lifecycle import Status
    from hotline.orders.models import WorkOrder

    from .models import Correction

    corrected = Correction.objects.filter(is_accepted=False).values("order_id")
    return WorkOrder.objects.filter(
        Q(status=Status.CLOSED) | Q(pk__in=corrected), merged_into__isnull=True
    ).count()


def category_hints_by_code() -> dict[str, list[str]]:
    """Category code → its phrases, so that a category with few orders is still recognised
    by its words (``hotline train`` labels orders by code)."""
    return tree_hints(by_name=False)
