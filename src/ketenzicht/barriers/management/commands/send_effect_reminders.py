"""Send the reminders for interventions whose effect has not been recorded in time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ketenzicht.barriers.reminders import effect_reminders_send


class Command(BaseCommand):
    help = "Verstuur herinneringen voor interventies waarvan het effect nog ontbreekt (elk één keer)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = effect_reminders_send()
        self.stdout.write(f"{sent} herinnering(en) verstuurd.")
