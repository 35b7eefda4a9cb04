from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from services.registry.reference import SERVICE_CATEGORIES, TARGET_GROUPS, Term
from shared.text import LocalizedText

router = APIRouter(prefix="/v1/taxonomies", tags=["reference"])


class TermOut(BaseModel):
    code: str
    name: LocalizedText


def _out(terms: list[Term]) -> list[TermOut]:
    return [TermOut(code=t.code, name=LocalizedText(hy=t.hy, en=t.en)) for t in terms]


@router.get("/service-categories", summary="The taxonomy of social services")
async def list_service_categories() -> list[TermOut]:
    return _out(SERVICE_CATEGORIES)


@router.get("/target-groups", summary="The code list of target groups")
async def list_target_groups() -> list[TermOut]:
    return _out(TARGET_GROUPS)
