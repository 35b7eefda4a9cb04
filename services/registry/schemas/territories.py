from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

from shared.schemas import Resource, patch_of
from shared.text import LocalizedText


class RegionOut(BaseModel):
    code: str
    name: LocalizedText
    ocd_id: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"code": "AM-AR", "name": {"hy": "Արարատ", "en": "Ararat"},
                 "ocd_id": "ocd-division/country:am/region:ar"}
            ]
        }
    )  # fmt: skip


CommunityCode = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9\-]{1,79}$"),
]


class CommunityIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"code": "vedi", "region_code": "AM-AR",
                          "name": {"hy": "Վեդի", "en": "Vedi"}}]
        },
    )  # fmt: skip

    code: CommunityCode
    region_code: str
    parent_id: uuid.UUID | None = None
    name: LocalizedText


if TYPE_CHECKING:
    CommunityPatch = BaseModel
else:
    CommunityPatch = patch_of(CommunityIn, name="CommunityPatch")


class CommunityOut(Resource):
    code: str
    region_code: str
    parent_id: uuid.UUID | None
    name: LocalizedText
    ocd_id: str
