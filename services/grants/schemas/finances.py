"""Money on a grant after its award: amendments, disbursements, co-funding receipts,
expenditure reports per budget line and period, reclaims, and the grant's finances."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, model_validator

from services.grants.messages import _
from services.grants.money import MoneyAmount
from services.grants.reference import CofundingSource
from services.grants.schemas.common import LongText, ShortText
from shared.inputs import Day
from shared.schemas import Resource


class AmendmentDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: Annotated[str, Field(min_length=1, max_length=60)]
    date: Day


class AmendmentIn(BaseModel):
    """A decision that changes the amount awarded; the paid total may then reach it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "amount": {"amount": "9000000", "currency": "AMD"},
                    "reason": "Ծառայության ընդլայնում",
                    "decision": {"number": "45-Ա", "date": "2021-09-01"},
                }
            ]
        },
    )

    amount: MoneyAmount = Field(description="The amount awarded from now on")
    reason: LongText = Field(min_length=1)
    decision: AmendmentDecision


class Amendment(BaseModel):
    amended_on: date
    previous: MoneyAmount
    amount: MoneyAmount
    reason: str
    decision: AmendmentDecision


class DisbursementIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"paid_on": "2021-04-15", "amount": {"amount": "4000000", "currency": "AMD"}}
            ]
        },
    )

    paid_on: Day
    amount: MoneyAmount
    reference: ShortText | None = Field(default=None, description="The payment order's number")


class DisbursementOut(DisbursementIn, Resource):
    grant_id: uuid.UUID


class CofundingReceiptIn(BaseModel):
    """What a co-funder paid, against its pledge on the grant (matched by source and name)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": "community",
                    "received_on": "2021-05-01",
                    "amount": {"amount": "300000", "currency": "AMD"},
                }
            ]
        },
    )

    source: CofundingSource
    name: ShortText | None = None
    received_on: Day
    amount: MoneyAmount


class CofundingReceiptOut(CofundingReceiptIn, Resource):
    grant_id: uuid.UUID


class ExpenditureLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    budget_line: ShortText = Field(description="An item of the grant's budget lines")
    amount: MoneyAmount
    documents: Annotated[
        list[AnyHttpUrl], Field(max_length=20, description="Links to invoices, receipts, …")
    ] = []


class ExpenditureReportIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "period_from": "2021-04-01",
                    "period_to": "2021-06-30",
                    "lines": [
                        {
                            "budget_line": "Աշխատավարձ",
                            "amount": {"amount": "1200000", "currency": "AMD"},
                            "documents": ["https://example.am/receipts/17.pdf"],
                        }
                    ],
                }
            ]
        },
    )

    period_from: Day
    period_to: Day
    lines: Annotated[list[ExpenditureLineIn], Field(min_length=1, max_length=200)]

    @model_validator(mode="after")
    def _period(self) -> ExpenditureReportIn:
        if self.period_to < self.period_from:
            raise ValueError(
                _("the period cannot end ({period_to}) before it starts ({period_from})",
                  period_to=self.period_to, period_from=self.period_from)
            )  # fmt: skip
        return self


class ExpenditureReportOut(ExpenditureReportIn, Resource):
    grant_id: uuid.UUID
    total: MoneyAmount


class ReclaimKind(StrEnum):
    unspent = "unspent"
    ineligible = "ineligible"


class ReclaimIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "unspent",
                    "decided_on": "2022-01-20",
                    "amount": {"amount": "150000", "currency": "AMD"},
                    "reason": "Չծախսված մնացորդ",
                }
            ]
        },
    )

    kind: ReclaimKind
    decided_on: Day
    amount: MoneyAmount
    reason: LongText = Field(min_length=1)


class ReclaimOut(ReclaimIn, Resource):
    grant_id: uuid.UUID


class BudgetLineUse(BaseModel):
    budget_line: str
    budget: MoneyAmount | None = Field(description="None when the grant has no such line")
    spent: MoneyAmount
    remaining: MoneyAmount | None


class CofundingUse(BaseModel):
    source: CofundingSource
    name: str | None
    pledged: MoneyAmount
    received: MoneyAmount


class GrantFinances(BaseModel):
    """Budget against actual on one grant, in the grant's currency."""

    grant_id: uuid.UUID
    awarded: MoneyAmount = Field(description="As last amended")
    amendments: list[Amendment]
    disbursed: MoneyAmount
    spent: MoneyAmount
    reclaimed_unspent: MoneyAmount
    reclaimed_ineligible: MoneyAmount
    undisbursed: MoneyAmount
    lines: list[BudgetLineUse]
    cofunding: list[CofundingUse] = Field(description="The community's own first")
