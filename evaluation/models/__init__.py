from evaluation.models.audit import AuditEvent, AuditTrailImmutable
from evaluation.models.campaigns import Campaign, CampaignPhase, CampaignUnit, Category, Phase
from evaluation.models.inputs import AssessedScore, DirectScore, LeafMeasure, LedgerEntry, VetoDecision
from evaluation.models.results import ComputeJob, ResultRevision, UnitResult
from evaluation.models.tenancy import Department, Membership, Tenant, TenantOwned, Unit
from evaluation.models.year import (
    Appeal,
    CampaignSettings,
    Evidence,
    Notification,
    SelfAssessment,
    SelfAssessmentSheet,
    TargetItem,
    TargetRound,
    TargetSheet,
)

__all__ = [
    "Appeal",
    "CampaignSettings",
    "Evidence",
    "Notification",
    "SelfAssessment",
    "SelfAssessmentSheet",
    "TargetItem",
    "TargetRound",
    "TargetSheet",
    "AssessedScore",
    "AuditEvent",
    "AuditTrailImmutable",
    "Campaign",
    "CampaignPhase",
    "CampaignUnit",
    "Category",
    "ComputeJob",
    "Department",
    "DirectScore",
    "LeafMeasure",
    "LedgerEntry",
    "Membership",
    "Phase",
    "ResultRevision",
    "Tenant",
    "TenantOwned",
    "Unit",
    "UnitResult",
    "VetoDecision",
]
