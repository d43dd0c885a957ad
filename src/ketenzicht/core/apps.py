from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ketenzicht.core"
    label = "core"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from ketenzicht.core.lockout import on_axes_lockout

        user_locked_out.connect(on_axes_lockout, dispatch_uid="ketenzicht.core.lockout.notice")
