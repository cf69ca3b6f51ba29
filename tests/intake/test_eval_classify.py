"""`hotline eval classify`: trains as the live system does, prints the scores as JSON."""

import json
import random
from pathlib import Path

import pytest

from hotline.cli import main

DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "gov-messages" / "labeled_dev.jsonl"


def write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return str(path)


@pytest.mark.django_db
def test_eval_on_real_messages_prints_every_score(tmp_path, capsys):
    if not DEV.exists():
        pytest.skip(f"the development data is not here: {DEV}")
    rows = [json.loads(line) for line in DEV.read_text("utf-8").splitlines()]
    random.Random(0).shuffle(rows)
    train, test = (
        write(tmp_path / "train.jsonl", rows[:196]),
        write(tmp_path / "test.jsonl", rows[196:]),
    )
    main(["eval", "classify", "--train", train, "--test", test])
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"n", "accuracy", "macro_f1", "per_class", "p50_ms", "p95_ms"}
    assert report["n"] == 50
    assert report["accuracy"] > 0.7  # 5-fold cross-validation on these 246 gives about 0.80
    assert set(report["per_class"]["城乡建设"]) == {"precision", "recall", "f1", "n"}


@pytest.mark.django_db
def test_a_broken_line_is_named_and_nothing_is_printed(tmp_path, capsys):
    good = write(
        tmp_path / "good.jsonl", [{"id": 1, "title": "噪音", "text": "工地", "label": "a"}]
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "no label"}\n', "utf-8")
    with pytest.raises(SystemExit) as stop:
        main(["eval", "classify", "--train", str(bad), "--test", good])
    assert "bad.jsonl:1" in str(stop.value)
    with pytest.raises(SystemExit) as stop:
        main(["eval", "classify", "--train", str(tmp_path / "missing.jsonl"), "--test", good])
    assert "missing.jsonl" in str(stop.value)
