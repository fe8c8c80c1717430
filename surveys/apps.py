from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"

    def ready(self) -> None:
        from surveys.services.anonymity import install_filters

        install_filters()
