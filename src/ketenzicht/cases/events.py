"""What happened to a case, for whoever listens (the notifications app, the monitor), sent after the commit.

The case file is the base other apps build on, so it imports none of them: apps that react to a
new signal connect a receiver here (in their AppConfig.ready) instead.
"""

from django.dispatch import Signal

# kwargs: case_id
signal_received = Signal()
# The form of exploitation, the minor flag or acute danger was corrected (the monitor recounts).
# kwargs: case_id
case_reclassified = Signal()
# An anonymous reporter answered the AF's question with their receipt code (the asker is told).
# kwargs: question_id
reporter_answered = Signal()
