"""catalogue

Revision ID: 4130b918edb7
Revises: 081a395d71f3
Create Date: 2026-11-24 22:00:20.676610
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import shared.database

revision: str = "4130b918edb7"
down_revision: str | None = "081a395d71f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Reference data as it stood when this revision was written; later changes get revisions of
# their own.
REGIONS = [
    ("AM-ER", "Երևան", "Yerevan"),
    ("AM-AG", "Արագածոտն", "Aragatsotn"),
    ("AM-AR", "Արարատ", "Ararat"),
    ("AM-AV", "Արմավիր", "Armavir"),
    ("AM-GR", "Գեղարքունիք", "Gegharkunik"),
    ("AM-KT", "Կոտայք", "Kotayk"),
    ("AM-LO", "Լոռի", "Lori"),
    ("AM-SH", "Շիրակ", "Shirak"),
    ("AM-SU", "Սյունիք", "Syunik"),
    ("AM-TV", "Տավուշ", "Tavush"),
    ("AM-VD", "Վայոց Ձոր", "Vayots Dzor"),
]

# (code, region, Armenian, English, parent code); ids are uuid5 of the code, stable everywhere.
COMMUNITIES = [
    ("yerevan", "AM-ER", "Երևան", "Yerevan", None),
    ("yerevan-ajapnyak", "AM-ER", "Աջափնյակ", "Ajapnyak", "yerevan"),
    ("yerevan-avan", "AM-ER", "Ավան", "Avan", "yerevan"),
    ("yerevan-arabkir", "AM-ER", "Արաբկիր", "Arabkir", "yerevan"),
    ("yerevan-davtashen", "AM-ER", "Դավթաշեն", "Davtashen", "yerevan"),
    ("yerevan-erebuni", "AM-ER", "Էրեբունի", "Erebuni", "yerevan"),
    ("yerevan-kentron", "AM-ER", "Կենտրոն", "Kentron", "yerevan"),
    ("yerevan-malatia-sebastia", "AM-ER", "Մալաթիա-Սեբաստիա", "Malatia-Sebastia", "yerevan"),
    ("yerevan-nor-nork", "AM-ER", "Նոր Նորք", "Nor Nork", "yerevan"),
    ("yerevan-nork-marash", "AM-ER", "Նորք-Մարաշ", "Nork-Marash", "yerevan"),
    ("yerevan-nubarashen", "AM-ER", "Նուբարաշեն", "Nubarashen", "yerevan"),
    ("yerevan-shengavit", "AM-ER", "Շենգավիթ", "Shengavit", "yerevan"),
    ("yerevan-kanaker-zeytun", "AM-ER", "Քանաքեռ-Զեյթուն", "Kanaker-Zeytun", "yerevan"),
    ("ashtarak", "AM-AG", "Աշտարակ", "Ashtarak", None),
    ("aparan", "AM-AG", "Ապարան", "Aparan", None),
    ("talin", "AM-AG", "Թալին", "Talin", None),
    ("artashat", "AM-AR", "Արտաշատ", "Artashat", None),
    ("ararat", "AM-AR", "Արարատ", "Ararat", None),
    ("masis", "AM-AR", "Մասիս", "Masis", None),
    ("vedi", "AM-AR", "Վեդի", "Vedi", None),
    ("armavir", "AM-AV", "Արմավիր", "Armavir", None),
    ("vagharshapat", "AM-AV", "Վաղարշապատ", "Vagharshapat", None),
    ("metsamor", "AM-AV", "Մեծամոր", "Metsamor", None),
    ("gavar", "AM-GR", "Գավառ", "Gavar", None),
    ("sevan", "AM-GR", "Սևան", "Sevan", None),
    ("martuni", "AM-GR", "Մարտունի", "Martuni", None),
    ("vardenis", "AM-GR", "Վարդենիս", "Vardenis", None),
    ("chambarak", "AM-GR", "Ճամբարակ", "Chambarak", None),
    ("hrazdan", "AM-KT", "Հրազդան", "Hrazdan", None),
    ("abovyan", "AM-KT", "Աբովյան", "Abovyan", None),
    ("charentsavan", "AM-KT", "Չարենցավան", "Charentsavan", None),
    ("tsaghkadzor", "AM-KT", "Ծաղկաձոր", "Tsaghkadzor", None),
    ("nor-hachn", "AM-KT", "Նոր Հաճն", "Nor Hachn", None),
    ("byureghavan", "AM-KT", "Բյուրեղավան", "Byureghavan", None),
    ("yeghvard", "AM-KT", "Եղվարդ", "Yeghvard", None),
    ("vanadzor", "AM-LO", "Վանաձոր", "Vanadzor", None),
    ("alaverdi", "AM-LO", "Ալավերդի", "Alaverdi", None),
    ("spitak", "AM-LO", "Սպիտակ", "Spitak", None),
    ("stepanavan", "AM-LO", "Ստեփանավան", "Stepanavan", None),
    ("tashir", "AM-LO", "Տաշիր", "Tashir", None),
    ("gyumri", "AM-SH", "Գյումրի", "Gyumri", None),
    ("akhuryan", "AM-SH", "Ախուրյան", "Akhuryan", None),
    ("artik", "AM-SH", "Արթիկ", "Artik", None),
    ("maralik", "AM-SH", "Մարալիկ", "Maralik", None),
    ("kapan", "AM-SU", "Կապան", "Kapan", None),
    ("goris", "AM-SU", "Գորիս", "Goris", None),
    ("sisian", "AM-SU", "Սիսիան", "Sisian", None),
    ("meghri", "AM-SU", "Մեղրի", "Meghri", None),
    ("tatev", "AM-SU", "Տաթև", "Tatev", None),
    ("kajaran", "AM-SU", "Քաջարան", "Kajaran", None),
    ("ijevan", "AM-TV", "Իջևան", "Ijevan", None),
    ("dilijan", "AM-TV", "Դիլիջան", "Dilijan", None),
    ("berd", "AM-TV", "Բերդ", "Berd", None),
    ("noyemberyan", "AM-TV", "Նոյեմբերյան", "Noyemberyan", None),
    ("yeghegnadzor", "AM-VD", "Եղեգնաձոր", "Yeghegnadzor", None),
    ("vayk", "AM-VD", "Վայք", "Vayk", None),
    ("jermuk", "AM-VD", "Ջերմուկ", "Jermuk", None),
]

COMMUNITY_NAMESPACE = uuid.UUID("6f1c0f5e-0d3b-4c59-9a57-5e0b7c1a2f10")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "audit_log",
        sa.Column("at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(
        "ix_audit_log_resource", "audit_log", ["resource_type", "resource_id", "at"], unique=False
    )
    op.create_table(
        "programmes",
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("budget_amount", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("budget_currency", sa.String(length=3), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("name_hy", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("name_ru", sa.String(length=300), nullable=True),
        sa.Column("search_name", sa.String(length=1000), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
    )
    op.create_index(
        "ix_programmes_search_text_trgm",
        "programmes",
        ["search_text"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_index(op.f("ix_programmes_status"), "programmes", ["status"], unique=False)
    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("name_hy", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    op.create_table(
        "communities",
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("region_code", sa.String(length=5), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("name_hy", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("name_ru", sa.String(length=200), nullable=True),
        sa.Column("search_name", sa.String(length=600), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["communities.id"], name=op.f("fk_communities_parent_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_communities_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communities")),
        sa.UniqueConstraint("code", name=op.f("uq_communities_code")),
    )
    op.create_index(
        op.f("ix_communities_region_code"), "communities", ["region_code"], unique=False
    )
    op.create_index(
        op.f("ix_communities_search_name"), "communities", ["search_name"], unique=False
    )
    op.create_table(
        "programme_target_groups",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_target_groups_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("programme_id", "code", name=op.f("pk_programme_target_groups")),
    )
    op.create_table(
        "actors",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("legal_form", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tax_number", sa.String(length=8), nullable=True),
        sa.Column("registration_number", sa.String(length=50), nullable=True),
        sa.Column("community_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("name_hy", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("name_ru", sa.String(length=300), nullable=True),
        sa.Column("search_name", sa.String(length=1000), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("street", sa.String(length=300), nullable=True),
        sa.Column("postal_code", sa.String(length=4), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_actors_community_id_communities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actors")),
        sa.UniqueConstraint("tax_number", name=op.f("uq_actors_tax_number")),
    )
    op.create_index(op.f("ix_actors_kind"), "actors", ["kind"], unique=False)
    op.create_index("ix_actors_name_hy_id", "actors", ["name_hy", "id"], unique=False)
    op.create_index(
        "ix_actors_search_text_trgm",
        "actors",
        ["search_text"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_table(
        "centers",
        sa.Column("region_code", sa.String(length=5), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=True),
        sa.Column("head_name", sa.String(length=200), nullable=True),
        sa.Column("head_position", sa.String(length=200), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("name_hy", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("name_ru", sa.String(length=300), nullable=True),
        sa.Column("search_name", sa.String(length=1000), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("street", sa.String(length=300), nullable=True),
        sa.Column("postal_code", sa.String(length=4), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_centers_community_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_centers_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centers")),
    )
    op.create_index(op.f("ix_centers_region_code"), "centers", ["region_code"], unique=False)
    op.create_index(op.f("ix_centers_status"), "centers", ["status"], unique=False)
    op.create_table(
        "programme_communities",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_programme_communities_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_communities_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "programme_id", "community_id", name=op.f("pk_programme_communities")
        ),
    )
    op.create_index(
        op.f("ix_programme_communities_community_id"),
        "programme_communities",
        ["community_id"],
        unique=False,
    )
    op.create_table(
        "actor_capacities",
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_capacities_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_capacities")),
    )
    op.create_index(
        op.f("ix_actor_capacities_actor_id"), "actor_capacities", ["actor_id"], unique=False
    )
    op.create_table(
        "actor_jurisdictions",
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=5), nullable=True),
        sa.Column("community_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_jurisdictions_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_actor_jurisdictions_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_actor_jurisdictions_region_code_regions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_jurisdictions")),
    )
    op.create_index(
        op.f("ix_actor_jurisdictions_actor_id"), "actor_jurisdictions", ["actor_id"], unique=False
    )
    op.create_index(
        op.f("ix_actor_jurisdictions_community_id"),
        "actor_jurisdictions",
        ["community_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_actor_jurisdictions_region_code"),
        "actor_jurisdictions",
        ["region_code"],
        unique=False,
    )
    op.create_table(
        "actor_places",
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_places_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_actor_places_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint(
            "actor_id", "community_id", "relation", name=op.f("pk_actor_places")
        ),
    )
    op.create_index(
        op.f("ix_actor_places_community_id"), "actor_places", ["community_id"], unique=False
    )
    op.create_table(
        "center_territory",
        sa.Column("center_id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["centers.id"],
            name=op.f("fk_center_territory_center_id_centers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_center_territory_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("center_id", "community_id", name=op.f("pk_center_territory")),
    )
    op.create_index(
        "uq_center_territory_active_community",
        "center_territory",
        ["community_id"],
        unique=True,
        postgresql_where=sa.text("active"),
        sqlite_where=sa.text("active"),
    )
    op.create_table(
        "programme_actors",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_programme_actors_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_actors_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "programme_id", "actor_id", "role", name=op.f("pk_programme_actors")
        ),
    )
    op.create_index(
        op.f("ix_programme_actors_actor_id"), "programme_actors", ["actor_id"], unique=False
    )
    op.create_table(
        "services",
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category_code", sa.String(length=40), nullable=False),
        sa.Column("eligibility", sa.Text(), nullable=True),
        sa.Column("is_free", sa.Boolean(), nullable=False),
        sa.Column("price_amount", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("price_currency", sa.String(length=3), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("schedule", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("name_hy", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("name_ru", sa.String(length=300), nullable=True),
        sa.Column("search_name", sa.String(length=1000), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["actors.id"], name=op.f("fk_services_provider_id_actors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
    )
    op.create_index(op.f("ix_services_category_code"), "services", ["category_code"], unique=False)
    op.create_index("ix_services_name_hy_id", "services", ["name_hy", "id"], unique=False)
    op.create_index(op.f("ix_services_provider_id"), "services", ["provider_id"], unique=False)
    op.create_index(
        "ix_services_search_text_trgm",
        "services",
        ["search_text"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_index(op.f("ix_services_status"), "services", ["status"], unique=False)
    op.create_table(
        "programme_services",
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_services_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_programme_services_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("programme_id", "service_id", name=op.f("pk_programme_services")),
    )
    op.create_index(
        op.f("ix_programme_services_service_id"), "programme_services", ["service_id"], unique=False
    )
    op.create_table(
        "service_communities",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_service_communities_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_communities_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", "community_id", name=op.f("pk_service_communities")),
    )
    op.create_index(
        op.f("ix_service_communities_community_id"),
        "service_communities",
        ["community_id"],
        unique=False,
    )
    op.create_table(
        "service_target_groups",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_target_groups_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", "code", name=op.f("pk_service_target_groups")),
    )
    op.create_index(
        op.f("ix_service_target_groups_code"), "service_target_groups", ["code"], unique=False
    )
    _load_reference_data()


def downgrade() -> None:
    op.drop_index(op.f("ix_service_target_groups_code"), table_name="service_target_groups")
    op.drop_table("service_target_groups")
    op.drop_index(op.f("ix_service_communities_community_id"), table_name="service_communities")
    op.drop_table("service_communities")
    op.drop_index(op.f("ix_programme_services_service_id"), table_name="programme_services")
    op.drop_table("programme_services")
    op.drop_index(op.f("ix_services_status"), table_name="services")
    op.drop_index(
        "ix_services_search_text_trgm",
        table_name="services",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.drop_index(op.f("ix_services_provider_id"), table_name="services")
    op.drop_index("ix_services_name_hy_id", table_name="services")
    op.drop_index(op.f("ix_services_category_code"), table_name="services")
    op.drop_table("services")
    op.drop_index(op.f("ix_programme_actors_actor_id"), table_name="programme_actors")
    op.drop_table("programme_actors")
    op.drop_index(
        "uq_center_territory_active_community",
        table_name="center_territory",
        postgresql_where=sa.text("active"),
        sqlite_where=sa.text("active"),
    )
    op.drop_table("center_territory")
    op.drop_index(op.f("ix_actor_places_community_id"), table_name="actor_places")
    op.drop_table("actor_places")
    op.drop_index(op.f("ix_actor_jurisdictions_region_code"), table_name="actor_jurisdictions")
    op.drop_index(op.f("ix_actor_jurisdictions_community_id"), table_name="actor_jurisdictions")
    op.drop_index(op.f("ix_actor_jurisdictions_actor_id"), table_name="actor_jurisdictions")
    op.drop_table("actor_jurisdictions")
    op.drop_index(op.f("ix_actor_capacities_actor_id"), table_name="actor_capacities")
    op.drop_table("actor_capacities")
    op.drop_index(op.f("ix_programme_communities_community_id"), table_name="programme_communities")
    op.drop_table("programme_communities")
    op.drop_index(op.f("ix_centers_status"), table_name="centers")
    op.drop_index(op.f("ix_centers_region_code"), table_name="centers")
    op.drop_table("centers")
    op.drop_index(
        "ix_actors_search_text_trgm",
        table_name="actors",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.drop_index("ix_actors_name_hy_id", table_name="actors")
    op.drop_index(op.f("ix_actors_kind"), table_name="actors")
    op.drop_table("actors")
    op.drop_table("programme_target_groups")
    op.drop_index(op.f("ix_communities_search_name"), table_name="communities")
    op.drop_index(op.f("ix_communities_region_code"), table_name="communities")
    op.drop_table("communities")
    op.drop_table("regions")
    op.drop_index(op.f("ix_programmes_status"), table_name="programmes")
    op.drop_index(
        "ix_programmes_search_text_trgm",
        table_name="programmes",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.drop_table("programmes")
    op.drop_index("ix_audit_log_resource", table_name="audit_log")
    op.drop_table("audit_log")


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("եւ", "եվ").split())


def _load_reference_data() -> None:
    regions = sa.table("regions", sa.column("code"), sa.column("name_hy"), sa.column("name_en"))
    op.bulk_insert(regions, [{"code": c, "name_hy": hy, "name_en": en} for c, hy, en in REGIONS])
    communities = sa.table(
        "communities",
        sa.column("id", sa.Uuid),
        sa.column("code"),
        sa.column("region_code"),
        sa.column("parent_id", sa.Uuid),
        sa.column("name_hy"),
        sa.column("name_en"),
        sa.column("search_name"),
        sa.column("version"),
        sa.column("created_at", shared.database.UTCDateTime),
        sa.column("updated_at", shared.database.UTCDateTime),
    )
    now = datetime.now(UTC)

    def community_id(code: str) -> uuid.UUID:
        return uuid.uuid5(COMMUNITY_NAMESPACE, code)

    op.bulk_insert(
        communities,
        [
            {
                "id": community_id(code),
                "code": code,
                "region_code": region,
                "parent_id": community_id(parent) if parent else None,
                "name_hy": hy,
                "name_en": en,
                "search_name": f"{_fold(hy)} | {_fold(en)}",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for code, region, hy, en, parent in COMMUNITIES
        ],
    )
