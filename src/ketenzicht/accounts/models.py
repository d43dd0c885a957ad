"""Regions, districts, municipalities, organisations and the people who work in them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A police unit (politie-eenheid), the level at which regional tables and maps are set."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("naam"), max_length=100)
    # The police unit as CBS spells it (gemeenten_2025.csv): the region's municipalities.
    police_unit = models.CharField(_("politie-eenheid"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("regio (politie-eenheid)")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts")
    slug = models.SlugField(unique=True)
    name = models.CharField(_("naam"), max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    cbs_code = models.CharField(_("CBS-code"), max_length=6, unique=True)
    name = models.CharField(_("naam"), max_length=100)
    veiligheidsregio_code = models.CharField(max_length=4, blank=True)
    veiligheidsregio_name = models.CharField(max_length=100, blank=True)
    police_unit = models.CharField(_("politie-eenheid"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="municipalities"
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="municipalities"
    )
    on_platform = models.BooleanField(
        _("aangesloten"),
        default=False,
        help_text=_("Of de gemeente Ketenzicht gebruikt en signalen zelf behandelt."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    GEMEENTE = "gemeente", _("Gemeente")
    POLITIE_AVIM = "politie-avim", _("Politie (AVIM / Team Mensenhandel)")
    NLA = "nla", _("Nederlandse Arbeidsinspectie")
    ZORGCOORDINATOR = "zorgcoordinator", _("Zorgcoördinator mensenhandel")
    ZORG_EN_VEILIGHEIDSHUIS = "zorg-en-veiligheidshuis", _("Zorg- en Veiligheidshuis")
    VEILIG_THUIS = "veilig-thuis", _("Veilig Thuis")
    RIEC = "riec", _("RIEC")
    OM = "om", _("Openbaar Ministerie")
    KMAR = "kmar", _("Koninklijke Marechaussee")
    HEIT = "heit", _("HEIT")
    ODWH = "odwh", _("Omgevingsdienst")
    BRANDWEER = "brandweer", _("Brandweer")
    BELASTINGDIENST = "belastingdienst", _("Belastingdienst")
    COMENSHA = "comensha", _("CoMensha")
    OVERIG = "overig", _("Overig")


class Organisation(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("naam"), max_length=150)
    kind = models.CharField(_("soort"), max_length=40, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations"
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("Alleen voor de organisatie van een gemeente."),
    )
    # A district-level organisation (a district coordinator, a district's zorgcoördinator):
    # its people act for that district (core/policy.py, scopes).
    district = models.ForeignKey(
        "District", on_delete=models.PROTECT, null=True, blank=True, related_name="organisations"
    )
    phone = models.CharField(_("telefoon"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    on_platform = models.BooleanField(_("werkt in Ketenzicht"), default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="gemeente") | models.Q(municipality__isnull=False),
                name="gemeente_org_has_municipality",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    MELDER = "melder", _("Melder")
    AANDACHTSFUNCTIONARIS = "aandachtsfunctionaris", _("Aandachtsfunctionaris")
    OVERLEGDEELNEMER = "overlegdeelnemer", _("Overlegdeelnemer")
    KETENREGISSEUR = "ketenregisseur", _("Ketenregisseur")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    BEHEERDER = "beheerder", _("Beheerder")
    KETENPARTNER = "ketenpartner", _("Ketenpartner")
    PARTNERSYSTEEM = "partnersysteem", _("Partnersysteem (API)")
    # A partner's data steward: encodes and delivers the partner's registrations to the monitor.
    GEGEVENSLEVERANCIER = "gegevensleverancier", _("Gegevensleverancier (monitor)")
    # The named actor of commands and background jobs (accounts/system.py); never a person's
    # role: nobody can log in as it and no beheerder can grant it.
    SYSTEEM = "systeem", _("Systeem (taken en opdrachten)")


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    preferred_language = models.CharField(_("taal"), max_length=5, default="nl")
    # The subject (`sub`) at the organisation's identity provider, for staff who log in with SSO.
    oidc_subject = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        ordering = ["username"]

    @property
    def role_codes(self) -> frozenset[str]:
        # Cached per instance: the policy module asks for it on every check.
        if not hasattr(self, "_role_codes"):
            self._role_codes = frozenset(self.roles.values_list("role", flat=True))
        return self._role_codes

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))

    @property
    def municipality(self) -> Municipality | None:
        org = self.organisation
        return org.municipality if org is not None else None

    @property
    def district(self) -> District | None:
        """The district the user works in: a district-level organisation's own district, else the
        district of their municipality; None for regional and partner staff. Dashboards and
        overviews open on it (issue 16 item 7)."""
        org = self.organisation
        if org is None:
            return None
        if org.district_id is not None:
            return org.district
        return org.municipality.district if org.municipality_id is not None else None


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self) -> str:
        return self.role


class RoleRequestState(models.TextChoices):
    WACHT = "wacht", _("Wacht op bevestiging")
    BEVESTIGD = "bevestigd", _("Bevestigd")
    GEWEIGERD = "geweigerd", _("Geweigerd")
    INGETROKKEN = "ingetrokken", _("Ingetrokken")
    VERVALLEN = "vervallen", _("Vervallen")


class RoleRequest(models.Model):
    """A grant of beheerder or privacy officer, waiting for a second beheerder (four eyes).

    Its lifecycle is `domain/lifecycles/role_request.py`; only
    `accounts.services.role_request_transition` changes its state.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_requests")
    role = models.CharField(max_length=30, choices=Role.choices)
    state = models.CharField(max_length=12, choices=RoleRequestState.choices, default=RoleRequestState.WACHT)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reden"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"], condition=models.Q(state="wacht"), name="one_pending_request_per_role"
            )
        ]


class AccountLinkPurpose(models.TextChoices):
    UITNODIGING = "uitnodiging", _("Uitnodiging")
    WACHTWOORD = "wachtwoord", _("Wachtwoord opnieuw instellen")


class AccountLink(models.Model):
    """A one-time link by e-mail (invitation or password reset). Only a hash of the token is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_links")
    purpose = models.CharField(max_length=12, choices=AccountLinkPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]


class LoginSession(models.Model):
    """The sessions a person is logged in with, so deactivating the account can end them all."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
