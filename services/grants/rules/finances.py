"""Money on a grant after its award. Amendments change the amount awarded (with a reason and
the decision's reference); tranches are paid in the grant's currency and their total never
exceeds the amount awarded (409); co-funders' receipts are matched to their pledges; the
recipient reports expenditure per budget line and period while the grant is active; unspent or
ineligible amounts are reclaimed within what was paid or spent. Each write locks the grant
row first, so two tranches paid at once cannot both pass the check."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from services.grants.journal import journal
from services.grants.messages import _
from services.grants.models import (
    BeneficiaryCount,
    CofundingReceipt,
    Disbursement,
    ExpenditureLine,
    ExpenditureReport,
    Grant,
    GrantApplication,
    GrantCall,
    GrantProgramme,
    Reclaim,
    ResultIndicator,
)
from services.grants.money import MoneyAmount, from_minor
from services.grants.reference import CallStatus, CofundingSource, GrantStatus
from services.grants.rules import applications, calls, results
from services.grants.rules import grants as grants_rules
from services.grants.rules.registry_checks import field_error
from services.grants.schemas.finances import (
    AmendmentIn,
    BudgetLineUse,
    CofundingReceiptIn,
    CofundingReceiptOut,
    CofundingUse,
    DisbursementIn,
    DisbursementOut,
    ExpenditureLineIn,
    ExpenditureReportIn,
    ExpenditureReportOut,
    GrantFinances,
    ReclaimIn,
    ReclaimKind,
    ReclaimOut,
)
from services.grants.schemas.grants import GrantOut
from services.grants.schemas.trail import GrantTrail, TrailApplication, TrailStep
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.text import LocalizedText


def today() -> date:
    return calls.today()


def _amount(money: MoneyAmount) -> str:
    return f"{money.amount} {money.currency}"


def disbursement_out(row: Disbursement) -> DisbursementOut:
    return DisbursementOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        grant_id=row.grant_id,
        paid_on=row.paid_on,
        amount=from_minor(row.amount_minor, row.currency),
        reference=row.reference,
    )


def receipt_out(row: CofundingReceipt) -> CofundingReceiptOut:
    return CofundingReceiptOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        grant_id=row.grant_id,
        source=CofundingSource(row.source),
        name=row.name,
        received_on=row.received_on,
        amount=from_minor(row.amount_minor, row.currency),
    )


def reclaim_out(row: Reclaim) -> ReclaimOut:
    return ReclaimOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        grant_id=row.grant_id,
        kind=ReclaimKind(row.kind),
        decided_on=row.decided_on,
        amount=from_minor(row.amount_minor, row.currency),
        reason=row.reason,
    )


def report_out(row: ExpenditureReport, lines: list[ExpenditureLine]) -> ExpenditureReportOut:
    return ExpenditureReportOut(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        grant_id=row.grant_id,
        period_from=row.period_from,
        period_to=row.period_to,
        lines=[
            ExpenditureLineIn.model_validate(
                {
                    "budget_line": line.budget_line,
                    "amount": from_minor(line.amount_minor, line.currency),
                    "documents": line.documents,
                }
            )
            for line in sorted(lines, key=lambda line: line.position)
        ],
        total=from_minor(sum(line.amount_minor for line in lines), row.currency),
    )


async def report_views(
    session: AsyncSession, rows: list[ExpenditureReport]
) -> list[ExpenditureReportOut]:
    lines: dict[uuid.UUID, list[ExpenditureLine]] = {r.id: [] for r in rows}
    if rows:
        for line in await session.scalars(
            select(ExpenditureLine).where(ExpenditureLine.report_id.in_(list(lines)))
        ):
            lines[line.report_id].append(line)
    return [report_out(r, lines[r.id]) for r in rows]


async def _represent_disbursement(
    session: AsyncSession, row: Disbursement, full: bool
) -> DisbursementOut:
    return disbursement_out(row)


async def _represent_receipt(
    session: AsyncSession, row: CofundingReceipt, full: bool
) -> CofundingReceiptOut:
    return receipt_out(row)


async def _represent_reclaim(session: AsyncSession, row: Reclaim, full: bool) -> ReclaimOut:
    return reclaim_out(row)


async def _represent_report(
    session: AsyncSession, row: ExpenditureReport, full: bool
) -> ExpenditureReportOut:
    return (await report_views(session, [row]))[0]


def _grant_stream(row: Disbursement | CofundingReceipt | Reclaim | ExpenditureReport) -> uuid.UUID:
    return row.grant_id


DISBURSEMENTS = journal.resource(
    "disbursement", _represent_disbursement, stream_of=_grant_stream, verbs=("created",)
)
RECEIPTS = journal.resource(
    "cofunding_receipt", _represent_receipt, stream_of=_grant_stream, verbs=("created",)
)
RECLAIMS = journal.resource(
    "reclaim", _represent_reclaim, stream_of=_grant_stream, verbs=("created",)
)
REPORTS = journal.resource(
    "expenditure_report", _represent_report, stream_of=_grant_stream, verbs=("created",)
)


async def locked_grant(session: AsyncSession, grant_id: uuid.UUID) -> Grant:
    """The grant, its row locked until the transaction ends (PostgreSQL; SQLite's writers
    already hold the database's write lock, see docs/decisions.md)."""
    row = await session.scalar(
        select(Grant)
        .where(Grant.id == grant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound(_("There is no grant {grant_id}.", grant_id=grant_id))
    return row


def _same_currency(grant: Grant, money: MoneyAmount, field: str) -> None:
    if money.currency != grant.currency:
        raise field_error(
            field,
            _("the grant's money is in {currency}", currency=grant.currency),
            _("Wrong currency"),
        )


def _positive(money: MoneyAmount, field: str) -> None:
    if money.minor <= 0:
        raise field_error(field, _("the amount is more than zero"), _("Nothing to record"))


async def _sum(
    session: AsyncSession, column: InstrumentedAttribute[int], *where: ColumnElement[bool]
) -> int:
    statement = select(func.coalesce(func.sum(column), 0)).where(*where)
    return int(await session.scalar(statement) or 0)


async def disbursed_minor(session: AsyncSession, grant_id: uuid.UUID) -> int:
    return await _sum(session, Disbursement.amount_minor, Disbursement.grant_id == grant_id)


async def spent_minor(session: AsyncSession, grant_id: uuid.UUID) -> int:
    return await _sum(session, ExpenditureLine.amount_minor, ExpenditureLine.grant_id == grant_id)


async def reclaimed_minor(session: AsyncSession, grant_id: uuid.UUID, kind: ReclaimKind) -> int:
    return await _sum(
        session, Reclaim.amount_minor, Reclaim.grant_id == grant_id, Reclaim.kind == kind
    )


async def amend(
    session: AsyncSession,
    principal: Principal,
    grant_id: uuid.UUID,
    before: GrantOut,
    data: AmendmentIn,
) -> GrantOut:
    grant = await locked_grant(session, grant_id)
    _same_currency(grant, data.amount, "amount.currency")
    if grant.status == GrantStatus.terminated:
        raise Conflict(_("A terminated grant is not amended."), title=_("Grant terminated"))
    paid = await disbursed_minor(session, grant.id)
    if data.amount.minor < paid:
        raise Conflict(
            _(
                "{paid} is already paid on the grant; the amount awarded cannot be less.",
                paid=_amount(from_minor(paid, grant.currency)),
            ),
            title=_("Below what was paid"),
        )
    grant.amendments = [
        *grant.amendments,
        {
            "amended_on": today().isoformat(),
            "previous": from_minor(grant.amount_minor, grant.currency).model_dump(mode="json"),
            "amount": data.amount.model_dump(mode="json"),
            "reason": data.reason,
            "decision": data.decision.model_dump(mode="json"),
        },
    ]
    grant.amount_minor = data.amount.minor
    return await grants_rules.GRANTS.updated(session, principal, grant, before, event="amended")


async def disburse(
    session: AsyncSession, principal: Principal, grant_id: uuid.UUID, data: DisbursementIn
) -> DisbursementOut:
    grant = await locked_grant(session, grant_id)
    _same_currency(grant, data.amount, "amount.currency")
    _positive(data.amount, "amount")
    if grant.status not in (GrantStatus.awarded, GrantStatus.active):
        raise Conflict(
            _(
                "The grant is {status}; tranches are paid on an awarded or active grant.",
                status=grant.status,
            ),
            title=_("Grant not payable"),
        )
    if data.paid_on < grant.awarded_on:
        raise field_error(
            "paid_on",
            _(
                "a tranche is paid on or after the award ({awarded_on})",
                awarded_on=grant.awarded_on,
            ),
            _("Paid before the award"),
        )
    paid = await disbursed_minor(session, grant.id)
    if paid + data.amount.minor > grant.amount_minor:
        raise Conflict(
            _(
                "{paid} is paid of the {awarded} awarded; {amount} more would exceed it. "
                "An amendment with its reason and decision may raise the amount awarded.",
                paid=_amount(from_minor(paid, grant.currency)),
                awarded=_amount(from_minor(grant.amount_minor, grant.currency)),
                amount=_amount(data.amount),
            ),
            title=_("Paid over the amount awarded"),
        )
    row = Disbursement(
        id=uuid.uuid4(),
        grant_id=grant.id,
        paid_on=data.paid_on,
        currency=grant.currency,
        amount_minor=data.amount.minor,
        reference=data.reference,
    )
    session.add(row)
    return await DISBURSEMENTS.created(session, principal, row)


def _pledge_key(source: str, name: str | None) -> tuple[str, str | None]:
    return (source, None if source == CofundingSource.community else name)


async def receive_cofunding(
    session: AsyncSession, principal: Principal, grant_id: uuid.UUID, data: CofundingReceiptIn
) -> CofundingReceiptOut:
    grant = await locked_grant(session, grant_id)
    _same_currency(grant, data.amount, "amount.currency")
    _positive(data.amount, "amount")
    pledges = {_pledge_key(p["source"], p.get("name")) for p in grant.cofunding}
    if _pledge_key(data.source, data.name) not in pledges:
        raise field_error(
            "source",
            _(
                "the grant has no co-funding pledged by {source} {name}",
                source=data.source.value,
                name=data.name or "",
            ),
            _("No such pledge"),
        )
    row = CofundingReceipt(
        id=uuid.uuid4(),
        grant_id=grant.id,
        source=data.source,
        name=data.name,
        received_on=data.received_on,
        currency=grant.currency,
        amount_minor=data.amount.minor,
    )
    session.add(row)
    return await RECEIPTS.created(session, principal, row)


async def budget_lines(session: AsyncSession, grant: Grant) -> dict[str, int]:
    """The grant's budget per line (from the application it was awarded from); none for a
    grant awarded directly."""
    if grant.application_id is None:
        return {}
    application = await session.get(GrantApplication, grant.application_id)
    lines: dict[str, int] = defaultdict(int)
    for line in application.budget_lines if application else []:
        lines[line["item"]] += MoneyAmount.model_validate(line["amount"]).minor
    return dict(lines)


async def report_expenditure(
    session: AsyncSession, principal: Principal, grant_id: uuid.UUID, data: ExpenditureReportIn
) -> ExpenditureReportOut:
    grant = await locked_grant(session, grant_id)
    if grant.status != GrantStatus.active:
        raise Conflict(
            _(
                "The grant is {status}; expenditure is reported on an active grant.",
                status=grant.status,
            ),
            title=_("Grant not active"),
        )
    if data.period_from < grant.starts_on or data.period_to > grant.ends_on:
        raise field_error(
            "period_to",
            _(
                "the grant runs from {starts_on} to {ends_on}",
                starts_on=grant.starts_on,
                ends_on=grant.ends_on,
            ),
            _("Outside the grant's period"),
        )
    known = await budget_lines(session, grant)
    for i, line in enumerate(data.lines):
        _same_currency(grant, line.amount, f"lines.{i}.amount.currency")
        if known and line.budget_line not in known:
            raise field_error(
                f"lines.{i}.budget_line",
                _("{item} is not a budget line of the grant", item=repr(line.budget_line)),
                _("Unknown budget line"),
            )
    row = ExpenditureReport(
        id=uuid.uuid4(),
        grant_id=grant.id,
        period_from=data.period_from,
        period_to=data.period_to,
        currency=grant.currency,
    )
    session.add(row)
    await session.flush()
    session.add_all(
        ExpenditureLine(
            report_id=row.id,
            grant_id=grant.id,
            position=i,
            budget_line=line.budget_line,
            spent_on=data.period_to,
            currency=grant.currency,
            amount_minor=line.amount.minor,
            documents=[str(d) for d in line.documents],
        )
        for i, line in enumerate(data.lines)
    )
    return await REPORTS.created(session, principal, row)


async def reclaim(
    session: AsyncSession, principal: Principal, grant_id: uuid.UUID, data: ReclaimIn
) -> ReclaimOut:
    grant = await locked_grant(session, grant_id)
    _same_currency(grant, data.amount, "amount.currency")
    _positive(data.amount, "amount")
    paid = await disbursed_minor(session, grant.id)
    spent = await spent_minor(session, grant.id)
    already = await reclaimed_minor(session, grant.id, data.kind)
    # Unspent: what was paid and not spent; ineligible: what was spent.
    room = (paid - spent if data.kind == ReclaimKind.unspent else spent) - already
    if data.amount.minor > room:
        raise Conflict(
            _(
                "At most {room} can be reclaimed as {kind} on this grant; {amount} is more.",
                room=_amount(from_minor(max(room, 0), grant.currency)),
                kind=data.kind.value,
                amount=_amount(data.amount),
            ),
            title=_("Reclaim over what is owed"),
        )
    row = Reclaim(
        id=uuid.uuid4(),
        grant_id=grant.id,
        kind=data.kind,
        decided_on=data.decided_on,
        currency=grant.currency,
        amount_minor=data.amount.minor,
        reason=data.reason,
    )
    session.add(row)
    return await RECLAIMS.created(session, principal, row)


async def finances(session: AsyncSession, grant_id: uuid.UUID) -> GrantFinances:
    grant = await grants_rules.get_grant(session, grant_id)
    c = grant.currency
    paid = await disbursed_minor(session, grant.id)
    spent_by_line: dict[str, int] = {
        line: int(total)
        for line, total in (
            await session.execute(
                select(ExpenditureLine.budget_line, func.sum(ExpenditureLine.amount_minor))
                .where(ExpenditureLine.grant_id == grant.id)
                .group_by(ExpenditureLine.budget_line)
            )
        ).all()
    }
    budget = await budget_lines(session, grant)
    received: dict[tuple[str, str | None], int] = defaultdict(int)
    for r in await session.scalars(
        select(CofundingReceipt).where(CofundingReceipt.grant_id == grant.id)
    ):
        received[_pledge_key(r.source, r.name)] += r.amount_minor
    out = grants_rules.grant_out(grant)
    return GrantFinances(
        grant_id=grant.id,
        awarded=out.amount,
        amendments=out.amendments,
        disbursed=from_minor(paid, c),
        spent=from_minor(sum(spent_by_line.values()), c),
        reclaimed_unspent=from_minor(
            await reclaimed_minor(session, grant.id, ReclaimKind.unspent), c
        ),
        reclaimed_ineligible=from_minor(
            await reclaimed_minor(session, grant.id, ReclaimKind.ineligible), c
        ),
        undisbursed=from_minor(grant.amount_minor - paid, c),
        lines=[
            BudgetLineUse(
                budget_line=line,
                budget=from_minor(budget[line], c) if line in budget else None,
                spent=from_minor(spent_by_line.get(line, 0), c),
                remaining=from_minor(budget[line] - spent_by_line.get(line, 0), c)
                if line in budget
                else None,
            )
            for line in [*budget, *sorted(set(spent_by_line) - set(budget))]
        ],
        cofunding=[
            CofundingUse(
                source=p.source,
                name=p.name,
                pledged=from_minor(p.amount.minor, c),
                received=from_minor(received[_pledge_key(p.source, p.name)], c),
            )
            for p in out.cofunding
        ],
    )


async def trail(session: AsyncSession, grant_id: uuid.UUID) -> GrantTrail:
    grant = await grants_rules.get_grant(session, grant_id)
    programme = await session.get(GrantProgramme, grant.programme_id)
    assert programme is not None  # a foreign key
    call = await session.get(GrantCall, grant.call_id) if grant.call_id else None
    application: TrailApplication | None = None
    if grant.application_id and call is not None and call.status == CallStatus.decided:
        row = await applications.get_application(session, grant.application_id)
        [shown] = await applications.application_views(session, [row], show_scores=True)
        application = TrailApplication(
            application=shown, assessments=await applications.assessments_of(session, row, call)
        )
    tranches = await session.scalars(
        select(Disbursement)
        .where(Disbursement.grant_id == grant.id)
        .order_by(Disbursement.paid_on, Disbursement.id)
    )
    reports = await session.scalars(
        select(ExpenditureReport)
        .where(ExpenditureReport.grant_id == grant.id)
        .order_by(ExpenditureReport.period_to, ExpenditureReport.id)
    )
    reclaims = await session.scalars(
        select(Reclaim).where(Reclaim.grant_id == grant.id).order_by(Reclaim.decided_on, Reclaim.id)
    )
    indicators = await session.scalars(
        results.indicators_query(grant.id, None).order_by(
            ResultIndicator.created_at, ResultIndicator.id
        )
    )
    reached = await session.scalars(
        select(BeneficiaryCount)
        .where(BeneficiaryCount.grant_id == grant.id)
        .order_by(BeneficiaryCount.period, BeneficiaryCount.id)
    )
    return GrantTrail(
        programme=TrailStep(
            id=programme.id, name=LocalizedText(hy=programme.name_hy, en=programme.name_en)
        ),
        call=TrailStep(id=call.id, name=LocalizedText(hy=call.title_hy, en=call.title_en))
        if call
        else None,
        application=application,
        grant=grants_rules.grant_out(grant),
        disbursements=[disbursement_out(d) for d in tranches],
        expenditure=await report_views(session, list(reports)),
        reclaims=[reclaim_out(r) for r in reclaims],
        finances=await finances(session, grant.id),
        indicators=[results.indicator_out(i) for i in indicators],
        beneficiaries=[results.count_out(c) for c in reached],
    )
