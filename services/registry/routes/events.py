from services.registry.journal import registered
from services.registry.models import outbox
from shared.feed import events_router

router = events_router(
    outbox,
    registered().event_types,
    summary="The change feed: every change the registry makes, in order",
    stream_description="only one network's (or actor's) events",
)
