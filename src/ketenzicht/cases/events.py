"""What happened to a case, for whoever listens (the notifications app), sent after the commit.

The case file is the base other apps build on, so it imports none of them: apps that react to a
new signal connect a receiver here (in their AppConfig.ready) instead.
"""

from django.dispatch import Signal

# kwargs: case_id
signal_received = Signal()
