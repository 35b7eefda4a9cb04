from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from services.registry.reference import COOPERATION_GOALS, SERVICE_CATEGORIES, TARGET_GROUPS, Term
from shared.pagination import Page, PageDep, page_of
from shared.text import LocalizedText

router = APIRouter(prefix="/v1/taxonomies", tags=["reference"])


class TermOut(BaseModel):
    code: str
    name: LocalizedText


def _page(terms: list[Term], page: PageDep) -> Page[TermOut]:
    out = [TermOut(code=t.code, name=LocalizedText(hy=t.hy, en=t.en)) for t in terms]
    return page_of(out, lambda t: t.code, page)


@router.get("/service-categories", summary="The taxonomy of social services")
async def list_service_categories(page: PageDep) -> Page[TermOut]:
    return _page(SERVICE_CATEGORIES, page)


@router.get("/target-groups", summary="The code list of target groups")
async def list_target_groups(page: PageDep) -> Page[TermOut]:
    return _page(TARGET_GROUPS, page)


@router.get("/cooperation-goals", summary="The goals a local social cooperation network pursues")
async def list_cooperation_goals(page: PageDep) -> Page[TermOut]:
    return _page(COOPERATION_GOALS, page)
