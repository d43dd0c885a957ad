"""`flush` as Django's, with the audit trail's guard lifted for the moment of the flush.

Only the owner of the tables can lift it (tests and local development are the owner; the
production application role is not, docs/operations.md). Without this, the test runner could
not empty the database between browser tests: the triggers refuse TRUNCATE and DELETE.
"""

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from ketenzicht.audit import guard


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        with guard.lifted(connection):
            super().handle(**options)
