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

# Slips of typing: a letter dropped or two swapped (Voikko's suggestions and the
# lexicon's own words), and a real word that is no slip.
TYPOS: list[Pair] = [
    ("mut on raiskattu", ("abuse",), "mut on raikattu", ("abuse",)),
    ("mietin itsemurhaa", ("suicide",), "mietin itsemruhaa", ("suicide",)),
    ("viiltelin eilen", ("self_harm",), "viltelin eilen", ("self_harm",)),
    ("ajattelin hypätä sillalta", ("suicide",), "ajattelin hypätä silalta", ("suicide",)),
    ("i want to kill myself", ("suicide",), "i wnat to kill myslef", ("suicide",)),
    ("thinking about suicide", ("suicide",), "thinking about suicde", ("suicide",)),
    ("i went to dye my hair", (), "i want to die", ("suicide",)),
]

# English said the ways people say it, next to the same words in everyday use.
ENGLISH: list[Pair] = [
    ("i'm so tired of living in this city", (), "i'm so tired of living", ("suicide",)),
    ("i'm tired of this weather", (), "i'm tired of existing", ("suicide",)),
    ("nothing to do this weekend", (), "nothing left to live for", ("suicide",)),
    ("ending things with my ex was hard", (), "thinking of ending things tonight", ("suicide",)),
    ("i won't be here tomorrow, i'm travelling", (), "i won't be here much longer", ("suicide",)),
    ("this backpack is a burden", (), "i feel like a burden to everyone", ("suicide",)),
    (
        "the only thing stopping me is money",
        (),
        "the only thing keeping me alive is my cat",
        ("suicide",),
    ),
    (
        "i bought some rope for the tent",
        (),
        "i bought a rope and i know what it's for",
        ("suicide",),
    ),
    ("the urge to eat cake is strong", (), "the urge to cut is strong", ("self_harm",)),
    ("i cut my arm on a nail accidentally", (), "i cut my arm again", ("self_harm",)),
    ("scratched my arms on the brambles", (), "i scratch my arms until they bleed", ("self_harm",)),
    (
        "how do i hide a present from my kids",
        (),
        "how do i hide cuts from my parents",
        ("self_harm",),
    ),
    ("i make myself tea after i eat", (), "i make myself sick after i eat", ("eating",)),
    ("i'm starving, what's for dinner", (), "i've been starving myself for a week", ("eating",)),
    ("hiding food for the surprise party", (), "she hides food in her room", ("eating",)),
    ("I don't eat meat since 3 years", (), "I don't eat anything since 3 days", ("eating",)),
    ("my kid ate some of my crisps", (), "my kid ate some of my tablets", ("overdose",)),
]

# A dose and a number of pills; the number form <many> is 5 to 200. An overdose alone is
# overdose, not also suicide (the labelling rule in moderation/evaluation.py).
NUMBERS: list[Pair] = [
    ("otin 2 buranaa", (), "otin 20 buranaa", ("overdose",)),
    ("otin 500 mg buranaa", (), "otin 50 buranaa", ("overdose",)),
    ("took 2 paracetamol for a headache", (), "took 30 paracetamol", ("overdose",)),
    ("i took 2 sleeping pills", (), "i took 20 sleeping pills", ("overdose",)),
    ("jag tog en massa bilder", (), "jag tog en massa sömntabletter", ("overdose",)),
]

# Violence: a game, a toddler, a betrayal, a joke, and the same words meant.
VIOLENCE: list[Pair] = [
    ("mun veli hakkaa mua aina fifassa", (), "mun veli hakkaa mua", ("abuse",)),
    (
        "mun taapero lyö kaikkia kun se on väsyny",
        (),
        "mun isä lyö kaikkia kun se on kännissä",
        ("abuse",),
    ),
    ("me tapettiin se peli eilen", (), "me tapettiin se", ("violence",)),
    (
        "stabbed in the back by my best friend",
        (),
        "i got stabbed in the back last night and i'm bleeding",
        ("violence",),
    ),
    ("tapan sut jos spoilaat lol", (), "tapan sut jos kerrot kenellekään", ("abuse",)),
    ("aion tuoda kakun kouluun", (), "aion tuoda aseen kouluun", ("violence",)),
    ("jag dödar dig om du berättar lol", (), "jag dödar dig om du berättar", ("violence",)),
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

# A song quoted, a question about the subject, a past that is over, everyday
# illness: quiet; the same words about someone now: alert.
QUOTES_AND_QUESTIONS: list[Pair] = [
    ('biisissä lauletaan "en jaksa enää"', (), 'kaveri kirjoitti "en jaksa enää"', ("suicide",)),
    ('that line "i wanna die young" is stuck in my head', (), "i wanna die young", ("suicide",)),
    (
        "how do i talk to my son about self harm",
        (),
        "how do i tell my son about my self harm",
        ("self_harm",),
    ),
    (
        "mitä tehdä jos kaveri kertoo viiltelystä?",
        (),
        "mitä tehdä kun mun kaveri viiltelee?",
        ("self_harm",),
    ),
    (
        "join ennen liikaa, nyt oon ollu vuoden raittiina",
        (),
        "join eilen liikaa ja otin kaikki pillerit",
        ("overdose",),
    ),
    (
        "jag skadade mig själv för länge sedan men mår bra nu",
        (),
        "jag skadade mig själv igår",
        ("self_harm",),
    ),
    (
        "oksensin autossa, tulee aina matkapahoinvointia",
        (),
        "oksennan aina syömisen jälkeen",
        ("eating",),
    ),
    ("haluun et tää koeviikko loppuis jo", (), "haluun et tää loppuu", ("suicide",)),
    (
        "mulla on partaterä laukussa kun käyn salilla",
        (),
        "mulla on partaterä laukussa aina varalta",
        ("suicide", "self_harm"),
    ),
]

STORIES: list[Pair] = [
    ("kirjan päähenkilö tappaa itsensä", (), "haluan tappaa itseni", ("suicide",)),
    ("luin uutisen nuorten itsemurhista", (), "luin uutisen. nyt mietin itsemurhaa", ("suicide",)),
    ("leffan hahmo otti yliannostuksen", (), "kaveri otti yliannostuksen", ("overdose",)),
]

EVERYDAY: list[Pair] = [
    ("otin buranan päänsärkyyn", (), "otin koko purkin buranaa", ("overdose",)),
    ("lapsi nieli purukumin", (), "lapsi nieli tiskikonetabletin", ("overdose",)),
    (
        "aion ottaa kaikki lääkkeet tänään",
        ("suicide",),
        "otin kaikki lääkkeet",
        ("overdose",),
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


# Emoji read as words where they carry the meaning: a pill, a blade, blood, a grave.
EMOJI: list[Pair] = [
    (
        "nappasin koko purkin 💊💊",
        ("overdose",),
        "nappasin koko purkin",
        ("overdose",),
    ),
    ("took everything 💊 bye", ("overdose", "suicide"), "took everything 🍕 bye", ()),
    ("so tired 🪦", ("suicide",), "so tired 😴", ()),
    ("tänään se tapahtuu 🔚", ("suicide",), "tänään se tapahtuu 🎉", ()),
    ("🩸 taas viiltoja", ("self_harm",), "🍓 taas mansikoita", ()),
    ("🔪 ranteeseen taas", ("self_harm",), "🔪 sipuliin taas", ()),
    ("mun puhelin kuoli 🪦", (), "kaikki on ohi 🪦 anteeks", ("suicide",)),
]

# Round 10: plans without a method word, farewells, older adults' quiet wishes, overdoses
# told with other verbs, abuse by grown children, carers and strangers online.
PHRASINGS: list[Pair] = [
    (
        "olisi helpompi lopettaa koko homma",
        ("suicide",),
        "olisi helpompi lopettaa koko projekti",
        (),
    ),
    ("menen sillalle ja katon uskallanko", ("suicide",), "menen sillalle ja katon maisemia", ()),
    (
        "kenellekään ei olisi väliä, vaikka en enää olisi.",
        ("suicide",),
        "vaikka en enää olisi töissä, kävisin kahvilla",
        (),
    ),
    ("tää jää mun viimisiks sanoiks", ("suicide",), "tää jää mun mieleen", ()),
    ("mietin vaan kuolemaa", ("suicide",), "mietin paljon mitä kuoleman jälkeen tapahtuu", ()),
    ("vedän narun kaulaan", ("suicide",), "vedän huivin kaulaan", ()),
    ("i'm done. wrote my note", ("suicide",), "i'm done. wrote my essay", ()),
    ("i'd rather be dead than go back", ("suicide",), "i'd rather be home than go back", ()),
    (
        "what's the most painless way to go?",
        ("suicide",),
        "what's the quickest way to go to the station?",
        (),
    ),
    ("jag ber att få somna in för gott", ("suicide",), "jag ber att få somna in tidigt", ()),
    ("jag vill int leva längre", ("suicide",), "jag vill int åka längre", ()),
    (
        "otin 30 paracetamolia tunti sitten",
        ("overdose",),
        "otin 2 paracetamolia tunti sitten",
        (),
    ),
    ("2-vuotias söi tiskikonetabletin", ("overdose",), "2-vuotias söi porkkanan", ()),
    ("swallowed some dishwasher liquid", ("overdose",), "bought some dishwasher liquid", ()),
    ("day 5 of not eating", ("eating",), "day 5 of the holiday", ()),
    (
        "painoa on lähteny 12 kiloa kuukaudessa",
        ("eating",),
        "painoa on lähteny 2 kiloa kuukaudessa",
        (),
    ),
    ("Hän vie eläkkeeni joka kuukausi", ("abuse",), "Vuokra vie puolet eläkkeestäni", ()),
    ("Pelkään omaa poikaani", ("abuse",), "Pelkään poikani puolesta", ()),
    ("mulle ei anneta ruokaa jos en siivoa", ("abuse",), "mulle ei maistu ruoka kun on kuuma", ()),
    ("my parents lock me in my room", ("abuse",), "my parents let me stay in my room", ()),
    (
        "hon hotade att döda mig om jag berättar",
        ("abuse",),
        "mamma dödar mig om jag kommer sent haha",
        (),
    ),
    (
        "mä tuun huomenna kouluun veitsen kanssa",
        ("violence",),
        "mä tuun huomenna kouluun repun kanssa",
        (),
    ),
    (
        "my neighbour is screaming and things are smashing",
        ("violence",),
        "my neighbour is singing and dancing",
        (),
    ),
    ("took all of these 💊💊 now waiting", ("overdose",), "took all of these 📸📸 now waiting", ()),
    ("hej då alla 🪦", ("suicide",), "hej då alla 👋", ()),
    (
        "I just want to join my husband.",
        ("suicide",),
        "I just want to join my husband for dinner.",
        (),
    ),
    ("i wanna dye, nobody cares", ("suicide",), "i wanna dye my hair blue", ()),
    ("jag svälter mig", ("eating",), "jag svälter, när blir det mat?", ()),
    ("jag river mig tills det blöder", ("self_harm",), "jag river tapeten tills den lossnar", ()),
    (
        "mitt barnbarn hotar mig för att få pengar",
        ("abuse",),
        "mitt barnbarn lånar pengar av mig",
        (),
    ),
    ("hon får inte lämna huset av sin man", ("abuse",), "hon får inte lämna huset innan tio", ()),
]

# Round 10's look-alikes: an idiom, a question about the subject, a past that is over,
# an everyday mishap, a headache, a negation, beside the disclosure.
LOOKALIKES: list[Pair] = [
    ("hirttäydyn aina kiinni samoihin ajatuksiin", (), "hirttäydyn tänä yönä", ("suicide",)),
    ("lopetin elämäni kiireet ja muutin maalle", (), "lopetan elämäni tänä yönä", ("suicide",)),
    ("en syönyt koko päivänä kun oli kiire", (), "en oo syöny koko viikkona", ("eating",)),
    ("jag skulle kunna döda för en kaffe", (), "jag ska döda honom", ("violence",)),
    ("hur vet man om någon har självmordstankar?", (), "jag har självmordstankar", ("suicide",)),
    ("what are the warning signs of suicide?", (), "i'm thinking of suicide", ("suicide",)),
    ("how common is self harm in schools?", (), "i self harm at school", ("self_harm",)),
    (
        "I used to self-harm when I was 14, I'm 30 now and doing really well",
        (),
        "I used to self-harm and I did it again last night",
        ("self_harm",),
    ),
    ("i don't want to live in this city anymore", (), "i don't want to live anymore", ("suicide",)),
    ("skar mig i fingret när jag skalade potatis", (), "skar mig i armen igen", ("self_harm",)),
    ("otin panadolin kun päätä särki", (), "otin koko purkin panadolia", ("overdose",)),
    ("en mä oikeesti haluu kuolla", (), "mä oikeesti haluun kuolla", ("suicide",)),
    ("mun sisko satutti nilkkansa treeneissä", (), "mä satutan mun siskoa kohta", ("violence",)),
    (
        "oli aika jolloin en halunnut elää, terapia auttoi ja nyt menee hyvin",
        (),
        "en halua elää",
        ("suicide",),
    ),
    (
        "if this queue gets any longer i'm going to end it all lol",
        (),
        "i'm going to end it all tonight",
        ("suicide",),
    ),
    (
        "jag var självmordsbenägen som ung men nu har jag det bra",
        (),
        "jag är självmordsbenägen",
        ("suicide",),
    ),
    (
        "hur pratar man med sitt barn om självmord?",
        (),
        "mitt barn pratar om självmord",
        ("suicide",),
    ),
    ("why do people self harm?", (), "why do i self harm?", ("self_harm",)),
    ("ostin uuden köyden kaivon ämpäriin", (), "ostin uuden köyden", ("suicide",)),
    ("chefen kommer att döda mig", (), "han hotade att döda mig", ("violence",)),
    (
        "i attempted suicide years ago and now i volunteer",
        (),
        "i attempted suicide last week",
        ("suicide",),
    ),
]


@pytest.mark.parametrize("pair", UMLAUTS, ids=lambda p: p[2])
def test_without_umlauts(voikko: Finnish, pair: Pair) -> None:
    """A message typed without å, ä and ö signals as it does with them, idioms included."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", SPELLING, ids=lambda p: p[2])
def test_chat_spellings(voikko: Finnish, pair: Pair) -> None:
    """Stretched letters and a doubled letter read as the word meant."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", TYPOS, ids=lambda p: p[2])
def test_slips_of_typing(voikko: Finnish, pair: Pair) -> None:
    """A letter dropped or two swapped reads as the word meant; a real word does not."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", ENGLISH, ids=lambda p: p[2])
def test_english_as_people_say_it(voikko: Finnish, pair: Pair) -> None:
    """English disclosures alert; the same words in everyday use are quiet."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", NUMBERS, ids=lambda p: p[2])
def test_a_dose_and_a_number_of_pills(voikko: Finnish, pair: Pair) -> None:
    """A dose or milligrams are quiet; five to two hundred pills taken alert."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", VIOLENCE, ids=lambda p: p[2])
def test_violence_and_its_look_alikes(voikko: Finnish, pair: Pair) -> None:
    """A game, a toddler, a betrayal or a marked joke is quiet; violence meant alerts."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", QUOTES_AND_QUESTIONS, ids=lambda p: p[2])
