"""A filter's conditions are built once for each combination of choices; the values are
parameters, so two people's lists share the statement and each gets their own."""

from __future__ import annotations

from escalation_engine.domain.filters import Filter
from escalation_engine.store.choosing import conditions, pattern


def test_the_same_choices_share_their_conditions_and_only_the_values_differ() -> None:
    jo, values_jo = conditions(Filter(waiting_for="jo", team="north"))
    kay, values_kay = conditions(Filter(waiting_for="kay", team="south"))
    assert jo is kay
    assert values_jo == {"team": "north", "waiting_for": '%"jo"%'}
    assert values_kay == {"team": "south", "waiting_for": '%"kay"%'}
    closed, _ = conditions(Filter(waiting_for="jo", team="north", include_closed=True))
    assert closed is not jo
    assert len(closed) == len(jo) - 2  # no longer only the open ones


def test_a_name_s_like_wildcards_match_only_themselves() -> None:
    assert pattern("a_b%c\\") == '%"a\\_b\\%c\\\\"%'
