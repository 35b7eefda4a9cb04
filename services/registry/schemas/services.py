from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from services.registry.messages import _
from services.registry.reference import CATEGORY_CODES, TARGET_GROUP_CODES, ServiceStatus
from shared.schemas import Resource, patch_of
from shared.text import LocalizedText, Money

CATEGORIES_URL = "/v1/taxonomies/service-categories"
TARGET_GROUPS_URL = "/v1/taxonomies/target-groups"

LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Ids = Annotated[list[uuid.UUID], Field(max_length=500)]
LanguageCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[a-z]{2}$"),
    Field(description='An ISO 639-1 code in lower case: "hy", "ru", "en"'),
]


def check_target_groups(codes: list[str]) -> list[str]:
    """Each code must be one of the list at /v1/taxonomies/target-groups; kept once, in order."""
    unknown = [code for code in codes if code not in TARGET_GROUP_CODES]
    if unknown:
        raise ValueError(
            _(
                "unknown target group {codes}; the codes are listed at {listed_at}",
                codes=", ".join(map(repr, unknown)),
                listed_at=TARGET_GROUPS_URL,
            )
        )
    return list(dict.fromkeys(codes))


TargetGroups = Annotated[
    list[str],
    Field(max_length=50, description=f"Target group codes, see {TARGET_GROUPS_URL}"),
]


# Places at the same time; the column is a 32-bit integer on PostgreSQL.
MAX_CAPACITY = 2**31 - 1


class Cost(BaseModel):
    """What a service costs the person who uses it: free, or a price in AMD, EUR or USD."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"free": True}, {"free": False, "price": {"amount": "2000.00",
                                                                 "currency": "AMD"}}]
        },
    )  # fmt: skip

    free: StrictBool
    price: Money | None = Field(
        default=None,
        validate_default=True,
        description="Required when the service is not free, and only then",
    )

    @field_validator("price")
    @classmethod
    def _price_matches_free(cls, price: Money | None, info: ValidationInfo) -> Money | None:
        free = info.data.get("free")
        if free is False and price is None:
            raise ValueError(_("a service that is not free needs its price (amount and currency)"))
        if free is True and price is not None:
            raise ValueError(
                _('a free service has no price; send {{"free": false}} with the price')
            )
        return price


class ServiceIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "provider_id": "3f0b8f9e-8c1d-4e57-9a3e-2b7f4c1d9e01",
                    "name": {"hy": "Տարեցների տնային խնամք", "en": "Home care for the elderly"},
                    "description": "Social workers visit lonely elderly people at home.",
                    "category_code": "home_care",
                    "target_groups": ["elderly", "persons_with_disabilities"],
                    "communities": ["8b0e5a1c-6b7f-5d2e-9c3a-1f4e2d6b8a90"],
                    "eligibility": "Lonely people over 65 living in the community",
                    "cost": {"free": True},
                    "capacity": 40,
                    "languages": ["hy", "ru"],
                    "schedule": "Mon–Fri 09:00–18:00",
                    "status": "active",
                }
            ]
        },
    )

    provider_id: uuid.UUID = Field(description="The actor that offers the service")
    name: LocalizedText
    description: LongText | None = None
    category_code: str = Field(description=f"A service category code, see {CATEGORIES_URL}")
    target_groups: TargetGroups = Field(default_factory=list)
    communities: Ids = Field(
        default_factory=list, description="Ids of the communities where it is delivered"
    )
    eligibility: LongText | None = Field(default=None, description="Who may use the service")
    cost: Cost = Field(default_factory=lambda: Cost(free=True))
    capacity: StrictInt | None = Field(
        default=None,
        ge=0,
        le=MAX_CAPACITY,
        description="How many people the service can serve at the same time (its places), "
        "not per month",
    )
    languages: Annotated[list[LanguageCode], Field(max_length=20)] = Field(
        default_factory=list, description="Languages it is delivered in, ISO 639-1"
    )
    schedule: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = (
        Field(default=None, description="Opening hours or rhythm, in words")
    )
    status: ServiceStatus = ServiceStatus.active

    @field_validator("category_code")
    @classmethod
    def _known_category(cls, code: str) -> str:
        if code not in CATEGORY_CODES:
            raise ValueError(
                _(
                    "{code!r} is not a service category; the codes are listed at {listed_at}",
                    code=code,
                    listed_at=CATEGORIES_URL,
                )
            )
        return code

    @field_validator("target_groups")
    @classmethod
    def _known_target_groups(cls, codes: list[str]) -> list[str]:
        return check_target_groups(codes)

    @field_validator("languages")
    @classmethod
    def _languages_once(cls, codes: list[str]) -> list[str]:
        return list(dict.fromkeys(codes))


if TYPE_CHECKING:
    ServicePatch = BaseModel
else:
    ServicePatch = patch_of(ServiceIn, name="ServicePatch")


class ProviderRef(BaseModel):
    id: uuid.UUID
    name: LocalizedText


class ServiceOut(ServiceIn, Resource):
    provider: ProviderRef