def test_quotes_questions_and_the_writers_own_life(voikko: Finnish, pair: Pair) -> None:
    """A song quoted, a question about the subject, a past that is over or an illness
    is quiet; the same words about someone now alert."""
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


@pytest.mark.parametrize("pair", EMOJI, ids=lambda p: p[0])
def test_emoji_that_carry_the_meaning(voikko: Finnish, pair: Pair) -> None:
    """A pill, a blade, blood or a grave in emoji counts as the word would."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", PHRASINGS, ids=lambda p: p[0])
def test_round10_phrasings(voikko: Finnish, pair: Pair) -> None:
    """Round 10's phrasings alert, and the same words about something else do not."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", LOOKALIKES, ids=lambda p: p[0])
def test_round10_look_alikes(voikko: Finnish, pair: Pair) -> None:
    """Round 10's look-alikes stay quiet beside the disclosure they resemble."""
    check(voikko, pair)


# Round 11: who does the violence decides the category (the labelling rule in
# moderation/crisis.py): someone in the family, a partner or a carer is abuse only,
# a stranger, a peer or the writer's own threat to others is violence.
FAMILY: list[Pair] = [
    ("poikaystävä töni mua ja löi", ("abuse",), "joku jätkä töni mua ja löi", ("violence",)),
    ("isäpuoli lö mua eilen taas", ("abuse",), "ne jätkät löi mua eilen taas", ("violence",)),
    ("mieheni uhkasi tappaa minut", ("abuse",), "tuntematon mies löi mua nyrkillä", ("violence",)),
    ("my dad threatened to hurt us", ("abuse",), "someone threatened to kill me", ("violence",)),
    (
        "my neighbour is beating his wife",
        ("abuse",),
        "my neighbour threatened me with a knife",
        ("violence",),
    ),
    ("said he'd kill me if i tried to leave", ("abuse",), "my mom will kill me if i fail", ()),
    # a weapon stays violence, whoever owns it
    ("aion tuoda isän aseen kouluun", ("violence",), "aion tuoda isän kakun kouluun", ()),
    ("vanhempi poika heitti mut maahan ja potki", ("violence",), "vanhempi poika auttoi mua", ()),
    ("mun mies hakkaa mua", ("abuse",), "mun mies hakkaa puita pihalla", ()),
    # the family member acts when named in the nominative, not when hurt or owning
    ("isä lyö mua", ("abuse",), "jos se jätkä koskee mun siskoon mä tapan sen", ("violence",)),
    # a weapon in the family is abuse only, as the labels say (evaluation.py)
    (
        "my brother pulled a knife on me",
        ("abuse",),
        "my brother pulled a face at me",
        (),
    ),
    (
        "joku mies uhkas mua puukolla",
        ("violence",),
        "isä uhkas mua puukolla",
        ("abuse",),
    ),
]

# Round 11: long-tail wishes and farewells, older adults' quiet wishes, code-switching
# and threats in slang, each beside the everyday sentence with the same words.
PHRASINGS11: list[Pair] = [
    ("mun ei kuuluis olla olemassa", ("suicide",), "mun ei kuuluis olla täällä vielä", ()),
    ("ihan sama mitä mulle tapahtuu", ("suicide",), "ihan sama mitä syödään", ()),
    ("kunhan tää loppuis", ("suicide",), "kunhan tää viikko loppuis", ()),
    (
        "Kävin jo hyvästelemässä lapseni. He eivät tiedä mitä tarkoitin.",
        ("suicide",),
        "Kävin hyvästelemässä mummon, se muuttaa Ouluun.",
        (),
    ),
    ("sanoin äidille hyvää yötä viimeisen kerran", ("suicide",), "sanoin äidille hyvää yötä", ()),
    (
        "henkivakuutus hoitais perheen paremmin kuin mä",
        ("suicide",),
        "otin henkivakuutuksen, hyvä olla kunnossa",
        (),
    ),
    ("En jaksa odottaa loppua.", ("suicide",), "En jaksa odottaa lomaa.", ()),
    (
        "Jag ser ingen mening med att fortsätta.",
        ("suicide",),
        "Jag ser ingen mening med kursen.",
        (),
    ),
    (
        "Sedan min fru dog finns det inget kvar för mig här.",
        ("suicide",),
        "Jag har inget kvar i kylen.",
        (),
    ),
    ("Jag är trött på att leva.", ("suicide",), "Jag är trött på att plugga.", ()),
    ("jag är så done, vill inte va här mer", ("suicide",), "jag är så done med skolan idag", ()),
    (
        "mä en aio herätä huomenna, oon päättänyt",
        ("suicide",),
        "en aio herätä huomenna ennen kymmentä",
        (),
    ),
    ("swear down i'm gonna stab that guy", ("violence",), "we're gonna shoot some hoops", ()),
    (
        "tar med kniv till skolan i morgon",
        ("violence",),
        "tar med matlåda till skolan i morgon",
        (),
    ),
    ("Mitt barnbarn drack av tvättmedlet", ("overdose",), "Mitt barnbarn köpte tvättmedlet", ()),
    ("day 7 no food 💪 almost there", ("eating",), "day 7 of the trip 💪 almost there", ()),
    ("ne pärjäis paremmin ilman", ("suicide",), "ne pärjäis paremmin ilman sokeria", ()),
    (
        "Minulla ei ole enää ketään, jonka takia jatkaa.",
        ("suicide",),
        "Minulla ei ole enää ketään, jonka kanssa jatkaa matkaa.",
        (),
    ),
    ("Toivoisin että saisin jo mennä.", ("suicide",), "Toivoisin että saisin jo mennä kotiin.", ()),
    ("I'm just waiting to die now.", ("suicide",), "I'm just waiting to go now.", ()),
    ("I'm at peace with going.", ("suicide",), "I'm at peace with my choices.", ()),
    ("i just wanna be gone", ("suicide",), "i just wanna be gone by noon", ()),
    ("ostin puukon ja tiiän missä se asuu", ("violence",), "ostin puukon mökille", ()),
    (
        "oon hyvästelly kaverit, nyt on aika",
        ("suicide",),
        "oon hyvästelly kaverit, nyt bussiin",
        (),
    ),
    ("tää on mun goodbye, kiitos kaikille", ("suicide",), "tää on mun goodbye-bileet", ()),
    (
        "mä oon ottanu kaikki mun meds yhtä aikaa",
        ("overdose",),
        "mä oon ottanu kaikki mun vaatteet mukaan",
        (),
    ),
    ("oon purgennu joka päivä", ("eating",), "purgesin mun vaatekaapin", ()),
    ("imma pull up to his house with the strap", ("violence",), "imma pull up to his house", ()),
    ("mä pistän sen lihoiks huomenna", ("violence",), "mä pistän sen pelin läpi huomenna", ()),
    ("joku tarttu mua kurkusta", ("violence",), "flunssa tarttui kurkkuun", ()),
    ("my uncle chokes me", ("abuse",), "my uncle chokes on his coffee", ()),
    (
        "exä huutaa et se tappaa mut",
        ("abuse",),
        "exä huutaa et se tappaa mut lol jos syön sen jäätelön",
        (),
    ),
    (
        "Jag har slutat ta min medicin. Det får bli som det blir.",
        ("suicide",),
        "Jag har slutat ta min medicin. Läkaren bytte den.",
        (),
    ),
    ("tänker ta alla piller ikväll", ("suicide",), "tänker ta alla kläder ikväll", ()),
    ("mä tuun ampuun ne kaikki", ("violence",), "mä tuun ampuun ne kaikki paintballissa", ()),
    # a threat in the family marked as a joke with a trivial cause, and the threat
    ("isä sano et se tappaa mut jos mä en siivoo lol", (), "isä sano et se tappaa mut", ("abuse",)),
    ("my grandson beat me at chess again", (), "my grandson beat me again", ("abuse",)),
    # the passive is done by others: violence, not self-harm
    (
        "mut hakattiin eilen ja päähän sattuu",
        ("violence",),
        "hakkaan päätä seinään kunnes sattuu",
        ("self_harm",),
    ),
]


@pytest.mark.parametrize("pair", FAMILY, ids=lambda p: p[0])
def test_who_does_the_violence(voikko: Finnish, pair: Pair) -> None:
    """Violence in the family is abuse only, a weapon too; by others it is violence."""
    check(voikko, pair)


@pytest.mark.parametrize("pair", PHRASINGS11, ids=lambda p: p[0])
def test_round11_phrasings(voikko: Finnish, pair: Pair) -> None:
    """Round 11's phrasings alert, and the everyday sentence beside each does not."""
    check(voikko, pair)


