"""The demo directory's local services: twelve municipalities across twelve wellbeing
services counties, each with some of nine kinds of local service (a carers' group, a
parents' café, a youth room, …) made from a template per kind. The organisations are
fictional and so are their phone numbers, which look it: ``09 0000`` then three digits
(no Finnish subscriber number starts with 0). See :mod:`.demo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kuulolla.directory import regions


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


def phone(n: int) -> str:
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
        "contact": {"phone": phone(n), "web": "https://arjentuki.example.fi/omaishoitajat"},
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
        "contact": {"phone": phone(n), "chat": "/rooms/nuorten-ilta"},
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
        "contact": {"phone": phone(n), "email": "ryhmat@surujatoivo.example.fi"},
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
        "contact": {"phone": phone(n), "web": "https://mielentuki.example.fi/ryhmat"},
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
        "contact": {"phone": phone(n), "web": "https://mielentuki.example.fi/kriisiapu"},
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
        "contact": {"email": "ystavat@mielentuki.example.fi", "phone": phone(n)},
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
        "contact": {"phone": phone(n), "web": "https://arjentuki.example.fi/ero"},
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
        "contact": {"phone": phone(n)},
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


def records(today: date) -> list[dict[str, Any]]:
    """The local services (open-data form), numbered from 101 for their phones."""
    out = []
    n = 100
    for city_key, makers in PLAN.items():
        city = CITIES[city_key]
        for make in makers:
            n += 1
            out.append(make(city, n, today))
    return out
