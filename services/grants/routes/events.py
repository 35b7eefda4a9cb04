from services.grants.journal import registered
from services.grants.models import outbox
from shared.feed import events_router

router = events_router(
    outbox,
    registered().event_types,
    summary="The change feed: every change the grants service makes, in order",
    operation_id="read_grant_events",
    path="/v1/grant-events",
    stream_description="only one stream's events (e.g. one call's or one grant's)",
)