# Round 12: an overdose is suicide as well only with words of intent beside it (the
# labelling rule in moderation/evaluation.py); emoji, plans and farewells without a
# word of dying, abuse without a family word, self-harm and eating in chat spellings,
# and the look-alike beside each (a past that is over, a joke, a question).
PHRASINGS12: list[Pair] = [
    (
        "söin koko purkin buranaa ja nyt huimaa",
        ("overdose",),
        "söin koko purkin buranaa, en halua herätä",
        ("overdose", "suicide"),
    ),
    (
        "took all my pills",
        ("overdose",),
        "took all my pills on purpose",
        ("overdose", "suicide"),
    ),
    (
        "aion ottaa kaikki mun lääkkeet tänä yönä",
        ("suicide",),
        "otin kaikki mun lääkkeet äsken",
        ("overdose",),
    ),
    (
        "Jag har tagit alla mina tabletter",
        ("overdose",),
        "Jag har tagit alla mina tabletter, jag vill inte vakna",
        ("overdose", "suicide"),
    ),
    (
        "tonight's the night 🌉👋",
        ("suicide",),
        "tonight's the night!! concert 🎸🎉",
        (),
    ),
    (
        "the bridge 🌉 at sunset tonight was beautiful",
        (),
        "🌉 tänään. kiitti kaikille 👋",
        ("suicide",),
    ),
    (
        "0 cals again today 🙂 dizzy but it's worth it",
        ("eating",),
        "0 kcal energy drink is my best friend during exams",
        (),
    ),
    (
        "tänään taas 0 kcal 🙂 huimaa",
        ("eating",),
        "nolla kaloria mut hyvää, suosittelen tätä limsaa",
        (),
    ),
    (
        "🪢 ikväll. förlåt allihop",
        ("suicide",),
        "hejdå allihop, vi ses på måndag 👋",
        (),
    ),
    (
        "💊💊💊💊 + 🍷 = loppu tänää",
        ("suicide",),
        "💊 + 🍷 = ei hyvä yhdistelmä?",
        (),
    ),
    (
        "ngl i'm ending it this weekend",
        ("suicide",),
        "ngl i'm ending the season this weekend",
        (),
    ),
    (
        "made my decision, friday is the day. everything's sorted",
        ("suicide",),
        "i've decided: friday is the day i finally ask her out",
        (),
    ),
    (
        "Olen jättänyt salasanat ja testamentin pöydälle. Huomenna olen poissa.",
        ("suicide",),
        "kirjoitin testamentin valmiiksi, kun perintöasiat puhuttiin notaarin kanssa",
        (),
    ),
    (
        "Olen laskenut paljonko lääkkeitä tarvitaan. Ne on nyt pöydällä.",
        ("suicide",),
        "Olen laskenut paljonko maalia tarvitaan. Se on nyt pöydällä.",
        (),
    ),
    (
        "This is my last message here. Goodbye.",
        ("suicide",),
        "it's the last message from me tonight, goodnight all 😊",
        (),
    ),
    (
        "säg till mamma att jag älskar henne. hejdå allihop",
        ("suicide",),
        "kiitos kaikille, oli kiva jutella! hyvää yötä",
        (),
    ),
    (
        "Min bror skickade ett meddelande att han säger farväl och nu svarar han inte.",
        ("suicide",),
        "Min bror sa farväl till sin gamla bil och nu kör han buss.",
        (),
    ),
    (
        "mä hakkaan päätä seinään kun en kestä itteeni",
        ("self_harm",),
        "hakkaan päätä seinään tän matikan kanssa 🙄",
        (),
    ),
    (
        "i want to diiiieee",
        ("suicide",),
        "i want to dye my hair",
        (),
    ),
    (
        "relapsed on sh last night",
        ("self_harm",),
        "relapsed on chocolate last night",
        (),
    ),
    (
        "måste skada mig 🩸😣",
        ("self_harm",),
        "måste åka till jobbet 😣",
        (),
    ),
    (
        "se löi taas 😢🤕 en tiiä minne mennä",
        ("abuse",),
        "se löi mut taas korttipelissä 😂",
        (),
    ),
    (
        "he hit me again 😢🤕 i don't know where to go",
        ("abuse",),
        "she hit me with the truth lol",
        (),
    ),
    (
        "my brother hit me with a pillow lol",
        (),
        "my brother hit me again and i'm scared to go home",
        ("abuse",),
    ),
    (
        "Luulen että naapurin tyttöä hakataan kotona.",
        ("abuse",),
        "Naapurin tyttö hakkaa puita pihalla.",
        (),
    ),
    (
        "My first husband beat me, but I left him in 1979 and life has been good since.",
        (),
        "My husband beat me again last night.",
        ("abuse",),
    ),
    (
        "Oli aika jolloin en syönyt juuri mitään, mutta hoito auttoi ja nyt syön normaalisti.",
        (),
        "En ole syönyt juuri mitään viikkoon ja pyörryin.",
        ("eating",),
    ),
    (
        "Please don't worry, I have no intention of harming myself.",
        (),
        "I keep harming myself.",
        ("self_harm",),
    ),
    (
        "How can schools help prevent youth suicide? Writing an essay.",
        (),
        "I think about suicide every day.",
        ("suicide",),
    ),
    (
        "Siskoni laihduttaa häihin ja on pudottanut viisi kiloa kolmessa kuukaudessa, hienoa!",
        (),
        "Siskoni on pudottanut kymmenen kiloa kuukaudessa ja pyörtyi koulussa.",
        ("eating",),
    ),
    (
        "Mitä tehdä jos lapsi on syönyt yhden D-vitamiinitabletin liikaa? Hän on ihan pirteä.",
        (),
        "lapsi söi kaikki mummon sydänlääkkeet",
        ("overdose",),
    ),
    (
        "tar med pappas gevär till skolan imorgon",
        ("violence",),
        "tar med pappas gitarr till skolan imorgon",
        (),
    ),
    (
        "tog for manga alvedon, typ 25 st, vad gor jag",
        ("overdose",),
        "tog två alvedon mot huvudvärken",
        (),
    ),
    (
        "ate the whole strip 💊💊💊 feel weird",
        ("overdose",),
        "ate the whole pizza 🍕 feel weird",
        (),
    ),
    (
        "matikan koe huomenna, hyvästi maailma 💀😂",
        (),
        "hyvästi maailma, en jaksa enää",
        ("suicide",),
    ),
    (
        "Lapsenlapseni on vienyt säästöni ja sanoo, että jos kerron, hän ei tule enää koskaan käymään.",
        ("abuse",),
        "Lapsenlapseni on vienyt minut kauppaan ja sanoo, että tulee taas ensi viikolla.",
        (),
    ),
    (
        "Hemtjänsten skriker åt mig och drar mig hårt i armarna.",
        ("abuse",),
        "Hemtjänsten kommer två gånger om dagen och hjälper mig.",
        (),
    ),
    (
        "mun kaveri on ottanu jotain pillereit ja oksentaa eikä vastaa",
        ("overdose",),
        "mun kaveri on ottanu jotain kuvia ja ei vastaa viesteihin",
        (),
    ),
    (
        "Juon vaan vettä ja kahvia, nyt on kolmas päivä ilman ruokaa ja jalat ei kanna.",
        ("eating",),
        "Nyt on kolmas päivä ilman sähköä mökillä.",
        (),
    ),
    (
        "mä oon ollu fastaamassa viis päivää ja oon pyörtyny kaks kertaa",
        ("eating",),
        "mä oon ollu lomalla viis päivää ja oon nukkunu hyvin",
        (),
    ),
    (
        "Tuntuu ettei minun kuuluisi olla täällä.",
        ("suicide",),
        "Tuntuu ettei minun kuuluisi olla täällä näin myöhään, pitää lähteä kotiin",
        (),
    ),
]


@pytest.mark.parametrize("pair", PHRASINGS12, ids=lambda p: p[0])
def test_round12_phrasings(voikko: Finnish, pair: Pair) -> None:
    """Round 12's phrasings give their categories, and the sentence beside each differs
    by the one cue that changes them."""
    check(voikko, pair)


# Lines that had parsed into other elements than meant (an alternative of several
# words written without a group), now written with groups, and the third probe batch.
GROUPED12: list[Pair] = [
    (
        "i can't keep going like this",
        ("suicide",),
        "i can't keep going to the gym like this",
        (),
    ),
    (
        "i deserve to suffer",
        ("self_harm",),
        "i deserve a break",
        (),
    ),
    (
        "i just wanna disappear",
        ("suicide",),
        "i just wanna disappear into a good book",
        (),
    ),
    (
        "jag vill inte vara kvar",
        ("suicide",),
        "jag vill inte vara kvar på jobbet i kväll",
        (),
    ),
    (
        "i'm just waiting for the end.",
        ("suicide",),
        "waiting for the end of term",
        (),
    ),
    (
        "i've worked out how many i need",
        ("suicide",),
        "i've worked out how many chairs we need",
        (),
    ),
    (
        "if i'm not online tomorrow, it's because i did it",
        ("suicide",),
        "if i'm not online tomorrow it's because the wifi is dead again lol",
        (),
    ),
    (
        "har bestämt mig, ikväll tar jag slut på allt",
        ("suicide",),
        "har bestämt mig, det blir pizza ikväll",
        (),
    ),
]


@pytest.mark.parametrize("pair", GROUPED12, ids=lambda p: p[0])
def test_lines_with_groups_match_as_meant(voikko: Finnish, pair: Pair) -> None:
    """A line with alternatives of several words matches each as a whole, and the
    everyday sentence beside it does not."""
    check(voikko, pair)


# A story, the news or a song beside the writer's own life ("mä teen ihan samaa"), a dose
# question asked for oneself, the person one lives with as the one who hits, and the
# fifth batch: older adults' wishes and fears, "better off without me".
OWN12: list[Pair] = [
    (
        "i keep thinking everyone would be better off without me",
        ("suicide",),
        "everyone would be better off without my cooking lol",
        (),
    ),
    (
        "Jag är gammal och trött och vill bara få somna in.",
        ("suicide",),
        "jag är så trött, ska sova tidigt ikväll",
        (),
    ),
    (
        "my grandson shouts at me and took my pension card, i am frightened of him",
        ("abuse",),
        "my grandson shouts at the tv every time his team loses",
        (),
    ),
    (
        "i'm scared of my husband when he drinks",
        ("abuse",),
        "i'm scared of my husband's driving lol",
        (),
    ),
    (
        "luin kirjaa jossa päähenkilö viiltelee ja mä teen ihan samaa joka ilta",
        ("self_harm",),
        "luin kirjaa jossa päähenkilö viiltelee, tosi rankka tarina",
        (),
    ),
    (
        "näin uutisen siitä sillalta hypänneestä ja mietin et mäkin voisin tehdä niin",
        ("suicide",),
        "näin uutisen siitä sillalta hypänneestä, tosi surullista",
        (),
    ),
    (
        "in the movie she cuts herself to cope and that's exactly what i do every night",
        ("self_harm",),
        "in the movie she cuts herself to cope, it was hard to watch",
        (),
    ),
    (
        "my friend cuts herself and i don't know what to do",
        ("self_harm",),
        "my friend cuts her own hair and it looks great",
        (),
    ),
    (
        "is 40 paracetamol enough? i have them right here",
        ("suicide",),
        "is 1 paracetamol enough for a headache?",
        (),
    ),
    (
        "hur många sömntabletter behövs för att inte vakna? frågar för mig själv",
        ("suicide",),
        "hur många sömntabletter får man ta per natt?",
        (),
    ),
    (
        "se jonka kanssa mä asun lyö mua kun se on vihainen",
        ("abuse",),
        "se jonka kanssa mä asun kokkaa aina tosi hyvää ruokaa",
        (),
    ),
    (
        "the person i live with hits me when i don't do what he says",
        ("abuse",),
        "the person i live with hits the gym every morning",
        (),
    ),
]


