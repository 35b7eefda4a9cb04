"""Sessions through the API: convening under the bylaws, opening with a quorum, attendance,
recusal, roll-call and counted votes, results by the bylaws, numbered decisions and their
effects; each refusal names its rule and writes nothing (the client fixture checks that)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from services.councils.tests.conftest import (
    PARAMETERS,
    FakeRegistry,
    Headers,
    bearer,
    create_council,
    members_of,
    post,
)

START = "2024-06-20T15:00:00+04:00"


@dataclass
class Council:
    id: str
    members: list[dict[str, Any]]
    principals: list[str] = field(default_factory=list)
    substitute: str = ""
    guest: str = ""
    bylaws: str = ""


async def seated(
    client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry, size: int = 5
) -> Council:
    network = registry.add_network()
    for number in range(size):
        registry.join(network, f"Անդամ {number}")
    name = {"hy": "Մասիսի ցանցի համակարգող խորհուրդ", "en": "Masis network council"}
    found = await create_council(client, admin, network, name=name)
    council = Council(str(found["id"]), await members_of(client, found["id"]))
    base = f"/v1/councils/{council.id}"
    for number, member in enumerate(council.members):
        person = await post(
            client, f"{base}/persons", admin, name={"hy": f"Ներկայացուցիչ {number}"}
        )
        rep = await post(
            client,
            f"{base}/representatives",
            admin,
            member_id=member["id"],
            person_id=person["id"],
            term_start="2024-05-01",
        )
        council.principals.append(str(rep["id"]))
    person = await post(client, f"{base}/persons", admin, name={"hy": "Փոխարինող"})
    council.substitute = str(
        (
            await post(
                client,
                f"{base}/representatives",
                admin,
                member_id=council.members[0]["id"],
                person_id=person["id"],
                role="substitute",
                substitute_for_id=council.principals[0],
                term_start="2024-05-01",
            )
        )["id"]
    )
    council.guest = str(
        (
            await post(
                client,
                f"{base}/guests",
                admin,
                name={"hy": "Անկախ փորձագետ"},
                role="independent_expert",
                starts_on="2024-05-01",
            )
        )["id"]
    )
    draft = await post(client, f"{base}/bylaws", admin, text_hy="Աշխատակարգ", parameters=PARAMETERS)
    council.bylaws = str(draft["id"])
    await post(
        client,
        f"{base}/bylaws/{draft['id']}/adopt",
        admin,
        adopted_on="2024-05-10",
        votes_for=size,
        votes_against=0,
        abstaining=0,
        present=size,
    )
    return council


async def convened(client: httpx.AsyncClient, admin: Headers, council: Council) -> dict[str, Any]:
    planned = await post(
        client,
        f"/v1/councils/{council.id}/sessions",
        admin,
        format="hybrid",
        starts_at=START,
        place="Մասիս",
        meeting_link="https://meet.example.am/s",
        guest_ids=[council.guest],
    )
    return await post(
        client,
        f"/v1/sessions/{planned['id']}/convene",
        admin,
        by="secretary",
        convened_on="2024-06-10",
    )


async def refused(
    client: httpx.AsyncClient, url: str, headers: Headers, status: int, **body: Any
) -> dict[str, Any]:
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return dict(response.json())


class TestConvening:
    async def test_notice_format_and_convener_are_checked_against_the_bylaws(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council = await seated(client, admin, registry)
        planned = await post(
            client,
            f"/v1/councils/{council.id}/sessions",
            admin,
            format="in_person",
            starts_at=START,
            place="Մասիս",
        )
        url = f"/v1/sessions/{planned['id']}/convene"
        late = await refused(client, url, admin, 422, by="secretary", convened_on="2024-06-15")
        assert late["rule"] == "notice"
        assert late["earliest"] == "2024-06-22"
        assert "2024-06-22" in late["detail"]
        armenian = await client.post(
            url,
            json={"by": "secretary", "convened_on": "2024-06-15"},
            headers=admin | {"Accept-Language": "hy"},
        )
        assert armenian.status_code == 422
        assert "2024-06-22" in armenian.json()["detail"]
        assert armenian.json()["detail"] != late["detail"]
        chair = await refused(client, url, admin, 422, by="chair", convened_on="2024-06-01")
        assert chair["rule"] == "convening.chair"
        few = await refused(
            client,
            url,
            admin,
            422,
            by="members",
            convened_on="2024-06-01",
            requested_by=[council.members[0]["id"]],
        )
        assert "1 of 5 requested, 2 needed" in few["detail"]
        done = await post(
            client,
            url,
            admin,
            by="members",
            convened_on="2024-06-01",
            requested_by=[m["id"] for m in council.members[:2]],
        )
        assert done["status"] == "convened"
        assert done["convened_by"] == "members"
        assert len(done["invitations"]) == 6  # five principals and a substitute
        assert [h["status"] for h in done["history"]] == ["draft", "convened"]
        postponed = await refused(
            client,
            f"/v1/sessions/{planned['id']}/postpone",
            admin,
            422,
            starts_at="2024-06-25T15:00:00+04:00",
            reason="Սրահը զբաղված է",
            convened_on="2024-06-20",
        )
        assert postponed["earliest"] == "2024-06-27"

    async def test_a_format_the_bylaws_forbid(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council = await seated(client, admin, registry, size=3)
        rules = PARAMETERS | {
            "formats": ["in_person"],
            "quorum": PARAMETERS["quorum"] | {"remote_counts": False},
        }
        base = f"/v1/councils/{council.id}"
        draft = await post(client, f"{base}/bylaws", admin, text_hy="Նոր", parameters=rules)
        await post(
            client,
            f"{base}/bylaws/{draft['id']}/adopt",
            admin,
            adopted_on="2024-05-20",
            votes_for=3,
            votes_against=0,
            abstaining=0,
            present=3,
        )
        planned = await post(
            client,
            f"{base}/sessions",
            admin,
            format="remote",
            starts_at=START,
            meeting_link="https://meet.example.am/r",
        )
        problem = await refused(
            client,
            f"/v1/sessions/{planned['id']}/convene",
            admin,
            422,
            by="secretary",
            convened_on="2024-06-01",
        )
        assert problem["rule"] == "formats"


class TestWholeSession:
    async def test_a_session_played_end_to_end(
        self,
        client: httpx.AsyncClient,
        admin: Headers,
        registry: FakeRegistry,
        token_for: Callable[..., str],
    ) -> None:
        council = await seated(client, admin, registry)
        s = await convened(client, admin, council)
        url = f"/v1/sessions/{s['id']}"
        member = bearer(token_for("council_member", councils=[council.id], subject="member-m"))
        stranger = bearer(token_for("council_member", councils=["x"], subject="member-x"))
        info = {"title": {"hy": "Տեղեկատվություն"}, "kind": "information"}
        await refused(client, f"{url}/agenda", stranger, 403, **info)
        s = await post(client, f"{url}/agenda", member, **info)
        s = await post(
            client,
            f"{url}/agenda",
            admin,
            title={"hy": "Աշխատանքային խմբեր"},
            kind="decision",
            presenter="Քարտուղար",
            documents=[{"title": "Նախագիծ", "url": "https://example.am/d.pdf"}],
        )
        info_id, decision_id = (item["id"] for item in s["agenda"])
        p = council.principals
        for rep in p[:2]:
            s = await post(
                client, f"{url}/check-in", admin, representative_id=rep, mode="in_person"
            )
        assert s["quorum"]["seats_present"] == 2
        assert not s["quorum"]["present"]
        no_quorum = await refused(client, f"{url}/open", admin, 422)
        assert "2 of 5 seats present, 3 needed" in no_quorum["detail"]
        await refused(client, f"{url}/check-in", admin, 409, representative_id=p[0], mode="remote")
        s = await post(client, f"{url}/check-in", admin, representative_id=p[2], mode="remote")
        s = await post(client, f"{url}/check-in", admin, guest_id=council.guest, mode="remote")
        s = await post(client, f"{url}/open", admin)
        assert s["status"] == "open"
        assert s["bylaws_id"] == council.bylaws
        assert {item["status"] for item in s["agenda"]} == {"adopted"}
        assert s["quorum"]["explanation"] == "quorum: 3 of 5 seats present, 3 needed"

        on_info = await refused(
            client,
            f"{url}/motions",
            admin,
            422,
            item_id=info_id,
            decision_kind="ordinary",
            text={"hy": "Որոշում"},
        )
        assert on_info["rule"] == "agenda.kind"
        s = await post(
            client,
            f"{url}/motions",
            admin,
            item_id=decision_id,
            decision_kind="ordinary",
            text={"hy": "Հաստատել ծրագիրը"},
        )
        motion = s["motions"][0]["id"]
        votes = f"{url}/motions/{motion}/votes"
        await post(
            client, f"{url}/check-in", admin, representative_id=council.substitute, mode="remote"
        )
        sub = await refused(
            client, votes, admin, 422, representative_id=council.substitute, choice="yes"
        )
        assert sub["rule"] == "vote.presence"
        assert "principal" in sub["detail"]
        await post(client, votes, admin, representative_id=p[0], choice="yes")
        await refused(client, votes, admin, 409, representative_id=p[0], choice="no")
        guest = await refused(
            client, votes, admin, 422, representative_id=council.guest, choice="yes"
        )
        assert guest["rule"] == "vote.voter"
        absent = await refused(client, votes, admin, 422, representative_id=p[3], choice="yes")
        assert "not checked in" in absent["detail"]
        # The principal leaves: the substitute stands in, but the member's one seat has voted.
        await post(client, f"{url}/check-out", admin, representative_id=p[0])
        await refused(client, votes, admin, 409, representative_id=council.substitute, choice="no")
        s = await post(
            client, f"{url}/agenda/{decision_id}/recusals", admin, representative_id=p[2]
        )
        recused = await refused(client, votes, admin, 422, representative_id=p[2], choice="no")
        assert recused["rule"] == "vote.recusal"
        s = await post(client, votes, admin, representative_id=p[1], choice="yes")
        assert s["motions"][0]["tally"] == {"votes_for": 2, "votes_against": 0, "abstaining": 0}
        s = await post(client, f"{url}/motions/{motion}/decide", admin)
        decided = s["motions"][0]
        assert decided["result"]["passed"]
        assert decided["decision"] == "1/2024"
        assert decided["result"]["explanation"].startswith("passed: 2 for of 2 (present)")

        # A working group by a show of hands; totals cannot exceed the voters present.
        group = {"name": {"hy": "Փոքր աշխատանքային խումբ"}, "mandate": "Քարտեզագրում"}
        s = await post(
            client,
            f"{url}/motions",
            admin,
            item_id=decision_id,
            method="counted",
            decision_kind="working_group",
            text={"hy": "Ձևավորել խումբ"},
            working_group=group,
        )
        counted = s["motions"][1]["id"]
        too_many = await refused(
            client,
            f"{url}/motions/{counted}/count",
            admin,
            422,
            votes_for=3,
            votes_against=0,
            abstaining=0,
        )
        assert "3 votes but 2 voters" in too_many["detail"]
        await post(
            client,
            f"{url}/motions/{counted}/count",
            admin,
            votes_for=2,
            votes_against=0,
            abstaining=0,
        )
        s = await post(client, f"{url}/motions/{counted}/decide", admin)
        assert s["motions"][1]["decision"] == "2/2024"
        groups = (await client.get(f"/v1/councils/{council.id}/working-groups")).json()["items"]
        assert [(g["decision"], g["formed_on"]) for g in groups] == [("2/2024", "2024-06-20")]

        await refused(client, f"{url}/adjourn", admin, 409)
        s = await post(client, f"{url}/close", admin)
        assert s["status"] == "closed"
        assert all(a["checked_out_at"] for a in s["attendance"])

        read = await client.get(url)
        assert read.json() == s
        etag = read.headers["ETag"]
        assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304
        listed = await client.get(
            "/v1/sessions", params={"council_ids": [council.id], "from": "2024-06-01T00:00:00Z"}
        )
        assert [x["id"] for x in listed.json()["items"]] == [s["id"]]

    async def test_a_stale_if_match_is_a_412_and_opening_moves_the_etag(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council = await seated(client, admin, registry, size=1)
        s = await convened(client, admin, council)
        url = f"/v1/sessions/{s['id']}"
        etag = (await client.get(url)).headers["ETag"]
        await post(
            client,
            f"{url}/check-in",
            admin,
            representative_id=council.principals[0],
            mode="in_person",
        )
        stale = await client.post(f"{url}/open", json={}, headers=admin | {"If-Match": etag})
        assert stale.status_code == 412


@pytest.mark.parametrize(
    ("threshold", "votes", "passed", "needed"),
    [
        # base present: 5 voters present
        ({"share": "1/2", "base": "present"}, (3, 2, 0), True, 3),
        ({"share": "1/2", "base": "present"}, (2, 1, 2), False, 3),
        ({"share": "1/2", "comparison": "at_least", "base": "present"}, (2, 0, 0), False, 3),
        # base votes cast: for + against
        ({"share": "1/2", "base": "votes_cast"}, (2, 1, 2), True, 2),
        ({"share": "2/3", "comparison": "at_least", "base": "votes_cast"}, (2, 1, 2), True, 2),
        # base all seats: 5 seats
        ({"share": "2/3", "comparison": "at_least", "base": "all_seats"}, (3, 0, 0), False, 4),
        # ties
        ({"share": "1/2", "base": "votes_cast", "tie": "fails"}, (2, 2, 1), False, 3),
        ({"share": "1/2", "base": "votes_cast", "tie": "chair_casting_vote"}, (2, 2, 1), True, 3),
    ],
)
async def test_each_threshold_base_and_tie_rule_through_a_session(
    client: httpx.AsyncClient,
    admin: Headers,
    registry: FakeRegistry,
    threshold: dict[str, Any],
    votes: tuple[int, int, int],
    passed: bool,
    needed: int,
) -> None:
    council = await seated(client, admin, registry)
    base = f"/v1/councils/{council.id}"
    rules = PARAMETERS | {"decisions": PARAMETERS["decisions"] | {"ordinary": threshold}}
    draft = await post(client, f"{base}/bylaws", admin, text_hy="Նոր", parameters=rules)
    await post(
        client,
        f"{base}/bylaws/{draft['id']}/adopt",
        admin,
        adopted_on="2024-05-20",
        votes_for=5,
        votes_against=0,
        abstaining=0,
        present=5,
    )
    s = await convened(client, admin, council)
    url = f"/v1/sessions/{s['id']}"
    await post(client, f"{url}/agenda", admin, title={"hy": "Որոշում"}, kind="decision")
    for rep in council.principals:
        s = await post(client, f"{url}/check-in", admin, representative_id=rep, mode="in_person")
    s = await post(client, f"{url}/open", admin)
    s = await post(
        client,
        f"{url}/motions",
        admin,
        item_id=s["agenda"][0]["id"],
        decision_kind="ordinary",
        text={"hy": "Որոշում"},
    )
    motion = s["motions"][0]["id"]
    choices = ["yes"] * votes[0] + ["no"] * votes[1] + ["abstain"] * votes[2]
    for rep, choice in zip(council.principals, choices, strict=False):
        await post(
            client, f"{url}/motions/{motion}/votes", admin, representative_id=rep, choice=choice
        )
    casting = {"chair_casting_vote": "for"} if threshold.get("tie") else {}
    s = await post(client, f"{url}/motions/{motion}/decide", admin, **casting)
    result = s["motions"][0]["result"]
    assert (result["passed"], result["needed"]) == (passed, needed), result["explanation"]
    assert (s["motions"][0]["decision"] is not None) == passed
