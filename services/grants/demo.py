"""Demo data: "Together for Social Communities" (source document 002) and the Kotayk programme
(source document 004).

- The local social plans of the 9 target communities (Gyumri, Akhuryan, Goris, Sisian, Tatev,
  Ijevan, Noyemberyan, Armavir, Metsamor), drawn up with the community (a consultation each)
  and adopted, with their ranked priorities.
- The project as a grant programme (AASW with EU and Austrian Development Agency funding) and
  its 9 pilot grants, one per community, each piloting the first priority of its plan, awarded
  directly to the community administration with the community's own co-funding first.
- The pilots' money: two tranches each, the community's co-funding received, two expenditure
  reports of three budget lines; then each pilot is completed (all amounts illustrative).
- The Kotayk three-year programme "Promoting social inclusion and self-sufficient livelihood
  measures in Armenia" with its two components, its beneficiary scope and selection procedure,
  and a call of its second component.

The documents name the communities, the funders, the two components and the beneficiaries;
they give no amounts, dates of adoption, priorities' wording or recipients of the pilots. All
of those are illustrative: amounts are flagged `amounts_illustrative`, and decision numbers
and dates, priorities and consultations are examples of what the plans hold.

References into the registry are the registry demo's stable ids (`services/registry/demo.py`:
uuid5 of a row's kind and Armenian name; communities by their code), written as they are: the
demo is loaded before the services run, so the registry cannot be asked. `tests/test_demo.py`
checks every one of them against a registry with its demo loaded.
`python -m services.grants demo` loads it once; running it again changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.grants.access import ADMIN
from services.grants.clients import Registry
from services.grants.config import GrantsSettings
from services.grants.models import (
    CofundingReceipt,
    Disbursement,
    ExpenditureLine,
    ExpenditureReport,
    Grant,
    GrantCall,
    GrantProgramme,
    LocalPlan,
    PlanPriority,
)
from services.grants.rules import calls, finances, grants, plans, programmes
from services.grants.schemas.calls import GrantCallIn
from services.grants.schemas.finances import (
    CofundingReceiptIn,
    DisbursementIn,
    ExpenditureReportIn,
)
from services.grants.schemas.grants import GrantIn, GrantOut, GrantPatch
from services.grants.schemas.plans import ConsultationIn, Decision, PlanIn
from services.grants.schemas.programmes import GrantProgrammeIn
from shared.auth import Principal
from shared.demo import run_demo

COMMUNITY_NAMESPACE = uuid.UUID("6f1c0f5e-0d3b-4c59-9a57-5e0b7c1a2f10")  # the registry's
REGISTRY_DEMO_NAMESPACE = uuid.UUID("5f0c6f7e-3b7a-5a53-9d38-6a2f2c9e0d01")
DEMO_NAMESPACE = uuid.UUID("0b8e3d52-7c1f-5d6a-9e4b-2a7f6c3d1e90")


def community(code: str) -> uuid.UUID:
    return uuid.uuid5(COMMUNITY_NAMESPACE, code)


def registry_actor(name_hy: str) -> uuid.UUID:
    return uuid.uuid5(REGISTRY_DEMO_NAMESPACE, f"Actor/{name_hy}")


AASW = registry_actor("Հայաստանի սոցիալական աշխատողների ասոցիացիա")

# code, region, name (hy, en), genitive (hy) for "... community administration"
COMMUNITIES = [
    ("gyumri", "AM-SH", "Գյումրի", "Gyumri", "Գյումրու"),
    ("akhuryan", "AM-SH", "Ախուրյան", "Akhuryan", "Ախուրյանի"),
    ("goris", "AM-SU", "Գորիս", "Goris", "Գորիսի"),
    ("sisian", "AM-SU", "Սիսիան", "Sisian", "Սիսիանի"),
    ("tatev", "AM-SU", "Տաթև", "Tatev", "Տաթևի"),
    ("ijevan", "AM-TV", "Իջևան", "Ijevan", "Իջևանի"),
    ("noyemberyan", "AM-TV", "Նոյեմբերյան", "Noyemberyan", "Նոյեմբերյանի"),
    ("armavir", "AM-AV", "Արմավիր", "Armavir", "Արմավիրի"),
    ("metsamor", "AM-AV", "Մեծամոր", "Metsamor", "Մեծամորի"),
]

# Priorities: (title hy, title en, target groups, service categories, estimated cost in AMD).
_ELDERLY = (
    "Տարեցների տնային խնամք",
    "Home care for lonely elderly people",
    ["elderly"],
    ["home_care", "elderly_care"],
    "12000000",
)
_DAY_CARE = (
    "Ցերեկային կենտրոն հաշմանդամություն ունեցող երեխաների համար",
    "Day centre for children with disabilities",
    ["children", "persons_with_disabilities"],
    ["day_care", "rehabilitation"],
    "18000000",
)
_FAMILIES = (
    "Անապահով ընտանիքների դեպքի վարում",
    "Case management for families in poverty",
    ["low_income_families", "large_families"],
    ["case_management", "benefits_advice"],
    "9000000",
)
_YOUTH = (
    "Երիտասարդների զբաղվածության աջակցություն",
    "Employment support for young people",
    ["youth", "unemployed"],
    ["employment", "education"],
    "10000000",
)
_VIOLENCE = (
    "Բռնության ենթարկված կանանց աջակցություն",
    "Support for women who suffered violence",
    ["women_at_risk", "victims_of_violence"],
    ["violence_support", "psychological"],
    "7000000",
)
_DISPLACED = (
    "Տեղահանված ընտանիքների ինտեգրում",
    "Integration of displaced families",
    ["displaced_persons"],
    ["housing", "social_counselling"],
    "15000000",
)
_VETERANS = (
    "Վետերանների ընտանիքների հոգեբանական աջակցություն",
    "Psychological support for veterans' families",
    ["veterans"],
    ["psychological", "social_counselling"],
    "6000000",
)
PRIORITIES: dict[str, list[tuple[str, str, list[str], list[str], str]]] = {
    "gyumri": [_ELDERLY, _DAY_CARE, _FAMILIES],
    "akhuryan": [_FAMILIES, _ELDERLY],
    "goris": [_DISPLACED, _YOUTH, _ELDERLY],
    "sisian": [_YOUTH, _FAMILIES],
    "tatev": [_ELDERLY, _FAMILIES],
    "ijevan": [_DAY_CARE, _VETERANS, _FAMILIES],
    "noyemberyan": [_ELDERLY, _YOUTH],
    "armavir": [_VIOLENCE, _FAMILIES, _DAY_CARE],
    "metsamor": [_FAMILIES, _YOUTH],
}  # fmt: skip

TOGETHER = {
    "name": {"hy": "Միասին հանուն սոցիալական համայնքների",
             "en": "Together for Social Communities"},
    "funders": [
        {"actor_id": str(AASW)},
        {"name": {"hy": "Եվրոպական միություն", "en": "European Union"}, "country": "BE"},
        {"name": {"hy": "Ավստրիական զարգացման գործակալություն",
                  "en": "Austrian Development Agency"}, "country": "AT"},
    ],
    "budget": [{"amount": "90000000", "currency": "AMD"}],
    "starts_on": "2019-01-01",
    "ends_on": "2022-12-31",
    "components": [
        {"code": "local-social-plans", "name": {"hy": "Տեղական սոցիալական պլաններ",
                                                "en": "Local social plans"}},
        {"code": "services", "name": {"hy": "Սոցիալական ծառայությունների ներդրում և ընդլայնում",
                                      "en": "Introducing and expanding social services"}},
    ],
    "goals": [
        "Ակտիվացնել միջոլորտային և միջգերատեսչական համագործակցությունը տեղական մակարդակում",
        "Ամրապնդել ՔՀԿ-ների դերը տեղական սոցիալական քաղաքականության գործընթացներում",
        "Նպաստել սոցիալական ծառայությունների պետական ֆինանսավորման թափանցիկ մեխանիզմներին",
    ],
    "beneficiary_scope": "Հայաստանի մարզերի աղքատ և անապահով ընտանիքներ",
    "selection_criteria": ["Առաջնահերթությունը համայնքի ընդունված ՏՍՊ-ում է",
                           "Համայնքը համաֆինանսավորում է ծառայությունը"],
    "methodology": "Յուրաքանչյուր համայնքում փորձարկվում է ՏՍՊ-ի մեկ առաջնահերթություն՝ "
                   "համայնքային ֆինանսավորմամբ ծառայությունների թափանցիկ մեխանիզմներ մշակելու "
                   "և նվազագույն ստանդարտներ սահմանելու համար։",
    "amounts_illustrative": True,
}  # fmt: skip

KOTAYK = {
    "name": {"hy": "Հայաստանում սոցիալական ներառման և ինքնաբավ կենսաապահովման միջոցառումների "
                   "խթանում",
             "en": "Promoting social inclusion and self-sufficient livelihood measures in Armenia"},
    "funders": [{"actor_id": str(AASW)}],
    "budget": [{"amount": "400000", "currency": "EUR"}, {"amount": "60000000", "currency": "AMD"}],
    "starts_on": "2021-07-01",
    "ends_on": "2024-06-30",
    "components": [
        {"code": "case-management",
         "name": {"hy": "Սոցիալական դեպքի վարման նոր մեթոդաբանություն",
                  "en": "A new case management methodology"},
         "description": "Սոցիալական աշխատանքի պրակտիկայի բարեփոխում և սոցիալական "
                        "ծառայությունների աշխատակիցների կարողությունների հզորացում"},
        {"code": "activation",
         "name": {"hy": "Ակտիվացում և ներառում", "en": "Activation and inclusion"},
         "description": "Շահառու ընտանիքներն ինքնուրույն հաղթահարում են եկամտի աղբյուր "
                        "ունենալուն խոչընդոտող խնդիրները և զարգացնում "
                        "ձեռնարկատիրական հմտություններ"},
    ],
    "goals": ["Աղքատության հաղթահարում ակտիվացման և ներառման նորարարական մեխանիզմներով",
              "Խոցելի խմբերի հետ մասնագիտական աշխատանքի արդյունավետության բարձրացում"],
    "beneficiary_scope": "Ընտանեկան նպաստի համակարգում գրանցված և այդ համակարգից դուրս մնացած "
                         "ընտանիքներ",
    "selection_criteria": ["Ընտանիքը գրանցված է ընտանեկան նպաստի համակարգում կամ դուրս է մնացել "
                           "դրանից", "Ընտանիքն ունի աշխատունակ անդամ",
                           "Ընտանիքը համաձայն է մասնակցել դեպքի վարմանը"],
    "methodology": "Տեղական ինքնակառավարման մարմինները և սոցիալական աշխատողները ընտրում են "
                   "շահառուներին և ուղեկցում նրանց դեպքի վարման միջոցով։",
    "amounts_illustrative": True,
}  # fmt: skip

KOTAYK_CALL = {
    "component": "activation",
    "title": {"hy": "Ակտիվացման և ներառման ծառայություններ Կոտայքի մարզում",
              "en": "Activation and inclusion services in Kotayk"},
    "opens_on": "2021-09-01",
    "closes_on": "2021-10-31",
    "eligible_regions": ["AM-KT"],
    "applicant_kinds": ["cso", "local_government"],
    "criteria": [
        {"code": "need", "name": {"hy": "Կարիքի հիմնավորում", "en": "Need"}, "weight": 40},
        {"code": "method", "name": {"hy": "Մեթոդաբանություն", "en": "Method"}, "weight": 35},
        {"code": "cost", "name": {"hy": "Արժեք և համաֆինանսավորում", "en": "Cost"}, "weight": 25},
    ],
    "budget": {"amount": "30000000", "currency": "AMD"},
    "max_grant": {"amount": "6000000", "currency": "AMD"},
    "cofunding_share": "10",
    "amounts_illustrative": True,
}  # fmt: skip


class DemoReferences(Registry):
    """The registry as the demo knows it (its demo's stable ids): the demo is loaded before
    any service runs. Every reference is checked against the real registry by the tests."""

    def __init__(self) -> None:
        pass

    async def community(self, community_id: uuid.UUID) -> dict[str, Any] | None:
        for code, region, *_ in COMMUNITIES:
            if community(code) == community_id:
                return {"id": str(community_id), "region_code": region}
        return None

    async def actor(self, actor_id: uuid.UUID) -> dict[str, Any] | None:
        names = {AASW: ("legal_entity", "Հայաստանի սոցիալական աշխատողների ասոցիացիա")} | {
            administration(code): ("local_government", f"{of} համայնքապետարան")
            for code, _, _, _, of in COMMUNITIES
        }
        if actor_id not in names:
            return None
        kind, name = names[actor_id]
        return {"id": str(actor_id), "kind": kind, "name": {"hy": name}}

    async def network(self, network_id: uuid.UUID) -> dict[str, Any] | None:
        return None

    async def codes(self, path: str) -> set[str]:
        used = [p for ps in PRIORITIES.values() for p in ps]
        return {c for p in used for c in (*p[2], *p[3])}


def administration(code: str) -> uuid.UUID:
    genitive = next(of for c, _, _, _, of in COMMUNITIES if c == code)
    return registry_actor(f"{genitive} համայնքապետարան")


def _stable_key(row: object) -> str | None:
    if isinstance(row, LocalPlan):
        return f"LocalPlan/{row.community_id}/{row.period_from}/{row.revision}"
    if isinstance(row, GrantProgramme):
        return f"GrantProgramme/{row.name_hy}"
    if isinstance(row, GrantCall):
        return f"GrantCall/{row.title_hy}"
    if isinstance(row, PlanPriority):
        return f"PlanPriority/{row.plan_id}/{row.rank}"
    if isinstance(row, Grant):
        return f"Grant/{row.community_id}/{row.title_hy}"
    if isinstance(row, Disbursement):
        return f"Disbursement/{row.grant_id}/{row.paid_on}"
    if isinstance(row, ExpenditureReport):
        return f"ExpenditureReport/{row.grant_id}/{row.period_to}"
    if isinstance(row, ExpenditureLine):
        return f"ExpenditureLine/{row.grant_id}/{row.spent_on}/{row.position}"
    if isinstance(row, CofundingReceipt):
        return f"CofundingReceipt/{row.grant_id}/{row.received_on}/{row.source}"
    return None


def _give_stable_ids(session: Session, *_: object) -> None:
    for row in session.new:
        key = _stable_key(row)
        if key is not None:
            row.id = uuid.uuid5(DEMO_NAMESPACE, key)


def plan_body(code: str, name_hy: str, name_en: str) -> dict[str, Any]:
    return {
        "community_id": str(community(code)),
        "period_from": 2020,
        "period_to": 2022,
        "title": {"hy": f"{name_hy} համայնքի տեղական սոցիալական պլան 2020–2022",
                  "en": f"{name_en} local social plan 2020–2022"},
        "needs_assessment": "Կարիքների գնահատումն իրականացվել է մասնակցային եղանակով՝ տեղական "
                            "միջգերատեսչական ցանցի կողմից (օրինակ)։",
        "priorities": [
            {"title": {"hy": hy, "en": en}, "target_groups": groups,
             "service_categories": categories,
             "indicators": ["Ծառայությունից օգտվողների թիվը", "Շահառուների բավարարվածությունը"],
             "estimated_cost": {"amount": cost, "currency": "AMD"}}
            for hy, en, groups, categories, cost in PRIORITIES[code]
        ],
        "amounts_illustrative": True,
    }  # fmt: skip


CONSULTATION = {
    "held_on": "2020-10-15",
    "format": "public_hearing",
    "groups": [
        {"group": "Տարեցներ", "target_group": "elderly", "participants": 14},
        {"group": "Ծնողներ", "target_group": "children", "participants": 11},
        {"group": "ՔՀԿ-ների ներկայացուցիչներ", "participants": 6},
    ],
    "summary": "Քննարկվել են համայնքի առաջնահերթությունները և դրանց հերթականությունը (օրինակ)։",
}


# The pilots' money after the award: two tranches, two quarterly expenditure reports of three
# budget lines, the community's co-funding received; then the pilot is completed. Every amount
# is illustrative (the documents give none), as the grants' `amounts_illustrative` says.
TRANCHES = (("2021-04-05", "4000000"), ("2021-08-02", "3500000"))
REPORTS = (
    ("2021-04-01", "2021-06-30", (("Աշխատավարձ", "2400000"), ("Տրանսպորտ", "300000"),
                                   ("Նյութեր", "450000"))),
    ("2021-07-01", "2021-12-31", (("Աշխատավարձ", "2900000"), ("Տրանսպորտ", "350000"),
                                   ("Նյութեր", "600000.50"))),
)  # fmt: skip


async def pilot_money(session: AsyncSession, system: Principal, pilot: GrantOut) -> None:
    for paid_on, amount in TRANCHES:
        await finances.disburse(session, system, pilot.id, DisbursementIn.model_validate(
            {"paid_on": paid_on, "amount": {"amount": amount, "currency": "AMD"},
             "reference": f"illustrative {paid_on}"}))  # fmt: skip
    await finances.receive_cofunding(session, system, pilot.id, CofundingReceiptIn.model_validate(
        {"source": "community", "received_on": "2021-05-10",
         "amount": {"amount": "1000000", "currency": "AMD"}}))  # fmt: skip
    for period_from, period_to, lines in REPORTS:
        await finances.report_expenditure(session, system, pilot.id,
            ExpenditureReportIn.model_validate({
                "period_from": period_from, "period_to": period_to,
                "lines": [{"budget_line": item, "amount": {"amount": amount, "currency": "AMD"}}
                          for item, amount in lines]}))  # fmt: skip
    row = await grants.get_grant(session, pilot.id)
    before = await grants.GRANTS.snapshot(session, row)
    await grants.edit_grant(session, system, row, before, GrantPatch(status="completed"))


async def load(session: AsyncSession) -> bool:
    """Load the demo once; False when it is already there. Ids are the same in every load."""
    if not event.contains(session.sync_session, "before_flush", _give_stable_ids):
        event.listen(session.sync_session, "before_flush", _give_stable_ids)
    name = TOGETHER["name"]["hy"]  # type: ignore[index]
    if await session.scalar(select(GrantProgramme.id).where(GrantProgramme.name_hy == name)):
        return False
    system = Principal.system("demo", ADMIN)
    registry = DemoReferences()
    together = await programmes.create_programme(
        session, registry, system, GrantProgrammeIn.model_validate(TOGETHER)
    )
    for index, (code, _, name_hy, name_en, _) in enumerate(COMMUNITIES):
        plan = await plans.create_plan(
            session, registry, system, PlanIn.model_validate(plan_body(code, name_hy, name_en))
        )
        row = await plans.get_plan(session, plan.id)
        plan = await plans.open_consultation(session, system, row, plan)
        await plans.add_consultation(
            session, system, row, ConsultationIn.model_validate(CONSULTATION)
        )
        before = await plans.PLANS.snapshot(session, row)
        decision = Decision.model_validate({"number": f"{40 + index}-Ն", "date": "2020-12-24"})
        plan = await plans.adopt(session, system, row, before, decision)
        first = plan.priorities[0]
        pilot = await grants.create_grant(
            session, registry, system,
            GrantIn.model_validate({
                "programme_id": str(together.id),
                "recipient_id": str(administration(code)),
                "community_id": str(community(code)),
                "priority_id": str(first.id),
                "title": {"hy": f"{first.title.hy}․ փորձնական ծրագիր ({name_hy})",
                          "en": f"{first.title.en}: pilot ({name_en})"},
                "amount": {"amount": "8000000", "currency": "AMD"},
                "cofunding": [
                    {"source": "community", "amount": {"amount": "1000000", "currency": "AMD"}}
                ],
                "awarded_on": "2021-03-01",
                "starts_on": "2021-04-01",
                "ends_on": "2021-12-31",
                "status": "active",
                "milestones": [
                    {"title": "Ծառայության մեկնարկ", "due_on": "2021-04-30",
                     "done_on": "2021-04-28"},
                    {"title": "Ամփոփիչ հաշվետվություն", "due_on": "2022-01-31",
                     "done_on": "2022-01-25"},
                ],
                "amounts_illustrative": True,
            }),
        )  # fmt: skip
        await pilot_money(session, system, pilot)
    kotayk = await programmes.create_programme(
        session, registry, system, GrantProgrammeIn.model_validate(KOTAYK)
    )
    await calls.create_call(
        session, registry, system,
        GrantCallIn.model_validate(KOTAYK_CALL | {"programme_id": str(kotayk.id)}),
    )  # fmt: skip
    return True


def run(_: object = None) -> None:
    run_demo(GrantsSettings().database_url, load)