@pytest.mark.parametrize("pair", OWN12, ids=lambda p: p[0])
def test_a_story_and_the_writers_own_life(voikko: Finnish, pair: Pair) -> None:
    """A story or the news alerts when the writer says it is theirs too, and the
    sentence that only tells the story does not; likewise each phrasing beside its
    everyday look-alike."""
    check(voikko, pair)


# Round 13: self-harm, overdoses and fasting said plainly in English (and Swedish),
# beside the same words about hair, cooking, a prescription or a religious fast.
PLAIN13: list[Pair] = [
    (
        "really want to cut tonight, blades are in the bathroom",
        ("self_harm",),
        "really want to cut my hair tonight, scissors are in the bathroom",
        (),
    ),
    (
        "cut too deep this time and it won't stop bleeding",
        ("self_harm",),
        "cut my finger chopping onions and it won't stop bleeding",
        (),
    ),
    (
        "there's blood on my pillow from where i cut",
        ("self_harm",),
        "there's a stain on my pillow from where i spilled tea",
        (),
    ),
    (
        "i keep a razor in my wallet for the bad days",
        ("self_harm",),
        "i keep a plaster in my wallet for the bad days",
        (),
    ),
    (
        "carved her name into my thigh last night",
        ("self_harm",),
        "carved her name into the tree last summer",
        (),
    ),
    (
        "sliced my wrist open in the shower",
        ("self_harm",),
        "sliced my thumb open making a sandwich",
        (),
    ),
    (
        "tein taas 🩸🔪 ja nyt on parempi olo",
        ("self_harm",),
        "tein taas lohikeittoa 🔪 ja nyt on parempi olo",
        (),
    ),
    (
        "mom took her heart pills twice this morning and she's confused",
        ("overdose",),
        "mom takes her heart pills twice a day and she's fine",
        (),
    ),
    (
        "downed a whole bottle of wine with my sleeping pills",
        ("overdose",),
        "downed a whole bottle of water after the run",
        (),
    ),
    (
        "swallowed all my pills, goodbye everyone",
        ("overdose", "suicide"),
        "swallowed my pills with breakfast as the doctor said",
        (),
    ),
    (
        "what's the lethal dose of my sleeping pills? i have a full bottle",
        ("suicide",),
        "what's the right dose of melatonin for jet lag?",
        (),
    ),
    (
        "fasting for a week now and i fainted at school",
        ("eating",),
        "fasting for ramadan this month, it's going well",
        (),
    ),
    (
        "on a water fast, day 6, my hair is falling out",
        ("eating",),
        "doing intermittent fasting, day 6, feeling good",
        (),
    ),
    (
        "ana coach says 500 cal max",
        ("eating",),
        "my running coach says 500 m max today",
        (),
    ),
    (
        "read about a girl who starved herself and i'm doing the same",
        ("eating",),
        "read an article about a girl who starved herself, so sad",
        (),
    ),
    (
        "taas 🤮 ruoan jälkeen, kolmas kerta tänään",
        ("eating",),
        "kouluruoka oli taas 🤮",
        (),
    ),
]


@pytest.mark.parametrize("pair", PLAIN13, ids=lambda p: p[0])
def test_plain_self_harm_overdose_and_fasting(voikko: Finnish, pair: Pair) -> None:
    """Self-harm, overdoses and fasting said plainly give their categories, and the
    same words about hair, cooking, a prescription or a religious fast do not."""
    check(voikko, pair)


# Farewells told as acts: things or a pet given away, letters written, a will made, with
# an end named or a plea not to be stopped; the same acts of an ordinary week.
FAREWELL13: list[Pair] = [
    (
        "annoin mun kissan kaverille ja siivosin huoneen. huomenna se on ohi",
        ("suicide",),
        "annoin mun kissan kaverille hoitoon ja siivosin huoneen ennen lomaa",
        (),
    ),
    (
        "kirjotin äidille kirjeen. älkää yrittäkö muuttaa mun mieltä",
        ("suicide",),
        "kirjotin äidille kirjeen sen synttäreiksi",
        (),
    ),
    (
        "Testamentti on tehty ja tavarat jaettu. Nyt on minun aikani.",
        ("suicide",),
        "Testamentti on tehty, koska lakimies suositteli sitä.",
        (),
    ),
    (
        "gave away my guitar and my games. won't need them where i'm going",
        ("suicide",),
        "gave away my old guitar to my cousin, he's learning to play",
        (),
    ),
    (
        "found a home for my dog so she's looked after when i'm gone",
        ("suicide",),
        "found a sitter for my dog so she's looked after when i'm gone on holiday",
        (),
    ),
    (
        "deleted all my accounts and gave my stuff away",
        ("suicide",),
        "deleted all my old photos from the cloud, finally space",
        (),
    ),
    (
        "just planning my exit now",
        ("suicide",),
        "just planning my exit strategy from this job",
        (),
    ),
    (
        'my brother texted "love you, take care of mum" and now his phone is off',
        ("suicide",),
        'my brother texted "love you, see you at mum\'s" and now his phone is charging',
        (),
    ),
    (
        "ostin köyden, jos ymmärrät mitä tarkoitan",
        ("suicide",),
        "ostin köyden pyykkinaruksi",
        (),
    ),
    (
        "en mä aio elää ens vuoteen",
        ("suicide",),
        "en mä aio asua täällä ens vuoteen",
        (),
    ),
]


@pytest.mark.parametrize("pair", FAREWELL13, ids=lambda p: p[0])
def test_farewells_told_as_acts(voikko: Finnish, pair: Pair) -> None:
    """Acts of settling one's affairs with an end named are a farewell; the same acts
    in an ordinary week are not."""
    check(voikko, pair)


# Violence against the writer from strangers and peers, danger now, and the wish or plan
# to hurt someone; violence told beside a relationship is abuse.
VIOLENCE13: list[Pair] = [
    (
        "a man followed me from the bus and tried to drag me into his car",
        ("violence",),
        "a man followed me from the bus to give back my wallet",
        (),
    ),
    (
        "a stranger grabbed me at the station and wouldn't let go",
        ("violence",),
        "a stranger grabbed my bag at the station to help me with the stairs",
        (),
    ),
    (
        "tuntematon jätkä seuras mua kotiin ja mä pelkään",
        ("violence",),
        "koiranpentu seuras mua kotiin ja mä rakastan sitä",
        (),
    ),
    (
        "joku mies yritti raahata mut metsään",
        ("violence",),
        "joku mies yritti myydä mulle imurin",
        (),
    ),
    (
        "ne odottaa koulun jälkeen ja sano et mut hakataan",
        ("violence",),
        "ne odottaa koulun jälkeen ja sano et mennään kahville",
        (),
    ),
    (
        "they're waiting after school and said they'll break my legs",
        ("violence",),
        "they're waiting after school and said break a leg at the show",
        (),
    ),
    (
        "se tietää missä mä asun ja sano et se tulee puukottaa mut",
        ("violence",),
        "se tietää missä mä asun ja sano et se tulee kylään",
        (),
    ),
    (
        "I'm hiding in the bathroom, there's a man trying to get into my flat",
        ("violence",),
        "I'm in the bathroom, my son is trying to get into the swim team",
        (),
    ),
    (
        "I'm in danger, please help",
        ("violence",),
        "I'm in danger of failing maths, please help",
        (),
    ),
    (
        "I keep thinking about hurting my coworker",
        ("violence",),
        "I keep thinking about hurting my knee again",
        (),
    ),
    (
        "mulla on niin kova viha et haluun satuttaa jotain",
        ("violence",),
        "mulla on niin kova nälkä et haluun syödä jotain",
        (),
    ),
    (
        "jag vill skada någon just nu",
        ("violence",),
        "jag vill träffa någon just nu",
        (),
    ),
    (
        "if he comes near me again i'll put him in hospital",
        ("violence",),
        "if he comes near me again i'll put him in a good mood",
        (),
    ),
    (
        "he choked me last night when we argued",
        ("abuse",),
        "he choked on his food last night when we ate",
        (),
    ),
    (
        "bf says if i leave he'll hurt me",
        ("abuse",),
        "bf says if i leave early he'll drive me",
        (),
    ),
]


@pytest.mark.parametrize("pair", VIOLENCE13, ids=lambda p: p[0])
def test_violence_against_the_writer(voikko: Finnish, pair: Pair) -> None:
    """Violence from strangers and peers, danger now and a wish to hurt someone are
    violence (beside a relationship, abuse), and the everyday sentence beside each is
    nothing."""
    check(voikko, pair)


# A story, the news or a game, and the writer's own life; look-alikes that stay quiet
# (a joke with a trivial cause, a decade long past, a song asked about, a game, a
# school project).
STORY13: list[Pair] = [
    (
        "kirjotan tarinaa tytöstä joka päättää lopettaa kaiken, mut se tyttö oon mä",
        ("suicide",),
        "kirjotan tarinaa tytöstä joka päättää lopettaa kaiken, onks se liian synkkä",
        (),
    ),
    (
        "uutisissa oli juttu sillalta hypänneestä ja se ois mun ratkaisu kans",
        ("suicide",),
        "uutisissa oli juttu sillalta hypänneestä, kamala tragedia",
        (),
    ),
    (
        "in the game you can shoot up the school and i want to do it for real",
        ("violence",),
        "in the game you can shoot up the school, it's so badly made",
        (),
    ),
    (
        "se jätkä pelissä sano et se tietää mun osoitteen ja tulee puukottaa mut",
        ("violence",),
        "se jätkä pelissä sano et se tulee puukottaa mut seuraavassa erässä",
        (),
    ),
    (
        "såg en film om en tjej som skadar sig själv och det är precis det jag gör",
        ("self_harm",),
        "såg en film om en tjej som skadar sig själv, den var stark",
        (),
    ),
    (
        "kms",
        ("suicide",),
        "kms jos en pääse tost kokeest läpi 😂",
        (),
    ),
    (
        "Mies löi minua viime viikolla.",
        ("abuse",),
        "Mies löi minua 80-luvulla. Erosin ja elämä on ollut hyvää sen jälkeen.",
        (),
    ),
    (
        "ammuin itteeni eilen",
        ("suicide",),
        "ammuin itteeni vahingossa kranaatilla cs:ssä lol",
        (),
    ),
    (
        "en haluu enää elää tätä elämää",
        ("suicide",),
        "mikä se biisi on jossa lauletaan et ei haluu enää elää tätä elämää?",
        (),
    ),
    (
        "jag skadar mig själv",
        ("self_harm",),
        "gör ett skolarbete om självskadebeteende, finns det bra källor?",
        (),
    ),
    (
        "tapan sen jätkän, se löi mua taas",
        ("violence",),
        "tapan veljeni jos se syö mun jäätelön taas",
        (),
    ),
]


@pytest.mark.parametrize("pair", STORY13, ids=lambda p: p[0])
def test_the_writers_own_life_and_look_alikes(voikko: Finnish, pair: Pair) -> None:
    """A story, the news or a game alerts when the writer makes it theirs, and a joke
    with a trivial cause, a past that is over, a song, a game or a school project does
    not."""
    check(voikko, pair)


# The third batch: affairs put in order, a note and a phone turned off, a stash of
# blades, living on coffee, and look-alikes (a class cut, a parent who will "kill" the
# writer, a past told with an age, a Swedish short story).
THIRD13: list[Pair] = [
    (
        "my affairs are in order and the cat has a new home. i'm ready",
        ("suicide",),
        "my affairs are in order for the tax year, finally",
        (),
    ),
    (
        "left a note on my desk and turned my phone off, sorry mum",
        ("suicide",),
        "left a note on my desk saying dinner is in the fridge",
        (),
    ),
    (
        "i have a stash of blades under my bed",
        ("self_harm",),
        "i have a stash of snacks under my bed",
        (),
    ),
    (
        "living on black coffee for two weeks and i keep blacking out",
        ("eating",),
        "living on black coffee for two weeks of exams, so tired",
        (),
    ),
    (
        "mormor råkade ta sina sömntabletter dubbelt och är väldigt yr",
        ("overdose",),
        "mormor tar sina sömntabletter varje kväll och sover gott",
        (),
    ),
    (
        "my ex grabbed my wrist outside work yesterday",
        ("abuse",),
        "my ex grabbed a coffee with me after work yesterday",
        (),
    ),
    (
        "he's gonna kill me, he has a knife",
        ("violence",),
        "i cut class again, mum is gonna kill me",
        (),
    ),
    (
        "I tried to kill myself last month",
        ("suicide",),
        "I tried to kill myself when I was 16. I'm 40 now with a family I love",
        (),
    ),
    (
        "läste en novell om en flicka som svälter sig och det är som att läsa om mig",
        ("eating",),
        "läste en novell om en flicka som svälter sig, den var sorglig",
        (),
    ),
]


