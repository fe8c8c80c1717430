from reporting.models.bulletins import BulletinJob
from reporting.models.publication import FrozenRevisionError, Publication, RectificationReport

__all__ = ["BulletinJob", "FrozenRevisionError", "Publication", "RectificationReport"]
