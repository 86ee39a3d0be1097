"""A demo directory: about seventy services of the two demo organisations, three other
fictional ones and a few real national helplines, in twelve municipalities across twelve
wellbeing services counties, so a newcomer can try finding help and sending a referral.

The organisations and their services are fictional; their phone numbers are too, and
look it: ``09 0000`` then three digits (no Finnish subscriber number starts with 0).
The national helplines are real services with their real numbers (the crisis helpline,
Nollalinja, the children's and young people's helpline, the emergency number), named
after who runs them. Event series run from a few weeks before the seeding day, so the
demo looks the same whenever it starts. Idempotent: a service that exists is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from kuulolla.accounts.models import Organisation
from kuulolla.core.clock import HELSINKI
from kuulolla.core.db import Database
from kuulolla.directory import logic, opendata, regions, service
from kuulolla.directory.models import DirectoryService
from kuulolla.rooms import service as rooms

ORGANISATIONS = [
    ("mielen-tuki", "Mielen Tuki ry"),
    ("suru-ja-toivo", "Suru ja Toivo ry"),
    ("auttavat-puhelimet", "Valtakunnalliset auttavat puhelimet"),
]


@dataclass(frozen=True, slots=True)
class City:
    code: str
    fi: str
    sv: str
    inessive: str  # "Tampereella"
    slug: str
    postal: str
    street: str


CITIES = {
    "helsinki": City("091", "Helsinki", "Helsingfors", "Helsingissä", "helsinki", "00100", "Kaisaniemenkatu 6"),
    "vantaa": City("092", "Vantaa", "Vanda", "Vantaalla", "vantaa", "01300", "Asematie 10"),
    "tampere": City("837", "Tampere", "Tammerfors", "Tampereella", "tampere", "33100", "Hämeenkatu 14"),
    "turku": City("853", "Turku", "Åbo", "Turussa", "turku", "20100", "Humalistonkatu 8"),
    "oulu": City("564", "Oulu", "Uleåborg", "Oulussa", "oulu", "90100", "Kirkkokatu 20"),
    "jyvaskyla": City("179", "Jyväskylä", "Jyväskylä", "Jyväskylässä", "jyvaskyla", "40100", "Kauppakatu 9"),
    "kuopio": City("297", "Kuopio", "Kuopio", "Kuopiossa", "kuopio", "70100", "Puijonkatu 15"),
    "rovaniemi": City("698", "Rovaniemi", "Rovaniemi", "Rovaniemellä", "rovaniemi", "96100", "Koskikatu 5"),
    "vaasa": City("905", "Vaasa", "Vasa", "Vaasassa", "vaasa", "65100", "Hovioikeudenpuistikko 11"),
    "seinajoki": City("743", "Seinäjoki", "Seinäjoki", "Seinäjoella", "seinajoki", "60100", "Kauppakatu 3"),
    "hameenlinna": City("109", "Hämeenlinna", "Tavastehus", "Hämeenlinnassa", "hameenlinna", "13100", "Raatihuoneenkatu 7"),
    "lahti": City("398", "Lahti", "Lahtis", "Lahdessa", "lahti", "15110", "Aleksanterinkatu 18"),
}  # fmt: skip


def _phone(n: int) -> str:
    """An obviously fictional number: no Finnish subscriber number starts with 0."""
    return f"09 0000 {n:03d}"


def _place(city: City, *, county: bool = False) -> dict[str, Any]:
    if county:
        return {"area": {"counties": [regions.municipalities()[city.code].county]}}
    return {
        "area": {"municipalities": [city.code]},
        "address": {"street": city.street, "postal_code": city.postal, "post_office": city.fi},
    }


def carers_group(city: City, n: int, today: date) -> dict[str, Any]:
    return {
        "id": f"omaishoitajien-ryhma-{city.slug}",
        "organisation": "arjen-tuki",
        "kind": "peer_group",
        "name": {
            "fi": f"Omaishoitajien vertaisryhmä, {city.fi}",
            "sv": f"Kamratgrupp för närståendevårdare, {city.sv}",
            "en": f"Family carers' peer group, {city.fi}",
        },
        "summary": {
            "fi": "Kerran kuussa kokoontuva ryhmä läheistään hoitaville: jaksamista, vinkkejä ja kahvia.",
            "sv": "En grupp som träffas en gång i månaden för dig som vårdar en närstående.",
            "en": "A monthly group for people who care for someone close: coping, tips and coffee.",
        },
        "description": {
            "fi": f"Ryhmässä jaetaan kokemuksia omaishoitajan arjesta {city.inessive}. Mukana on koulutettu vertaisohjaaja. Voit tulla ilman ilmoittautumista. Jos tarvitset hoidettavallesi sijaisen ryhmän ajaksi, kysy siitä etukäteen.",
            "en": f"Share experiences of everyday life as a family carer in {city.fi}, with a trained peer leader. No need to sign up. If the person you care for needs someone with them meanwhile, ask in advance.",
        },
        "topics": ["carers", "older_people"],
        "audience": {"ages": ["adults", "older"], "relatives": True, "languages": ["fi"]},
        **_place(city),
        "hours": {
            "slots": [{"rule": "FREQ=MONTHLY;BYDAY=2TU", "opens": "17:30", "closes": "19:00"}]
        },
        "contact": {"phone": _phone(n), "web": "https://arjentuki.example.fi/omaishoitajat"},
        "free": True,
        "accessibility": {"fi": "Esteetön sisäänkäynti ja inva-wc. Induktiosilmukka."},
    }


def parents_cafe(city: City, n: int, today: date) -> dict[str, Any]:
    return {
        "id": f"vanhempien-kahvila-{city.slug}",
        "organisation": "arjen-tuki",
        "kind": "drop_in",
        "name": {
            "fi": f"Vanhempien kahvila, {city.fi}",
            "sv": f"Föräldrakafé, {city.sv}",
            "en": f"Parents' café, {city.fi}",
        },
        "summary": {
            "fi": "Avoin aamupäivä vauva- ja taaperoperheiden vanhemmille. Lapset mukaan.",
            "en": "An open morning for parents of babies and toddlers. Bring the children.",
        },
        "description": {
            "fi": f"Vanhempien kahvila {city.inessive} on matalan kynnyksen kohtaamispaikka. Paikalla on vapaaehtoinen, jonka kanssa voi jutella väsymyksestä, unettomista öistä ja arjen kuormasta. Tilassa on leikkinurkka ja lastenhoitotila.",
            "en": f"A low-threshold meeting place in {city.fi}. A volunteer is there to talk about tiredness, sleepless nights and the load of everyday life. There is a play corner and a changing room.",
        },
        "topics": ["parenting"],
        "audience": {"ages": ["young_adults", "adults"], "languages": ["fi", "en"]},
        **_place(city),
        "hours": "ke 9:30-11:30",
        "hours_note": {"fi": "Ei kokoontumisia koulujen kesälomalla."},
        "contact": {"web": "https://arjentuki.example.fi/kahvila"},
        "free": True,
    }


def youth_room(city: City, n: int, today: date) -> dict[str, Any]:
    return {
        "id": f"nuorten-olohuone-{city.slug}",
        "organisation": "nuorten-kanava",
        "kind": "drop_in",
        "name": {
            "fi": f"Nuorten olohuone, {city.fi}",
            "sv": f"Ungdomarnas vardagsrum, {city.sv}",
            "en": f"Youth living room, {city.fi}",
        },
        "summary": {
            "fi": "Paikka hengailla, pelata ja jutella aikuisen kanssa, kun kotona tai koulussa on raskasta.",
            "sv": "Ett ställe att hänga, spela och prata med en vuxen när det är tungt hemma eller i skolan.",
            "en": "A place to hang out, play and talk with an adult when home or school feels heavy.",
        },
        "description": {
            "fi": f"Nuorten olohuone {city.inessive} on avoinna 13–20-vuotiaille. Ei tarvitse varata aikaa eikä kertoa nimeään. Ohjaajat ovat nuorisotyön ammattilaisia, ja heidän kanssaan voi puhua yksinäisyydestä, kiusaamisesta tai mistä tahansa mielen päällä olevasta.",
            "en": f"Open to 13–20-year-olds in {city.fi}. No appointment, no names. The youth workers are there to talk about loneliness, bullying or anything on your mind.",
        },
        "topics": ["youth", "loneliness"],
        "audience": {"ages": ["youth", "young_adults"], "languages": ["fi", "en"]},
        **_place(city),
        "hours": "ma-to 14-20\npe 14-18",
        "contact": {"phone": _phone(n), "chat": "/rooms/nuorten-ilta"},
        "free": True,
    }


def grief_group(city: City, n: int, today: date) -> dict[str, Any]:
    first = today - timedelta(days=21)
    first += timedelta(days=(3 - first.weekday()) % 7)  # a Thursday
    return {
        "id": f"sururyhma-{city.slug}",
        "organisation": "suru-ja-toivo",
        "kind": "event_series",
        "name": {
            "fi": f"Sururyhmä läheisensä menettäneille, {city.fi}",
            "sv": f"Sorgegrupp för dig som förlorat en närstående, {city.sv}",
            "en": f"Grief group for the bereaved, {city.fi}",
        },
        "summary": {
            "fi": "Kymmenen kerran suljettu ryhmä niille, joiden läheinen on kuollut.",
            "en": "A closed group of ten meetings for people who have lost someone close.",
        },
        "description": {
            "fi": f"Ryhmä kokoontuu {city.inessive} torstai-iltaisin. Surua käsitellään keskustellen ja kirjoittaen, omaan tahtiin. Ryhmää ohjaavat sururyhmän ohjaajakoulutuksen käyneet vapaaehtoiset. Ilmoittaudu puhelimitse.",
            "en": f"The group meets on Thursday evenings in {city.fi}. Grief is worked through by talking and writing, at your own pace, with trained volunteer leaders. Sign up by phone.",
        },
        "topics": ["grief"],
        "audience": {
            "ages": ["young_adults", "adults", "older"],
            "relatives": True,
            "languages": ["fi"],
        },
        **_place(city),
        "hours": {
            "slots": [
                {
                    "rule": "FREQ=WEEKLY;BYDAY=TH",
                    "opens": "18:00",
                    "closes": "19:30",
                    "from": first.isoformat(),
                    "until": (first + timedelta(weeks=9)).isoformat(),
                }
            ]
        },
        "contact": {"phone": _phone(n), "email": "ryhmat@surujatoivo.example.fi"},
        "free": True,
    }


def mind_group(city: City, n: int, today: date) -> dict[str, Any]:
    swedish = city.slug == "vaasa"
    return {
        "id": f"mielen-vertaisryhma-{city.slug}",
        "organisation": "mielen-tuki",
        "kind": "peer_group",
        "name": {
            "fi": f"Mielenterveyden vertaisryhmä, {city.fi}",
            "sv": f"Samtalsgrupp om psykisk hälsa, {city.sv}",
            "en": f"Mental health peer group, {city.fi}",
        },
        "summary": {
            "fi": "Viikoittainen ryhmä masennusta, ahdistusta tai uupumusta kokeneille.",
            "sv": "En grupp varje vecka för dig som upplevt depression, ångest eller utmattning.",
            "en": "A weekly group for people living with depression, anxiety or exhaustion.",
        },
        "description": {
            "fi": f"Vertaisryhmässä {city.inessive} puhutaan omasta jaksamisesta ja siitä, mikä auttaa. Ryhmään voi tulla, vaikka ei olisi diagnoosia. Ryhmässä sovitaan yhdessä, että kaikki kerrottu jää ryhmään.",
            "sv": f"I gruppen i {city.sv} pratar vi om hur vi orkar och vad som hjälper. Du behöver ingen diagnos. Det som sägs i gruppen stannar där.",
            "en": f"The group in {city.fi} talks about coping and what helps. No diagnosis needed. What is said in the group stays there.",
        },
        "topics": ["mental_health", "loneliness"],
        "audience": {
            "ages": ["young_adults", "adults", "older"],
            "languages": ["sv", "fi"] if swedish else ["fi"],
        },
        **_place(city),
        "hours": "ma 17:00-18:30",
        "contact": {"phone": _phone(n), "web": "https://mielentuki.example.fi/ryhmat"},
        "free": True,
    }


def crisis_centre(city: City, n: int, today: date) -> dict[str, Any]:
    return {
        "id": f"kriisikeskus-{city.slug}",
        "organisation": "mielen-tuki",
        "kind": "counselling",
        "name": {
            "fi": f"Kriisikeskus, {city.fi}",
            "sv": f"Kriscenter, {city.sv}",
            "en": f"Crisis centre, {city.fi}",
        },
        "summary": {
            "fi": "Maksutonta keskusteluapua äkillisessä elämänkriisissä. Soita ja varaa aika.",
            "sv": "Avgiftsfri samtalshjälp i en plötslig livskris. Ring och boka tid.",
            "en": "Free crisis counselling after a sudden life crisis. Call for an appointment.",
        },
        "description": {
            "fi": "Kriisityöntekijä auttaa, kun elämässä on tapahtunut jotain järkyttävää: läheisen kuolema, ero, onnettomuus tai väkivalta, tai kun mielessä on itsetuhoisia ajatuksia. Tapaamisia on yleensä 1–5. Kiireellisessä hädässä soita hätänumeroon 112.",
            "sv": "En krisarbetare hjälper när något omskakande har hänt: en närståendes död, skilsmässa, en olycka eller våld, eller när du har självmordstankar. Vanligen 1–5 träffar. Vid akut fara, ring nödnumret 112.",
            "en": "A crisis worker helps after something shattering: a death, a separation, an accident or violence, or when you have thoughts of suicide. Usually 1–5 meetings. In an emergency call 112.",
        },
        "topics": ["crisis", "mental_health"],
        "audience": {
            "ages": ["young_adults", "adults", "older"],
            "relatives": True,
            "languages": ["fi", "sv", "en"],
        },
        **_place(city, county=True),
        "online": True,
        "hours": "ma-pe 9-16",
        "contact": {"phone": _phone(n), "web": "https://mielentuki.example.fi/kriisiapu"},
        "free": True,
        "crisis": True,
    }


def friend_volunteer(city: City, n: int, today: date) -> dict[str, Any]:
    return {
        "id": f"ystavatoiminta-{city.slug}",
        "organisation": "mielen-tuki",
        "kind": "volunteering",
        "name": {
            "fi": f"Ryhdy ystävätoiminnan vapaaehtoiseksi, {city.fi}",
            "sv": f"Bli frivillig vän, {city.sv}",
            "en": f"Volunteer as a friend, {city.fi}",
        },
        "summary": {
            "fi": "Tapaa yksinäistä ihmistä kerran viikossa. Saat koulutuksen ja tuen.",
            "en": "Meet a lonely person once a week. Training and support provided.",
        },
        "description": {
            "fi": f"Ystävätoiminnassa vapaaehtoinen ja yksinäinen ihminen tapaavat säännöllisesti {city.inessive}: kävelylenkki, kahvit tai puhelu. Aloitat kolmen illan peruskurssilla, ja vapaaehtoisten ryhmä tapaa kuukausittain.",
            "en": f"A volunteer and a lonely person meet regularly in {city.fi}: a walk, coffee or a phone call. You start with a three-evening course, and the volunteers meet monthly.",
        },
        "topics": ["volunteering", "loneliness", "older_people"],
        "audience": {"ages": ["young_adults", "adults", "older"], "languages": ["fi"]},
        "area": {"municipalities": [city.code]},
        "hours_note": {
            "fi": "Ota yhteyttä, niin sovitaan aloituksesta.",
            "en": "Get in touch to agree when to start.",
        },
        "contact": {"email": "ystavat@mielentuki.example.fi", "phone": _phone(n)},
        "free": True,
    }


def separation_group(city: City, n: int, today: date) -> dict[str, Any]:
    first = today - timedelta(days=today.weekday()) + timedelta(days=2)  # this week's Wednesday
    return {
        "id": f"eroryhma-{city.slug}",
        "organisation": "arjen-tuki",
        "kind": "peer_group",
        "name": {
            "fi": f"Eroryhmä, {city.fi}",
            "sv": f"Skilsmässogrupp, {city.sv}",
            "en": f"Separation support group, {city.fi}",
        },
        "summary": {
            "fi": "Vertaistukea eron jälkeen, joka toinen keskiviikko.",
            "en": "Peer support after a separation, every other Wednesday.",
        },
        "description": {
            "fi": f"Ryhmä on tarkoitettu sinulle, joka olet eronnut tai eroamassa {city.inessive} tai lähikunnissa. Puhutaan riidoista, yhteisistä lapsista ja siitä, miten elämä jatkuu. Mukana on perheneuvoja.",
            "en": f"For people who are separated or separating, in {city.fi} and nearby. Talk about arguments, shared children and how life goes on, with a family counsellor.",
        },
        "topics": ["relationships", "parenting"],
        "audience": {"ages": ["adults"], "languages": ["fi"]},
        **_place(city),
        "hours": {
            "slots": [
                {
                    "rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
                    "opens": "18:00",
                    "closes": "20:00",
                    "from": first.isoformat(),
                }
            ]
        },
        "contact": {"phone": _phone(n), "web": "https://arjentuki.example.fi/ero"},
        "free": True,
    }


def relatives_group(city: City, n: int, today: date) -> dict[str, Any]:
    return {
        "id": f"paihdelaheiset-{city.slug}",
        "organisation": "mielen-tuki",
        "kind": "peer_group",
        "name": {
            "fi": f"Läheisryhmä: kun läheinen juo tai käyttää päihteitä, {city.fi}",
            "en": f"Group for relatives of people who drink or use drugs, {city.fi}",
        },
        "summary": {
            "fi": "Tukea sinulle, jonka puoliso, lapsi tai vanhempi käyttää päihteitä tai pelaa rahapelejä.",
            "en": "Support for you whose partner, child or parent drinks, uses drugs or gambles.",
        },
        "description": {
            "fi": "Läheisen alkoholinkäyttö, huumeet tai peliongelma kuormittaa koko perhettä. Ryhmässä saat vertaistukea ja tietoa siitä, miten voit pitää huolta itsestäsi.",
            "en": "A relative's drinking, drug use or gambling weighs on the whole family. Peer support and information on looking after yourself.",
        },
        "topics": ["substance_use"],
        "audience": {"ages": ["adults", "older"], "relatives": True, "languages": ["fi"]},
        **_place(city),
        "hours": "to 17:30-19",
        "contact": {"phone": _phone(n)},
        "free": True,
    }


# Which services each city has (the demo's spread of municipalities and counties).
PLAN = {
    "helsinki": (carers_group, parents_cafe, youth_room, mind_group, crisis_centre, friend_volunteer, separation_group, relatives_group),
    "vantaa": (parents_cafe, youth_room, crisis_centre, separation_group),
    "tampere": (carers_group, parents_cafe, youth_room, grief_group, mind_group, crisis_centre, friend_volunteer),
    "turku": (carers_group, youth_room, grief_group, mind_group, crisis_centre, relatives_group),
    "oulu": (carers_group, parents_cafe, youth_room, mind_group, crisis_centre),
    "jyvaskyla": (carers_group, youth_room, grief_group, crisis_centre, friend_volunteer),
    "kuopio": (carers_group, parents_cafe, mind_group, crisis_centre),
    "rovaniemi": (youth_room, mind_group, crisis_centre, friend_volunteer),
    "vaasa": (carers_group, youth_room, mind_group, crisis_centre),
    "seinajoki": (carers_group, parents_cafe, crisis_centre),
    "hameenlinna": (carers_group, youth_room, crisis_centre),
    "lahti": (parents_cafe, youth_room, grief_group, crisis_centre),
}  # fmt: skip

# Open every hour of every day, holidays too.
ROUND_THE_CLOCK = {
    "slots": [{"rule": "FREQ=DAILY", "opens": "00:00", "closes": "24:00"}],
    "holidays_closed": False,
}
EVERYWHERE = {"area": {"nationwide": True}, "online": True}

NATIONAL: list[dict[str, Any]] = [
    {
        "id": "parisuhdechat",
        "organisation": "arjen-tuki",
        "kind": "chat",
        "name": {"fi": "Parisuhdechat", "sv": "Parrelationschatten", "en": "Relationship chat"},
        "summary": {
            "fi": "Kahdenkeskinen chat parisuhteen iloista ja huolista, nimettömästi.",
            "sv": "Anonym chatt på tu man hand om glädje och oro i parförhållandet.",
            "en": "An anonymous one-to-one chat about the joys and worries of a relationship.",
        },
        "description": {
            "fi": "Voit kertoa riidoista, mustasukkaisuudesta, erosta tai siitä, että yhteinen aika on kadonnut. Vastaajina ovat koulutetut vapaaehtoiset ja perheneuvojat. Demossa chat on auki ympäri vuorokauden.",
        },
        "topics": ["relationships"],
        "audience": {"ages": ["young_adults", "adults", "older"], "languages": ["fi"]},
        **EVERYWHERE,
        "hours": ROUND_THE_CLOCK,
        "contact": {"chat": "/chat/parisuhde"},
    },
    {
        "id": "omaishoitajien-chat",
        "organisation": "arjen-tuki",
        "kind": "chat",
        "name": {
            "fi": "Omaishoitajien chat",
            "sv": "Chatt för närståendevårdare",
            "en": "Family carers' chat",
        },
        "summary": {
            "fi": "Kahdenkeskinen tuki läheistään hoitaville arkipäivisin.",
            "en": "One-to-one support for family carers on weekdays.",
        },
        "description": {
            "fi": "Puhu jaksamisesta, vapaapäivistä ja palveluista koulutetun vapaaehtoisen kanssa."
        },
        "topics": ["carers"],
        "audience": {"ages": ["adults", "older"], "relatives": True, "languages": ["fi"]},
        **EVERYWHERE,
        "hours": "ma-pe 9-15",
        "contact": {"chat": "/chat/omaishoitajat-chat"},
    },
    {
        "id": "vanhemmuuden-vertaishuone",
        "organisation": "arjen-tuki",
        "kind": "peer_group",
        "name": {
            "fi": "Vanhemmuuden vertaishuone",
            "sv": "Rum för föräldraskap",
            "en": "Parenthood peer room",
        },
        "summary": {
            "fi": "Ryhmächat vanhemmille: väsymys, riidat ja huoli lapsesta.",
            "en": "A group chat for parents: tiredness, arguments and worry about a child.",
        },
        "description": {
            "fi": "Avoin keskusteluhuone, jota vapaaehtoiset valvovat. Voit lukea ensin ja kirjoittaa, kun siltä tuntuu."
        },
        "topics": ["parenting"],
        "audience": {"ages": ["young_adults", "adults"], "languages": ["fi"]},
        **EVERYWHERE,
        "hours": ROUND_THE_CLOCK,
        "contact": {"chat": "/rooms/vanhemmuus"},
    },
    {
        "id": "omaishoitajien-illat",
        "organisation": "arjen-tuki",
        "kind": "peer_group",
        "name": {"fi": "Omaishoitajien illat verkossa", "en": "Family carers' evenings online"},
        "summary": {
            "fi": "Ryhmächat läheistään hoitaville iltaisin.",
            "en": "An evening group chat for family carers.",
        },
        "topics": ["carers"],
        "audience": {"ages": ["adults", "older"], "relatives": True, "languages": ["fi"]},
        **EVERYWHERE,
        "hours": "ma-pe 18-21",
        "contact": {"chat": "/rooms/omaishoitajat"},
    },
    {
        "id": "nuorten-chat",
        "organisation": "nuorten-kanava",
        "kind": "chat",
        "name": {"fi": "Nuorten chat", "sv": "Ungdomschatten", "en": "Youth chat"},
        "summary": {
            "fi": "Kahdenkeskinen chat 13–20-vuotiaille koulutetun vapaaehtoisen kanssa.",
            "sv": "En chatt på tu man hand för 13–20-åringar med en utbildad frivillig.",
            "en": "A one-to-one chat for 13–20-year-olds with a trained volunteer.",
        },
        "description": {
            "fi": "Kiusaaminen, kotiasiat, ihastukset, yksinäisyys tai paha olo: kaikesta saa puhua, eikä tarvitse kertoa nimeään."
        },
        "topics": ["youth", "loneliness", "mental_health"],
        "audience": {"ages": ["youth", "young_adults"], "languages": ["fi"]},
        **EVERYWHERE,
        "hours": {
            "slots": [{"rule": "FREQ=DAILY", "opens": "14:00", "closes": "22:00"}],
            "holidays_closed": False,
        },
        "contact": {"chat": "/chat/nuorten-chat"},
    },
    {
        "id": "nuorten-ilta",
        "organisation": "nuorten-kanava",
        "kind": "peer_group",
        "name": {"fi": "Nuorten ilta", "sv": "Ungas kväll", "en": "Youth evening"},
        "summary": {
            "fi": "Avoin ryhmächat 13–20-vuotiaille.",
            "en": "An open group chat for 13–20-year-olds.",
        },
        "topics": ["youth"],
        "audience": {"ages": ["youth", "young_adults"], "languages": ["fi"]},
        **EVERYWHERE,
        "hours": "su-to 18-21",
        "contact": {"chat": "/rooms/nuorten-ilta"},
    },
    {
        "id": "yksinaisyyshuone",
        "organisation": "nuorten-kanava",
        "kind": "peer_group",
        "name": {"fi": "Yksinäisyyshuone", "sv": "Rummet för ensamhet", "en": "Loneliness room"},
        "summary": {
            "fi": "Ryhmächat silloin, kun tuntuu, ettei ole ketään kenelle puhua.",
            "en": "A group chat for when it feels like there is no one to talk to.",
        },
        "topics": ["loneliness", "youth"],
        "audience": {"ages": ["youth", "young_adults", "adults"], "languages": ["fi"]},
        **EVERYWHERE,
        "hours": "ma-pe 19-22",
        "contact": {"chat": "/rooms/yksinaisyys"},
    },
    {
        "id": "nuorten-neuvontapuhelin",
        "organisation": "nuorten-kanava",
        "kind": "helpline",
        "name": {"fi": "Nuorten neuvontapuhelin", "en": "Youth advice line"},
        "summary": {
            "fi": "Soita, kun et tiedä, mistä saisit apua: koulu, asuminen, raha tai jaksaminen.",
            "en": "Call when you do not know where to turn: school, housing, money or coping.",
        },
        "topics": ["youth", "work_study", "housing", "money"],
        "audience": {"ages": ["youth", "young_adults"], "languages": ["fi", "sv"]},
        **EVERYWHERE,
        "hours": "ma-pe 10-16",
        "contact": {"phone": _phone(900), "web": "https://nuortenkanava.example.fi/puhelin"},
    },
    {
        "id": "kriisipuhelin",
        "organisation": "auttavat-puhelimet",
        "kind": "helpline",
        "name": {
            "fi": "Kriisipuhelin (MIELI Suomen Mielenterveys ry)",
            "sv": "Kristelefonen (MIELI Psykisk Hälsa Finland rf)",
            "en": "Crisis helpline (MIELI Mental Health Finland)",
        },
        "summary": {
            "fi": "Keskusteluapua kriisissä ja itsetuhoisissa ajatuksissa, ympäri vuorokauden.",
            "sv": "Samtalshjälp i kris och vid självmordstankar, dygnet runt.",
            "en": "Someone to talk to in a crisis or with thoughts of suicide, around the clock.",
        },
        "topics": ["crisis", "mental_health"],
        "audience": {
            "ages": ["youth", "young_adults", "adults", "older"],
            "relatives": True,
            "languages": ["fi"],
        },
        **EVERYWHERE,
        "hours": ROUND_THE_CLOCK,
        "contact": {"phone": "09 2525 0111", "web": "https://mieli.fi"},
        "crisis": True,
    },
    {
        "id": "nollalinja",
        "organisation": "auttavat-puhelimet",
        "kind": "helpline",
        "name": {
            "fi": "Nollalinja – väkivaltaa kokeneiden auttava puhelin",
            "sv": "Nollinjen – stödtelefon för dem som upplevt våld",
            "en": "Nollalinja – helpline for people who have experienced violence",
        },
        "summary": {
            "fi": "Maksuton ja nimetön apu lähisuhdeväkivaltaa kokeneille ja heidän läheisilleen, ympäri vuorokauden.",
            "en": "Free, anonymous help for people who experience violence in close relationships, and their relatives, around the clock.",
        },
        "topics": ["violence", "crisis"],
        "audience": {
            "ages": ["youth", "young_adults", "adults", "older"],
            "relatives": True,
            "languages": ["fi", "sv", "en"],
        },
        **EVERYWHERE,
        "hours": ROUND_THE_CLOCK,
        "contact": {"phone": "080 005 005", "web": "https://www.nollalinja.fi"},
        "crisis": True,
    },
    {
        "id": "hatanumero-112",
        "organisation": "auttavat-puhelimet",
        "kind": "helpline",
        "name": {"fi": "Hätänumero 112", "sv": "Nödnumret 112", "en": "Emergency number 112"},
        "summary": {
            "fi": "Kun henki, terveys, omaisuus tai ympäristö on vaarassa.",
            "sv": "När liv, hälsa, egendom eller miljön är i fara.",
            "en": "When life, health, property or the environment is in danger.",
        },
        "topics": ["crisis"],
        "audience": {
            "ages": ["children", "youth", "young_adults", "adults", "older"],
            "languages": ["fi", "sv", "en"],
        },
        **EVERYWHERE,
        "hours": ROUND_THE_CLOCK,
        "contact": {"phone": "112", "web": "https://112.fi"},
        "crisis": True,
    },
    {
        "id": "lasten-ja-nuorten-puhelin",
        "organisation": "auttavat-puhelimet",
        "kind": "helpline",
        "name": {
            "fi": "Lasten ja nuorten puhelin (MLL)",
            "sv": "Barnens och ungas telefon (MLL)",
            "en": "Children's and young people's helpline (MLL)",
        },
        "summary": {
            "fi": "Maksuton ja nimetön puhelin lapsille ja nuorille. Tarkista ajantasaiset ajat palvelun sivuilta.",
            "en": "A free, anonymous helpline for children and young people. Check the current hours on its website.",
        },
        "topics": ["youth"],
        "audience": {"ages": ["children", "youth"], "languages": ["fi"]},
        **EVERYWHERE,
        "hours": "ma-pe 14-20\nla-su 17-20",
        "contact": {"phone": "116 111", "web": "https://www.mll.fi"},
    },
]


def records(today: date) -> list[dict[str, Any]]:
    """Every demo record (open-data form), for the seeding day ``today``."""
    out = []
    n = 100
    for city_key, makers in PLAN.items():
        city = CITIES[city_key]
        for make in makers:
            n += 1
            out.append(make(city, n, today))
    return out + NATIONAL


async def seed(db: Database, *, now: datetime) -> int:
    """Add the demo organisations' services that do not exist yet; returns how many."""
    today = now.astimezone(HELSINKI).date()
    async with db.read_session() as session:
        orgs = {o.slug: o.id for o in await session.scalars(select(Organisation))}
    for slug, name in ORGANISATIONS:
        if slug not in orgs:
            await rooms.do_create_organisation(db, slug=slug, name=name, now=now)
    async with db.read_session() as session:
        orgs = {o.slug: o.id for o in await session.scalars(select(Organisation))}
        existing = {
            (org, key)
            for org, key in await session.execute(
                select(DirectoryService.organisation_id, DirectoryService.key)
            )
        }
    topics = [t.key for t in await service.list_topics(db)]
    added = 0
    async with db.session() as session:
        for number, raw in enumerate(records(today), start=1):
            org_id = orgs.get(raw["organisation"])
            if org_id is None or (org_id, raw["id"]) in existing:
                continue
            item = opendata.incoming(raw, number)
            fields = logic.check_service(item.given, topics=topics)
            # Checked at various times this year, so the list of what to check has rows.
            checked = now - timedelta(days=(number * 37) % 340)
            await service.do_save_service(
                session,
                organisation_id=org_id,
                fields=fields,
                actor_id=None,
                now=now,
                checked_at=checked,
            )
            added += 1
    return added
