from django.core.management.base import BaseCommand

from evaluation.services.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the demo tenant (idempotent) and print one login per role."

    def handle(self, *args, **options):
        tenant, logins = demo_load()
        self.stdout.write(f"Demo tenant: {tenant.name} (/t/{tenant.slug}/)")
        self.stdout.write(f"Password for every demo login: {DEMO_PASSWORD}")
        for login in logins:
            self.stdout.write(f"  {login.username:<12} {login.role:<10} {login.detail}")
