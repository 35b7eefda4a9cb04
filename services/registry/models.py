from sqlalchemy.orm import DeclarativeBase

from shared.database import make_metadata
from shared.idempotency import idempotency_table


class Base(DeclarativeBase):
    metadata = make_metadata()


idempotency_keys = idempotency_table(Base.metadata)
