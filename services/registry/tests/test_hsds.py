"""GET /v1/exports/hsds: the registry as an Open Referral HSDS 3.0 data package."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, update

from services.registry.models import Actor, Service, ServiceCommunity, ServiceTargetGroup
from services.registry.reference import SERVICE_CATEGORIES, TARGET_GROUPS
from services.registry.rules import hsds as hsds_rules
from services.registry.rules.hsds import HSDS_NAMESPACE
from services.registry.schemas.hsds import HsdsPackage
from services.registry.tests.conftest import community, create_actor
from shared.text import fold_all

# The "required" lists of openreferral/specification schema/*.json (HSDS 3.0, looked up at commit
# 67e7b37a4b1e03324d6bd107c56cafd153b9d2d0), one schema file per entry:
REQUIRED = {
    "organization": ["id", "name", "description"],  # schema/organization.json
    "service": ["id", "name", "status"],  # schema/service.json
    # schema/organization_identifier.json
    "organization_identifier": ["id", "identifier_type", "identifier"],
    "phone": ["id", "number"],  # schema/phone.json
    "location": ["id", "location_type"],  # schema/location.json
    # schema/address.json
    "address": [
        "id",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],
    "service_area": ["id"],  # schema/service_area.json
    "service_at_location": ["id"],  # schema/service_at_location.json
    "taxonomy": ["id", "name", "description"],  # schema/taxonomy.json
    "taxonomy_term": ["id", "name", "description"],  # schema/taxonomy_term.json
    "attribute": ["id", "link_type"],  # schema/attribute.json
    "cost_option": ["id"],  # schema/cost_option.json
    "language": ["id"],  # schema/language.json
}
SERVICE_STATUSES = {"active", "inactive", "defunct", "temporarily closed"}  # schema/service.json


async def export(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get("/v1/exports/hsds", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def insert_service(app: FastAPI, provider_id: str, **fields: Any) -> str:
    """A service row written straight to the database (its CRUD is built elsewhere)."""
    if "name_hy" in fields:
        fields.setdefault("name_en", None)
    target_groups = fields.pop("target_groups", [])
    communities = fields.pop("communities", [])
    values: dict[str, Any] = {
        "name_hy": "Տնային խնամք տարեցների համար",
        "name_en": "Home care for the elderly",
        "category_code": "home_care",
        "status": "active",
        "is_free": True,
        "languages": ["hy"],
    } | fields
    service = Service(
        provider_id=uuid.UUID(provider_id),
        search_name=fold_all(values["name_hy"], values.get("name_en")),
        search_text=fold_all(values["name_hy"], values.get("name_en"), values.get("description")),
        target_groups=[ServiceTargetGroup(code=code) for code in target_groups],
        communities=[ServiceCommunity(community_id=uuid.UUID(c)) for c in communities],
        **values,
    )
    async with app.state.database.sessionmaker() as session, session.begin():
        session.add(service)
    return str(service.id)


async def set_updated_at(
    app: FastAPI, model: type[Actor | Service], id_: str, at: datetime
) -> None:
    async with app.state.database.sessionmaker() as session, session.begin():
        await session.execute(update(model).where(model.id == uuid.UUID(id_)).values(updated_at=at))


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


class TestOrganizations:
    async def test_an_organisation_appears_with_its_tax_number(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        org = await create_actor(
            client,
            admin,
            tax_number="02571234",
            registration_number="16.110.00666",
            contacts={
                "phone": "+374 23 64-22-11",
                "email": "info@hope.am",
                "website": "https://hope.am",
            },
        )
        exported = by_id((await export(client))["organizations"])[org["id"]]
        assert exported["name"] == "Հույսի կամուրջ"
        assert exported["alternate_name"] == "Bridge of Hope"
        tax, registration = exported["organization_identifiers"]
        assert tax["identifier"] == "02571234"
        assert tax["identifier_type"] == "tax number (ՀՎՀՀ)"
        assert "identifier_scheme" not in tax  # org-id.guide lists no register for it
        assert tax["organization_id"] == org["id"]
        assert registration["identifier_scheme"] == "AM-SRALE"
        assert registration["identifier"] == "16.110.00666"
        assert exported["phones"][0]["number"] == "+37423642211"
        assert exported["email"] == "info@hope.am"
        assert exported["website"] == "https://hope.am"
        assert exported["legal_status"] == "non-profit: civil society organisation (NGO)"

    async def test_a_description_is_written_when_the_actor_has_none(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        plain = await create_actor(client, admin, address={"community_id": community("masis")})
        described = await create_actor(
            client, admin, name={"hy": "Բարեգործ"}, description="Սնունդ տարեցներին"
        )
        organizations = by_id((await export(client))["organizations"])
        assert organizations[plain["id"]]["description"] == (
            "Հասարակական կազմակերպություն, Մասիս (civil society organisation, NGO)."
        )
        assert organizations[described["id"]]["description"] == "Սնունդ տարեցներին"

    async def test_bodies_are_government_organisations(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        body = await create_actor(
            client,
            admin,
            kind="local_government",
            legal_form=None,
            name={"hy": "Մասիսի համայնքապետարան"},
            jurisdiction={"communities": [community("masis")]},
        )
        exported = by_id((await export(client))["organizations"])[body["id"]]
        assert exported["legal_status"] == "government organization: local self-government body"
        assert exported["organization_identifiers"] == []


class TestPersonalData:
    async def test_a_natural_person_never_appears(
        self, app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        person = await create_actor(
            client,
            admin,
            kind="natural_person",
            legal_form=None,
            name={"hy": "Անահիտ Պետրոսյան"},
            contacts={"phone": "091555444", "email": "an@mail.am"},
            address={
                "street": "Նար-Դոսի 5",
                "community_id": community("masis"),
                "postal_code": "0802",
            },
        )
        await insert_service(
            app, person["id"], name_hy="Տնային այց", communities=[community("masis")]
        )
        document = await export(client)
        text = json.dumps(document, ensure_ascii=False)
        assert person["id"] not in text
        assert "Անահիտ" not in text
        assert "+37491555444" not in text
        assert document["organizations"] == []
        assert document["services"] == []  # a person's service would point to the person
        assert document["locations"] == []

    async def test_an_entrepreneur_appears_without_phone_or_email(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        entrepreneur = await create_actor(
            client,
            admin,
            kind="individual_entrepreneur",
            legal_form=None,
            name={"hy": "Արամ Սարգսյան ԱՁ"},
            tax_number="35123456",
            contacts={"phone": "091123456", "email": "aram@mail.am", "website": "https://aram.am"},
        )
        document = await export(client)
        exported = by_id(document["organizations"])[entrepreneur["id"]]
        assert exported["phones"] == []
        assert "email" not in exported
        assert exported["website"] == "https://aram.am"
        assert exported["legal_status"] == "individual entrepreneur"
        assert exported["organization_identifiers"][0]["identifier"] == "35123456"
        text = json.dumps(document, ensure_ascii=False)
        assert "+37491123456" not in text
        assert "aram@mail.am" not in text

    async def test_an_entrepreneurs_street_is_not_exported(
        self, app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        entrepreneur = await create_actor(
            client,
            admin,
            kind="individual_entrepreneur",
            legal_form=None,
            name={"hy": "Արամ Սարգսյան ԱՁ"},
            address={
                "street": "Նար-Դոսի 5, բն. 12",
                "community_id": community("masis"),
                "postal_code": "0802",
            },
        )
        service_id = await insert_service(app, entrepreneur["id"])
        document = await export(client)
        assert "Նար-Դոսի" not in json.dumps(document, ensure_ascii=False)
        # Still findable where it works: its community, as /v1/actors shows it to anyone.
        [location] = [
            x for x in document["locations"] if x["organization_id"] == entrepreneur["id"]
        ]
        assert location["addresses"] == []
        assert location["description"] == "Մասիս, 0802"
        linked = {x["service_id"]: x["location_id"] for x in document["service_at_locations"]}
        assert linked[service_id] == location["id"]

    async def test_a_token_gives_no_more(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        await create_actor(
            client,
            admin,
            kind="individual_entrepreneur",
            legal_form=None,
            name={"hy": "Արամ Սարգսյան ԱՁ"},
            contacts={"phone": "091123456", "email": "aram@mail.am"},
            address={"street": "Նար-Դոսի 5", "community_id": community("masis")},
        )
        anonymous = (await client.get("/v1/exports/hsds")).json()
        signed_in = (await client.get("/v1/exports/hsds", headers=admin)).json()
        del anonymous["generated_at"], signed_in["generated_at"]
        assert signed_in == anonymous
        assert "aram@mail.am" not in json.dumps(signed_in)

    async def test_anonymous_callers_read_it(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/exports/hsds")
        assert response.status_code == 200
        assert response.json()["spec"] == "HSDS 3.0"


class TestServices:
    @pytest.mark.parametrize(
        ("status", "hsds_status"),
        [
            ("active", "active"),
            ("inactive", "inactive"),
            ("defunct", "defunct"),
            ("temporarily_closed", "temporarily closed"),
        ],
    )
    async def test_statuses_are_hsds_statuses(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        status: str,
        hsds_status: str,
    ) -> None:
        org = await create_actor(client, admin)
        service_id = await insert_service(app, org["id"], status=status)
        exported = by_id((await export(client))["services"])[service_id]
        assert exported["status"] == hsds_status
        assert exported["organization_id"] == org["id"]

    async def test_category_and_target_groups_are_taxonomy_attributes(
        self, app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        org = await create_actor(client, admin)
        service_id = await insert_service(
            app,
            org["id"],
            category_code="psychological",
            target_groups=["children", "victims_of_violence"],
        )
        document = await export(client)
        service = by_id(document["services"])[service_id]
        terms = by_id(document["taxonomy_terms"])
        taxonomies = by_id(document["taxonomies"])
        linked = [
            (
                a["link_type"],
                terms[a["taxonomy_term_id"]]["code"],
                taxonomies[terms[a["taxonomy_term_id"]]["taxonomy_id"]]["name"],
            )
            for a in service["attributes"]
        ]
        assert linked == [
            ("category", "psychological", "SPN social service categories"),
            ("audience", "children", "SPN target groups"),
            ("audience", "victims_of_violence", "SPN target groups"),
        ]
        assert all(a["link_id"] == service_id for a in service["attributes"])
        assert all(a["link_entity"] == "service" for a in service["attributes"])

    async def test_cost_free_and_paid(
        self, app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        org = await create_actor(client, admin)
        free = await insert_service(app, org["id"], name_hy="Անվճար")
        paid = await insert_service(
            app,
            org["id"],
            name_hy="Վճարովի",
            is_free=False,
            price_amount=Decimal("2500.50"),
            price_currency="AMD",
        )
        unpriced = await insert_service(app, org["id"], name_hy="Գինը՝ հարցնել", is_free=False)
        services = by_id((await export(client))["services"])
        [free_option] = services[free]["cost_options"]
        assert (free_option["amount"], free_option["currency"]) == (0, "AMD")
        assert services[free]["fees_description"].startswith("Free of charge")
        [price] = services[paid]["cost_options"]
        assert (price["amount"], price["currency"], price["service_id"]) == (2500.5, "AMD", paid)
        assert services[paid]["fees_description"] == "Paid: 2500.50 AMD (Վճարովի)"
        assert services[unpriced]["cost_options"] == []
        assert services[unpriced]["fees_description"].startswith("Paid")

    async def test_languages_eligibility_and_schedule(
        self, app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        org = await create_actor(client, admin)
        service_id = await insert_service(
            app,
            org["id"],
            languages=["hy", "ru"],
            eligibility="Մասիսի բնակիչներ, 65+",
            schedule="Երկ–Ուրբ 09:00–18:00",
            description="Այցեր տանը",
        )
        service = by_id((await export(client))["services"])[service_id]
        assert [(x["code"], x["name"]) for x in service["languages"]] == [
            ("hy", "Armenian"),
            ("ru", "Russian"),
        ]
        assert service["eligibility_description"] == "Մասիսի բնակիչներ, 65+"
        assert service["schedules"][0]["description"] == "Երկ–Ուրբ 09:00–18:00"
        assert service["description"] == "Այցեր տանը"
        assert service["alternate_name"] == "Home care for the elderly"


class TestTaxonomies:
    async def test_every_code_is_a_term_with_an_id_derived_from_it(
        self, client: httpx.AsyncClient
    ) -> None:
        document = await export(client)
        assert len(document["taxonomies"]) == 2
        codes = {t["code"]: t for t in document["taxonomy_terms"]}
        assert set(codes) == {t.code for t in SERVICE_CATEGORIES} | {t.code for t in TARGET_GROUPS}
        # Stable across exports and installations: uuid5 of the taxonomy and the code.
        home_care = codes["home_care"]
        assert home_care["id"] == str(
            uuid.uuid5(HSDS_NAMESPACE, "taxonomy_term:service_categories:home_care")
        )
        assert (home_care["name"], home_care["description"]) == ("Տնային խնամք", "Home care")
        again = await export(client)
        assert again["taxonomy_terms"] == document["taxonomy_terms"]
        assert {t["taxonomy_id"] for t in document["taxonomy_terms"]} == {
            t["id"] for t in document["taxonomies"]
        }


@pytest.fixture
async def registry(
    app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
) -> dict[str, str]:
    return await build_registry(app, client, admin)


async def build_registry(
    app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
) -> dict[str, str]:
    """An organisation in Masis (Ararat) with a full address, one in Gyumri (Shirak), one in
    Yerevan that serves Masis, and their services."""
    masis = await create_actor(
        client,
        admin,
        tax_number="02571234",
        address={
            "street": "Երևանյան 10",
            "community_id": community("masis"),
            "postal_code": "0802",
        },
    )
    gyumri = await create_actor(
        client,
        admin,
        name={"hy": "Շիրակի աջակցություն"},
        located_in=[community("gyumri")],
        address={"community_id": community("gyumri")},
    )
    yerevan = await create_actor(
        client,
        admin,
        legal_form="foundation",
        name={"hy": "Երևանյան հիմնադրամ"},
        located_in=[community("yerevan")],
    )
    return {
        "masis": masis["id"],
        "gyumri": gyumri["id"],
        "yerevan": yerevan["id"],
        "masis_care": await insert_service(
            app, masis["id"], communities=[community("masis"), community("ararat")]
        ),
        "gyumri_food": await insert_service(
            app,
            gyumri["id"],
            name_hy="Սննդի օգնություն",
            category_code="food_in_kind",
            communities=[community("gyumri")],
        ),
        "yerevan_in_masis": await insert_service(
            app,
            yerevan["id"],
            name_hy="Իրավաբանական օգնություն",
            category_code="legal_aid",
            communities=[community("masis")],
        ),
    }


class TestReferentialIntegrity:
    async def test_every_reference_points_to_a_record_of_the_document(
        self, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        document = await export(client)
        organizations = by_id(document["organizations"])
        services = by_id(document["services"])
        locations = by_id(document["locations"])
        terms = by_id(document["taxonomy_terms"])
        assert set(organizations) == {registry["masis"], registry["gyumri"], registry["yerevan"]}
        assert {s["organization_id"] for s in services.values()} <= set(organizations)
        assert {loc["organization_id"] for loc in locations.values()} <= set(organizations)
        for area in document["service_areas"]:
            assert area["service_id"] in services
        for link in document["service_at_locations"]:
            assert link["service_id"] in services
            assert link["location_id"] in locations
        for service in services.values():
            assert all(a["taxonomy_term_id"] in terms for a in service["attributes"])
        every_id = [
            record["id"]
            for key in (
                "organizations",
                "services",
                "locations",
                "service_areas",
                "service_at_locations",
                "taxonomies",
                "taxonomy_terms",
            )
            for record in document[key]
        ]
        assert len(every_id) == len(set(every_id))

    async def test_the_address_is_a_physical_location_in_armenia(
        self, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        document = await export(client)
        [masis] = [x for x in document["locations"] if x["organization_id"] == registry["masis"]]
        assert masis["location_type"] == "physical"
        [address] = masis["addresses"]
        assert address == {
            "id": address["id"],
            "location_id": masis["id"],
            "address_1": "Երևանյան 10",
            "city": "Մասիս",
            "state_province": "Արարատ",
            "postal_code": "0802",
            "country": "AM",
            "address_type": "physical",
        }
        # Gyumri's organisation gave only its community: a location, but no partial address.
        [gyumri] = [x for x in document["locations"] if x["organization_id"] == registry["gyumri"]]
        assert gyumri["addresses"] == []
        assert gyumri["description"] == "Գյումրի"
        # The Yerevan foundation has no address at all: no location, no service_at_location.
        assert registry["yerevan"] not in {x["organization_id"] for x in document["locations"]}
        linked = {x["service_id"]: x["location_id"] for x in document["service_at_locations"]}
        assert linked[registry["masis_care"]] == masis["id"]
        assert registry["yerevan_in_masis"] not in linked

    async def test_service_areas_carry_open_civic_data_ids(
        self, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        document = await export(client)
        areas = [a for a in document["service_areas"] if a["service_id"] == registry["masis_care"]]
        assert sorted((a["name"], a["uri"], a["description"]) for a in areas) == [
            ("Արարատ", "ocd-division/country:am/region:ar/community:ararat", "Ararat, Ararat"),
            ("Մասիս", "ocd-division/country:am/region:ar/community:masis", "Masis, Ararat"),
        ]


class TestRegionFilter:
    async def test_only_what_is_in_or_serves_the_region(
        self, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        ararat = await export(client, region="AM-AR")
        assert set(by_id(ararat["services"])) == {
            registry["masis_care"],
            registry["yerevan_in_masis"],
        }
        # The Yerevan foundation comes along as the provider of a service delivered in Masis.
        assert set(by_id(ararat["organizations"])) == {registry["masis"], registry["yerevan"]}
        assert {a["service_id"] for a in ararat["service_areas"]} <= set(by_id(ararat["services"]))
        shirak = await export(client, region="am-sh")
        assert set(by_id(shirak["services"])) == {registry["gyumri_food"]}
        assert set(by_id(shirak["organizations"])) == {registry["gyumri"]}
        assert len(shirak["taxonomy_terms"]) == len(ararat["taxonomy_terms"])

    async def test_a_service_without_delivery_communities_follows_its_provider(
        self, app: FastAPI, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        nowhere = await insert_service(app, registry["gyumri"], name_hy="Խորհրդատվություն")
        assert nowhere in by_id((await export(client, region="AM-SH"))["services"])
        assert nowhere not in by_id((await export(client, region="AM-AR"))["services"])

    async def test_an_unknown_region_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/exports/hsds", params={"region": "AM-XX"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "region"

    @pytest.mark.parametrize("region", ["AM\x00AR", "x" * 300, "Արարատ"])
    async def test_a_region_that_is_no_code_is_422(
        self, client: httpx.AsyncClient, region: str
    ) -> None:
        for path in ("/v1/exports/hsds", "/v1/exports/hsds.zip"):
            response = await client.get(path, params={"region": region})
            assert response.status_code == 422
            assert response.headers["content-type"] == "application/problem+json"


class TestModifiedAfter:
    async def test_only_what_changed_since(
        self, app: FastAPI, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        long_ago = datetime(2020, 1, 1, tzinfo=UTC)
        for key in ("masis", "yerevan"):
            await set_updated_at(app, Actor, registry[key], long_ago)
        for key in ("masis_care", "gyumri_food"):
            await set_updated_at(app, Service, registry[key], long_ago)

        delta = await export(client, modified_after="2024-06-01T00:00:00+04:00")
        assert set(by_id(delta["services"])) == {registry["yerevan_in_masis"]}
        # The changed Gyumri organisation, and the (unchanged) provider of the changed service.
        assert set(by_id(delta["organizations"])) == {registry["gyumri"], registry["yerevan"]}
        # Areas and links belong to the changed services only.
        assert {a["service_id"] for a in delta["service_areas"]} == {registry["yerevan_in_masis"]}
        assert {loc["organization_id"] for loc in delta["locations"]} == {registry["gyumri"]}

        everything = await export(client, modified_after="2019-12-31T23:59:59Z")
        assert len(everything["organizations"]) == 3
        assert len(everything["services"]) == 3
        # Combined with a region, both filters apply; the service brings its provider.
        both = await export(client, modified_after="2024-06-01T00:00:00Z", region="AM-AR")
        assert set(by_id(both["services"])) == {registry["yerevan_in_masis"]}
        assert set(by_id(both["organizations"])) == {registry["yerevan"]}

    @pytest.mark.parametrize("region", [None, "AM-AR", "AM-SH"])
    async def test_a_regional_delta_is_self_contained(
        self, app: FastAPI, client: httpx.AsyncClient, registry: dict[str, str], region: str | None
    ) -> None:
        long_ago = datetime(2020, 1, 1, tzinfo=UTC)
        for key in ("masis", "gyumri", "yerevan"):
            await set_updated_at(app, Actor, registry[key], long_ago)
        params = {"modified_after": "2024-01-01T00:00:00Z"} | ({"region": region} if region else {})
        delta = await export(client, **params)
        assert delta["services"], "the services changed since, so the delta has some"
        organizations = by_id(delta["organizations"])
        locations = by_id(delta["locations"])
        # Every organisation is there only as a provider, since none changed.
        assert {s["organization_id"] for s in delta["services"]} == set(organizations)
        services = by_id(delta["services"])
        for link in delta["service_at_locations"]:
            assert link["service_id"] in services
            assert link["location_id"] in locations
        for area in delta["service_areas"]:
            assert area["service_id"] in services
        if region == "AM-AR":
            # The provider of the care service in Masis comes with its location and address.
            [masis] = [x for x in locations.values() if x["organization_id"] == registry["masis"]]
            assert masis["addresses"][0]["address_1"] == "Երևանյան 10"

    @pytest.mark.parametrize(
        "moment", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "yesterday"]
    )
    async def test_a_moment_out_of_range_is_422_before_anything_is_sent(
        self, client: httpx.AsyncClient, moment: str
    ) -> None:
        for path in ("/v1/exports/hsds", "/v1/exports/hsds.zip", "/v1/hsda/services"):
            response = await client.get(path, params={"modified_after": moment})
            assert response.status_code == 422, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["errors"][0]["field"].endswith("modified_after")


class TestHsdsRequiredFields:
    async def test_every_record_has_the_fields_hsds_requires(
        self, app: FastAPI, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        await insert_service(
            app,
            registry["masis"],
            is_free=False,
            price_amount=Decimal("1000"),
            price_currency="AMD",
            languages=["hy", "en"],
            target_groups=["elderly"],
        )
        document = await export(client)

        def check(kind: str, record: dict[str, Any]) -> None:
            missing = [f for f in REQUIRED[kind] if record.get(f) in (None, "")]
            assert not missing, f"{kind} {record.get('id')} lacks {missing}"
            assert None not in record.values(), f"{kind} sends a null HSDS does not allow"

        assert document["organizations"]
        assert document["services"]
        for organization in document["organizations"]:
            check("organization", organization)
            for identifier in organization["organization_identifiers"]:
                check("organization_identifier", identifier)
            for phone in organization["phones"]:
                check("phone", phone)
        for service in document["services"]:
            check("service", service)
            assert service["status"] in SERVICE_STATUSES
            for kind, key in (
                ("attribute", "attributes"),
                ("cost_option", "cost_options"),
                ("language", "languages"),
            ):
                for record in service[key]:
                    check(kind, record)
        for location in document["locations"]:
            check("location", location)
            for address in location["addresses"]:
                check("address", address)
        for kind, key in (
            ("service_area", "service_areas"),
            ("service_at_location", "service_at_locations"),
            ("taxonomy", "taxonomies"),
            ("taxonomy_term", "taxonomy_terms"),
        ):
            for record in document[key]:
                check(kind, record)


@contextmanager
def counting_queries(app: FastAPI) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


class TestBoundedQueries:
    async def test_the_number_of_queries_does_not_grow_with_the_registry(
        self, app: FastAPI, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        async def add(n: int) -> None:
            for i in range(n):
                org = await create_actor(
                    client,
                    admin,
                    name={"hy": f"Կազմակերպություն {i}"},
                    address={
                        "street": f"Փողոց {i}",
                        "community_id": community("masis"),
                        "postal_code": "0802",
                    },
                )
                await insert_service(
                    app,
                    org["id"],
                    target_groups=["elderly", "children"],
                    communities=[community("masis"), community("ararat")],
                )

        await add(2)
        with counting_queries(app) as small:
            assert len((await export(client, region="AM-AR"))["services"]) == 2
        await add(8)
        with counting_queries(app) as large:
            assert len((await export(client, region="AM-AR"))["services"]) == 10
        assert len(large) == len(small)


class TestStreaming:
    async def test_every_record_once_across_pages_even_with_equal_names(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(hsds_rules, "PAGE_SIZE", 2)
        organizations, services = set(), set()
        for i in range(5):
            # Equal names: the page boundary falls between records that only their id orders.
            org = await create_actor(
                client,
                admin,
                name={"hy": "Նույն անուն"},
                address={"community_id": community("masis")},
            )
            organizations.add(org["id"])
            services.add(await insert_service(app, org["id"], name_hy=f"Ծառայություն {i % 2}"))
            services.add(await insert_service(app, org["id"], name_hy=f"Ծառայություն {i % 2}"))
        document = await export(client)
        assert [o["id"] for o in document["organizations"]].count(next(iter(organizations))) == 1
        assert sorted(o["id"] for o in document["organizations"]) == sorted(organizations)
        assert sorted(s["id"] for s in document["services"]) == sorted(services)
        assert len(document["service_at_locations"]) == len(services)
        assert len(document["locations"]) == len(organizations)

    async def test_the_document_is_written_a_page_at_a_time(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(hsds_rules, "PAGE_SIZE", 2)
        for i in range(5):
            org = await create_actor(client, admin, name={"hy": f"Կազմակերպություն {i}"})
            await insert_service(app, org["id"])
        chunks = [
            chunk
            async for chunk in hsds_rules.hsds_document(
                app.state.database, hsds_rules.ExportScope()
            )
        ]
        # Organisations and services each come in three pieces of at most two records.
        pages = [c for c in chunks if b'"description"' in c and b'"name"' in c]
        assert max(c.count(b'"fees_description"') for c in pages) <= 2
        assert len(chunks) >= 8
        document = json.loads(b"".join(chunks))
        assert len(document["organizations"]) == 5
        assert len(document["services"]) == 5
        # What is streamed is what the OpenAPI promises.
        HsdsPackage.model_validate(document)

    async def test_exports_take_turns_and_still_start_at_once(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(hsds_rules, "EXPORTS_AT_ONCE", 1)
        monkeypatch.setattr(hsds_rules, "PAGE_SIZE", 1)
        for i in range(2):
            await create_actor(client, admin, name={"hy": f"Կազմակերպություն {i}"})
        scope = hsds_rules.ExportScope()
        first = hsds_rules.hsds_document(app.state.database, scope)
        second = hsds_rules.hsds_document(app.state.database, scope)
        await anext(first)
        await anext(first)  # the first holds its turn (and a connection) from here
        assert (await anext(second)).startswith(b'{"spec":"HSDS 3.0"')  # no wait for the head
        waiting = asyncio.ensure_future(anext(second))
        done, _ = await asyncio.wait([waiting], timeout=0.5)
        assert not done, "the second export read while the first held the only turn"
        rest = b"".join([chunk async for chunk in first])
        assert rest.endswith(b"]}")
        await waiting  # its turn came once the first ended
        tail = b"".join([chunk async for chunk in second])
        assert tail.endswith(b"]}")


async def data_package(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    """The tables of the zip export, and its descriptor under "datapackage"."""
    response = await client.get("/v1/exports/hsds.zip", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    tables: dict[str, Any] = {"datapackage": json.loads(archive.read("datapackage.json"))}
    for resource in tables["datapackage"]["resources"]:
        text = archive.read(resource["path"]).decode()
        reader = csv.DictReader(io.StringIO(text))
        assert reader.fieldnames == [f["name"] for f in resource["schema"]["fields"]]
        tables[resource["name"]] = list(reader)
    return tables


class TestDataPackage:
    async def test_the_same_records_as_the_document_as_csv_tables(
        self, app: FastAPI, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        await insert_service(
            app,
            registry["masis"],
            is_free=False,
            price_amount=Decimal("2500.50"),
            price_currency="AMD",
            languages=["hy", "ru"],
            schedule="Երկ–Ուրբ 09:00–18:00",
            target_groups=["elderly"],
        )
        document = await export(client)
        tables = await data_package(client)
        assert {o["id"] for o in tables["organizations"]} == {
            o["id"] for o in document["organizations"]
        }
        assert {s["id"] for s in tables["services"]} == {s["id"] for s in document["services"]}
        for key in ("locations", "service_areas", "service_at_locations", "taxonomy_terms"):
            assert len(tables[key]) == len(document[key]), key
        nested = {
            "organization_identifiers": ("organizations", "organization_identifiers"),
            "languages": ("services", "languages"),
            "cost_options": ("services", "cost_options"),
            "schedules": ("services", "schedules"),
            "attributes": ("services", "attributes"),
            "addresses": ("locations", "addresses"),
        }
        for table, (parent, field) in nested.items():
            records = [r for p in document[parent] for r in p[field]]
            assert {r["id"] for r in tables[table]} == {r["id"] for r in records}, table
        [address] = tables["addresses"]
        assert (address["address_1"], address["country"]) == ("Երևանյան 10", "AM")
        [price] = [c for c in tables["cost_options"] if c["amount"] == "2500.5"]
        assert price["currency"] == "AMD"

    async def test_keys_and_required_fields_hold_as_the_descriptor_says(
        self, app: FastAPI, client: httpx.AsyncClient, registry: dict[str, str]
    ) -> None:
        long_ago = datetime(2020, 1, 1, tzinfo=UTC)
        await set_updated_at(app, Actor, registry["masis"], long_ago)
        for params in ({}, {"region": "AM-AR", "modified_after": "2024-01-01T00:00:00Z"}):
            tables = await data_package(client, **params)
            descriptor = tables["datapackage"]
            assert descriptor["profile"] == "tabular-data-package"
            for resource in descriptor["resources"]:
                rows = tables[resource["name"]]
                schema = resource["schema"]
                ids = [r["id"] for r in rows]
                assert len(ids) == len(set(ids)), resource["name"]
                for column in schema["fields"]:
                    if column.get("constraints", {}).get("required"):
                        assert all(r[column["name"]] for r in rows), (resource, column)
                for key in schema["foreignKeys"]:
                    targets = {r["id"] for r in tables[key["reference"]["resource"]]}
                    values = {r[key["fields"]] for r in rows} - {""}
                    assert values <= targets, (resource["name"], key)

    async def test_no_personal_data_and_filters_checked_first(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        await create_actor(
            client,
            admin,
            kind="individual_entrepreneur",
            legal_form=None,
            name={"hy": "Արամ Սարգսյան ԱՁ"},
            contacts={"phone": "091123456", "email": "aram@mail.am"},
            address={"street": "Նար-Դոսի 5", "community_id": community("masis")},
        )
        response = await client.get("/v1/exports/hsds.zip")
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
        assert "Արամ Սարգսյան ԱՁ" in everything
        for personal in ("Նար-Դոսի", "aram@mail.am", "+37491123456"):
            assert personal not in everything
        refused = await client.get("/v1/exports/hsds.zip", params={"region": "AM-XX"})
        assert refused.status_code == 422
