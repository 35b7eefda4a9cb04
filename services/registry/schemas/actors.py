from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.registry.messages import _
from services.registry.reference import BODY_KINDS, ActorKind, CapacityKind, LegalForm
from services.registry.schemas.common import Address, Contacts
from shared.schemas import Resource, patch_of
from shared.text import LocalizedText

TaxNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\d{8}$"),
    Field(description="ՀՎՀՀ: the 8-digit tax number of a legal entity or entrepreneur"),
]
Ids = Annotated[list[uuid.UUID], Field(max_length=500)]


class Capacity(BaseModel):
    """Something an actor can bring to cooperation."""

    model_config = ConfigDict(extra="forbid")

    kind: CapacityKind
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


class Jurisdiction(BaseModel):
    """For state and local bodies: the territories under their jurisdiction."""

    model_config = ConfigDict(extra="forbid")

    regions: Annotated[list[str], Field(max_length=11)] = Field(default_factory=list)
    communities: Ids = Field(default_factory=list)


class ActorIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "legal_entity",
                    "legal_form": "cso",
                    "name": {"hy": "«Հույսի կամուրջ» ՀԿ", "en": "Bridge of Hope NGO"},
                    "tax_number": "02571234",
                    "address": {"street": "Շահումյան 12", "postal_code": "0802"},
                    "contacts": {"phone": "+37423642211", "email": "info@example.am"},
                    "located_in": [],
                    "operates_in": [],
                    "capacities": [{"kind": "volunteers", "note": "20 trained volunteers"}],
                }
            ]
        },
    )

    kind: ActorKind
    legal_form: LegalForm | None = Field(
        default=None, description="Required for legal entities, and only for them"
    )
    name: LocalizedText
    description: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] | None
    ) = None
    tax_number: TaxNumber | None = None
    registration_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] | None
    ) = None
    address: Address = Field(default_factory=Address)
    contacts: Contacts = Field(default_factory=Contacts)
    located_in: Ids = Field(default_factory=list, description="Community ids where it is located")
    operates_in: Ids = Field(default_factory=list, description="Community ids where it operates")
    jurisdiction: Jurisdiction = Field(default_factory=Jurisdiction)
    capacities: Annotated[list[Capacity], Field(max_length=50)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _kind_rules(self) -> ActorIn:
        if self.kind == ActorKind.legal_entity and self.legal_form is None:
            raise ValueError(_("legal_form: a legal entity needs its form (cso, foundation, ...)"))
        if self.kind != ActorKind.legal_entity and self.legal_form is not None:
            raise ValueError(
                _("legal_form: only legal entities have one, not a {kind}", kind=self.kind.value)
            )
        has_jurisdiction = self.jurisdiction.regions or self.jurisdiction.communities
        if has_jurisdiction and self.kind not in BODY_KINDS:
            raise ValueError(_("jurisdiction: only state and local government bodies have one"))
        return self


if TYPE_CHECKING:
    ActorPatch = BaseModel
else:
    ActorPatch = patch_of(ActorIn, name="ActorPatch")


class ActorOut(ActorIn, Resource):
    personal_data_hidden: bool = Field(
        default=False,
        description="True when the phone and e-mail of a person were left out for an anonymous "
        "caller",
    )
