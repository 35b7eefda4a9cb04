from services.councils.journal import registered
from services.councils.models import outbox
from shared.feed import events_router

router = events_router(
    outbox,
    registered().event_types,
    summary="The change feed: every change the councils service makes, in order",
    operation_id="read_council_events",
    path="/v1/council-events",
    stream_description="only one council's events",
)
