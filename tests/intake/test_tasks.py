"""Training as a background task: what `hotline serve` asks of the worker for a new city."""

import pytest

from hotline.intake.models import ModelVersion
from hotline.intake.tasks import train_models
from tests.factories import closed_history

pytestmark = pytest.mark.django_db


def test_the_worker_trains_a_version_from_the_history(city):
    closed_history(city)
    result = train_models.enqueue(by="worker")
    assert result.return_value == 1
    assert ModelVersion.objects.get().trained_by == "worker"


def test_a_city_without_history_is_not_an_error(city):
    assert train_models.enqueue().return_value is None
    assert not ModelVersion.objects.exists()
