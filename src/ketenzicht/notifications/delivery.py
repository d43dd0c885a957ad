"""E-mail for notifications, through the one outbox of `meetings/reminders.py`.

- A notification for someone who wants mail at once is sent right after the commit
  (`deliver`), claimed under the key ("bericht", its id), so it goes out once; a failed send
  is retried by the next reminder run (`_retry_source`).
- Daily digests: one mail per person per day ("overzicht", user id, date) listing how many
  notifications of each kind wait, with one link.
- Deadline reminders of the reminder run become in-app notifications for each person they are
  addressed to (`_deadline_filter`); people who chose a digest or no e-mail are left out of
  the reminder mail itself.

Mails name the kind of event and a link, never a case's contents or a person (docs/privacy.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ketenzicht.accounts.models import User
from ketenzicht.meetings import reminders
from ketenzicht.notifications.models import Delivery, Kind, MailState, Notification
from ketenzicht.notifications.services import delivery_for

MAIL_KIND = "bericht"
DIGEST_KIND = "dagelijks_overzicht"
_OWN_TYPES = frozenset({"bericht", "overzicht"})


def _language(user: User) -> str:
    code = (user.preferred_language or "nl")[:2]
    return code if code in settings.STAFF_LANGUAGES else "nl"


def _mark(ids: list[int], state: str) -> None:
    Notification.objects.filter(pk__in=ids).update(mail_state=state, mailed_at=timezone.now())


def _mail_for(notification: Notification) -> reminders.Reminder:
    user = notification.recipient
    with translation.override(_language(user)):
        label = str(Kind(notification.kind).label)
        if notification.urgent:
            subject = _("Ketenzicht, met spoed: %(kind)s") % {"kind": label}
        else:
            subject = _("Ketenzicht: %(kind)s") % {"kind": label}
        body = _(
            "Er is een nieuw bericht voor u in Ketenzicht: %(kind)s.\n\nBekijk het bericht na het inloggen: %(link)s\n\n"
            "In Ketenzicht stelt u onder 'Berichten' in welke berichten u per e-mail ontvangt."
        ) % {"kind": label, "link": reminders.site_link(reverse("notifications:open", args=[notification.pk]))}
    return reminders.Reminder(
        subject_type="bericht",
        subject_id=str(notification.pk),
        kind=MAIL_KIND,
        due_date=timezone.localdate(notification.created_at),
        recipients=(user.email,),
        subject=subject,
        body=body,
        on_sent=lambda: _mark([notification.pk], MailState.VERSTUURD),
    )


def deliver(ids: Iterable[int]) -> int:
    """Send the mails of these notifications that are waiting; returns how many went out."""
    pending = Notification.objects.filter(pk__in=list(ids), mail_state=MailState.WACHT).select_related("recipient")
    return sum(1 for notification in pending if reminders.send_once(_mail_for(notification)))


def _retry_source(today: date) -> Iterable[reminders.Reminder]:
    pending = Notification.objects.filter(mail_state=MailState.WACHT).select_related("recipient")
    for notification in pending:
        yield _mail_for(notification)


def _digest_source(today: date) -> Iterable[reminders.Reminder]:
    """One digest per person with notifications of earlier days waiting for it."""
    start_of_day = timezone.make_aware(datetime.combine(today, time.min))
    waiting = (
        Notification.objects.filter(mail_state=MailState.OVERZICHT, created_at__lt=start_of_day)
        .select_related("recipient")
        .order_by("recipient_id", "pk")
    )
    per_user: dict[int, list[Notification]] = {}
    for notification in waiting:
        per_user.setdefault(notification.recipient_id, []).append(notification)
    for items in per_user.values():
        user = items[0].recipient
        if not user.is_active or not user.email:
            continue
        ids = [n.pk for n in items]
        counts = Counter(n.kind for n in items)
        with translation.override(_language(user)):
            lines = "\n".join(f"- {Kind(kind).label}: {count}" for kind, count in sorted(counts.items()))
            subject = ngettext(
                "Ketenzicht: dagelijks overzicht (%(count)d bericht)",
                "Ketenzicht: dagelijks overzicht (%(count)d berichten)",
                len(items),
            ) % {"count": len(items)}
            body = _("Uw berichten in Ketenzicht sinds het vorige overzicht:\n%(lines)s\n\nBekijk ze na het inloggen: %(link)s\n") % {
                "lines": lines,
                "link": reminders.site_link(reverse("notifications:list")),
            }
        yield reminders.Reminder(
            subject_type="overzicht",
            subject_id=str(user.pk),
            kind=DIGEST_KIND,
            due_date=today,
            recipients=(user.email,),
            subject=subject,
            body=body,
            on_sent=lambda ids=ids: _mark(ids, MailState.VERSTUURD),
        )


def _deadline_filter(reminder: reminders.Reminder, recipients: list[str]) -> list[str]:
    """A deadline reminder: an in-app notification per person; mail only for who wants it now."""
    if reminder.subject_type in _OWN_TYPES or not recipients:
        return recipients
    people = User.objects.filter(is_active=True, email__in=recipients)
    key = f"termijn:{reminder.subject_type}:{reminder.subject_id}:{reminder.kind}:{reminder.due_date.isoformat()}"
    title = reminder.subject.removeprefix("Ketenzicht: ")
    link = reminder.link or reverse("notifications:list")
    now_wanted: set[str] = set()
    not_now: set[str] = set()
    with transaction.atomic():
        for person in people:
            delivery = delivery_for(person, Kind.TERMIJN)
            (now_wanted if delivery == Delivery.DIRECT else not_now).add(person.email)
            state = {Delivery.DIRECT: MailState.VERSTUURD, Delivery.DAGELIJKS: MailState.OVERZICHT}.get(delivery, MailState.GEEN)
            Notification.objects.get_or_create(
                recipient=person,
                key=key,
                defaults={"kind": Kind.TERMIJN, "title": title[:200], "link": link, "mail_state": state},
            )
    # An address shared by a person who wants mail now and one who does not still gets it.
    return [address for address in recipients if address not in not_now or address in now_wanted]


def connect() -> None:
    reminders.register_source(_retry_source)
    reminders.register_source(_digest_source)
    reminders.register_recipient_filter(_deadline_filter)
