import pytest

from tests.api.conftest import make_user


@pytest.fixture
def moderator(db):
    return make_user("import-moderator", staff=True)


@pytest.fixture
def contributor(db):
    return make_user("import-contributor")
