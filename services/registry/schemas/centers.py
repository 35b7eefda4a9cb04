from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.registry.reference import CenterStatus
from services.registry.schemas.common import Address, Contacts
from shared.inputs import Day
from shared.schemas import Resource, patch_of
from shared.text import LocalizedText

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class HeadOfficial(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PersonName
    position: PersonName | None = None


class CenterIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": {"hy": "Մասիսի համալիր սոցիալական ծառայությունների տարածքային կենտրոն",
                             "en": "Masis integrated social services territorial center"},
                    "region_code": "AM-AR",
                    "address": {"street": "Մաշտոցի 1", "postal_code": "0801"},
                    "contacts": {"phone": "+37423642000"},
                    "head": {"name": "Անի Պետրոսյան", "position": "Կենտրոնի ղեկավար"},
                    "opened_on": "2012-11-30",
                    "status": "active",
                    "territory": [],
                }
            ]
        },
    )  # fmt: skip

    name: LocalizedText
    region_code: str
    address: Address = Field(default_factory=Address)
    contacts: Contacts = Field(default_factory=Contacts)
    head: HeadOfficial | None = None
    opened_on: Day | None = None
    status: CenterStatus = CenterStatus.active
    territory: list[uuid.UUID] = Field(
        default_factory=list,
        description="Community ids of the service territory; all in the center's region.",
        max_length=500,
    )


if TYPE_CHECKING:
    CenterPatch = BaseModel
else:
    CenterPatch = patch_of(CenterIn, name="CenterPatch")


class CenterOut(CenterIn, Resource):
    """A center as the registry answers it."""
