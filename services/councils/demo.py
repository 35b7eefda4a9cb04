"""Demo data: the coordinating council of the registry demo's Masis network (source document
000) and Yerevan's social protection council (source document 003).

Masis: every member of the network seated (as the registry says), a representative for each,
bylaws v1 adopted by the founding rule, offices, and a working group. Yerevan: a municipal
council of 19 appointed members with its two guests of the 2020-07-23 session (a community
council representative and an independent expert), its bylaws adopted. Names of people are
illustrative. Everything is written through the same journaled rules as the API.

The registry is read over HTTP, as always: at `SPN_COUNCILS_REGISTRY_URL` when it answers
there; otherwise (`make run` loads the demos before starting the services) a registry process
is started on a free port for the time of loading, on the registry's own database.
`python -m services.councils demo` loads it once; running it again changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.councils import demo_sessions
from services.councils.access import ADMIN
from services.councils.clients import Registry
from services.councils.config import CouncilsSettings
from services.councils.models import Council, CouncilMember
from services.councils.rules import bylaws, councils, people
from services.councils.rules.common import get_council
from services.councils.schemas.bylaws import EXAMPLE_PARAMETERS, Adoption, BylawsIn
from services.councils.schemas.councils import (
    CouncilIn,
    CouncilMemberIn,
    CouncilPatch,
    GuestIn,
    PersonIn,
    RepresentativeIn,
)
from shared.auth import Principal
from shared.database import WRITING, Database
from shared.http import ServiceClient

logger = logging.getLogger("spn.councils.demo")
SYSTEM = Principal.system("demo", ADMIN)
MASIS_NETWORK = "Masis local social cooperation network"

MASIS_PEOPLE = [
    ("Արմեն Սարգսյան", "Սոցիալական բաժնի պետ"),
    ("Նարինե Պետրոսյան", "Տնօրեն"),
    ("Գայանե Մկրտչյան", "Ծրագրերի համակարգող"),
    ("Վահե Ավետիսյան", "Սեփականատեր"),
    ("Տիգրան Հովհաննիսյան", "Անհատ ձեռնարկատեր"),
    ("Լուսինե Կարապետյան", "Սոցիալական աշխատող"),
]

BYLAWS_TEXT = (
    "Համակարգող խորհրդի աշխատակարգ։ 1. Խորհուրդը կազմված է ցանցի բոլոր անդամներից՝ "
    "հավասար թվով ներկայացուցիչներով։ 2. Խորհուրդն աշխատում է նիստերի միջոցով, որոնք "
    "հրավիրում է նախագահը կամ քարտուղարը, ինչպես նաև անդամների մեկ երրորդի պահանջով։ "
    "3. Նիստերը կարող են անցկացվել առկա, հեռավար կամ հիբրիդ ձևաչափով։"
)

# Named in source document 003; the other representatives are not.
YEREVAN_PEOPLE = {
    "Երևանի քաղաքապետարանի երեխաների և սոցիալական պաշտպանության վարչություն": (
        "Լուսինե Հովհաննիսյան"
    ),
}

YEREVAN_MEMBERS = [
    "Երևանի քաղաքապետարանի երեխաների և սոցիալական պաշտպանության վարչություն",
    "Երևանի քաղաքապետարանի առողջապահության վարչություն",
    "Երևանի քաղաքապետարանի կրթության վարչություն",
    "Միասնական սոցիալական ծառայության Երևանի տարածքային բաժին",
    "Հայաստանի սոցիալական աշխատողների ասոցիացիա",
    "«Հույսի կամուրջ» ՀԿ",
    "«Երեխաների աջակցության կենտրոն» հիմնադրամ",
    "«Կանանց ռեսուրսային կենտրոն» ՀԿ",
    "«Տարեցների խնամք» ՀԿ",
    "«Հաշմանդամություն ունեցող անձանց իրավունքներ» ՀԿ",
    "«Ընտանիքի աջակցություն» ՀԿ",
    "«Սոցիալական ներառում» հիմնադրամ",
    "«Երիտասարդական նախաձեռնություններ» ՀԿ",
    "«Հոգեբանական աջակցություն» ՀԿ",
    "«Իրավական աջակցություն» ՀԿ",
    "«Փախստականների աջակցություն» ՀԿ",
    "Երևանի պետական համալսարանի սոցիոլոգիայի ֆակուլտետ",
    "«Առողջ համայնք» ՀԿ",
    "«Կարիտաս» բարեգործական կազմակերպություն",
]


def _parameters(**changes: Any) -> dict[str, Any]:
    return {**EXAMPLE_PARAMETERS, **changes}


async def load_masis(session: AsyncSession, registry: Registry, network_id: Any) -> bool:
    if await session.scalar(select(Council.id).where(Council.network_id == network_id)):
        return False
    created = await councils.create_council(session, SYSTEM, CouncilIn.model_validate({
        "kind": "coordinating", "network_id": network_id, "founded_on": "2021-03-01",
        "name": {"hy": "Մասիսի սոցիալական համագործակցության տեղական ցանցի համակարգող խորհուրդ",
                 "en": "Coordinating council of the Masis local social cooperation network"},
    }), registry)  # fmt: skip
    council = await get_council(session, created.id)
    members = list(await session.scalars(
        select(CouncilMember).where(CouncilMember.council_id == council.id)
        .order_by(CouncilMember.name_hy)
    ))  # fmt: skip
    reps = []
    for member, (name, position) in zip(members, MASIS_PEOPLE, strict=False):
        person = await people.create_person(session, SYSTEM, council, PersonIn.model_validate(
            {"name": {"hy": name}, "contacts": {"phone": "+37423640000"}}
        ))  # fmt: skip
        reps.append(await people.appoint(session, SYSTEM, council, RepresentativeIn(
            member_id=member.id, person_id=person.id, position=position,
            term_start=max(date(2021, 3, 1), member.joined_on),
        )))  # fmt: skip
    draft = await bylaws.draft(session, SYSTEM, council, BylawsIn.model_validate(
        {"text_hy": BYLAWS_TEXT, "parameters": _parameters()}
    ))  # fmt: skip
    before = await councils.COUNCILS.snapshot(session, council)
    offices = {"chair_id": reps[0].id, "secretary_id": reps[-1].id} if reps else {}
    await councils.edit_council(session, SYSTEM, council, before, CouncilPatch.model_validate(
        {"offices": offices}
    ), registry)  # fmt: skip
    # The first session adopts the bylaws; the second approves its minutes and forms the group.
    group = {
        "name": {"hy": "Ընտանեկան բռնության կանխարգելման աշխատանքային խումբ",
                 "en": "Working group on preventing domestic violence"},
        "mandate": "Մշակել համայնքում ընտանեկան բռնության դեպքերի ուղղորդման ընթացակարգ",
        "deadline": "2021-09-30", "convener_id": reps[0].id if reps else None,
        "members": [{"representative_id": r.id} for r in reps[:3]],
    }  # fmt: skip

    async def activate() -> None:
        before = await councils.COUNCILS.snapshot(session, council)
        patch = CouncilPatch.model_validate({"status": "active"})
        await councils.edit_council(session, SYSTEM, council, before, patch, registry)

    await demo_sessions.masis_sessions(
        session, SYSTEM, council, [r.id for r in reps], draft.id, group, activate
    )
    return True


async def load_yerevan(session: AsyncSession, registry: Registry, community_id: Any) -> bool:
    name = "Երևանի քաղաքապետարանի սոցիալական պաշտպանության խորհուրդ"
    if await session.scalar(select(Council.id).where(Council.name_hy == name)):
        return False
    created = await councils.create_council(session, SYSTEM, CouncilIn.model_validate({
        "kind": "municipal", "community_id": community_id, "founded_on": "2020-01-20",
        "name": {"hy": name, "en": "Social protection council of Yerevan municipality"},
    }), registry)  # fmt: skip
    council = await get_council(session, created.id)
    for organisation in YEREVAN_MEMBERS:
        await councils.add_member(session, SYSTEM, council, CouncilMemberIn.model_validate(
            {"kind": "organisation", "name": {"hy": organisation}, "joined_on": "2020-01-20"}
        ), registry)  # fmt: skip
    for guest in (
        {"name": {"hy": "Երևանի ավագանու անդամ"}, "role": "community_council_representative",
         "organisation": "Երևանի ավագանի", "starts_on": "2020-07-23"},
        {"name": {"hy": "Անկախ փորձագետ"}, "role": "independent_expert",
         "starts_on": "2020-07-23"},
    ):  # fmt: skip
        await people.invite_guest(session, SYSTEM, council, GuestIn.model_validate(guest))
    draft = await bylaws.draft(session, SYSTEM, council, BylawsIn.model_validate(
        {"text_hy": BYLAWS_TEXT, "parameters": _parameters()}
    ))  # fmt: skip
    version = await bylaws.get_version(session, council.id, draft.id)
    await bylaws.adopt(session, SYSTEM, council, version, draft, Adoption(
        adopted_on=date(2020, 2, 3), votes_for=17, votes_against=0, abstaining=2, present=19,
        decision="1/2020",
    ))  # fmt: skip
    reps = []
    members = list(await session.scalars(
        select(CouncilMember).where(CouncilMember.council_id == council.id)
        .order_by(CouncilMember.name_hy)
    ))  # fmt: skip
    for member in members:
        name = YEREVAN_PEOPLE.get(member.name_hy, f"{member.name_hy}՝ ներկայացուցիչ")
        person = await people.create_person(session, SYSTEM, council, PersonIn.model_validate(
            {"name": {"hy": name}}
        ))  # fmt: skip
        reps.append((await people.appoint(session, SYSTEM, council, RepresentativeIn(
            member_id=member.id, person_id=person.id, term_start=date(2020, 1, 20),
        ))).id)  # fmt: skip
    await demo_sessions.yerevan_2020_07_23(session, SYSTEM, council, reps)
    return True


async def load(database: Database, registry: Registry) -> list[str]:
    """Load what is missing; the names of what was loaded."""
    loaded = []
    page = await registry.client.get("/v1/networks", params={"status": "active", "limit": 200})
    masis = next(
        (n for n in page.json()["items"] if (n["name"].get("en") or "") == MASIS_NETWORK), None
    )
    communities = await registry.client.get("/v1/communities", params={"q": "Yerevan"})
    yerevan = next(
        (c for c in communities.json()["items"] if c["name"].get("en") == "Yerevan"), None
    )
    async with database.sessionmaker() as session, session.begin():
        await session.connection(execution_options=WRITING)
        if masis is None:
            logger.warning("the registry has no demo Masis network; load its demo first")
        elif await load_masis(session, registry, uuid.UUID(masis["id"])):
            loaded.append("Masis coordinating council")
        if yerevan is not None and await load_yerevan(session, registry, yerevan["id"]):
            loaded.append("Yerevan social protection council")
    return loaded


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def reachable_registry(url: str) -> Iterator[str]:
    """The registry's URL: the configured one when it answers, else a registry process
    started for the time being on the registry's own database."""
    if _answers(url):
        yield url
        return
    port = _free_port()
    env = {**os.environ, "SPN_WORKERS": "1", "SPN_REGISTRY_SUBSCRIBERS": "",
           "SPN_REGISTRY_LOG_LEVEL": "WARNING"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "services.registry", "serve", "--port", str(port)],
        env=env, start_new_session=True,
    )  # fmt: skip
    started = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _answers(started):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the registry could not be started to load the councils demo")
            time.sleep(0.3)
        yield started
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


async def main(registry_url: str) -> list[str]:
    database = Database(CouncilsSettings().database_url)
    client = ServiceClient(registry_url, caller="councils-demo")
    try:
        return await load(database, Registry(client))
    finally:
        await client.aclose()
        await database.dispose()


def run() -> None:
    with reachable_registry(CouncilsSettings().registry_url) as url:
        loaded = asyncio.run(main(url))
    print("councils demo loaded: " + ", ".join(loaded) if loaded else  # noqa: T201
          "councils demo already there")  # fmt: skip
