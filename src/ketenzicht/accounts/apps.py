from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ketenzicht.accounts"
    label = "accounts"

    def ready(self) -> None:
        from ketenzicht.accounts import signals, two_factor_texts  # noqa: F401 - connects the receivers

        two_factor_texts.apply()
