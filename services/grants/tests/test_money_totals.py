"""Exchange rates, conversion to drams and the public totals: a missing rate is a 422 naming
the currency and the day; totals by every grouping add up to the luma (Hypothesis, on random
grants, currencies and rates); a community's totals equal the sum of its grants'."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.grants.money import MINOR_UNITS
from services.grants.rules.rates import Rates, parse_cba_csv, to_amd_minor
from services.grants.rules.totals import MEASURES, Fact, aggregate
from services.grants.schemas.totals import Dimension, FundingTotals
from services.grants.tests import test_awards
from services.grants.tests.conftest import Headers
from services.grants.tests.test_awards import World, grant_body
from services.grants.tests.test_finances import activate, pay, report
from shared.errors import RuleViolation

world, open_today = test_awards.world, test_awards.open_today


class TestConversion:
    def test_half_to_even_to_the_luma(self) -> None:
        # 0.01 EUR at 388.5 = 3.885 AMD: 388.5 luma, to even 388; 0.03 EUR: 1165.5 → 1166
        assert to_amd_minor(1, "EUR", 388_500_000) == 388
        assert to_amd_minor(3, "EUR", 388_500_000) == 1166
        assert to_amd_minor(7, "JPY", 2_650_000) == 1855  # 7 yen at 2.65
        assert to_amd_minor(12345, "AMD", 1) == 12345

    def test_a_missing_rate_names_the_currency_and_day(self) -> None:
        rates = Rates({"EUR": [(date(2021, 4, 1), 500_000_000)]})
        assert rates.to_amd(100, "EUR", date(2021, 4, 8)) == 50000  # 7 days back: found
        with pytest.raises(RuleViolation) as refused:
            rates.to_amd(100, "EUR", date(2021, 4, 9))
        assert refused.value.extra == {"currency": "EUR", "date": "2021-04-09"}
        with pytest.raises(RuleViolation):
            rates.to_amd(100, "USD", date(2021, 4, 1))

    def test_the_banks_csv(self) -> None:
        text = "Date,ISO,Amount,Rate\n15/04/2021,EUR,1,636.58\n15/04/2021,JPY,10,48.1\n"
        text += '15/04/2021,XDR,1,700\n2021-04-16,USD,1,"522.10"\n'
        rates, skipped = parse_cba_csv(text)
        assert [(r.currency, r.rate_on.isoformat(), str(r.rate)) for r in rates] == [
            ("EUR", "2021-04-15", "636.580000"),
            ("JPY", "2021-04-15", "4.810000"),
            ("USD", "2021-04-16", "522.100000"),
        ]
        assert skipped == 1
        with pytest.raises(RuleViolation):
            parse_cba_csv("Date,ISO,Rate\nyesterday,EUR,1\n")
        with pytest.raises(RuleViolation):
            parse_cba_csv("Day,Code\n1,2\n")


CURRENCIES = sorted(MINOR_UNITS)
START = date(2020, 1, 1)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Fact], Rates]:
    communities = [uuid.uuid4() for _ in range(draw(st.integers(1, 4)))]
    programmes = [uuid.uuid4() for _ in range(draw(st.integers(1, 3)))]
    held = {
        c: [
            (START + timedelta(days=d), draw(st.integers(1, 2_000_000_000)))
            for d in range(0, 3 * 366, 5)
        ]
        for c in CURRENCIES
        if c != "AMD"
    }
    facts: list[Fact] = []
    for _ in range(draw(st.integers(1, 25))):
        grant = uuid.uuid4()
        currency = draw(st.sampled_from(CURRENCIES))
        community, programme = draw(st.sampled_from(communities)), draw(st.sampled_from(programmes))
        for _ in range(draw(st.integers(1, 6))):
            facts.append(
                Fact(
                    measure=draw(st.sampled_from(MEASURES)),
                    grant_id=grant,
                    community_id=community,
                    programme_id=programme,
                    priority_id=None,
                    day=START + timedelta(days=draw(st.integers(0, 3 * 365))),
                    currency=currency,
                    minor=draw(st.integers(0, 10**12)),
                )
            )
    return facts, Rates(held)


def _amd(totals: FundingTotals, measure: str) -> int:
    return int(Decimal(getattr(totals.total, measure).amd.amount) * 100)


def _group_sum(totals: FundingTotals, measure: str) -> int:
    return sum(int(Decimal(getattr(g, measure).amd.amount) * 100) for g in totals.groups)


class TestTotalsAddUp:
    @settings(max_examples=150, deadline=None)
    @given(
        worlds(), st.lists(st.sampled_from(list(Dimension)), min_size=1, max_size=3, unique=True)
    )
    def test_every_grouping_adds_up_to_the_luma(
        self, world: tuple[list[Fact], Rates], dims: list[Dimension]
    ) -> None:
        facts, rates = world
        whole = aggregate(facts, [], rates)
        grouped = aggregate(facts, dims, rates)
        by_grant = aggregate(facts, [Dimension.grant], rates)
        for measure in MEASURES:
            expected = sum(
                rates.to_amd(f.minor, f.currency, f.day) for f in facts if f.measure == measure
            )
            assert _amd(whole, measure) == expected
            assert _group_sum(grouped, measure) == expected
            assert _group_sum(by_grant, measure) == expected
            for currency in CURRENCIES:
                in_currency = sum(
                    f.minor for f in facts if f.measure == measure and f.currency == currency
                )
                listed = [
                    m
                    for g in grouped.groups
                    for m in getattr(g, measure).currencies
                    if m.currency == currency
                ]
                assert sum(m.minor for m in listed) == in_currency


async def _rate(client: httpx.AsyncClient, officer: Headers, **body: Any) -> httpx.Response:
    return await client.post("/v1/exchange-rates", json=body, headers=officer)


class TestRatesAndTotalsOverHttp:
    async def test_rates_entered_and_imported(
        self, client: httpx.AsyncClient, officer: Headers, gyumri_official: Headers
    ) -> None:
        made = await _rate(client, officer, currency="EUR", rate_on="2021-03-01", rate="640.5")
        assert made.status_code == 201, made.text
        assert made.json()["rate"] == "640.500000"
        again = await client.get(
            made.headers["location"], headers={"If-None-Match": made.headers["etag"]}
        )
        assert again.status_code == 304
        assert (
            await _rate(client, officer, currency="EUR", rate_on="2021-03-01", rate="1")
        ).status_code == 409
        for bad in (
            {"currency": "AMD", "rate": "1"},
            {"currency": "EUR", "rate": "0"},
            {"currency": "XYZ", "rate": "1"},
            {"currency": "EUR", "rate": "1.0000001"},
        ):
            response = await _rate(client, officer, rate_on="2021-03-02", **bad)
            assert response.status_code == 422, bad
        assert (
            await _rate(client, gyumri_official, currency="EUR", rate_on="2021-03-03", rate="1")
        ).status_code == 403
        csv = "Date,ISO,Amount,Rate\n01/03/2021,EUR,1,999\n02/03/2021,EUR,1,641.25\n"
        imported = await client.post(
            "/v1/exchange-rate-imports", json={"csv": csv}, headers=officer
        )
        assert imported.status_code == 201, imported.text
        assert (imported.json()["imported"], imported.json()["kept"]) == (1, 1)
        held = (await client.get("/v1/exchange-rates", params={"currency": "EUR"})).json()
        assert [r["rate"] for r in held["items"]] == ["640.500000", "641.250000"]
        unreadable = await client.post(
            "/v1/exchange-rate-imports", json={"csv": "Date,ISO,Rate\nx,EUR,1\n"}, headers=officer
        )
        assert unreadable.status_code == 422

    async def test_a_communitys_totals_are_the_sum_of_its_grants(
        self, client: httpx.AsyncClient, world: World, officer: Headers
    ) -> None:
        first = (await client.post("/v1/grants", json=grant_body(world), headers=officer)).json()
        euros = await client.post(
            "/v1/grants",
            headers=officer,
            json=grant_body(
                world,
                recipient_id=world.bridge["id"],
                priority_id=None,
                amount={"amount": "12345.67", "currency": "EUR"},
                cofunding=[
                    {"source": "community", "amount": {"amount": "1000", "currency": "EUR"}}
                ],
            ),
        )
        assert euros.status_code == 201, euros.text
        second = euros.json()
        for grant in (first, second):
            await activate(client, grant, officer)
        currency = {first["id"]: "AMD", second["id"]: "EUR"}
        for grant in (first, second):
            c = currency[grant["id"]]
            assert (
                await pay(client, grant, officer, "1000.01", on="2021-04-03", currency=c)
            ).status_code == 201
            assert (
                await pay(client, grant, officer, "333.33", on="2022-01-04", currency=c)
            ).status_code == 201
            body = report(("Աշխատավարձ", "10.05"))
            body["lines"][0]["amount"]["currency"] = c
            made = await client.post(
                f"/v1/grants/{grant['id']}/expenditure-reports", json=body, headers=officer
            )
            assert made.status_code == 201, made.text
        await client.post(
            f"/v1/grants/{second['id']}/cofunding-receipts",
            headers=officer,
            json={
                "source": "community",
                "received_on": "2021-05-02",
                "amount": {"amount": "999.99", "currency": "EUR"},
            },
        )

        missing = await client.get("/v1/funding/totals")
        assert missing.status_code == 422
        assert "EUR" in missing.json()["detail"]
        assert "2021-03-01" in missing.json()["detail"]
        assert (missing.json()["currency"], missing.json()["date"]) == ("EUR", "2021-03-01")
        for day, rate in (
            ("2021-03-01", "388.123456"),
            ("2021-04-02", "401.5"),
            ("2021-05-01", "402.75"),
            ("2021-06-28", "399.99"),
            ("2022-01-03", "405.05"),
        ):
            assert (
                await _rate(client, officer, currency="EUR", rate_on=day, rate=rate)
            ).status_code == 201

        async def totals(**params: Any) -> dict[str, Any]:
            response = await client.get("/v1/funding/totals", params=params)
            assert response.status_code == 200, response.text
            return dict(response.json())

        def luma(measures: dict[str, Any], measure: str) -> int:
            return int(Decimal(measures[measure]["amd"]["amount"]) * 100)

        community = await totals(
            group_by=["community", "year"], community_id=world.plan["community_id"]
        )
        by_grant = await totals(group_by=["grant"], community_id=world.plan["community_id"])
        for measure in MEASURES:
            whole = luma(community["total"], measure)
            assert sum(luma(g, measure) for g in community["groups"]) == whole
            assert sum(luma(g, measure) for g in by_grant["groups"]) == whole
        # 12345.67 EUR awarded on 2021-03-01 at 388.123456: 4 791 583.2... → 479158326 luma
        euro_grant = next(g for g in by_grant["groups"] if g["key"]["grant"] == second["id"])
        assert luma(euro_grant, "awarded") == round(
            Decimal("12345.67") * Decimal("388.123456") * 100
        )
        assert {(r["currency"], r["rate_on"]) for r in by_grant["rates_used"]} == {
            ("EUR", "2021-03-01"),
            ("EUR", "2021-04-02"),
            ("EUR", "2021-05-01"),
            ("EUR", "2021-06-28"),
            ("EUR", "2022-01-03"),
        }
        years = {g["key"]["year"] for g in community["groups"]}
        assert years == {"2021", "2022"}
        eur = await totals(group_by=["funder"], year=2022)
        assert eur["total"]["disbursed"]["currencies"] == [
            {"amount": "333.33", "currency": "AMD"},
            {"amount": "333.33", "currency": "EUR"},
        ]
        etag = (await client.get("/v1/funding/totals")).headers["etag"]
        cached = await client.get("/v1/funding/totals", headers={"If-None-Match": etag})
        assert cached.status_code == 304
