from django.core.management.base import BaseCommand, CommandError

from evaluation.management.commands._campaign_arg import add_campaign_arguments, campaign_from_options
from evaluation.models import ComputeJob
from evaluation.services.compute import compute_job_create, compute_job_execute, compute_job_start


class Command(BaseCommand):
    help = "Compute a campaign's results into a new revision (through a compute job)."

    def add_arguments(self, parser):
        add_campaign_arguments(parser)
        parser.add_argument("--enqueue", action="store_true", help="hand the job to the Celery workers and return")

    def handle(self, *args, **options):
        campaign = campaign_from_options(options)
        if options["enqueue"]:
            job = compute_job_start(campaign=campaign)
            self.stdout.write(f"job {job.pk} queued")
            return
        job, created = compute_job_create(campaign=campaign)
        if not created:
            raise CommandError(f"job {job.pk} is already {job.status} for this campaign; try again when it ends")
        job = compute_job_execute(job_id=job.pk)
        if job.status != ComputeJob.Status.DONE:
            raise CommandError(f"job {job.pk} failed: {job.message}")
        self.stdout.write(f"job {job.pk} done: revision {job.revision.number} ({job.message or 'computed'})")
