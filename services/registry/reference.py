"""Reference data of the registry: regions, communities, and the code lists of social services.

Regions and communities are shipped into the database by a migration (admins add communities
later); the code lists below are part of the API contract and validated on every write.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import NamedTuple


class Region(NamedTuple):
    code: str  # ISO 3166-2:AM
    hy: str
    en: str


REGIONS = [
    Region("AM-ER", "Երևան", "Yerevan"),
    Region("AM-AG", "Արագածոտն", "Aragatsotn"),
    Region("AM-AR", "Արարատ", "Ararat"),
    Region("AM-AV", "Արմավիր", "Armavir"),
    Region("AM-GR", "Գեղարքունիք", "Gegharkunik"),
    Region("AM-KT", "Կոտայք", "Kotayk"),
    Region("AM-LO", "Լոռի", "Lori"),
    Region("AM-SH", "Շիրակ", "Shirak"),
    Region("AM-SU", "Սյունիք", "Syunik"),
    Region("AM-TV", "Տավուշ", "Tavush"),
    Region("AM-VD", "Վայոց Ձոր", "Vayots Dzor"),
]


class Community(NamedTuple):
    code: str  # readable slug; exports use Open Civic Data ids built from it
    region: str
    hy: str
    en: str
    parent: str | None = None  # Yerevan's districts sit under Yerevan


_YEREVAN_DISTRICTS = [
    ("ajapnyak", "Աջափնյակ", "Ajapnyak"),
    ("avan", "Ավան", "Avan"),
    ("arabkir", "Արաբկիր", "Arabkir"),
    ("davtashen", "Դավթաշեն", "Davtashen"),
    ("erebuni", "Էրեբունի", "Erebuni"),
    ("kentron", "Կենտրոն", "Kentron"),
    ("malatia-sebastia", "Մալաթիա-Սեբաստիա", "Malatia-Sebastia"),
    ("nor-nork", "Նոր Նորք", "Nor Nork"),
    ("nork-marash", "Նորք-Մարաշ", "Nork-Marash"),
    ("nubarashen", "Նուբարաշեն", "Nubarashen"),
    ("shengavit", "Շենգավիթ", "Shengavit"),
    ("kanaker-zeytun", "Քանաքեռ-Զեյթուն", "Kanaker-Zeytun"),
]

_TOWNS = {
    "AM-AG": [("ashtarak", "Աշտարակ", "Ashtarak"), ("aparan", "Ապարան", "Aparan"),
              ("talin", "Թալին", "Talin")],
    "AM-AR": [("artashat", "Արտաշատ", "Artashat"), ("ararat", "Արարատ", "Ararat"),
              ("masis", "Մասիս", "Masis"), ("vedi", "Վեդի", "Vedi")],
    "AM-AV": [("armavir", "Արմավիր", "Armavir"), ("vagharshapat", "Վաղարշապատ", "Vagharshapat"),
              ("metsamor", "Մեծամոր", "Metsamor")],
    "AM-GR": [("gavar", "Գավառ", "Gavar"), ("sevan", "Սևան", "Sevan"),
              ("martuni", "Մարտունի", "Martuni"), ("vardenis", "Վարդենիս", "Vardenis"),
              ("chambarak", "Ճամբարակ", "Chambarak")],
    "AM-KT": [("hrazdan", "Հրազդան", "Hrazdan"), ("abovyan", "Աբովյան", "Abovyan"),
              ("charentsavan", "Չարենցավան", "Charentsavan"),
              ("tsaghkadzor", "Ծաղկաձոր", "Tsaghkadzor"), ("nor-hachn", "Նոր Հաճն", "Nor Hachn"),
              ("byureghavan", "Բյուրեղավան", "Byureghavan"), ("yeghvard", "Եղվարդ", "Yeghvard")],
    "AM-LO": [("vanadzor", "Վանաձոր", "Vanadzor"), ("alaverdi", "Ալավերդի", "Alaverdi"),
              ("spitak", "Սպիտակ", "Spitak"), ("stepanavan", "Ստեփանավան", "Stepanavan"),
              ("tashir", "Տաշիր", "Tashir")],
    "AM-SH": [("gyumri", "Գյումրի", "Gyumri"), ("akhuryan", "Ախուրյան", "Akhuryan"),
              ("artik", "Արթիկ", "Artik"), ("maralik", "Մարալիկ", "Maralik")],
    "AM-SU": [("kapan", "Կապան", "Kapan"), ("goris", "Գորիս", "Goris"),
              ("sisian", "Սիսիան", "Sisian"), ("meghri", "Մեղրի", "Meghri"),
              ("tatev", "Տաթև", "Tatev"), ("kajaran", "Քաջարան", "Kajaran")],
    "AM-TV": [("ijevan", "Իջևան", "Ijevan"), ("dilijan", "Դիլիջան", "Dilijan"),
              ("berd", "Բերդ", "Berd"), ("noyemberyan", "Նոյեմբերյան", "Noyemberyan")],
    "AM-VD": [("yeghegnadzor", "Եղեգնաձոր", "Yeghegnadzor"), ("vayk", "Վայք", "Vayk"),
              ("jermuk", "Ջերմուկ", "Jermuk")],
}  # fmt: skip

COMMUNITIES = [
    Community("yerevan", "AM-ER", "Երևան", "Yerevan"),
    *(Community(f"yerevan-{c}", "AM-ER", hy, en, "yerevan") for c, hy, en in _YEREVAN_DISTRICTS),
    *(Community(c, region, hy, en) for region, towns in _TOWNS.items() for c, hy, en in towns),
]


# Shipped communities have ids derived from their codes, the same in every database.
COMMUNITY_NAMESPACE = uuid.UUID("6f1c0f5e-0d3b-4c59-9a57-5e0b7c1a2f10")


def community_id(code: str) -> uuid.UUID:
    """The id of a community shipped by the migrations, e.g. community_id("masis")."""
    return uuid.uuid5(COMMUNITY_NAMESPACE, code)


class Term(NamedTuple):
    code: str
    hy: str
    en: str


SERVICE_CATEGORIES = [
    Term("elderly_care", "Տարեցների խնամք", "Care of the elderly"),
    Term("home_care", "Տնային խնամք", "Home care"),
    Term("day_care", "Ցերեկային խնամք", "Day care"),
    Term("disability_support", "Հաշմանդամություն ունեցող անձանց աջակցություն",
         "Disability support"),
    Term("rehabilitation", "Վերականգնողական ծառայություններ", "Rehabilitation"),
    Term("child_family", "Երեխաների և ընտանիքների աջակցություն", "Child and family support"),
    Term("foster_guardianship", "Խնամատարություն և խնամակալություն",
         "Foster care and guardianship"),
    Term("psychological", "Հոգեբանական աջակցություն", "Psychological support"),
    Term("social_counselling", "Սոցիալական խորհրդատվություն", "Social counselling"),
    Term("legal_aid", "Իրավաբանական օգնություն", "Legal aid"),
    Term("employment", "Զբաղվածության աջակցություն", "Employment support"),
    Term("housing", "Բնակարանային աջակցություն", "Housing"),
    Term("shelter", "Ապաստան", "Shelter and crisis accommodation"),
    Term("food_in_kind", "Սննդի և բնեղեն օգնություն", "Food and in-kind aid"),
    Term("benefits_advice", "Նպաստների և դրամական աջակցության խորհրդատվություն",
         "Benefits and cash assistance advice"),
    Term("health_access", "Առողջապահական ծառայությունների հասանելիություն", "Health access"),
    Term("education", "Կրթություն", "Education"),
    Term("violence_support", "Բռնության ենթարկվածների աջակցություն",
         "Support for victims of violence"),
    Term("case_management", "Դեպքի վարում", "Case management"),
    Term("community_development", "Համայնքային զարգացում", "Community development"),
]  # fmt: skip

TARGET_GROUPS = [
    Term("children", "Երեխաներ", "Children"),
    Term("youth", "Երիտասարդներ", "Youth"),
    Term("elderly", "Տարեցներ", "Elderly people"),
    Term("persons_with_disabilities", "Հաշմանդամություն ունեցող անձինք",
         "Persons with disabilities"),
    Term("low_income_families", "Անապահով ընտանիքներ", "Low-income families"),
    Term("large_families", "Բազմազավակ ընտանիքներ", "Large families"),
    Term("single_parents", "Միայնակ ծնողներ", "Single parents"),
    Term("displaced_persons", "Տեղահանված անձինք", "Displaced persons"),
    Term("women_at_risk", "Ռիսկային իրավիճակում գտնվող կանայք", "Women at risk"),
    Term("victims_of_violence", "Բռնության ենթարկված անձինք", "Victims of violence"),
    Term("unemployed", "Գործազուրկներ", "Unemployed people"),
    Term("homeless", "Անօթևաններ", "Homeless people"),
    Term("veterans", "Վետերաններ և զինծառայողների ընտանիքներ",
         "Veterans and servicemen's families"),
    Term("returning_migrants", "Վերադարձած միգրանտներ", "Returning migrants"),
]  # fmt: skip

CATEGORY_CODES = frozenset(t.code for t in SERVICE_CATEGORIES)
TARGET_GROUP_CODES = frozenset(t.code for t in TARGET_GROUPS)


class ActorKind(StrEnum):
    state_body = "state_body"
    local_government = "local_government"
    legal_entity = "legal_entity"
    individual_entrepreneur = "individual_entrepreneur"
    natural_person = "natural_person"


# Whose phones and e-mails are personal data, never shown to anonymous callers.
PERSONAL_KINDS = frozenset({ActorKind.natural_person, ActorKind.individual_entrepreneur})
BODY_KINDS = frozenset({ActorKind.state_body, ActorKind.local_government})


class LegalForm(StrEnum):
    cso = "cso"  # civil society organisation, NGO
    foundation = "foundation"
    business = "business"
    international_organisation = "international_organisation"
    other = "other"


class CapacityKind(StrEnum):
    premises = "premises"
    transport = "transport"
    volunteers = "volunteers"
    expertise = "expertise"
    funding = "funding"
    in_kind = "in_kind"
    other = "other"


class ServiceStatus(StrEnum):
    # Open Referral HSDS service statuses, with "temporarily closed" as one word.
    active = "active"
    inactive = "inactive"
    defunct = "defunct"
    temporarily_closed = "temporarily_closed"


class CenterStatus(StrEnum):
    planned = "planned"
    active = "active"
    closed = "closed"


class ProgrammeStatus(StrEnum):
    planned = "planned"
    active = "active"
    completed = "completed"


class ProgrammeRole(StrEnum):
    lead = "lead"
    partner = "partner"
    funder = "funder"


class Currency(StrEnum):
    AMD = "AMD"
    EUR = "EUR"
    USD = "USD"


class NetworkForm(StrEnum):
    informal = "informal"
    formalised = "formalised"
    mixed = "mixed"


# Only formalised and mixed networks may form a coordinating council (source document 000).
COUNCIL_FORMS = frozenset({NetworkForm.formalised, NetworkForm.mixed})


class NetworkStatus(StrEnum):
    active = "active"
    dissolved = "dissolved"


class MemberRole(StrEnum):
    coordinator = "coordinator"
    member = "member"
    observer = "observer"


class ActivityKind(StrEnum):
    working_meeting = "working_meeting"
    discussion = "discussion"
    conference = "conference"
    negotiation = "negotiation"
    working_group = "working_group"
    commission = "commission"
    other = "other"


COOPERATION_GOALS = [
    Term("comprehensive_services", "Համալիր սոցիալական ծառայություններ",
         "Comprehensive, complete and targeted social services"),
    Term("rights_protection", "Իրավունքների պաշտպանություն",
         "Protecting the rights of persons, groups and families"),
    Term("poverty_reduction", "Աղքատության հաղթահարում", "Reducing poverty"),
    Term("social_inclusion", "Սոցիալական ներառում", "Social inclusion"),
    Term("child_protection", "Երեխաների պաշտպանություն", "Child protection"),
    Term("elderly_support", "Տարեցների աջակցություն", "Support for the elderly"),
    Term("disability_inclusion", "Հաշմանդամություն ունեցող անձանց ներառում",
         "Inclusion of persons with disabilities"),
    Term("employment", "Զբաղվածություն", "Employment and livelihoods"),
    Term("violence_prevention", "Բռնության կանխարգելում", "Preventing violence"),
    Term("case_coordination", "Դեպքերի համակարգում", "Coordinating cases between agencies"),
    Term("local_social_planning", "Տեղական սոցիալական պլանավորում", "Local social planning"),
    Term("capacity_building", "Կարողությունների զարգացում", "Building capacities"),
]  # fmt: skip
GOAL_CODES = frozenset(t.code for t in COOPERATION_GOALS)
