import pytest


@pytest.fixture(autouse=True)
def no_loaded_models():
    """Each test sees the model versions of its own database, never another test's."""
    from hotline.intake import drafting, versions

    versions.forget()
    drafting._cache.clear()
    yield
    versions.forget()
    drafting._cache.clear()


@pytest.fixture
def demo(db):
    from hotline.demo.city import load_city

    load_city()


@pytest.fixture
def history(demo):
    """The demo city with 600 orders walked through their lives (most of them closed)."""
    from hotline.demo.generate import generate

    generate(600, days=120, seed=7)
