"""Messages to the reporter. Mails say that there is news, never what the case holds."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from ketenzicht.cases.models import Case

logger = logging.getLogger(__name__)


def feedback_recorded(case_id: object) -> None:
    case = Case.objects.select_related("reporter").filter(pk=case_id).first()
    if case is None:
        return
    recipient = case.reporter.email if case.reporter is not None else case.reporter_contact_email
    if not recipient:
        return
    with translation.override(case.reporter_language or "nl"):
        subject = _("Terugkoppeling op uw melding %(reference)s") % {"reference": case.reference}
        body = _(
            "Er is terugkoppeling op uw melding %(reference)s. U kunt die lezen in Ketenzicht "
            "(interne melders: onder 'Mijn meldingen'; openbare melders: met uw ontvangstcode op de "
            "statuspagina)."
        ) % {"reference": case.reference}
    try:
        send_mail(subject, body, None, [recipient])
    except OSError:
        # The feedback itself is saved; a failed mail must not undo it. Log the id, not the address.
        logger.warning("feedback mail failed for case %s", case.pk)
