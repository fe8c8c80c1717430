"""Tallies for the engine, from ballots entered through paper entry and tokens (worked example A)."""

from decimal import Decimal

import pytest

from evaluation.engine.sources import democratic_score, survey_score
from evaluation.engine.types import GroupTally
from surveys import demo
from surveys.models import Ballot, BallotToken, Response
from surveys.selectors.tallies import democratic_tallies, survey_tallies


def _scores(campaign):
    surveys = survey_tallies(campaign)
    democratic = democratic_tallies(campaign)
    public = {
        code: survey_score(keys["public"], source="public", label="公众评议", where=code)[0]
        for code, keys in surveys.items()
    }
    dem = {
        code: democratic_score(keys["democratic"], source="democratic", label="民主测评", where=code, params={})[0]
        for code, keys in democratic.items()
    }
    return surveys, democratic, public, dem


@pytest.mark.smoke
def test_example_a_scores_come_from_entered_ballots(example_world):
    # given example A's ballots keyed as paper sheets and cast with one token each
    world = example_world
    demo.load_public(campaign=world["campaign"], actor=world["admin"].user, units=world["units"])
    demo.load_democratic(campaign=world["campaign"], units=world["units"])

    # when the engine reads the tallies
    surveys, democratic, public, dem = _scores(world["campaign"])

    # then the counts and scores are worked example A's
    assert surveys["U1"]["public"].counts == {Decimal(100): 70, Decimal(80): 20, Decimal(60): 10}
    assert surveys["U1"]["public"].dont_know == 8
    assert public == {
        "U1": Decimal("92.00"), "U2": Decimal("85.00"), "U3": Decimal("62.00"), "U6": Decimal("90.00")
    }
    assert democratic["U4"]["democratic"].groups == (
        GroupTally("deputies", {"satisfied": 30, "average": 8, "dissatisfied": 2, "unknown": 5}),
    )
    assert dem == {"U4": Decimal("87.00"), "U5": Decimal("98.00")}
    assert Response.objects.count() == 108  # U1's 108 ratings are the longest column
    assert Ballot.objects.count() == 45 and not BallotToken.objects.filter(used=False).exists()


def test_demo_load_twice_leaves_the_same_counts(example_world, settings):
    from indicators.models import CategoryRules  # noqa: F401  (the demo reads the formula's key)

    world = example_world
    demo.load(world["tenant"])
    first = (Response.objects.count(), Ballot.objects.count(), BallotToken.objects.count())
    demo.load(world["tenant"])
    assert (Response.objects.count(), Ballot.objects.count(), BallotToken.objects.count()) == first
    assert first == (108, 45, 45)


def test_demo_without_campaign_does_nothing(db):
    from tests import factories

    tenant = factories.make_tenant()
    demo.load(tenant)
    assert Response.objects.count() == 0


def test_tallies_are_read_in_a_fixed_number_of_queries(example_world, django_assert_max_num_queries):
    world = example_world
    demo.load_public(campaign=world["campaign"], actor=world["admin"].user, units=world["units"])
    demo.load_democratic(campaign=world["campaign"], units=world["units"])
    # survey tallies: surveys, staged ballots to file first (none), answer counts, their units and
    # options, strata, option points; democratic: one
    with django_assert_max_num_queries(8):
        survey_tallies(world["campaign"])
        democratic_tallies(world["campaign"])
