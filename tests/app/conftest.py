from tests.support import _fresh_cache, cast, django_db_setup, region  # noqa: F401 - shared fixtures
