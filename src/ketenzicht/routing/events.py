"""What happened to a referral, for whoever listens (the notifications app), sent after the commit."""

from django.dispatch import Signal

# kwargs: referral_id, action ("accepteren", "afwijzen", "afronden", …)
referral_answered = Signal()
