from tests.support import cast, django_db_setup, region  # noqa: F401 - shared fixtures
