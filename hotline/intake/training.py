"""Training and evaluating the intake classifiers from what the city already knows.

Besides labelled examples, every city has its category tree and its responsibility list:
a category's own name, its sub-categories' names and the matters and keywords of the rules
filed under it are phrases of that category. ``category_hints`` gathers them, from the
database when the city is loaded, else from the demo city's files.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from pathlib import Path

from nlp.classify import Example, TextClassifier, document, evaluate

DEMO_DATA = Path(__file__).resolve().parent.parent / "demo" / "data"


def category_hints() -> dict[str, list[str]]:
    """Label (a category name, at any level) → phrases that belong to it."""
    from django.db import DatabaseError

    from hotline.orgs.models import Category, ResponsibilityRule

    try:
        nodes = {c.code: (c.name, c.path) for c in Category.objects.only("code", "name", "path")}
        rules = [
            (rule.category.code, phrase_of(rule.matter, rule.keywords))
            for rule in ResponsibilityRule.objects.select_related("category").exclude(category=None)
        ]
    except DatabaseError:  # a database not set up yet (an evaluation on a fresh machine)
        nodes, rules = {}, []
    if not nodes:
        nodes, rules = demo_tree()
    hints: dict[str, list[str]] = defaultdict(list)
    names = {code: name for code, (name, _path) in nodes.items()}
    for _code, (name, path) in nodes.items():
        for ancestor in path.split("/"):
            hints[names[ancestor]].append(name)
    for code, phrase in rules:
        for ancestor in nodes[code][1].split("/"):
            hints[names[ancestor]].append(phrase)
    return dict(hints)


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


def train_classifier(examples: list[Example]) -> TextClassifier:
    """How ``hotline train`` and ``hotline eval`` fit the category classifier."""
    return TextClassifier().fit(examples, hints=category_hints())


def eval_classify(train_path: str, test_path: str) -> dict:
    """Train on one file exactly as the live system trains, predict the other one by one
    with the live prediction code, and report the scores and the time per prediction."""
    model = train_classifier([example for _id, example in read_examples(train_path)])
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
