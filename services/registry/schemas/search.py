"""One search across the registry: what a hit looks like and the codes its filters take."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from services.registry.messages import _
from services.registry.reference import (
    CATEGORY_CODES,
    TARGET_GROUP_CODES,
    ProgrammeStatus,
    ServiceStatus,
)
from services.registry.schemas.common import RegionCode as RegionCode
from shared.i18n import Message
from shared.text import LocalizedText


class SearchType(StrEnum):
    actor = "actor"
    service = "service"
    programme = "programme"


class SearchHit(BaseModel):
    """One actor, service or programme that matched; names and a summary, never contacts."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "service",
                    "id": "0b7f3c52-6d0e-4a43-9a53-1f6c4b8f2a10",
                    "name": {"hy": "Մասիսի տարեցների ցերեկային կենտրոն",
                             "en": "Masis day centre for the elderly"},
                    "rank": 0,
                    "summary": "day_care",
                }
            ]
        }
    )  # fmt: skip

    type: SearchType
    id: uuid.UUID
    name: LocalizedText
    rank: int = Field(
        ge=0,
        le=2,
        description="0: a name starts with the query; 1: a name contains every word of it; "
        "2: only the description (or tax number) does",
    )
    summary: str | None = Field(
        default=None,
        description="An actor's kind, a service's category code, or a programme's period as an "
        "ISO 8601 interval of dates (`2024-01-01/2026-12-31`, `..` for an open end)",
    )


def _split_commas(value: Any) -> Any:
    """`types=actor,service` and `types=actor&types=service` mean the same."""
    if isinstance(value, list):
        return [part.strip() for item in value for part in str(item).split(",") if part.strip()]
    return value


def _known(codes: frozenset[str], what: Message, where: str) -> Callable[[str | None], str | None]:
    def check(value: str | None) -> str | None:
        if value is not None and value not in codes:
            raise ValueError(
                _(
                    "{code!r} is not a {what} code; the codes are at {listed_at}",
                    code=value,
                    what=what,
                    listed_at=where,
                )
            )
        return value

    return check


_STATUSES = frozenset(s.value for s in [*ServiceStatus, *ProgrammeStatus])


def _status(value: str | None) -> str | None:
    if value is not None and value not in _STATUSES:
        raise ValueError(
            _(
                "{status!r} is not a status; use one of {statuses}",
                status=value,
                statuses=", ".join(sorted(_STATUSES)),
            )
        )
    return value


SearchTypes = Annotated[list[SearchType] | None, BeforeValidator(_split_commas)]
_categories = _known(CATEGORY_CODES, _("service category"), "/v1/taxonomies/service-categories")
_target_groups = _known(TARGET_GROUP_CODES, _("target group"), "/v1/taxonomies/target-groups")
CategoryCode = Annotated[str | None, AfterValidator(_categories)]
TargetGroupCode = Annotated[str | None, AfterValidator(_target_groups)]
Status = Annotated[str | None, AfterValidator(_status)]
