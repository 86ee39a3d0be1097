"""Crisis rules in pairs of messages that differ by one cue: each rule must tell them
apart (with and without umlauts, idiom and literal, joke and disclosure, past that is
over and recent, story and one's own life, everyday and dangerous)."""

from __future__ import annotations

import pytest

from kuulolla.core.finnish import Finnish
from kuulolla.moderation.crisis import detector
from kuulolla.moderation.evaluation import POLICY
from kuulolla.moderation.logic import screen
from kuulolla.moderation.text import analyser_for

Pair = tuple[str, tuple[str, ...], str, tuple[str, ...]]


def categories(finnish: Finnish, text: str) -> tuple[str, ...]:
    signal = detector().detect(analyser_for(finnish).words(text), text=text)
    return signal.categories if signal else ()


def check(finnish: Finnish, pair: Pair) -> None:
    first, expected_first, second, expected_second = pair
    assert (categories(finnish, first), categories(finnish, second)) == (
        expected_first,
        expected_second,
    )


UMLAUTS: list[Pair] = [
    ("en jaksa enää elää", ("suicide",), "en jaksa enaa elaa", ("suicide",)),
    ("haluan lopettaa elämäni", ("suicide",), "haluan lopettaa elamani", ("suicide",)),
    ("en näe mitään syytä elää", ("suicide",), "en nae mitaan syyta elaa", ("suicide",)),
    ("päätin tehdä sen tänä yönä", ("suicide",), "paatin tehda sen tana yona", ("suicide",)),
    ("isäpuoli koskettelee mua yöllä", ("abuse",), "isapuoli koskettelee mua yolla", ("abuse",)),
    ("lyön itseäni nyrkillä", ("self_harm",), "lyon itseani nyrkilla", ("self_harm",)),
    (
        "otin liikaa lääkkeitä ja nyt huimaa",
        ("overdose",),
        "otin liikaa laakkeita ja nyt huimaa",
        ("overdose",),
    ),
    ("oksennan kaiken minkä syön", ("eating",), "oksennan kaiken minka syon", ("eating",)),
    ("jag tänker på självmord", ("suicide",), "jag tanker pa sjalvmord", ("suicide",)),
    # idioms stay idioms without their umlauts
    ("kuolen nälkään", (), "kuolen nalkaan", ()),
    ("äiti tappaa mut jos myöhästyn", (), "aiti tappaa mut jos myohastyn", ()),
    # a word that is a word as written keeps its own reading where umlauts are typed
    ("päätin lähteä lenkille, paatin maalaus odottaa", (), "paatti on rannassa", ()),
]

SPELLING: list[Pair] = [
    ("haluun kuolla", ("suicide",), "haluun kuollaaaa", ("suicide",)),
    ("en jaksa elää", ("suicide",), "en jaksa eläää", ("suicide",)),
    ("haluan kuolla", ("suicide",), "halluan kuolla", ("suicide",)),
    ("mietin itsaria", ("suicide",), "mietin itsaria koko ajaaan", ("suicide",)),
    ("vedin överit", ("overdose",), "vedin överit just", ("overdose",)),
    ("moi kaikki", (), "moiiii kaikki", ()),
]

IDIOMS: list[Pair] = [
    ("ammuin itseäni jalkaan kun lupasin liikoja", (), "ammun itseni", ("suicide",)),
    ("löin pääni kaapin oveen", (), "lyön päätäni seinään kunnes sattuu", ("self_harm",)),
    ("ostin köyttä pyykkinaruksi", (), "ostin köyden ja tiedän mihin sitä käytän", ("suicide",)),
    ("sain yliannostuksen somea", (), "otin yliannostuksen", ("overdose",)),
    ("kuolen nälkään, milloin ruokaa", (), "en oo syöny neljään päivään", ("eating",)),
    ("hyppään kattoon ilosta", (), "hyppään katolta", ("suicide",)),
    ("tää suhde on ihan myrkkyä", (), "lapsi joi myrkkyä", ("overdose",)),
    ("haluaisin kadota viltin alle", (), "haluaisin kadota pysyvästi", ("suicide",)),
    ("I shot myself in the foot", (), "I want to kill myself", ("suicide",)),
]

JOKES: list[Pair] = [
    ("hirtän itseni tähän exceliin haha", (), "hirtän itseni tänään", ("suicide",)),
    (
        "tapan itteni jos joudun taas tiskaamaan lol",
        (),
        "tapan itteni jos ne levittää ne kuvat",
        ("suicide", "abuse"),  # a threat to share pictures is abuse too
    ),
    (
        "haha tapan itteni jos joudun tiskaamaan",
        (),
        "haha tapan itteni jos joudun tiskaamaan, oikeesti",
        ("suicide",),
    ),
    ("hyppään ikkunasta jos tää palaveri jatkuu 😂", (), "hyppään ikkunasta 😂", ("suicide",)),
    # a state or an event is a disclosure whatever laughs around it
    ("haha en jaksa enää elää", ("suicide",), "en jaksa enää elää", ("suicide",)),
    ("lol viiltelin taas", ("self_harm",), "viiltelin taas", ("self_harm",)),
    (
        "gonna hang myself with this spreadsheet lol",
        (),
        "i'm going to kill myself tonight lol",
        ("suicide",),
    ),
]

