"""Cross-validated accuracy of the category classifier on the development messages.

    .venv/bin/python benchmarks/classify_cv.py [--folds 5] [--data FILE.jsonl]
        [--tree taxonomy.csv] [--history FILE.jsonl]

Each fold trains exactly as ``hotline eval classify`` does (the examples plus the words of
the labels' category tree, ``taxonomy.csv`` beside the data, as hints; the unlabelled
messages beside it for the vocabulary only) and predicts the held-out messages one by one.
The data defaults to ``../shared/data/gov-messages/labeled_dev.jsonl``. Prints JSON:
accuracy and macro-F1 per fold and their means, prediction p50/p95 in ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "data" / "gov-messages" / "labeled_dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--data", default=str(DEV))
    parser.add_argument(
        "--tree", help="the labels' category tree; default: taxonomy.csv beside the data"
    )
    parser.add_argument(
        "--history",
        help="unlabelled messages of the same source; default: messages_with_replies.jsonl "
        "beside the data ('' for none)",
    )
    args = parser.parse_args()
    if not Path(args.data).exists():
        sys.exit(f"the development data is not here: {args.data}")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    os.environ.setdefault("HOTLINE_VAR_DIR", tempfile.mkdtemp(prefix="hotline-cv-"))
    import django

    django.setup()
    from sklearn.model_selection import StratifiedKFold

    from hotline.intake.training import eval_classify, tree_beside

    tree = args.tree or tree_beside(args.data)
    history = args.history
    if history is None:
        beside = Path(args.data).resolve().parent / "messages_with_replies.jsonl"
        history = str(beside) if beside.exists() else ""

    rows = [json.loads(line) for line in Path(args.data).read_text("utf-8").splitlines() if line]
    labels = [row["label"] for row in rows]
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=0).split(rows, labels)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for train, test in folds:
            paths = []
            for name, indices in (("train", train), ("test", test)):
                path = Path(folder) / f"{name}.jsonl"
                path.write_text(
                    "".join(json.dumps(rows[i], ensure_ascii=False) + "\n" for i in indices),
                    "utf-8",
                )
                paths.append(str(path))
            report = eval_classify(*paths, tree=tree, history=history or None)
            results.append(
                {key: report[key] for key in ("n", "accuracy", "macro_f1", "p50_ms", "p95_ms")}
            )
    print(
        json.dumps(
            {
                "benchmark": "classify_cv",
                "examples": len(rows),
                "tree": tree,
                "history": history or None,
                "folds": results,
                "accuracy": round(statistics.mean(r["accuracy"] for r in results), 4),
                "macro_f1": round(statistics.mean(r["macro_f1"] for r in results), 4),
                "p50_ms": round(statistics.median(r["p50_ms"] for r in results), 2),
                "p95_ms": round(max(r["p95_ms"] for r in results), 2),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
