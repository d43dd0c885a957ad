from tests.support import _fresh_rate_limits, cast, django_db_setup, region  # noqa: F401 - shared fixtures
