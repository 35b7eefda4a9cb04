"""Demo data: the Ararat pilot of integrated social services (source document 001).

The two first centers, in Ararat town and Masis, their communities, the bodies with
jurisdiction there, local organisations, a business, two entrepreneurs, their services, a
programme and the Masis network, so that a newcomer sees real-looking data at once. Names of
organisations, people and figures other than the centers and public bodies are illustrative.
Its changes go to the change feed like any other, so subscribers learn of them too.
`python -m services.registry demo` loads it once; running it again changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.registry.access import ADMIN
from services.registry.config import RegistrySettings
from services.registry.models import (
    Actor,
    Center,
    Network,
    NetworkActivity,
    NetworkMember,
    Programme,
    Service,
)
from services.registry.reference import REGIONS, community_id
from services.registry.rules import actors as actors_rules
from services.registry.rules import centers as centers_rules
from services.registry.rules import networks as networks_rules
from services.registry.rules import programmes as programmes_rules
from services.registry.rules import services as services_rules
from services.registry.schemas.actors import ActorIn
from services.registry.schemas.centers import CenterIn
from services.registry.schemas.networks import ActivityIn, MemberIn, NetworkIn
from services.registry.schemas.programmes import ProgrammeIn
from services.registry.schemas.services import ServiceIn
from shared.auth import Principal
from shared.demo import run_demo

logger = logging.getLogger("spn.registry.demo")


def community(code: str) -> str:
    return str(community_id(code))


ARARAT, MASIS, ARTASHAT, VEDI = (community(c) for c in ("ararat", "masis", "artashat", "vedi"))

CENTERS: list[dict[str, Any]] = [
    {
        "name": {
            "hy": "Արարատի համալիր սոցիալական ծառայությունների տարածքային կենտրոն",
            "en": "Ararat integrated social services territorial center",
        },
        "region_code": "AM-AR",
        "address": {"street": "Շահումյան 20", "community_id": ARARAT, "postal_code": "0601"},
        "contacts": {"phone": "+37423822000"},
        "head": {"name": "Լիլիթ Գրիգորյան", "position": "Կենտրոնի ղեկավար"},
        "opened_on": "2012-11-30",
        "territory": [ARARAT, VEDI],
    },
    {
        "name": {
            "hy": "Մասիսի համալիր սոցիալական ծառայությունների տարածքային կենտրոն",
            "en": "Masis integrated social services territorial center",
        },
        "region_code": "AM-AR",
        "address": {"street": "Երևանյան 15", "community_id": MASIS, "postal_code": "0801"},
        "contacts": {"phone": "+37423642000"},
        "head": {"name": "Արմինե Հակոբյան", "position": "Կենտրոնի ղեկավար"},
        "opened_on": "2012-12-07",
        "territory": [MASIS, ARTASHAT],
    },
]

# key → actor; services and the programme refer to actors by key.
ACTORS: dict[str, dict[str, Any]] = {
    "ministry": {
        "kind": "state_body",
        "name": {"hy": "ՀՀ աշխատանքի և սոցիալական հարցերի նախարարություն",
                 "en": "Ministry of Labour and Social Affairs of Armenia"},
        "jurisdiction": {"regions": [r.code for r in REGIONS]},
        "capacities": [{"kind": "funding"},
                       {"kind": "expertise", "note": "Սոցիալական քաղաքականություն"}],
    },
    "marzpetaran": {
        "kind": "state_body",
        "name": {"hy": "Արարատի մարզպետարան", "en": "Ararat regional administration"},
        "address": {"street": "Օգոստոսի 23, 67", "community_id": ARTASHAT, "postal_code": "0701"},
        "located_in": [ARTASHAT],
        "jurisdiction": {"regions": ["AM-AR"]},
        "capacities": [{"kind": "premises", "note": "Նիստերի դահլիճ"}],
    },
    "ararat_municipality": {
        "kind": "local_government",
        "name": {"hy": "Արարատի համայնքապետարան", "en": "Ararat community administration"},
        "located_in": [ARARAT],
        "jurisdiction": {"communities": [ARARAT]},
        "capacities": [{"kind": "premises"}, {"kind": "transport", "note": "Մեկ միկրոավտոբուս"}],
    },
    "masis_municipality": {
        "kind": "local_government",
        "name": {"hy": "Մասիսի համայնքապետարան", "en": "Masis community administration"},
        "located_in": [MASIS],
        "jurisdiction": {"communities": [MASIS]},
        "capacities": [{"kind": "funding", "note": "Համայնքային սոցիալական ծրագրեր"}],
    },
    "hope_ngo": {
        "kind": "legal_entity",
        "legal_form": "cso",
        "name": {"hy": "«Արարատյան հույս» հասարակական կազմակերպություն",
                 "en": "Ararat Hope NGO"},
        "tax_number": "04712345",
        "located_in": [ARARAT],
        "operates_in": [VEDI, MASIS],
        "contacts": {"phone": "+37423821111", "email": "info@ararat-hope.am"},
        "capacities": [{"kind": "volunteers", "note": "25 կամավոր"}, {"kind": "expertise"}],
    },
    "women_center": {
        "kind": "legal_entity",
        "legal_form": "cso",
        "name": {"hy": "«Մասիսի կանանց ռեսուրսային կենտրոն» ՀԿ",
                 "en": "Masis Women's Resource Center"},
        "tax_number": "04798765",
        "located_in": [MASIS],
        "contacts": {"phone": "+37423643322", "email": "contact@masis-women.am"},
        "capacities": [{"kind": "expertise", "note": "Հոգեբաններ, իրավաբան"}],
    },
    "social_workers": {
        "kind": "legal_entity",
        "legal_form": "cso",
        "name": {"hy": "Հայաստանի սոցիալական աշխատողների ասոցիացիա",
                 "en": "Armenian Association of Social Workers"},
        "operates_in": [ARARAT, MASIS],
        "capacities": [{"kind": "expertise", "note": "Դեպքի վարման վերապատրաստում"}],
    },
    "bakery": {
        "kind": "legal_entity",
        "legal_form": "business",
        "name": {"hy": "«Մասիս Հաց» ՍՊԸ", "en": "Masis Bread LLC"},
        "tax_number": "04755501",
        "located_in": [MASIS],
        "capacities": [{"kind": "in_kind", "note": "Ամենօրյա հաց 40 ընտանիքի"}],
    },
    "home_care_ie": {
        "kind": "individual_entrepreneur",
        "name": {"hy": "ԱՁ Գայանե Հովհաննիսյան", "en": "IE Gayane Hovhannisyan"},
        "tax_number": "48112233",
        "located_in": [ARARAT],
        "contacts": {"phone": "+37493112233"},
        "capacities": [{"kind": "expertise", "note": "Բուժքույր"}],
    },
    "transport_ie": {
        "kind": "individual_entrepreneur",
        "name": {"hy": "ԱՁ Արմեն Մկրտչյան", "en": "IE Armen Mkrtchyan"},
        "tax_number": "48445566",
        "located_in": [MASIS],
        "contacts": {"phone": "+37477445566"},
        "capacities": [{"kind": "transport", "note": "Հաշմանդամային սայլակի տեղափոխում"}],
    },
}  # fmt: skip

# The administrations of the 9 target communities of "Together for Social Communities" (source
# document 002), whose local social plans and pilot grants the grants service's demo holds.
PILOT_COMMUNITIES = [
    ("gyumri", "Գյումրու", "Gyumri"), ("akhuryan", "Ախուրյանի", "Akhuryan"),
    ("goris", "Գորիսի", "Goris"), ("sisian", "Սիսիանի", "Sisian"), ("tatev", "Տաթևի", "Tatev"),
    ("ijevan", "Իջևանի", "Ijevan"), ("noyemberyan", "Նոյեմբերյանի", "Noyemberyan"),
    ("armavir", "Արմավիրի", "Armavir"), ("metsamor", "Մեծամորի", "Metsamor"),
]  # fmt: skip
ACTORS.update(
    {
        f"{code}_municipality": {
            "kind": "local_government",
            "name": {"hy": f"{of} համայնքապետարան", "en": f"{en} community administration"},
            "located_in": [community(code)],
            "jurisdiction": {"communities": [community(code)]},
        }
        for code, of, en in PILOT_COMMUNITIES
    }
)


SERVICES: dict[str, dict[str, Any]] = {
    "day_care": {
        "provider": "hope_ngo",
        "name": {"hy": "Տարեցների ցերեկային կենտրոն", "en": "Day centre for the elderly"},
        "category_code": "day_care",
        "target_groups": ["elderly"],
        "communities": [ARARAT, VEDI],
        "capacity": 30,
        "languages": ["hy", "ru"],
        "schedule": "Երկ–Ուրբ 10:00–16:00",
    },
    "counselling": {
        "provider": "women_center",
        "name": {"hy": "Հոգեբանական խորհրդատվություն", "en": "Psychological counselling"},
        "category_code": "psychological",
        "target_groups": ["women_at_risk", "victims_of_violence"],
        "communities": [MASIS, ARTASHAT],
        "languages": ["hy"],
    },
    "legal_aid": {
        "provider": "women_center",
        "name": {"hy": "Անվճար իրավաբանական խորհրդատվություն", "en": "Free legal advice"},
        "category_code": "legal_aid",
        "target_groups": ["women_at_risk", "low_income_families"],
        "communities": [MASIS],
    },
    "bread": {
        "provider": "bakery",
        "name": {"hy": "Հացի ամենօրյա բաշխում", "en": "Daily bread for families in need"},
        "category_code": "food_in_kind",
        "target_groups": ["low_income_families", "large_families"],
        "communities": [MASIS],
        "capacity": 40,
    },
    "home_care": {
        "provider": "home_care_ie",
        "name": {"hy": "Տնային խնամք", "en": "Home care"},
        "category_code": "home_care",
        "target_groups": ["elderly", "persons_with_disabilities"],
        "communities": [ARARAT],
        "cost": {"free": False, "price": {"amount": "3000.00", "currency": "AMD"}},
        "description": "Այց տուն, մեկ ժամ",
    },
    "transport": {
        "provider": "transport_ie",
        "name": {"hy": "Տեղափոխում բժշկական հաստատություններ",
                 "en": "Transport to medical appointments"},
        "category_code": "health_access",
        "target_groups": ["persons_with_disabilities", "elderly"],
        "communities": [MASIS, ARTASHAT],
        "cost": {"free": False, "price": {"amount": "2000.00", "currency": "AMD"}},
    },
    "case_management": {
        "provider": "social_workers",
        "name": {"hy": "Դեպքի վարում", "en": "Case management"},
        "category_code": "case_management",
        "target_groups": ["low_income_families", "children"],
        "communities": [ARARAT, MASIS],
    },
}  # fmt: skip

PROGRAMME: dict[str, Any] = {
    "name": {"hy": "Համալիր սոցիալական ծառայությունների Արարատի փորձնական ծրագիր",
             "en": "Ararat pilot of integrated social services"},
    "description": "Մեկ պատուհանի սկզբունքով սոցիալական ծառայություններ Արարատ և Մասիս քաղաքներում",
    "period": {"starts_on": "2012-11-01", "ends_on": "2014-12-31"},
    "budget": {"amount": "25000000.00", "currency": "AMD"},
    "status": "completed",
    "actors": [("ministry", "lead"), ("marzpetaran", "partner"), ("social_workers", "partner"),
               ("ararat_municipality", "partner"), ("masis_municipality", "funder")],
    "target_groups": ["low_income_families", "elderly", "persons_with_disabilities"],
    "communities": [ARARAT, MASIS],
    "services": ["case_management", "day_care"],
}  # fmt: skip


NETWORK: dict[str, Any] = {
    "name": {"hy": "Մասիսի սոցիալական համագործակցության տեղական ցանց",
             "en": "Masis local social cooperation network"},
    "form": "mixed",
    "goals": ["comprehensive_services", "poverty_reduction", "violence_prevention"],
    "founded_on": "2021-02-15",
    "members": [("masis_municipality", "coordinator"), ("women_center", "member"),
                ("social_workers", "member"), ("bakery", "member"), ("transport_ie", "observer")],
    "activity": {
        "kind": "working_meeting",
        "held_on": "2021-06-16",
        "topic": "Տարեցների և հաշմանդամություն ունեցող անձանց տեղափոխման կազմակերպում",
        "outcome": "Ստեղծել փոքր աշխատանքային խումբ",
    },
}  # fmt: skip


DEMO_NAMESPACE = uuid.UUID("5f0c6f7e-3b7a-5a53-9d38-6a2f2c9e0d01")


def _stable_key(row: object) -> str | None:
    """What names a demo row whatever the load: its kind and Armenian name (or its parts)."""
    if isinstance(row, Center | Actor | Service | Programme | Network):
        return f"{type(row).__name__}/{row.name_hy}"
    if isinstance(row, NetworkMember):
        return f"NetworkMember/{row.network_id}/{row.actor_id}"
    if isinstance(row, NetworkActivity):
        return f"NetworkActivity/{row.network_id}/{row.held_on}/{row.topic}"
    return None


def _give_stable_ids(session: Session, *_: object) -> None:
    for row in session.new:
        key = _stable_key(row)
        if key is not None and getattr(row, "id", None) is None:
            row.id = uuid.uuid5(DEMO_NAMESPACE, key)


async def load(session: AsyncSession) -> bool:
    """Load the demo once; False when it is already there.

    Its centers, actors, services, programme and network get the same ids in every database
    (uuid5 of their names), so a token minted for a demo center keeps working after a reload.
    """
    if not event.contains(session.sync_session, "before_flush", _give_stable_ids):
        event.listen(session.sync_session, "before_flush", _give_stable_ids)
    first_center = CENTERS[0]["name"]["hy"]
    if await session.scalar(select(Center.id).where(Center.name_hy == first_center)):
        return False
    # The demo writes through the same journaled rules as the API, as a system principal:
    # every record has its audit entry and its change-feed event.
    system = Principal.system("demo", ADMIN)
    centers = [
        await centers_rules.create_center(session, system, CenterIn.model_validate(c))
        for c in CENTERS
    ]
    actor_ids = {}
    for key, actor in ACTORS.items():
        saved = await actors_rules.create_actor(session, system, ActorIn.model_validate(actor))
        actor_ids[key] = saved.id
    service_ids = {}
    for key, service in SERVICES.items():
        body = {k: v for k, v in service.items() if k != "provider"}
        body["provider_id"] = actor_ids[service["provider"]]
        created = await services_rules.create_service(
            session, system, ServiceIn.model_validate(body)
        )
        service_ids[key] = created.id
    programme = dict(PROGRAMME)
    roles: list[tuple[str, str]] = PROGRAMME["actors"]
    programme["actors"] = [{"actor_id": actor_ids[k], "role": r} for k, r in roles]
    programme["services"] = [service_ids[k] for k in PROGRAMME["services"]]
    await programmes_rules.create_programme(session, system, ProgrammeIn.model_validate(programme))

    masis_center = centers[1]
    network_out = await networks_rules.create_network(
        session,
        system,
        NetworkIn.model_validate(
            {k: v for k, v in NETWORK.items() if k not in ("members", "activity")}
            | {"center_id": masis_center.id}
        ),
    )
    network = await networks_rules.get_network(session, network_out.id)
    members = []
    for key, role in NETWORK["members"]:
        body = {"actor_id": actor_ids[key], "role": role, "joined_on": NETWORK["founded_on"]}
        member = await networks_rules.add_member(
            session, system, network, MemberIn.model_validate(body)
        )
        members.append(member)
    activity = NETWORK["activity"] | {"participants": [m.id for m in members[:3]]}
    await networks_rules.create_activity(
        session, system, network, ActivityIn.model_validate(activity)
    )
    return True


def run(_: object = None) -> None:
    run_demo(RegistrySettings().database_url, load)
