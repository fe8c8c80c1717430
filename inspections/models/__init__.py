from inspections.models.catalogue import CatalogueItem, VisitAssignment
from inspections.models.complaints import Complaint, ComplaintDeduction, ComplaintRule, Outcome
from inspections.models.visits import Finding, Visit, VisitPhoto

__all__ = [
    "CatalogueItem",
    "Complaint",
    "ComplaintDeduction",
    "ComplaintRule",
    "Finding",
    "Outcome",
    "Visit",
    "VisitAssignment",
    "VisitPhoto",
]
