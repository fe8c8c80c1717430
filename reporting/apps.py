from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        from reporting import guards

        guards.connect()