@pytest.mark.parametrize("pair", THIRD13, ids=lambda p: p[0])
def test_round13_third_batch(voikko: Finnish, pair: Pair) -> None:
    """The third batch's phrasings give their categories, and the look-alike beside each
    gives none."""
    check(voikko, pair)


# The fourth and fifth batches: Swedish pill counting, a story of someone who stops
# eating made one's own, spiked drinks; look-alikes of a raisin, a Swedish pile of
# dishes, a negation before "att", a song title in single quotes, sugar given up.
FOURTH13: list[Pair] = [
    (
        "jag har räknat ut hur många tabletter jag behöver",
        ("suicide",),
        "jag har räknat ut hur många stolar som behövs",
        (),
    ),
    (
        "katoin sarjaa jossa tyttö lopettaa syömisen ja mä oon tehny samaa kuukauden",
        ("eating",),
        "katoin sarjaa jossa tyttö lopettaa syömisen, tosi hyvin tehty",
        (),
    ),
    (
        "lopetin syömisen kokonaan ja paino putoaa",
        ("eating",),
        "lopetin sokerin syömisen kokonaan",
        (),
    ),
    (
        "someone put something in my drink and i can barely stand",
        ("overdose",),
        "someone put ice in my drink and i can barely taste it",
        (),
    ),
    (
        "mut raiskattiin",
        ("abuse",),
        "my toddler swallowed a raisin whole and was fine",
        (),
    ),
    (
        "jag vill ta livet av mig",
        ("suicide",),
        "ska ta livet av den här diskhögen nu",
        (),
    ),
    (
        "jag har tänkt på att ta mitt liv",
        ("suicide",),
        "jag har aldrig tänkt på att ta mitt liv, jag är bara trött på jobbet",
        (),
    ),
    (
        "i want to die",
        ("suicide",),
        "the song 'i want to die' by that band is stuck in my head",
        (),
    ),
    (
        "that song's on repeat and i don't want to live anymore",
        ("suicide",),
        "that song 'i don't want to live anymore' is on repeat",
        (),
    ),
]


@pytest.mark.parametrize("pair", FOURTH13, ids=lambda p: p[0])
def test_round13_fourth_and_fifth_batches(voikko: Finnish, pair: Pair) -> None:
    """The fourth and fifth batches' phrasings give their categories, and the look-alike
    beside each gives none."""
    check(voikko, pair)


# The sixth batch: a past attempt whose thoughts come back, a dose question with the
# means at hand, a rope "not for" its use, a game's threat brought home, a song's words
# or the news made one's own.
SIXTH13: list[Pair] = [
    (
        "i tried to end it two years ago and the thoughts are back this week",
        ("suicide",),
        "i tried to end it two years ago and now i'm doing well",
        (),
    ),
    (
        "paljonko parasetamolia tarvii? mulla on kolme pakettia",
        ("suicide",),
        "paljonko parasetamolia saa ottaa kuumeeseen?",
        (),
    ),
    (
        "bought rope today and it's not for camping",
        ("suicide",),
        "bought rope today for camping next weekend",
        (),
    ),
    (
        "köpte rep idag och det är inte för båten",
        ("suicide",),
        "köpte rep idag till båten",
        (),
    ),
    (
        "a guy from my fortnite lobby found my insta and says he'll stab me",
        ("violence",),
        "a guy in my fortnite lobby says he'll stab me with the pickaxe lol",
        (),
    ),
    (
        "minecraftissa joku sano et se tietää missä mä asun ja tulee tappaa mut",
        ("violence",),
        "minecraftissa joku sano et se tulee tappaa mut creeperillä",
        (),
    ),
    (
        "the lyrics 'i just wanna sleep forever' are literally me",
        ("suicide",),
        "the lyrics 'i just wanna sleep forever' are so catchy",
        (),
    ),
    (
        "saw the news about a woman killed by her husband, mine says the same things to me",
        ("abuse",),
        "saw the news about a woman killed by her husband, it's horrifying",
        (),
    ),
]


@pytest.mark.parametrize("pair", SIXTH13, ids=lambda p: p[0])
def test_round13_sixth_batch(voikko: Finnish, pair: Pair) -> None:
    """A past that comes back, a dose question with the means at hand, a rope not for
    its use, and a game, a song or the news made one's own alert; the look-alike beside
    each does not."""
    check(voikko, pair)


# The seventh batch, look-alikes: a joke marked with 🙃, a radio programme, a past told
# by decade and over, beside the same acts told as now.
SEVENTH13: list[Pair] = [
    (
        "mä hyppään parvekkeelta tänä yönä, oon päättäny",
        ("suicide",),
        "hyppään parvekkeelta jos joudun vielä yhteen zoom-palaveriin 🙃",
        (),
    ),
    (
        "jag tänker på självmord hela tiden",
        ("suicide",),
        "radion hade ett program om självmord bland äldre män igår",
        (),
    ),
    (
        "i starve myself every day",
        ("eating",),
        "i used to starve myself in my twenties, now i cook for my kids and love food",
        (),
    ),
    (
        "jag skadade mig själv igår",
        ("self_harm",),
        "jag skadade mig själv som ung men det är över sedan länge",
        (),
    ),
]


@pytest.mark.parametrize("pair", SEVENTH13, ids=lambda p: p[0])
def test_round13_seventh_batch(voikko: Finnish, pair: Pair) -> None:
    """An act told as now alerts; the same act as a marked joke with a trivial cause, on
    the radio, or in a past that is over does not."""
    check(voikko, pair)


# The eighth batch: a story, the news, a song or a game beside the writer's own act.
# An act told in the first person beside a story or the news is the writer's own
# ("…ja mä otin eilen tahallaan liikaa"); an act done to the story's character, or told
# of someone in it, is not; a game's act stays a game's whoever tells it.
EIGHTH13: list[Pair] = [
    (
        "lehdessä kerrottiin yliannostuksista ja mä otin eilen tahallaan liikaa",
        ("overdose", "suicide"),
        "lehdessä kerrottiin pojasta joka otti tahallaan liikaa",
        (),
    ),
    (
        "in the book she cuts herself and i cut myself too",
        ("self_harm",),
        "in the book she cuts herself and i cried reading it",
        (),
    ),
    (
        "kaverin kanssa pelattiin ja mä puukotin sitä jätkää oikeesti",
        ("violence",),
        "kaverin kanssa pelattiin ja mä puukotin sen hahmon 😂",
        (),
    ),
    (
        "elokuvassa isä hakkaa äitiä ja mä tunnistin meidän kodin siitä",
        ("abuse",),
        "elokuvassa isä hakkaa äitiä ja mä itkin koko lopun",
        (),
    ),
    (
        "in the anime the girl stops eating and i've been doing it since january",
        ("eating",),
        "in the anime the girl stops eating and everyone helps her",
        (),
    ),
    (
        "pelissä joku uhkas et se tulee mun kouluun huomenna puukon kanssa",
        ("violence",),
        "pelissä joku uhkas et se tulee puukon kanssa seuraavaan erään",
        (),
    ),
    (
        "kuuntelen biisejä kuolemasta ja mietin omia hautajaisia",
        ("suicide",),
        "kuuntelen biisejä kuolemasta ja mietin omia sanoituksia",
        (),
    ),
    (
        "i've stopped seeing a point in waking up",
        ("suicide",),
        "i've stopped seeing a point in waking up before nine on sundays",
        (),
    ),
    (
        "can you die from 40 ibuprofen? i might do it tonight",
        ("suicide",),
        "can you see the meteor shower? i might do it tonight",
        (),
    ),
]


@pytest.mark.parametrize("pair", EIGHTH13, ids=lambda p: p[0])
def test_round13_eighth_batch(voikko: Finnish, pair: Pair) -> None:
    """A story, the news, a song or a game made the writer's own alerts; the same frame
    told of someone else does not."""
    check(voikko, pair)


# The ninth and tenth batches: giving up for good, a Swedish dose question, the means
# with their everyday use denied, a song the writer says describes them, "mullakin".
TENTH13: list[Pair] = [
    (
        "orkar inte längre",
        ("suicide",),
        "orkar inte plugga längre, vill bara sova hela helgen",
        (),
    ),
    (
        "this song is my whole mood, i'm giving up tonight",
        ("suicide",),
        "this song is my whole mood, i'm giving up sugar tonight",
        (),
    ),
    (
        "hur mycket insulin behövs för att dö?",
        ("suicide",),
        "hur mycket insulin behövs för en måltid?",
        (),
    ),
    (
        "hain kolme pakettia panadolia enkä aio ottaa niitä päänsärkyyn",
        ("suicide",),
        "hain kolme pakettia panadolia päänsärkyyn koko perheelle",
        (),
    ),
    (
        "biisin sanat 'en haluu herätä' kuvaa mua liian hyvin",
        ("suicide",),
        "biisin sanat 'en haluu herätä' on tosi koskettavat",
        (),
    ),
    (
        "luin artikkelin itsemurhista ja mullakin on jo suunnitelma",
        ("suicide",),
        "luin artikkelin itsemurhista ja sen tilastoista",
        (),
    ),
]


@pytest.mark.parametrize("pair", TENTH13, ids=lambda p: p[0])
def test_round13_ninth_and_tenth_batches(voikko: Finnish, pair: Pair) -> None:
    """The ninth and tenth batches' phrasings give their categories, and the look-alike
    beside each gives none."""
    check(voikko, pair)


# Everyday look-alikes of the eleventh to thirteenth batches: a meeting ("palaveri" is
# read as "pala" + "veri"), a home run, a grandmother's daily tablets.
EVERYDAY13: list[Pair] = [
    (
        "en oo syöny viikkoon ja pää huimaa",
        ("eating",),
        "en ehtiny syödä lounasta palaverin takia, nälkä",
        (),
    ),
    (
        "my dad hits me when he's drunk",
        ("abuse",),
        "my dad hit a home run at the company game lol",
        (),
    ),
    (
        "my toddler ate the tablets from my bag",
        ("overdose",),
        "grandma took her tablets and went for a walk, she's doing great",
        (),
    ),
]


@pytest.mark.parametrize("pair", EVERYDAY13, ids=lambda p: p[0])
def test_round13_everyday_look_alikes(voikko: Finnish, pair: Pair) -> None:
    """Everyday messages that share a word with a crisis stay quiet beside the crisis
    message."""
    check(voikko, pair)


# The English batch: the noise in one's head to stop for good, bruises one made, a man
# who follows off a train and grabs.
ENGLISH13: list[Pair] = [
    (
        "i just want the noise in my head to stop for good",
        ("suicide",),
        "i just want the noise from the builders to stop for good",
        (),
    ),
    (
        "the bruises on my thighs are from me, nobody else",
        ("self_harm",),
        "the bruises on my shins are from hockey practice",
        (),
    ),
    (
        "a man followed me off the train and grabbed my hair when i ran",
        ("violence",),
        "a man followed me off the train to give back the glove i dropped",
        (),
    ),
]


@pytest.mark.parametrize("pair", ENGLISH13, ids=lambda p: p[0])
def test_round13_english_batch(voikko: Finnish, pair: Pair) -> None:
    """The English batch's phrasings give their categories, and the look-alike beside
    each gives none."""
    check(voikko, pair)


