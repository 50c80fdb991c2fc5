"""A real whoosh index in the session's tmp REGISTRY_DATA_DIR, rebuilt from the
test database for each test that asks for it.

These tests point REGISTRY_DATA_DIR at their own sub-folder, so the records they
index never linger in the index other areas' tests search.
"""
import pytest

from registry.search import get_backend


@pytest.fixture
def search_data_dir(settings, registry_data_dir):
    settings.REGISTRY_DATA_DIR = registry_data_dir / "search-tests"
    return settings.REGISTRY_DATA_DIR


@pytest.fixture
def search_index(db, search_data_dir):
    backend = get_backend()
    assert backend.path.is_relative_to(search_data_dir)
    backend.rebuild()
    return backend


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user("moderator", "mod@example.org", "a-long-password-1", is_staff=True)
