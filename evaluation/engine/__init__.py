"""Kaoping's scoring engine (考评计分引擎): plain data in, results and explanations out.

Importable without Django — standard library only. Services load a campaign's scheme and each
unit's inputs into the dataclasses of :mod:`.types`, call :func:`compute_campaign` (or
:func:`compute_units` for one category), and save what it returns. The scheme document format
is read and written by :func:`scheme_from_dict` / :func:`scheme_to_dict`.

    from evaluation.engine import compute_campaign, scheme_from_dict
    result = compute_campaign(scheme_from_dict(document), inputs)
    unit = result.unit("U1")
    unit.total, unit.rank, unit.grade, str(unit.explanation), unit.explanation.text("en")
"""

from .aggregate import (
    CompiledCategory,
    compile_category,
    compute_campaign,
    compute_units,
    rank_units,
    score_unit,
)
from .explain import Explanation
from .methods import METHODS
from .scheme_io import FORMAT, scheme_from_dict, scheme_to_dict, validate_scheme
from .types import (
    BandGrading,
    CampaignResult,
    CampaignScheme,
    CategoryResult,
    CategoryScheme,
    Component,
    ComponentResult,
    DemocraticTally,
    GradeBand,
    GroupTally,
    InputError,
    InspectionDeduction,
    LedgerEntry,
    LedgerLine,
    Node,
    NodeResult,
    Pool,
    PreviousYear,
    Rule,
    SchemeError,
    ShareGrading,
    ShareTier,
    SurveyTally,
    TierPick,
    TopNGrading,
    UnitInputs,
    UnitResult,
    Veto,
    VetoRule,
)

__all__ = [
    "compute_campaign", "compute_units", "rank_units", "score_unit", "compile_category", "CompiledCategory",
    "scheme_from_dict", "scheme_to_dict", "validate_scheme", "FORMAT", "METHODS", "Explanation",
    "CampaignScheme", "CategoryScheme", "Node", "Rule", "Pool", "Component", "VetoRule", "GradeBand", "BandGrading",
    "TopNGrading", "ShareTier", "ShareGrading",
    "UnitInputs", "TierPick", "LedgerEntry", "SurveyTally", "GroupTally", "DemocraticTally", "InspectionDeduction",
    "Veto", "PreviousYear",
    "CampaignResult", "CategoryResult", "UnitResult", "NodeResult", "ComponentResult", "LedgerLine",
    "SchemeError", "InputError",
]