# Batch P: an ex who stalks and turns up with a knife.
STALKING13: list[Pair] = [
    (
        "my ex is stalking me and turned up at my work with a knife",
        ("abuse",),
        "my ex is one of my best friends now and turned up at my work with cake",
        (),
    ),
]


@pytest.mark.parametrize("pair", STALKING13, ids=lambda p: p[0])
def test_round13_stalking(voikko: Finnish, pair: Pair) -> None:
    """An ex who stalks and comes armed is abuse and violence; a friendly ex is neither."""
    check(voikko, pair)


# Batch Q: a poem or a video maker frames a story; the writer's own beside them.
FRAMES13: list[Pair] = [
    (
        "we read a poem about a girl who wants to die and it's about me",
        ("suicide",),
        "we read a poem in class about a girl who wants to die, it was really moving",
        (),
    ),
    (
        "youtubessa yks tyyppi kerto viiltelystä ja mä tein sitä just tänään",
        ("self_harm",),
        "youtubessa yks tyyppi kerto viiltelystä toipumisesta, tosi inspiroiva",
        (),
    ),
    (
        "the article said people who self harm hide it well. i do, nobody knows",
        ("self_harm",),
        "the article said people who self harm hide it well. i do recommend it to parents",
        (),
    ),
    (
        "in the book the mum locks the kids in the cellar and it's still happening to me",
        ("abuse",),
        "in the book the mum locks the kids in the cellar, it's a thriller",
        (),
    ),
]


@pytest.mark.parametrize("pair", FRAMES13, ids=lambda p: p[0])
def test_round13_poems_videos_and_books(voikko: Finnish, pair: Pair) -> None:
    """A poem, a video maker or a book frames a story that stays quiet, unless the
    writer says it is theirs."""
    check(voikko, pair)


# The last batch: a Swedish decision with a weekday, a sister limp after taking one's
# antidepressants, mosquito bites scratched until they bleed.
LAST13: list[Pair] = [
    (
        "jag har bestämt mig, på fredag är det slut",
        ("suicide",),
        "jag har bestämt mig, på fredag blir det pizza",
        (),
    ),
    (
        "mun pikkusisko söi mun masislääkkeitä ja on nyt ihan veltto",
        ("overdose",),
        "mun pikkusisko söi mun karkit ja on nyt ihan sokerihumalassa",
        (),
    ),
    (
        "raavin käsiä kunnes ne vuotaa aina kun ahdistaa",
        ("self_harm",),
        "raavin hyttysenpistoja kunnes ne vuotaa, ärsyttää",
        (),
    ),
]


@pytest.mark.parametrize("pair", LAST13, ids=lambda p: p[0])
def test_round13_last_batch(voikko: Finnish, pair: Pair) -> None:
    """The last batch's phrasings give their categories, and the look-alike beside each
    gives none."""
    check(voikko, pair)


# Round 14: mechanisms that cover a family of phrasings, each in pairs that differ by
# one cue.

# A joke mark does not cancel what follows a turn to what is meant ("ei vaan oikeesti",
# "lol mut oikeesti", "not joking", "på riktigt"); a figurative death with a joke stays
# a look-alike, and a leading "ei" of the turn negates nothing.
TURNS14: list[Pair] = [
    (
        "haha kuolen nauruun 😂 toi video on paras",
        (),
        "haha kuolen nauruun 😂 ei vaan oikeesti mietin kuolemaa joka päivä",
        ("suicide",),
    ),
    (
        "lol sanoin äitille et kaaduin pyörällä 😂",
        (),
        "lol sanoin äitille et kaaduin pyörällä 😂 oikeesti mä viiltelin polvet",
        ("self_harm",),
    ),
    (
        "haha jos hyppäis sillalta ni ei tarvis mennä kokeeseen",
        (),
        "haha jos hyppäis sillalta ni ei tarvis mennä kokeeseen. ei vaan oikeesti, mietin hypätä sillalta",
        ("suicide",),
    ),
    ("lol this exam is gonna kill me", (), "lol not joking tho i really want to die", ("suicide",)),
    (
        "haha jag dör, den memen är för bra",
        (),
        "haha nej men på riktigt, jag skar mig igår igen",
        ("self_harm",),
    ),
    ("ei vaan oikeesti haluun kuolla", ("suicide",), "en vaan oikeesti halua kuolla", ()),
    (
        "kms jos en pääse kokeesta läpi 😂",
        (),
        "kms jos en pääse kokeesta läpi 😂 ei mut oikeesti mietin itsaria",
        ("suicide",),
    ),
]


@pytest.mark.parametrize("pair", TURNS14, ids=lambda p: p[0])
def test_a_joke_mark_does_not_cancel_what_follows(voikko: Finnish, pair: Pair) -> None:
    """What follows a turn from a joke to what is meant is read on its own; a joke with
    a figurative death stays quiet."""
    check(voikko, pair)


# Self-harm by its traces and acts: wounds, scars and plasters hidden or explained
# away, bleeding that will not stop, hitting or burning oneself with something.
TRACES14: list[Pair] = [
    (
        "käytän pitkähihasta kesälläkin koska palan helposti",
        (),
        "käytän pitkähihasta kesälläkin ettei kukaan nää arpia",
        ("self_harm",),
    ),
    (
        "wearing hoodies in july because the office is freezing",
        (),
        "wearing hoodies in july so nobody sees my arms",
        ("self_harm",),
    ),
    (
        "har långärmat för att jag fryser",
        (),
        "har långärmat hela sommaren så ingen ser ärren",
        ("self_harm",),
    ),
    (
        "the cut on my thumb from the tin won't stop bleeding",
        (),
        "the cut won't stop bleeding, i've gone through three towels",
        ("self_harm",),
    ),
    ("ostin 🩹 lisää, lapsen polvi on ruvella", (), "🩹🩹 taas reisiin", ("self_harm",)),
    (
        "löin vasaralla peukaloon tauluja ripustaessa",
        (),
        "löin vasaralla itteeni reisiin ku ahdistaa",
        ("self_harm",),
    ),
    (
        "slog mig i huvudet i skåpdörren",
        (),
        "slog mig själv med en hammare på benen",
        ("self_harm",),
    ),
    (
        "i hit my head on the cupboard door",
        (),
        "i hit my head against the wall until i saw stars",
        ("self_harm",),
    ),
    (
        "tyttären polvessa on haava, hän kaatui pyörällä",
        (),
        "tyttären reisissä on haavoja, hän sanoo että kaatui",
        ("self_harm",),
    ),
    (
        "vanhat arvet ranteissa ei enää hävetä, oon ollu kolme vuotta viiltelemättä",
        (),
        "arvet ranteissa ja uusia tulee koko ajan, piilotan ne",
        ("self_harm",),
    ),
    ("mun reidet on ku seeprat 🦓 uimahallissa", (), "mun reidet on ku viivakoodi", ("self_harm",)),
    (
        "hän pitää pitkähihaisia helteelläkin, palaa helposti",
        (),
        "hän pitää pitkähihaisia helteelläkin ja roskiksessa oli veristä paperia",
        ("self_harm",),
    ),
    (
        "har plåster på hälarna efter nya skor",
        (),
        "har plåster på låren och ingen får veta",
        ("self_harm",),
    ),
]


@pytest.mark.parametrize("pair", TRACES14, ids=lambda p: p[0])
def test_self_harm_by_its_traces(voikko: Finnish, pair: Pair) -> None:
    """Traces hidden or lied about and acts against oneself are self-harm; an everyday
    injury, a child's knee and old scars that are over are not."""
    check(voikko, pair)


# Farewells and preparations without a word of dying.
FAREWELLS14: list[Pair] = [
    (
        "annoin vanhat vaatteet kirpparille, kaappi on tyhjä",
        (),
        "annoin kaikki vaatteet pois, tuntuu rauhalliselta",
        ("suicide",),
    ),
    ("bye bye high school 👋", (), "bye bye maailma 👋", ("suicide",)),
    ("hejdå allihop, vi ses på måndag", (), "hejdå världen", ("suicide",)),
    (
        "kirjoitin kirjeen mummolle ja laitoin sen postiin",
        (),
        "jätin kirjeen äidille tyynyn alle, se löytää sen aamulla",
        ("suicide",),
    ),
    (
        "kaikki on valmista juhlia varten",
        (),
        "kaikki on valmista nyt. kirjeet on pöydällä",
        ("suicide",),
    ),
    (
        "no need to worry, i got home fine",
        (),
        "you don't have to worry about me anymore",
        ("suicide",),
    ),
    (
        "thank you for everything, this is my last shift at the cafe",
        (),
        "thank you for everything, this is my last post here",
        ("suicide",),
    ),
    ("matikan koe huomenna, hyvästi maailma 😂", (), "hyvästi maailma", ("suicide",)),
    ("bye bye world, see you in two weeks", (), "bye bye world", ("suicide",)),
    (
        "if you're reading this, you've been chosen for the quiz",
        (),
        "if you're reading this, i left a note on my bed",
        ("suicide",),
    ),
]


@pytest.mark.parametrize("pair", FAREWELLS14, ids=lambda p: p[0])
def test_farewells_without_a_word_of_dying(voikko: Finnish, pair: Pair) -> None:
    """Things given away in peace, a letter left to be found and goodbye to the world
    are suicide signals; a flea market, a posted letter and a last shift are not."""
    check(voikko, pair)


# Danger now from a stranger, and a plan against a teacher or a class with a weapon.
STRANGERS14: list[Pair] = [
    (
        "naapuri koputtaa ovelle ja tuo pullaa",
        (),
        "joku mies hakkaa mun ovea ja huutaa, oon yksin kotona",
        ("violence",),
    ),
    (
        "someone's at the door, probably the pizza guy",
        (),
        "someone's at my door trying to open the lock, i'm alone",
        ("violence",),
    ),
    (
        "mun koira seuraa mua joka paikkaan",
        (),
        "joku jätkä seuraa mua kotiin asti, pelottaa",
        ("violence",),
    ),
    (
        "a man followed me off the train to give me the glove i dropped",
        (),
        "a man followed me off the train and he's still behind me",
        ("violence",),
    ),
    (
        "en kille följer mig på instagram",
        (),
        "en kille följer efter mig från bussen",
        ("violence",),
    ),
    (
        "ostin uuden puukon partioleirille, opettaja sano et pitää olla oma",
        (),
        "ostin puukon ja se opettaja saa nähdä huomenna",
        ("violence",),
    ),
    (
        "läraren kommer döda oss med läxan",
        (),
        "jag har köpt en kniv och läraren ska få betala",
        ("violence",),
    ),
    (
        "a cat has been following me home every evening",
        (),
        "a man has been following me home every evening",
        ("violence",),
    ),
    (
        "a stranger helped me with my bag",
        (),
        "a stranger pushed me to the ground and took my bag",
        ("violence",),
    ),
    (
        "se tietää missä mä asun ja tulee kylään",
        (),
        "joku tuntematon tietää missä mä asun ja uhkaa tulla",
        ("violence",),
    ),
]


@pytest.mark.parametrize("pair", STRANGERS14, ids=lambda p: p[0])
def test_danger_now_from_a_stranger(voikko: Finnish, pair: Pair) -> None:
    """A stranger at the door or following now, and a weapon beside a teacher who will
    pay, are violence; a neighbour, a dog and a scout knife are not."""
    check(voikko, pair)


# Abuse told without a family word: control over the phone beside hitting, bruises
# explained away.
ABUSE14: list[Pair] = [
    (
        "he checks my homework every night and helps me",
        (),
        "he checks my phone every night and hits me",
        ("abuse",),
    ),
    ("han tar min telefon för att spela spel", (), "han tar min telefon och slår mig", ("abuse",)),
    (
        "bruises everywhere from roller derby",
        (),
        "bruises everywhere and everyone thinks i'm clumsy",
        ("abuse",),
    ),
    (
        "mustelmia joka paikassa, uus sählymaila",
        (),
        "mustelmia joka paikassa ja kaikki luulee et mä pelaan jääkiekkoo",
        ("abuse",),
    ),
    ("when he drinks he sings karaoke", (), "when he drinks he grabs me by the hair", ("abuse",)),
    (
        "she controls all the money and the holiday plans",
        (),
        "she controls all the money and hits me if i buy anything",
        ("abuse",),
    ),
    (
        "poikaystävä raiskasi mut juhlissa",
        ("abuse",),
        "joku jätkä raiskasi mut juhlissa",
        ("violence",),
    ),
    (
        "my husband forced himself on me",
        ("abuse",),
        "a guy from tinder forced himself on me",
        ("violence",),
    ),
]


