"""`hotline train`: the classifiers learn the city's own history, versioned, reported on a
held-back part, and the live drafts use the version in use until it is rolled back."""

import pytest
from django.utils import timezone

from hotline.intake import training, versions
from hotline.intake.models import Correction, ModelVersion
from hotline.intake.training import TARGETS, train_from_history
from hotline.orders.lifecycle import Status
from hotline.orders.models import WorkOrder
from tests.factories import closed_history, order_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(city):
    return closed_history(city)


def test_training_stores_a_version_in_use_with_a_report_per_class(history):
    version = train_from_history(show_progress=False, by="test")
    assert version.number == 1 and version.is_current and version.trained_by == "test"
    assert (
        version.examples + version.held_back
        == WorkOrder.objects.filter(status=Status.CLOSED)
        .exclude(request_type="out_of_scope")
        .count()
    )
    category = version.report["category"]
    assert category["n"] == version.held_back
    assert category["accuracy"] >= 0.8  # three matters, each with its own words
    some_class = next(iter(category["per_class"].values()))
    assert set(some_class) == {"precision", "recall", "f1", "n"}
    assert set(version.report) == set(TARGETS)
    number, models = versions.live()
    assert number == 1 and set(models) >= {"category", "unit"}


def test_a_rollback_puts_the_previous_version_back_in_use(history):
    first = train_from_history(show_progress=False)
    second = train_from_history(show_progress=False)
    assert ModelVersion.objects.get(is_current=True) == second
    assert versions.rollback().number == first.number
    assert ModelVersion.objects.get(is_current=True) == first
    assert versions.live()[0] == first.number
    with pytest.raises(LookupError):
        versions.rollback()  # nothing older than the first
    versions.use(second.number)
    assert versions.live()[0] == second.number


def test_a_version_can_be_stored_without_being_used(history):
    train_from_history(show_progress=False)
    stored = train_from_history(show_progress=False, activate=False)
    assert not stored.is_current and ModelVersion.objects.get(is_current=True).number == 1


def test_too_little_history_is_refused_with_a_reason(city):
    with pytest.raises(ValueError, match="closed orders"):
        train_from_history(show_progress=False)


def test_corrected_orders_are_learnt_even_before_they_close_and_weigh_more(city, history):
    order = order_in(city, "dispatched")
    Correction.objects.create(
        order=order,
        field="category",
        stage="intake",
        suggested=city.water.code,
        chosen=order.category.code,
        is_accepted=False,
        by=city.operator,
        at=timezone.now(),
    )
    rows = training.history()
    assert [row.weight for row in rows].count(2.0) == 1
    assert len(rows) == len(history) + 1
