"""Print the current TOTP code of a demo account (demo only: refuses outside DEBUG)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Toon de huidige tweestapscode van een demo-account (alleen in de demo-omgeving)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("gebruiker")

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("Alleen beschikbaar in de demo-omgeving (DEBUG).")
        device = TOTPDevice.objects.filter(user__username=options["gebruiker"], user__email__endswith="@demo.ketenzicht.localhost").first()
        if device is None:
            raise CommandError(f"Geen demo-account '{options['gebruiker']}' met tweestapsverificatie.")
        self.stdout.write(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}")
