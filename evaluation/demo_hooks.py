"""Apps add their part of the demo (scheme, ledger, ballots…) through ``<app>.demo.load(tenant)``.

Each hook must be idempotent, like demo_load itself.
"""

from importlib import import_module

from django.apps import apps


def run_demo_hooks(tenant) -> None:
    for config in apps.get_app_configs():
        if config.name == "evaluation" or config.name.split(".")[0] not in {
            "indicators",
            "surveys",
            "inspections",
            "reporting",
        }:
            continue
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError:
            continue
        module.load(tenant)
    try:
        module = import_module("evaluation.demo_data")
    except ModuleNotFoundError:
        return
    module.load(tenant)