PAST: list[Pair] = [
    (
        "viiltelin yläasteella, nyt oon ollu kolme vuotta ilman",
        (),
        "viiltelin yläasteella ja nyt taas",
        ("self_harm",),
    ),
    (
        "mulla oli itsetuhoisia ajatuksia vuosia sitten mutta nyt menee hyvin",
        (),
        "mulla oli itsetuhoisia ajatuksia vuosia sitten ja nyt ne on palannu",
        ("suicide",),
    ),
    (
        "joskus nuorena yritin itsemurhaa, nyt elämä on hyvää",
        (),
        "yritin eilen itsemurhaa",
        ("suicide",),
    ),
    (
        "years ago i wanted to die but therapy helped",
        (),
        "last week i wanted to die",
        ("suicide",),
    ),
    (
        "sairastin anoreksiaa lukiossa, nyt oon terve",
        (),
        "en oo syöny kolmeen päivään",
        ("eating",),
    ),
]

STORIES: list[Pair] = [
    ("kirjan päähenkilö tappaa itsensä", (), "haluan tappaa itseni", ("suicide",)),
    ("luin uutisen nuorten itsemurhista", (), "luin uutisen. nyt mietin itsemurhaa", ("suicide",)),
    ("leffan hahmo otti yliannostuksen", (), "kaveri otti yliannostuksen", ("overdose",)),
]

EVERYDAY: list[Pair] = [
    ("otin buranan päänsärkyyn", (), "otin koko purkin buranaa", ("overdose", "suicide")),
    ("lapsi nieli purukumin", (), "lapsi nieli tiskikonetabletin", ("overdose",)),
    (
        "aion ottaa kaikki lääkkeet tänään",
        ("suicide",),
        "otin kaikki lääkkeet",
        ("overdose", "suicide"),
    ),
    ("en oo ehtiny syödä tänään", (), "en oo syöny neljään päivään", ("eating",)),
    ("oksensin koko yön, vatsatauti", (), "oksennan kaiken minkä syön", ("eating",)),
    (
        "laihduin viisi kiloa puolessa vuodessa",
        (),
        "laihduin kymmenen kiloa kuukaudessa",
        ("eating",),
    ),
    ("pyörryin verikokeessa", (), "pyörryin kun en ollut syönyt kolmeen päivään", ("eating",)),
    ("viilsin sormeen kun pilkoin sipulia", (), "viillän itseäni kun ahdistaa", ("self_harm",)),
]


@pytest.mark.parametrize("pair", UMLAUTS, ids=lambda p: p[2])
def test_without_umlauts(voikko: Finnish, pair: Pair) -> None:
    """A message typed without å, ä and ö signals as it does with them, idioms included."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", SPELLING, ids=lambda p: p[2])
def test_chat_spellings(voikko: Finnish, pair: Pair) -> None:
    """Stretched letters and a doubled letter read as the word meant."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", IDIOMS, ids=lambda p: p[0])
def test_idiom_and_literal(voikko: Finnish, pair: Pair) -> None:
    """A figurative expression is quiet, the literal one alerts."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", JOKES, ids=lambda p: p[0])
def test_joke_and_disclosure(voikko: Finnish, pair: Pair) -> None:
    """A marked joke that hangs a dramatic act on a trivial cause is quiet; without the
    cause, with a cue that it is meant, or told as a state or an event, it alerts."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", PAST, ids=lambda p: p[0])
def test_past_that_is_over_and_recent(voikko: Finnish, pair: Pair) -> None:
    """Long ago and well now is quiet; recent, or back again, alerts."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", STORIES, ids=lambda p: p[0])
def test_story_and_own_life(voikko: Finnish, pair: Pair) -> None:
    """Fiction and news are quiet; the writer's own life alerts."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", EVERYDAY, ids=lambda p: p[0])
def test_everyday_and_danger(voikko: Finnish, pair: Pair) -> None:
    """An everyday dose, meal, illness or cut is quiet; one with danger signs alerts."""
    check(voikko, pair)


@pytest.mark.parametrize(
    "text",
    [
        "hirtän itseni tähän exceliin haha",
        "viiltelin yläasteella, nyt oon ollu kolme vuotta ilman",
        "ammuin itseäni jalkaan kun lupasin liikoja",
    ],
)
def test_quiet_context_keeps_the_model_quiet(voikko: Finnish, text: str) -> None:
    """Where the lexicon finds a joke, a past that is over or an idiom, the learned
    model is not asked either."""
    assert screen(text, policy=POLICY, finnish=voikko).crisis is None
