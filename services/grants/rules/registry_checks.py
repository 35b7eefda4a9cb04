"""Checks of references into the registry, made over HTTP when a write names them. A missing
community, actor or network, or a code outside the registry's lists, is a 422 naming the field;
a registry that does not answer is a 503 and nothing is written."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from services.grants.clients import SERVICE_CATEGORIES, TARGET_GROUPS, Registry
from services.grants.messages import _
from shared.errors import RuleViolation
from shared.i18n import Joined, Message


def field_error(field: str, detail: Message, title: Message) -> RuleViolation:
    return RuleViolation(
        Joined(": ", [field, detail]),
        title=title,
        extra={"errors": [{"field": field, "message": detail, "type": "rule"}]},
    )


async def community(registry: Registry, community_id: uuid.UUID, field: str) -> dict[str, Any]:
    found = await registry.community(community_id)
    if found is None:
        raise field_error(
            field,
            _("the registry has no community {community_id}", community_id=community_id),
            _("Unknown community"),
        )
    return found


async def actor(registry: Registry, actor_id: uuid.UUID, field: str) -> dict[str, Any]:
    found = await registry.actor(actor_id)
    if found is None:
        raise field_error(
            field,
            _("the registry has no actor {actor_id}", actor_id=actor_id),
            _("Unknown actor"),
        )
    return found


async def network(registry: Registry, network_id: uuid.UUID, field: str) -> None:
    if await registry.network(network_id) is None:
        raise field_error(
            field,
            _("the registry has no network {network_id}", network_id=network_id),
            _("Unknown network"),
        )


async def codes(
    registry: Registry,
    *,
    target_groups: Iterable[tuple[str, str]] = (),
    service_categories: Iterable[tuple[str, str]] = (),
) -> None:
    """Each (field, code) must be in the registry's code list; the first unknown one is named."""
    target_groups, service_categories = list(target_groups), list(service_categories)
    for path, pairs in ((TARGET_GROUPS, target_groups), (SERVICE_CATEGORIES, service_categories)):
        if not pairs:
            continue
        known = await registry.codes(path)
        for field, code in pairs:
            if code not in known:
                raise field_error(
                    field,
                    _(
                        "{code} is not in the registry's code list {listed_at}",
                        code=repr(code),
                        listed_at=path,
                    ),
                    _("Unknown code"),
                )


def actor_name(actor: dict[str, Any]) -> str:
    name = actor.get("name") or {}
    return str(name.get("hy") or actor.get("id"))
