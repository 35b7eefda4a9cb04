"""The arithmetic of the bylaws: whether a quorum is present and whether a decision passed.

Plain functions of counts, so sessions and votes use them as the adoption of bylaws does."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from services.councils.messages import _
from services.councils.schemas.bylaws import (
    Comparison,
    Quorum,
    QuorumBase,
    Threshold,
    ThresholdBase,
    TieRule,
    fraction,
)
from shared.i18n import Message


@dataclass(frozen=True)
class Count:
    votes_for: int
    votes_against: int
    abstaining: int
    present: int  # voters present
    seats: int  # every open seat


@dataclass(frozen=True)
class Outcome:
    passed: bool
    needed: int  # the fewest votes for that pass without a casting vote
    explanation: Message


def fewest(share: Fraction, comparison: Comparison, base: int) -> int:
    """The smallest whole number that is `comparison` `share` of `base`."""
    exact = share * base
    if comparison == Comparison.at_least:
        return int(-(-exact.numerator // exact.denominator))  # ceiling
    return int(exact.numerator // exact.denominator) + 1  # strictly more


def base_of(base: ThresholdBase, count: Count) -> int:
    if base == ThresholdBase.votes_cast:
        return count.votes_for + count.votes_against
    if base == ThresholdBase.present:
        return count.present
    return count.seats


def _words(comparison: Comparison, share: str) -> Message:
    if comparison == Comparison.at_least:
        return _("at least {share}", share=share)
    return _("more than {share}", share=share)


def decide(
    threshold: Threshold, count: Count, casting: Literal["for", "against"] | None = None
) -> Outcome:
    base = base_of(threshold.base, count)
    needed = fewest(fraction(threshold.share), threshold.comparison, base)
    rule = _words(threshold.comparison, threshold.share)
    if count.votes_for >= needed and count.votes_for > 0:
        return Outcome(True, needed, _(
            "passed: {votes} for of {base} ({what}), {rule} needed: {needed}",
            votes=count.votes_for, base=base, what=threshold.base.value, rule=rule, needed=needed,
        ))  # fmt: skip
    tie = count.votes_for == count.votes_against and count.votes_for > 0
    if tie and threshold.tie == TieRule.chair_casting_vote and casting == "for":
        return Outcome(True, needed, _(
            "passed by the chair's casting vote: {votes} for, {votes} against",
            votes=count.votes_for,
        ))  # fmt: skip
    return Outcome(False, needed, _(
        "failed: {votes} for of {base} ({what}), {rule} needed: {needed}",
        votes=count.votes_for, base=base, what=threshold.base.value, rule=rule, needed=needed,
    ))  # fmt: skip


def quorum_present(
    quorum: Quorum, *, seats_present: int, seats: int, members_present: int, members: int
) -> Outcome:
    present, total = (
        (seats_present, seats) if quorum.base == QuorumBase.seats else (members_present, members)
    )
    needed = fewest(fraction(quorum.share), quorum.comparison, total)
    what = quorum.base.value
    values = {"present": present, "total": total, "what": what, "needed": needed}
    if present >= needed:
        return Outcome(
            True,
            needed,
            _("quorum: {present} of {total} {what} present, {needed} needed", **values),
        )
    return Outcome(
        False,
        needed,
        _("no quorum: {present} of {total} {what} present, {needed} needed", **values),
    )


# The founding rule: the first bylaws are adopted by more than half of all seats.
FOUNDING_RULE = Threshold(
    share="1/2", comparison=Comparison.more_than, base=ThresholdBase.all_seats
)
