from evaluation.models.campaigns import Campaign, CampaignPhase, CampaignUnit, Category, Phase
from evaluation.models.tenancy import Department, Membership, Tenant, TenantOwned, Unit

__all__ = [
    "Campaign",
    "CampaignPhase",
    "CampaignUnit",
    "Category",
    "Department",
    "Membership",
    "Phase",
    "Tenant",
    "TenantOwned",
    "Unit",
]
