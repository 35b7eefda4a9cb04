"""Bylaws: typed parameters, adoption checked against the rules in force, immutability, and
the arithmetic of thresholds (table-driven)."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from services.councils.rules.decide import Count, decide, fewest, quorum_present
from services.councils.schemas.bylaws import Comparison, Quorum, QuorumBase, Threshold
from services.councils.tests.conftest import (
    PARAMETERS,
    FakeRegistry,
    Headers,
    create_council,
    members_of,
    post,
)


def parameters(**changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(PARAMETERS)
    result.update(changes)
    return result


async def council_of(
    client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry, members: int
) -> str:
    network = registry.add_network()
    for number in range(members):
        registry.join(network, f"Անդամ {number}")
    return str((await create_council(client, admin, network))["id"])


def votes(**counts: Any) -> dict[str, Any]:
    return {"adopted_on": "2024-05-10", "votes_for": 0, "votes_against": 0, "abstaining": 0,
            "present": 0} | counts  # fmt: skip


class TestDrafts:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"quorum": {"share": "3/2", "base": "seats", "remote_counts": False}}, "quorum"),
            ({"quorum": {"share": "1/2", "base": "guests", "remote_counts": False}}, "quorum"),
            ({"seats_per_member": 0}, "seats_per_member"),
            ({"formats": ["in_person"]}, "parameters"),  # remote presence counted, none remote
            ({"notice": {"ordinary_days": 2, "extraordinary_days": 7}}, "parameters"),
        ],
    )
    async def test_a_draft_that_breaks_its_own_rules_is_refused(
        self,
        client: httpx.AsyncClient,
        admin: Headers,
        registry: FakeRegistry,
        change: dict[str, Any],
        field: str,
    ) -> None:
        council = await council_of(client, admin, registry, 1)
        body = {"text_hy": "Կանոնակարգ", "parameters": parameters(**change)}
        response = await client.post(f"/v1/councils/{council}/bylaws", json=body, headers=admin)
        assert response.status_code == 422, response.text
        assert any(field in e["field"] for e in response.json()["errors"])

    async def test_a_threshold_base_that_does_not_exist(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council = await council_of(client, admin, registry, 1)
        broken = parameters()
        broken["decisions"]["ordinary"] = {"share": "1/2", "base": "everyone"}
        body = {"text_hy": "Կանոնակարգ", "parameters": broken}
        response = await client.post(f"/v1/councils/{council}/bylaws", json=body, headers=admin)
        assert response.status_code == 422


class TestAdoption:
    async def test_the_first_version_needs_more_than_half_of_all_seats(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council = await council_of(client, admin, registry, 4)
        url = f"/v1/councils/{council}/bylaws"
        draft = await post(client, url, admin, text_hy="Կանոնակարգ", parameters=PARAMETERS)
        assert draft["number"] == 1
        assert draft["status"] == "draft"
        # 2 of 4 seats is half, not more than half
        refused = await client.post(f"{url}/{draft['id']}/adopt", headers=admin,
                                    json=votes(votes_for=2, present=2))  # fmt: skip
        assert refused.status_code == 422
        assert "founding rule" in refused.json()["detail"]
        too_many = await client.post(f"{url}/{draft['id']}/adopt", headers=admin,
                                     json=votes(votes_for=5, present=5))  # fmt: skip
        assert too_many.status_code == 422
        adopted = await post(client, f"{url}/{draft['id']}/adopt", admin,
                             **votes(votes_for=3, abstaining=1, present=4))  # fmt: skip
        assert adopted["status"] == "adopted"
        assert adopted["adoption"]["seats"] == 4
        assert "3 for" in adopted["adoption"]["explanation"]
        in_force = await client.get(
            f"/v1/councils/{council}/bylaws-in-force", params={"on": "2024-05-10"}
        )
        assert in_force.json()["id"] == draft["id"]
        before = await client.get(
            f"/v1/councils/{council}/bylaws-in-force", params={"on": "2024-05-09"}
        )
        assert before.status_code == 404

    async def test_adopted_versions_are_immutable(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council = await council_of(client, admin, registry, 1)
        url = f"/v1/councils/{council}/bylaws"
        draft = await post(client, url, admin, text_hy="Կանոնակարգ", parameters=PARAMETERS)
        await post(client, f"{url}/{draft['id']}/adopt", admin, **votes(votes_for=1, present=1))
        response = await client.patch(f"{url}/{draft['id']}", json={"text_hy": "Այլ"},
                                      headers=admin)  # fmt: skip
        assert response.status_code == 409
        again = await client.post(f"{url}/{draft['id']}/adopt", headers=admin,
                                  json=votes(votes_for=1, present=1))  # fmt: skip
        assert again.status_code == 409

    async def test_a_draft_may_change(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council = await council_of(client, admin, registry, 1)
        url = f"/v1/councils/{council}/bylaws"
        draft = await post(client, url, admin, text_hy="Կանոնակարգ", parameters=PARAMETERS)
        response = await client.patch(f"{url}/{draft['id']}", json={"text_hy": "Նոր տեքստ"},
                                      headers=admin)  # fmt: skip
        assert response.status_code == 200
        assert response.json()["text_hy"] == "Նոր տեքստ"

    async def test_an_amendment_is_checked_by_the_version_in_force(
        self, client: httpx.AsyncClient, admin: Headers, registry: FakeRegistry
    ) -> None:
        council = await council_of(client, admin, registry, 6)
        url = f"/v1/councils/{council}/bylaws"
        v1 = await post(client, url, admin, text_hy="Առաջին", parameters=PARAMETERS)
        await post(client, f"{url}/{v1['id']}/adopt", admin, **votes(votes_for=4, present=6))
        v2 = await post(client, url, admin, text_hy="Երկրորդ",
                        parameters=parameters(seats_per_member=2))  # fmt: skip
        # v1: bylaws amendments need at least 2/3 of all seats (4 of 6)
        adoption = votes(adopted_on="2024-06-01", votes_for=3, abstaining=3, present=6)
        refused = await client.post(f"{url}/{v2['id']}/adopt", headers=admin, json=adoption)
        assert refused.status_code == 422
        assert "version 1" in refused.json()["detail"]
        no_quorum = votes(adopted_on="2024-06-01", votes_for=3, present=3)
        refused = await client.post(f"{url}/{v2['id']}/adopt", headers=admin, json=no_quorum)
        assert refused.status_code == 422
        assert "quorum" in refused.json()["detail"]
        adopted = await post(client, f"{url}/{v2['id']}/adopt", admin,
                             **votes(adopted_on="2024-06-01", votes_for=4, present=6))  # fmt: skip
        assert adopted["status"] == "adopted"
        # equal representation follows: every member now holds two seats
        members = await members_of(client, council)
        assert {len([s for s in m["seats"] if s["closed_on"] is None]) for m in members} == {2}
        assert (await client.get(f"/v1/councils/{council}")).json()["seats_per_member"] == 2
        on = await client.get(
            f"/v1/councils/{council}/bylaws-in-force", params={"on": "2024-05-20"}
        )
        assert on.json()["number"] == 1


@pytest.mark.parametrize(
    ("share", "comparison", "base", "needed"),
    [
        ("1/2", Comparison.more_than, 10, 6),
        ("1/2", Comparison.more_than, 9, 5),
        ("1/2", Comparison.at_least, 10, 5),
        ("2/3", Comparison.at_least, 9, 6),
        ("2/3", Comparison.at_least, 10, 7),
        ("2/3", Comparison.more_than, 9, 7),
        ("1/1", Comparison.at_least, 5, 5),
    ],
)
def test_the_fewest_votes_that_pass(
    share: str, comparison: Comparison, base: int, needed: int
) -> None:
    from services.councils.schemas.bylaws import fraction

    assert fewest(fraction(share), comparison, base) == needed


@pytest.mark.parametrize(
    ("threshold", "count", "casting", "passed"),
    [
        ({"share": "1/2", "base": "votes_cast"}, (5, 4, 3, 12, 19), None, True),
        ({"share": "1/2", "base": "present"}, (5, 4, 3, 12, 19), None, False),
        ({"share": "1/2", "base": "all_seats"}, (10, 0, 0, 10, 19), None, True),
        ({"share": "1/2", "base": "all_seats"}, (9, 0, 0, 10, 19), None, False),
        ({"share": "1/2", "base": "votes_cast"}, (4, 4, 0, 8, 10), None, False),
        ({"share": "1/2", "base": "votes_cast", "tie": "chair_casting_vote"}, (4, 4, 0, 8, 10),
         "for", True),
        ({"share": "1/2", "base": "votes_cast", "tie": "chair_casting_vote"}, (4, 4, 0, 8, 10),
         "against", False),
        ({"share": "1/2", "base": "votes_cast", "tie": "fails"}, (4, 4, 0, 8, 10), "for", False),
    ],
)  # fmt: skip
def test_decisions_follow_threshold_base_and_tie_rule(
    threshold: dict[str, Any], count: tuple[int, ...], casting: Any, passed: bool
) -> None:
    outcome = decide(Threshold.model_validate(threshold), Count(*count), casting)
    assert outcome.passed is passed


def test_quorum_counts_seats_or_members() -> None:
    quorum = Quorum.model_validate({"share": "1/2", "base": "seats", "remote_counts": False})
    assert not quorum_present(
        quorum, seats_present=7, seats=19, members_present=7, members=19
    ).passed
    assert quorum_present(quorum, seats_present=10, seats=19, members_present=5, members=19).passed
    by_members = quorum.model_copy(update={"base": QuorumBase.members})
    assert not quorum_present(
        by_members, seats_present=10, seats=19, members_present=5, members=19
    ).passed
