import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Background tasks run synchronously in tests unless a test is about the queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttling counts live in the cache: no test inherits another's requests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    from hotline.deadlines import calendar

    calendar.forget_overrides()
    yield
    calendar.forget_overrides()


@pytest.fixture
def city(db):
    from tests.factories import make_city

    return make_city()


@pytest.fixture(autouse=True)
def knowledge_search_at_once(settings, tmp_path_factory):
    """A change to the knowledge is searchable at the next search, rebuilt in that search
    (a background build would read the database outside the test's transaction); the
    words the model met are kept in one file for the whole run."""
    settings.HOTLINE_KNOWLEDGE_CHECK_SECONDS = 0
    settings.HOTLINE_KNOWLEDGE_REBUILD = "inline"
    settings.VAR_DIR = tmp_path_factory.getbasetemp() / "var"
