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
    assert report["accuracy"] > 0.75  # 5-fold cross-validation on these 246 gives about 0.89
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


def test_the_labels_tree_beside_the_training_file_gives_its_words(tmp_path):
    from hotline.intake.training import read_tree, tree_beside

    (tmp_path / "taxonomy.csv").write_text(
        "level1,level2,level3\n城乡建设,住房保障,公租房\n城乡建设,物业管理,物业收费\n", "utf-8"
    )
    train = write(tmp_path / "train.jsonl", [])
    assert tree_beside(train) == str(tmp_path / "taxonomy.csv")
    hints = read_tree(tree_beside(train))
    assert hints["城乡建设"] == sorted({"城乡建设", "住房保障", "公租房", "物业管理", "物业收费"})
    assert set(hints["物业管理"]) == {"物业管理", "物业收费"}  # a name and what is under it


def test_a_json_tree_gives_the_same_hints(tmp_path):
    from hotline.intake.training import read_tree

    path = tmp_path / "categories.json"
    tree = [{"name": "环境保护", "children": [{"name": "噪声污染", "children": []}]}]
    path.write_text(json.dumps(tree, ensure_ascii=False), "utf-8")
    assert set(read_tree(str(path))["环境保护"]) == {"环境保护", "噪声污染"}


@pytest.mark.django_db
def test_unlabelled_history_only_shapes_the_vocabulary(tmp_path, capsys):
    rows = [
        {"id": i, "title": t, "text": t * 2, "label": label}
        for i, (t, label) in enumerate(
            [("工地噪音", "城建"), ("施工扰民", "城建"), ("污水偷排", "环保"), ("废气污染", "环保")]
            * 3
        )
    ]
    train, test = write(tmp_path / "t.jsonl", rows), write(tmp_path / "e.jsonl", rows[:4])
    history = write(tmp_path / "h.jsonl", [{"title": "无关", "text": "别的事情"}] * 5)
    main(["eval", "classify", "--train", train, "--test", test, "--history", history])
    report = json.loads(capsys.readouterr().out)
    assert set(report["per_class"]) == {"城建", "环保"}  # no label came from the history