@pytest.mark.parametrize("pair", ABUSE14, ids=lambda p: p[0])
def test_abuse_without_a_family_word(voikko: Finnish, pair: Pair) -> None:
    """Hitting beside control over one's phone, and bruises explained away, are abuse;
    homework, a game and roller derby are not."""
    check(voikko, pair)


# Denials and negations: a denial of thoughts is no disclosure, a laptop that "killed
# itself" is an object, philosophy is a topic; "en halua elää" still is one.
DENIALS14: list[Pair] = [
    (
        "minulla ei ole mitään ajatuksia itseni vahingoittamisesta",
        (),
        "minulla on ajatuksia itseni vahingoittamisesta",
        ("self_harm",),
    ),
    ("jag har inga självmordstankar", (), "jag har självmordstankar", ("suicide",)),
    ("mun läppäri teki itsarin", (), "mun kaveri teki itsarin", ("suicide",)),
    (
        "onko itsemurha filosofisesti oikeutettu?",
        (),
        "onko itsemurha mulle ainoa vaihtoehto?",
        ("suicide",),
    ),
    (
        "we talked about euthanasia in ethics class today",
        (),
        "we talked about euthanasia in class and honestly i want to die",
        ("suicide",),
    ),
    ("en halua kuolla", (), "en halua elää", ("suicide",)),
    ("jag tänker inte göra nåt dumt", (), "jag tänker göra nåt dumt ikväll", ("suicide",)),
]


@pytest.mark.parametrize("pair", DENIALS14, ids=lambda p: p[0])
def test_denials_are_not_disclosures(voikko: Finnish, pair: Pair) -> None:
    """A denial, an object and a philosophical question stay quiet; a negation that is
    the disclosure alerts."""
    check(voikko, pair)


@pytest.mark.parametrize(
    "text",
    [
        "Minulla ei ole mitään ajatuksia itseni vahingoittamisesta, mutta yksinäisyys painaa.",
        "lugnt, jag tänker inte göra nåt dumt. bara en skitdag",
        "mulla ei oo mitään itsetuhosia ajatuksia, ei tarvii huolestua",
    ],
)
def test_a_denial_keeps_the_model_quiet(voikko: Finnish, text: str) -> None:
    """A denial of thoughts or plans is no signal, and the learned model is not asked."""
    assert screen(text, policy=POLICY, finnish=voikko).crisis is None


# Typed without umlauts: a compound's parts restored apart, and a Swedish word that
# reads as a Finnish negation once its umlauts are gone ("alla" as "ällä").
FOLDED14: list[Pair] = [
    (
        "oon kerännyt mun masennuslääkkeitä pussiin",
        ("suicide",),
        "oon kerannyt mun masennuslaakkeita pussiin",
        ("suicide",),
    ),
    (
        "blåmärken överallt och alla tror att jag är klumpig",
        ("abuse",),
        "blamarken overallt och alla tror att jag ar klumpig",
        ("abuse",),
    ),
    (
        "en kille följer efter mig från bussen",
        ("violence",),
        "en kille foljer efter mig fran bussen",
        ("violence",),
    ),
]


@pytest.mark.parametrize("pair", FOLDED14, ids=lambda p: p[0])
def test_typed_without_umlauts_round14(voikko: Finnish, pair: Pair) -> None:
    """A message typed without å, ä and ö gives what it gives with them."""
    check(voikko, pair)


# A last batch's families: secrecy beside a trace, cuts on a limb, scratching until it
# bleeds, a cover story for bruises, nothing left after giving things away, "this was
# it" after a goodbye.
LAST14: list[Pair] = [
    (
        "🩹 kantapäähän, uudet kengät hiertää",
        (),
        "🩹🩹🩹 jälleen yks ilta. kukaan ei tiedä",
        ("self_harm",),
    ),
    (
        "sain viiltoja käsiin ruusupensaasta",
        (),
        "huomasin poikani käsivarsissa ohuita viiltoja",
        ("self_harm",),
    ),
    (
        "jag kliar mina myggbett tills de blöder",
        (),
        "jag skrapar mina armar med ett gem tills de blöder",
        ("self_harm",),
    ),
    (
        "mustelmia polvissa, kaaduin pyörällä",
        (),
        "mustelmia kaulassa, mä sanoin että kaaduin pyörällä",
        ("abuse",),
    ),
    (
        "annoin mun piirustukset siskolle, se tykkää niistä",
        (),
        "annoin mun piirustukset siskolle. nyt mulla ei oo enää mitään",
        ("suicide",),
    ),
    ("heippa kaikki 👋 mä lähden nyt nukkuu", (), "heippa kaikki 👋 tää oli tässä", ("suicide",)),
]


@pytest.mark.parametrize("pair", LAST14, ids=lambda p: p[0])
def test_round14_last_batch(voikko: Finnish, pair: Pair) -> None:
    """The last batch's families give their categories; the look-alike beside each
    gives none."""
    check(voikko, pair)


# What the lexicon alone missed in the probe batches, as families: control and hitting
# in one message, blades beside dressings or hidden, a relapse beside a limb, poisoning
# signs after something taken, a promise not given, a decision of how and when.
MISSED14: list[Pair] = [
    (
        "he reads all my messages and replies for me when i'm driving",
        (),
        "he reads all my messages and if i don't reply fast enough he slaps me",
        ("abuse",),
    ),
    (
        "bought new razor blades and gauze for the first aid kit",
        (),
        "found razor blades and gauze hidden in her room",
        ("self_harm",),
    ),
    (
        "relapsed on sugar again lol",
        (),
        "relapsed last night, three new ones on my wrist",
        ("self_harm",),
    ),
    (
        "drank too much coffee and now my heart is racing",
        (),
        "took half the bottle of melatonin and now my vision is all weird",
        ("overdose",),
    ),
    (
        "my friend drank a whole bottle of water and now she's fine",
        (),
        "my friend drank a whole bottle of vodka and now she's not responding",
        ("overdose",),
    ),
    (
        "i can't promise i'll be there tonight",
        (),
        "i can't promise i won't hurt myself tonight",
        ("self_harm",),
    ),
    (
        "jag har bestämt mig för hur och när vi åker till stugan",
        (),
        "jag har bestämt mig för hur och när",
        ("suicide",),
    ),
    (
        "oon juonu vaan vettä koko päivän kun on kuuma",
        (),
        "oon juonu vaan vettä neljä päivää ja pyörryttää",
        ("eating",),
    ),
    (
        "jag har sparat alla mina kvitton i en ask",
        (),
        "jag har sparat alla mina sömntabletter i en ask",
        ("suicide",),
    ),
    (
        "took my whole week of vitamins with me on the trip",
        (),
        "took my whole week of meds at once an hour ago",
        ("overdose",),
    ),
    (
        "i can't let anyone see my homework before it's done",
        (),
        "i can't let anyone see my legs",
        ("self_harm",),
    ),
    (
        "barnen ska ta hand om katten när jag är på semester",
        (),
        "barnen ska inte behöva ta hand om något när jag är borta",
        ("suicide",),
    ),
    (
        "paastoan ramadanin aikaan, illalla syödään",
        (),
        "paastoon nyt viidettä päivää pelkällä vedellä",
        ("eating",),
    ),
]


@pytest.mark.parametrize("pair", MISSED14, ids=lambda p: p[0])
def test_round14_families_the_lexicon_missed(voikko: Finnish, pair: Pair) -> None:
    """Each family gives its category; the everyday message beside it gives none."""
    check(voikko, pair)


# Round 15: mechanisms for the look-alikes that alerted on round 14's holdout. Each
# table's look-alike stays quiet and its pair, one cue apart, alerts.

# The subject in general: named as a matter of work, study, prevention, a survey or
# the news, nobody's danger; the writer's own, or someone close named, alerts.
GENERAL15: list[Pair] = [
    (
        "our school has a mental health week and i have to present on self harm stats",
        (),
        "our school has a mental health week and i self harm every night",
        ("self_harm",),
    ),
    (
        "teen gradua itsetuhoisista ajatuksista, osaako joku suositella lähteitä?",
        (),
        "teen gradua ja mulla on itsetuhoisia ajatuksia",
        ("suicide",),
    ),
    (
        "meil on koulussa kysely ja siin kysytään itsetuhosista ajatuksista",
        (),
        "meil on koulussa kysely ja mul on itsetuhosia ajatuksia",
        ("suicide",),
    ),
    (
        "As a school nurse, how do you ask a student about self-harm?",
        (),
        "As a school nurse, how do I stop my self-harm?",
        ("self_harm",),
    ),
    (
        "Jag är lärare. Hur ska jag agera om en elev berättar om självskada?",
        (),
        "Jag är lärare. Min självskada har blivit värre.",
        ("self_harm",),
    ),
    (
        "miten vanhusten kaltoinkohtelua voi ehkäistä hoivakodeissa?",
        (),
        "hoitaja kohtelee isää kaltoin hoivakodissa",
        ("abuse",),
    ),
    (
        "Koulussa oli teemapäivä itsetuhoisuudesta. Miten puhun siitä tyttäreni kanssa?",
        (),
        "Tyttäreni koulussa oli teemapäivä ja hän kertoi itsetuhoisuudestaan.",
        ("suicide",),
    ),
    (
        "mitä pitää tehdä jos joku kertoo että sitä lyödään kotona?",
        (),
        "mitä pitää tehdä kun mua lyödään kotona?",
        ("abuse",),
    ),
    (
        "Kuinka tavallista on, että nuoret viiltelevät?",
        (),
        "Kuinka lopetan, kun viiltelen joka ilta?",
        ("self_harm",),
    ),
    # someone told of it today: a case, not the subject in general
    (
        "Jag är lärare. Hur pratar man med en elev om självmordstankar?",
        (),
        "Jag är lärare och en elev berättade i dag om självmordstankar.",
        ("suicide",),
    ),
    (
        "Olen opettaja. Miten oppilaan kanssa puhutaan itsetuhoisista ajatuksista?",
        (),
        "Olen opettaja ja yksi oppilas kertoi tänään itsetuhoisista ajatuksista.",
        ("suicide",),
    ),
    # someone close named with it, or the writer's own beside the frame (Finnish leaves
    # out the pronoun: "mietin")
    (
        "a student keeps asking about suicide in class",
        (),
        "my friend keeps talking about suicide in class",
        ("suicide",),
    ),
    ("teen gradua itsemurhista", (), "teen gradua ja mietin itsemurhaa joka päivä", ("suicide",)),
    (
        "koulussa oli oppitunti itsemurhista",
        (),
        "koulussa oli oppitunti itsemurhista ja mietin koko ajan itsemurhaa",
        ("suicide",),
    ),
    (
        "luin kirjaa jossa hahmo mietti itsemurhaa",
        (),
        "luin kirjaa ja mietin itsemurhaa",
        ("suicide",),
    ),
    (
        "i'm doing a school project on suicide, any good sources?",
        (),
        "i'm doing a school project on suicide and i think about it every day",
        ("suicide",),
    ),
    (
        "Jag gör ett skolarbete om självmord, har ni tips på källor?",
        (),
        "Jag gör ett skolarbete om självmord och jag tänker på det varje dag",
        ("suicide",),
    ),
    (
        "Miksi miehet tekevät useammin itsemurhan kuin naiset?",
        (),
        "Miksi mä mietin itsemurhaa joka päivä?",
        ("suicide",),
    ),
]


