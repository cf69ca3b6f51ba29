"""`hotline train` and `hotline model`: what an administrator types, what it prints."""

import json

import pytest

from hotline.cli import main
from hotline.intake.models import ModelVersion
from tests.factories import closed_history

pytestmark = pytest.mark.django_db


def run(capsys, *argv) -> object:
    main(list(argv))
    return json.loads(capsys.readouterr().out)


def test_train_prints_the_new_version_with_scores_per_class(city, capsys):
    closed_history(city)
    printed = run(capsys, "train", "--by", "admin")
    assert printed["version"] == 1 and printed["in_use"] is True
    per_class = printed["report"]["category"]["per_class"]
    assert set(per_class) == {city.noise.code, city.water.code, city.city_building.code}
    assert ModelVersion.objects.get().trained_by == "admin"


def test_model_list_use_and_rollback(city, capsys):
    closed_history(city)
    run(capsys, "train")
    run(capsys, "train")
    listed = run(capsys, "model", "list")
    assert [(v["version"], v["in_use"]) for v in listed] == [(2, True), (1, False)]
    assert "per_class" not in listed[0]["report"]["category"]
    assert run(capsys, "model", "rollback")[0]["version"] == 1
    assert run(capsys, "model", "use", "2")[0]["version"] == 2


def test_errors_are_a_sentence_not_a_traceback(city, capsys):
    with pytest.raises(SystemExit, match="at least 20 are needed"):
        main(["train"])
    with pytest.raises(SystemExit, match="no model version 7"):
        main(["model", "use", "7"])
