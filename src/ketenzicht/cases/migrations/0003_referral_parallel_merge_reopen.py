"""Issue 18: a referral is a parallel track (no case state `doorverwezen` any more), and a
duplicate can be merged into another case (state `samengevoegd`, `merged_into`).

Cases in `doorverwezen` go back to the state they were referred from (the history says which;
`in_behandeling` when it does not), with a history row that says why. The referral itself is
untouched: it goes on beside the case.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


REASON = (
    "Status hersteld: een doorverwijzing loopt voortaan als eigen spoor naast het signaal; "
    "het signaal staat weer waar het stond toen het werd doorverwezen."
)


def referred_cases_back(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    for case in Case.objects.filter(state="doorverwezen"):
        last = (
            CaseEvent.objects.filter(case=case, kind="transition", to_state="doorverwezen")
            .exclude(from_state__in=["", "doorverwezen"])
            .order_by("-at", "-id")
            .first()
        )
        back = last.from_state if last is not None else "in_behandeling"
        Case.objects.filter(pk=case.pk).update(state=back)
        CaseEvent.objects.create(
            case=case, actor=None, actor_label="systeem (migratie)", organisation=None, kind="transition",
            action="", from_state="doorverwezen", to_state=back, reason=REASON,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_system_role'),
        ('cases', '0002_receipt_and_fingerprint'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='case',
            name='case_state_valid',
        ),
        migrations.RunPython(referred_cases_back, migrations.RunPython.noop),
        migrations.AddField(
            model_name='case',
            name='merged_into',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='merged_duplicates', to='cases.case'),
        ),
        migrations.AlterField(
            model_name='case',
            name='state',
            field=models.CharField(choices=[('ontvangen', 'Ontvangen'), ('in_behandeling', 'In behandeling (verrijken)'), ('geagendeerd', 'Geagendeerd voor signalenoverleg'), ('integrale_controle', 'Integrale controle'), ('overgedragen', 'Overgedragen aan andere afdeling'), ('niet_bevestigd', 'Niet bevestigd'), ('geagendeerd_loo', 'Geagendeerd voor LOO'), ('interventie', 'Interventie'), ('riec_casus', 'RIEC-casus'), ('afgesloten', 'Afgesloten'), ('samengevoegd', 'Samengevoegd met een ander signaal')], default='ontvangen', max_length=20, verbose_name='status'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['ontvangen', 'in_behandeling', 'geagendeerd', 'integrale_controle', 'overgedragen', 'niet_bevestigd', 'geagendeerd_loo', 'interventie', 'riec_casus', 'afgesloten', 'samengevoegd'])), name='case_state_valid'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('merged_into__isnull', False), ('state', 'samengevoegd')), models.Q(models.Q(('state', 'samengevoegd'), _negated=True), ('merged_into__isnull', True)), _connector='OR'), name='case_merged_has_target'),
        ),
    ]