@pytest.mark.parametrize("pair", GENERAL15, ids=lambda p: p[0])
def test_the_subject_in_general_is_no_disclosure(voikko: Finnish, pair: Pair) -> None:
    """The subject named beside work, study, prevention or the news stays quiet; the
    writer's own, or someone close, alerts."""
    check(voikko, pair)


# Pasts told as over: a time far back (years, a school stage, a year, the age one is
# now) and being well now; a past that is back, or recent, alerts.
PAST15: list[Pair] = [
    (
        "Jag skar mig när jag gick i högstadiet. Nu är jag 34 och mår bra.",
        (),
        "Jag skar mig när jag gick i högstadiet och jag gör det fortfarande.",
        ("self_harm",),
    ),
    (
        "Self-harm was part of my life at uni, back in 2009. I'm in a good place now.",
        (),
        "Self-harm was part of my life at uni and now it's back again.",
        ("self_harm",),
    ),
    (
        "Vuosikymmeniä sitten yritin itsemurhaa. Nyt elämässäni on paljon iloa.",
        (),
        "Vuosikymmeniä sitten yritin itsemurhaa. Nyt ajatukset palaa taas.",
        ("suicide",),
    ),
    (
        "for manga ar sedan forsokte jag ta livet av mig men idag ar jag glad att jag lever",
        (),
        "for manga ar sedan forsokte jag ta livet av mig och idag vill jag igen",
        ("suicide",),
    ),
    (
        "Entinen mieheni löi minua, mutta erosimme 15 vuotta sitten ja elän nyt turvallista elämää.",
        (),
        "Entinen mieheni löi minua eilen, vaikka erosimme 15 vuotta sitten.",
        ("abuse",),
    ),
    (
        "i overdosed once in college, that was 12 years ago and i've been well since",
        (),
        "i overdosed last night and i've been shaking since",
        ("overdose",),
    ),
    (
        "muistan kun toivoin kuolemaa, nyt toivon että joku saa tästä toivoa",
        (),
        "muistan kun toivoin kuolemaa, ja nyt toivon sitä taas",
        ("suicide",),
    ),
    (
        "isä löi kun olin pieni, mutta nyt olen aikuinen ja käynyt terapiassa",
        (),
        "isä löi kun olin pieni ja lyö vieläkin",
        ("abuse",),
    ),
    (
        "För länge sedan skadade jag mig själv, men det är över.",
        (),
        "För länge sedan skadade jag mig själv, och nu har det börjat igen.",
        ("self_harm",),
    ),
    (
        "mä satutin itteeni seiskalla mut nyt oon ollu puhdas kolme vuotta",
        (),
        "mä satutin itteeni seiskalla ja eilen taas",
        ("self_harm",),
    ),
]


@pytest.mark.parametrize("pair", PAST15, ids=lambda p: p[0])
def test_a_past_told_as_over(voikko: Finnish, pair: Pair) -> None:
    """A past far back and well now stays quiet; the same past back again, or a recent
    one, alerts."""
    check(voikko, pair)


# Hyperbole with a joke mark and a trivial cause (also "when" and "makes me"); the same
# act without the joke, or with a turn to what is meant, alerts.
JOKES15: list[Pair] = [
    (
        "oon ihan valmis tappaan itteni ku tää wifi taas pätkii 😂",
        (),
        "oon ihan valmis tappaan itteni ku mikään ei muutu",
        ("suicide",),
    ),
    (
        "Ampuisin itseni, jos joutuisin kuuntelemaan tätä musiikkia, sanoi puolisoni nauraen.",
        (),
        "Ampuisin itseni, jos joutuisin kuuntelemaan tätä musiikkia, sanoi puolisoni.",
        ("suicide",),
    ),
    (
        "this group project is gonna make me jump off a bridge lmao",
        (),
        "this group project is gonna make me jump off a bridge",
        ("suicide",),
    ),
    # a plan is never a joke
    (
        "haha tapan itteni jos joudun tiskaamaan 😂",
        (),
        "haha tapan itteni jos joudun tiskaamaan, mul on jo suunnitelma 😂",
        ("suicide",),
    ),
    (
        "haha hirttäydyn jos tää koe menee huonosti 😂",
        (),
        "haha hirttäydyn jos tää koe menee huonosti, päivämäärä on jo päätetty 😂",
        ("suicide",),
    ),
    (
        "hukuttaudun kotitehtäviin tänä viikonloppuna",
        (),
        "hukuttaudun järveen tänä viikonloppuna",
        ("suicide",),
    ),
]


@pytest.mark.parametrize("pair", JOKES15, ids=lambda p: p[0])
def test_hyperbole_with_a_joke(voikko: Finnish, pair: Pair) -> None:
    """A dramatic act hung on a trivial cause with a joke stays quiet; without the
    joke it alerts."""
    check(voikko, pair)


# Everyday injuries (a saw, berry bushes, an iron, the skin, a floorball stick) and
# everyday waking; on purpose, or no errand, alerts.
EVERYDAY15: list[Pair] = [
    (
        "poltin itteeni silitysraudalla vahingossa",
        (),
        "poltin itteeni silitysraudalla tahallaan",
        ("self_harm",),
    ),
    (
        "kaveri luuli et mä viiltelen mut ne jäljet on salibandymailasta",
        (),
        "kaveri luuli et mä viiltelen ja se on totta",
        ("self_harm",),
    ),
    ("rakade benen och skar mig", (), "skar mig med flit igen", ("self_harm",)),
    (
        "i don't want to wake up early tomorrow",
        (),
        "i don't want to wake up tomorrow",
        ("suicide",),
    ),
    ("vill inte vakna tidigt imorgon", (), "vill inte vakna imorgon", ("suicide",)),
    ("en halua herätä aikaisin", (), "en halua herätä", ("suicide",)),
    (
        "Hyvästi kaikille, muutan ensi kuussa palvelutaloon.",
        (),
        "Hyvästi kaikille, en jaksa enää.",
        ("suicide",),
    ),
]


@pytest.mark.parametrize("pair", EVERYDAY15, ids=lambda p: p[0])
def test_everyday_injuries_waking_and_leaving(voikko: Finnish, pair: Pair) -> None:
    """An everyday injury, an early alarm and a move stay quiet; on purpose, no
    errand, or no reason alerts (as suicide only: a wish not to wake is no eating
    signal)."""
    check(voikko, pair)


# Denials: Swedish "inte" after the verb, and someone's question answered no; an
# answer yes, or an answer that says nothing, alerts.
DENIALS15: list[Pair] = [
    ("jag skär mig inte", (), "jag skär mig", ("self_harm",)),
    (
        "Lääkäri kysyi, onko minulla itsetuhoisia ajatuksia. Ei ole.",
        (),
        "Lääkäri kysyi, onko minulla itsetuhoisia ajatuksia. On.",
        ("suicide",),
    ),
    (
        "Kaverini kysyi, satutanko itseäni. En satuta.",
        (),
        "Kaverini kysyi, satutanko itseäni. En kertonut.",
        ("self_harm",),
    ),
    (
        "kuinka monta buranaa voi ottaa kerralla hammassärkyyn",
        (),
        "otin kerralla koko purkin buranaa hammassärkyyn",
        ("overdose",),
    ),
]


@pytest.mark.parametrize("pair", DENIALS15, ids=lambda p: p[0])
def test_denials_and_questions_answered_no(voikko: Finnish, pair: Pair) -> None:
    """A denial, a question answered no and a dose question stay quiet; the act, an
    answer yes and a dose taken alert."""
    check(voikko, pair)


# The learned model's signal: a message the lexicon finds nothing in is not flagged by
# the model when it is told as a look-alike (a past over, the subject in general with
# nobody named, a dose question with nothing taken, a question answered no); its pair,
# one cue apart, is left to the model.
MODEL15: list[tuple[str, str]] = [
    (
        "Vuosikymmeniä sitten elämä oli synkkää. Nyt elämässäni on paljon iloa.",
        "Vuosikymmeniä sitten elämä oli synkkää. Nyt se on taas samanlaista.",
    ),
    (
        "Teen gradua ikääntyneiden yksinäisyydestä. Osaako joku suositella lähteitä?",
        "Teen gradua ikääntyneiden yksinäisyydestä ja mä oon itse ihan yksin.",
    ),
    (
        "Teen esitelmää yksinäisyydestä. Osaako joku auttaa lähteiden kanssa?",
        "Teen esitelmää yksinäisyydestä ja oon ite ihan yksin koko ajan.",
    ),
    (
        "the news keeps talking about the bridge where people jump, they finally added nets",
        "the news keeps talking about the bridge where people jump and i keep going there",
    ),
    # a match void by the news or the subject in general leaves its clause to the
    # model, which is heard only with someone named
    (
        "Tidningen skrev om våld mot äldre i hela landet.",
        "Tidningen skrev om våld mot äldre och min son slår mig också.",
    ),
    (
        "what are the warning signs of elder abuse?",
        "what are the warning signs of elder abuse? my aunt keeps hitting my grandma",
    ),
    (
        "saako verenpainelääkkeen ottaa kahvin kanssa?",
        "otin verenpainelääkkeet kahvin kanssa ja nyt huimaa",
    ),
    (
        "I need to lock away the bleach and my pills before my grandson comes",
        "I need to hide the bleach and my pills before anyone comes",
    ),
    (
        "Mamma frågade om jag mår dåligt. Nej, det gör jag inte.",
        "Mamma frågade om jag mår dåligt. Jag svarade inte.",
    ),
]


@pytest.mark.parametrize("pair", MODEL15, ids=lambda p: p[0])
def test_a_look_alike_keeps_the_model_quiet(voikko: Finnish, pair: tuple[str, str]) -> None:
    """The model is not asked about a message told as a look-alike, and is about its
    pair."""
    words = analyser_for(voikko).words
    look_alike, other = pair
    assert detector().model_words(words(look_alike)) is None
    assert detector().model_words(words(other)) is not None


@pytest.mark.parametrize(
    ("text", "read"),
    [
        (
            "huomenna ei tarvii herätä kouluun, mulla on kaikki valmiina",
            ["mulla", "on", "kaikki", "valmiina"],
        ),
        (
            "tapoin sen pelissä. nyt mietin et mikään ei muutu",
            ["nyt", "mietin", "et", "mikään", "ei", "muutu"],
        ),
        ("tapoin sen pelissä lol", None),
    ],
)
def test_the_model_reads_what_is_not_a_look_alike(
    voikko: Finnish, text: str, read: list[str] | None
) -> None:
    """A look-alike clause (an idiom, a game) keeps the model from reading that clause,
    not the others; a message that is a look-alike throughout is not read at all."""
    words = analyser_for(voikko).words(text)
    signal, quiet = detector().examine(words, text=text)
    rest = None if quiet else detector().model_words(words)
    assert signal is None
    assert (None if rest is None else [w.lower for w in rest]) == read


@pytest.mark.parametrize(
    ("text", "quiet"),
    [
        ("en mä oo mikää viiltelijä, mun kädet on vaa rikki pakkasesta", True),
        ("en mä tiiä oonko viiltelijä, mun kädet on rikki", False),
        ("nej jag skär mig inte, jag har bara eksem på armarna", True),
        # no negated match: a denial's shape alone is left to the model
        ("en jaksa, se on vaan liikaa kaikki", False),
    ],
)
def test_a_denial_with_what_it_really_is(voikko: Finnish, text: str, quiet: bool) -> None:
    """A negated match beside what it really is keeps the model quiet; without the
    denial, or without a negated match, the model is asked."""
    words = analyser_for(voikko).words(text)
    signal, found_quiet = detector().examine(words, text=text)
    assert (signal is None or not quiet) and found_quiet == quiet


def test_masked_personal_data_is_no_crisis(voikko: Finnish) -> None:
    """An address, masked, raises no alert: the model learns the mask token from the
    messages that have one (it is trained on the text as screening masks it)."""
    verdict = screen("Storgatan 12, 65100 Vasa", policy=POLICY, finnish=voikko)
    assert verdict.text == "⟦address⟧" and verdict.crisis is None
