"""One grant followed from its programme to what was spent."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from services.grants.schemas.applications import AssessmentOut, GrantApplicationOut
from services.grants.schemas.finances import (
    DisbursementOut,
    ExpenditureReportOut,
    GrantFinances,
    ReclaimOut,
)
from services.grants.schemas.grants import GrantOut
from services.grants.schemas.results import BeneficiaryCountOut, IndicatorOut
from shared.text import LocalizedText


class TrailStep(BaseModel):
    id: uuid.UUID
    name: LocalizedText


class TrailApplication(BaseModel):
    application: GrantApplicationOut
    assessments: list[AssessmentOut]


class GrantTrail(BaseModel):
    """One grant followed from its programme to what was spent: programme → call → application
    and its scores (once the call is decided) → award (amendments) → disbursements →
    expenditure → budget against actual → results (indicators, beneficiaries reached)."""

    programme: TrailStep
    call: TrailStep | None
    application: TrailApplication | None = Field(
        description="None for a direct grant, or until the call is decided"
    )
    grant: GrantOut
    disbursements: list[DisbursementOut]
    expenditure: list[ExpenditureReportOut]
    reclaims: list[ReclaimOut]
    finances: GrantFinances
    indicators: list[IndicatorOut] = Field(description="the grant's result indicators")
    beneficiaries: list[BeneficiaryCountOut] = Field(
        description="beneficiaries reached per period, as counts (never persons)"
    )
