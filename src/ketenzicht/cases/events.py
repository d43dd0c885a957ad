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

# kwargs: case_id, from_municipality_id (issue 14: a case handed to another municipality)
case_transferred = Signal()

# kwargs: request_id (issue 14: an AF asks another municipality's AF for contact about a hit)
contact_requested = Signal()
# kwargs: request_id (the other AF shared or declined)
contact_answered = Signal()
