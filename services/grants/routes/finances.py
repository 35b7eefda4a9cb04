"""Money on a grant after its award: amendments, tranches paid, co-funding received,
expenditure reported, reclaims, and budget against actual."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from services.grants.dependencies import GrantChange, Officer
from services.grants.messages import _
from services.grants.models import CofundingReceipt, Disbursement, ExpenditureReport, Reclaim
from services.grants.rules import finances as rules
from services.grants.rules import grants as grants_rules
from services.grants.schemas.finances import (
    AmendmentIn,
    CofundingReceiptIn,
    CofundingReceiptOut,
    DisbursementIn,
    DisbursementOut,
    ExpenditureReportIn,
    ExpenditureReportOut,
    GrantFinances,
    ReclaimIn,
    ReclaimOut,
)
from services.grants.schemas.grants import GrantOut
from services.grants.schemas.trail import GrantTrail
from shared.concurrency import Changing, Creating, Reading
from shared.database import SessionDep
from shared.errors import NotFound, problem_responses
from shared.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/grants/{grant_id}", tags=["grant finances"])
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)


@router.post(
    "/amendments",
    response_model=GrantOut,
    responses=WRITE_ERRORS,
    summary="Change the amount awarded, with the reason and the decision",
)
async def amend_grant(
    body: AmendmentIn,
    change: GrantChange,
    session: SessionDep,
    principal: Officer,
    conditional: Changing,
) -> Response:
    out = await rules.amend(session, principal, change.row.id, change.before, body)
    return conditional.answer(out)


@router.post(
    "/disbursements",
    status_code=status.HTTP_201_CREATED,
    response_model=DisbursementOut,
    responses=WRITE_ERRORS,
    summary="Pay a tranche; the paid total never exceeds the amount awarded",
)
async def create_disbursement(
    grant_id: uuid.UUID,
    body: DisbursementIn,
    session: SessionDep,
    principal: Officer,
    conditional: Creating,
) -> Response:
    out = await rules.disburse(session, principal, grant_id, body)
    return conditional.answer(
        out, status=201, location=f"/v1/grants/{grant_id}/disbursements/{out.id}"
    )


@router.get("/disbursements", responses=problem_responses(404), summary="Tranches paid")
async def list_disbursements(
    grant_id: uuid.UUID, session: SessionDep, page: PageDep
) -> Page[DisbursementOut]:
    await grants_rules.get_grant(session, grant_id)
    statement = select(Disbursement).where(Disbursement.grant_id == grant_id)
    items, cursor = await paginate(
        session, statement, keys=[Disbursement.paid_on, Disbursement.id], page=page
    )
    return Page(items=[rules.disbursement_out(r) for r in items], next_cursor=cursor)


@router.get(
    "/disbursements/{disbursement_id}",
    response_model=DisbursementOut,
    responses=problem_responses(404),
)
async def get_disbursement(
    grant_id: uuid.UUID, disbursement_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    row = await session.get(Disbursement, disbursement_id)
    if row is None or row.grant_id != grant_id:
        raise NotFound(_("There is no tranche {id} on the grant.", id=disbursement_id))
    return conditional.answer(rules.disbursement_out(row))


@router.post(
    "/cofunding-receipts",
    status_code=status.HTTP_201_CREATED,
    response_model=CofundingReceiptOut,
    responses=WRITE_ERRORS,
    summary="Record what a co-funder paid against its pledge",
)
async def create_cofunding_receipt(
    grant_id: uuid.UUID,
    body: CofundingReceiptIn,
    session: SessionDep,
    principal: Officer,
    conditional: Creating,
) -> Response:
    out = await rules.receive_cofunding(session, principal, grant_id, body)
    return conditional.answer(out, status=201)


@router.get("/cofunding-receipts", responses=problem_responses(404), summary="Co-funding received")
async def list_cofunding_receipts(
    grant_id: uuid.UUID, session: SessionDep, page: PageDep
) -> Page[CofundingReceiptOut]:
    await grants_rules.get_grant(session, grant_id)
    statement = select(CofundingReceipt).where(CofundingReceipt.grant_id == grant_id)
    items, cursor = await paginate(
        session, statement, keys=[CofundingReceipt.received_on, CofundingReceipt.id], page=page
    )
    return Page(items=[rules.receipt_out(r) for r in items], next_cursor=cursor)


@router.post(
    "/expenditure-reports",
    status_code=status.HTTP_201_CREATED,
    response_model=ExpenditureReportOut,
    responses=WRITE_ERRORS,
    summary="Report expenditure per budget line for a period",
)
async def create_expenditure_report(
    grant_id: uuid.UUID,
    body: ExpenditureReportIn,
    session: SessionDep,
    principal: Officer,
    conditional: Creating,
) -> Response:
    out = await rules.report_expenditure(session, principal, grant_id, body)
    return conditional.answer(out, status=201)


@router.get(
    "/expenditure-reports", responses=problem_responses(404), summary="Expenditure reported"
)
async def list_expenditure_reports(
    grant_id: uuid.UUID, session: SessionDep, page: PageDep
) -> Page[ExpenditureReportOut]:
    await grants_rules.get_grant(session, grant_id)
    statement = select(ExpenditureReport).where(ExpenditureReport.grant_id == grant_id)
    items, cursor = await paginate(
        session, statement, keys=[ExpenditureReport.period_to, ExpenditureReport.id], page=page
    )
    return Page(items=await rules.report_views(session, items), next_cursor=cursor)


@router.post(
    "/reclaims",
    status_code=status.HTTP_201_CREATED,
    response_model=ReclaimOut,
    responses=WRITE_ERRORS,
    summary="Reclaim an unspent or ineligible amount",
)
async def create_reclaim(
    grant_id: uuid.UUID,
    body: ReclaimIn,
    session: SessionDep,
    principal: Officer,
    conditional: Creating,
) -> Response:
    out = await rules.reclaim(session, principal, grant_id, body)
    return conditional.answer(out, status=201)


@router.get("/reclaims", responses=problem_responses(404), summary="Reclaims")
async def list_reclaims(
    grant_id: uuid.UUID, session: SessionDep, page: PageDep
) -> Page[ReclaimOut]:
    await grants_rules.get_grant(session, grant_id)
    statement = select(Reclaim).where(Reclaim.grant_id == grant_id)
    items, cursor = await paginate(
        session, statement, keys=[Reclaim.decided_on, Reclaim.id], page=page
    )
    return Page(items=[rules.reclaim_out(r) for r in items], next_cursor=cursor)


@router.get(
    "/finances",
    response_model=GrantFinances,
    responses=problem_responses(404),
    summary="Budget against actual, per line and for the grant",
)
async def get_grant_finances(
    grant_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    return conditional.answer(await rules.finances(session, grant_id))


@router.get(
    "/trail",
    response_model=GrantTrail,
    responses=problem_responses(404),
    summary="Programme → call → application and scores → award → disbursements → expenditure",
)
async def get_grant_trail(
    grant_id: uuid.UUID, session: SessionDep, conditional: Reading
) -> Response:
    return conditional.answer(await rules.trail(session, grant_id))
