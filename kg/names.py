"""Names in city texts: landmarks and industries, in the shapes English texts write them.

Landmarks: a run of capitalised words (joined by "of", "the", "de", "and" ...) that holds a landmark
word, at the end ("Tengwang Pavilion", "Wuzhen Ancient Town", "Dragon Gate Tombs") or at the front
("Temple of Golden Clouds", "Mount Huangshan", "Cathedral of Santa Maria"), and the capitalised items
listed after "such as" / "including" in a heritage or tourism sentence ("sights such as the
Fuggerei"). Industries: the items listed after "leading industries include", "the economy relies on",
"a centre for", "pillar industries:" and the like.
"""

from __future__ import annotations

import re

from .text import split_list

#: words that make a capitalised run a landmark (as its last word or words)
HEADS = (
    "Pavilion|Tower|Towers|Temple|Pagoda|Palace|Gate|Bridge|Museum|Garden|Gardens|Mountain|Mountains|Lake|Park|"
    "Square|Mosque|Cathedral|Monastery|Grottoes|Wall|Castle|Basilica|Church|Chapel|Abbey|Town Hall|City Hall|"
    "Ancient Town|Ancient Village|Ancient City|Old Town|Old Street|Street|Alley|Lane|Pier|Shrine|Canal|Site|"
    "Tombs|Tomb|Mausoleum|Island|Cape|Peak|Hill|Hills|Pass|Terrace|Theatre|Theater|Opera House|Citadel|"
    "Fortress|Fort|Market|Quarter|Hall|Stock Exchange|Exchange|Crane|Library|Belfry|Sanctuary|Scenic Area|"
    "Scenic Spot|Forest|Falls|Waterfall|Gorge|Gorges|Cave|Caves|Lighthouse|Residence|Mansion|Villa|Academy of "
    "Classical Learning|Pagodas|Stupa|Arch|Monument|Memorial|Cemetery|Fountain|Obelisk|Harbour|Old Port|Dam|"
    "Ruins|Amphitheatre|Baths|Aqueduct|Walls|Crags|Rock|Grotto|Bund|Quay|Promenade|Lock|Lido|Beach|Water Town|"
    "Army|Plaza|Torre|Alcázar|Hamlet|Trianon|Terraces|Piazza|Cloister|Cloisters|Bazaar|Souk|Arena|Stadium|"
    "Lamasery|House|Cellar|Cellars|Sanctuary|Reservoir|Column|Clock|Astronomical Clock|Markt|Platz|Plein|Rynek|"
    "Náměstí|Beguinage|Begijnhof|Roman Forum|Ancient Forum|Agora|Rotunda|Basilica|Buddha|Giant Buddha|"
    "Steam Railway|Heritage Railway"
)
#: landmark words that come first: "Temple of X", "Mount X"
FRONT = ("Temple|Cathedral|Church|Basilica|Sanctuary|Castle|Citadel|Palace|Lake|Tomb|Tombs|Belfry|Museum|"
         "Monastery|Abbey|Chapel|Shrine|Mausoleum|Fortress|Hall|Tower|Gate|Bridge|Garden|Gardens|Park|Square")
UPPER = "A-ZÀ-ÖØ-Þ"
TOKEN = (rf"(?:[{UPPER}](?:\.[{UPPER}])+\.?|[{UPPER}][\w’'\-]*(?:–[{UPPER}][\w’'\-]*)*\.?|I{{1,3}}|IV|VI{{0,3}}|"
         rf"[0-9]+|(?:d|l)['’][{UPPER}][\w’'\-]*)")  # "Château d'Annecy", "Palais de l'Isle"
CONNECTOR = (r"(?:of|the|de|del|della|delle|dello|degli|di|du|des|la|le|les|van|von|der|den|dei|do|da|dos|das|and|y|"
             r"e|am|zu|zum|zur|dal|al|sur|lès|en)")
RUN = re.compile(rf"{TOKEN}(?:\s+(?:{CONNECTOR}\s+)*{TOKEN})*")
HEAD_END = re.compile(rf"(?:^|\s)(?:{HEADS})(?: of (?:the )?{TOKEN}(?:\s{TOKEN})*)?$")
HEAD_AND = re.compile(rf"\b(?P<head>{HEADS})\s+and\s+(?=[A-Z])")
#: landmark words of other languages that come first: "Schloss Eggenberg", "Piazza Maggiore", "Torre del Oro"
FOREIGN_FRONT = ("Piazza|Plaza|Praça|Place|Palazzo|Palais|Palacio|Palácio|Schloss|Castello|Castillo|Castelo|Château|"
                 "Torre|Tour|Turm|Ponte|Puente|Pont|Porta|Puerta|Porte|Tor|Jardin|Jardim|Giardino|Parc|Parque|Parco|"
                 "Musée|Museo|Museu|Igreja|Iglesia|Chiesa|Duomo|Basilique|Basilica|Église|Kirche|Dom|Burg|Lago|"
                 "Monte|Mont|Fontana|Fuente|Mercado|Mercato|Marché|Hôtel de|Rathaus|Kloster|Abbaye|Catedral|"
                 "Cattedrale|Sé|Mosteiro|Monasterio|Alcázar|Real Alcázar|Livraria|Teatro|Théâtre|Arena|Castel|Castelo|"
                 "Santuário|Santuario|Mosteiro|Convento|Ponte|Stift|Schloß")
HEAD_FRONT = re.compile(rf"^(?:{FRONT}) of\s|^Mount [A-Z]|^Mt\.? [A-Z]"
                        rf"|^(?:{FOREIGN_FRONT})\s+(?:(?:{CONNECTOR})\s+)*[A-Z]")
#: the words of organisations, events, plans and areas: a name that holds one is not a sight
ORGANISATION_WORDS = (
    r"University|College|Institute|School|Company|Group|Bank|Expo|Summit|Festival|Fair|Congress|Games|Olympics|"
    r"Programme|Program|Project|Initiative|Strategy|Agenda|Plan|Zone|District|Province|Region|County|Republic|Union|"
    r"Heritage List|World Heritage|Heritage Site|Capital of Culture|Industrial Park|Science Park|Technology Park|"
    r"High-Tech|Development|Valley|Archbishop|Bishop|Diocese|Ltd|Inc|Corporation")
#: runs that are not landmarks although they end like one (in prose, research centres and forums too)
NOT_LANDMARK = re.compile(rf"\b(?:{ORGANISATION_WORDS}|Academy|Laboratory|Centre|Center|Conference|Kingdom|"
                          r"(?<!Roman )(?<!Ancient )Forum)\b")
LIST_CUE = re.compile(r"\b(?:such as|including|includ(?:e|es)|among them|notably|like|are|is|see|visit|admire|"
                      r"explore|come for|drawn to|draws? visitors to|know (?:it|the city|\w+) for|known for|"
                      r"head for|heads for|head to|flock to|"
                      r"famous for|home to|boasts?|features?)\s+(?=(?:the\s+)?[A-Z])")
#: in a list of sights, an organisation's words only: a listed sight may be a centre ("the European Solidarity
#: Centre"), a kingdom ("Chimelong Ocean Kingdom") or a forum
LIST_NOT_LANDMARK = re.compile(rf"\b(?:{ORGANISATION_WORDS})\b")
#: where a name is a place the city lies in or near, not a sight ("in the foothills of the Wuling Mountains")
LOCATION_BEFORE = re.compile(r"(?:foothills of|foot of|gateway to|slopes of|banks? of|shores? of|mouth of|"
                             r"confluence of|lies in|lying in|located in|situated in|bordered by|between|meets|meet|"
                             r"leaves|leave|enters|flows into|flows through|"
                             r"west of|east of|north of|south of|near)\s+(?:the\s+)?$")
#: a sight named after its kind: "the Jewish quarter of Kazimierz", "its bell tower, the Giralda,"
KIND_OF = re.compile(rf"\b(?:old town|old city|historic (?:centre|center|district|quarter)|quarter|district|"
                     rf"neighbourhood|neighborhood|sanctuary|shrine|basilica|monastery|convent)\s+of\s+"
                     rf"(?P<name>{TOKEN}(?:\s+(?:{CONNECTOR.replace('|and|', '|')}\s+)*{TOKEN})*)")
#: a name and its kind after it: "Castelvecchio, the fortress of the Scaliger family", "Lake Ptuj, an artificial
#: reservoir", "Särkänniemi, an amusement park"
NAME_KIND = re.compile(rf"(?<![\w’'])(?P<name>{TOKEN}(?:\s+(?:{CONNECTOR.replace('|and|', '|')}\s+)*{TOKEN})*),\s+"
                       r"(?:the|a|an)\s+(?:[\w-]+\s+){0,2}?(?:fortress|castle|palace|cathedral|church|basilica|"
                       r"monastery|amphitheatre|amphitheater|bridge|tower|museum|square|temple|pagoda|park|lake|"
                       r"reservoir|garden|gardens|forum|market hall|mosque|abbey|observation tower|amusement park|"
                       r"theme park|monument|landmark|citadel|fort|mausoleum|lighthouse)\b")
#: a name and its kind in lower case after it: "the Fantawild Adventure theme park"
KIND_AFTER = re.compile(rf"(?<![\w’'])(?P<name>{TOKEN}(?:\s+(?:{CONNECTOR.replace('|and|', '|')}\s+)*{TOKEN})*)\s+"
                        r"(?:theme park|amusement park|water park|observation tower|bookshop)\b")
STYLE = re.compile(r"^(?:Romanesque|Gothic|Baroque|Renaissance|Neoclassical|Medieval|Neo-Gothic|Rococo|Art Nouveau)\s+")
KIND_APPOSITIVE = re.compile(rf"\b(?:bell tower|tower|palace|castle|cathedral|church|fortress|citadel|square|bridge|"
                             rf"market|bookshop|museum|monastery|abbey),\s+the\s+(?P<name>{TOKEN}(?:\s+{TOKEN})*),")
HERITAGE = re.compile(r"\b(?:landmarks?|sights?|attractions?|heritage|monuments?|historic|visitors|tourists|"
                      r"tourism|UNESCO|famous|known for|symbol|scenic|temples|churches|museums|architecture|"
                      r"old town|ancient|medieval|baroque|gothic)\b", re.I)


def _runs(sentence: str) -> list[tuple[int, str]]:
    """Capitalised runs of a sentence, split where "and" or a comma separates two landmarks."""
    out: list[tuple[int, str]] = []
    for m in RUN.finditer(sentence):
        text, start = m.group(0), m.start()
        parts = re.split(r"\s+and\s+(?=the\s+[A-Z])|(?<=[a-z])\s+and\s+the\s+", text)
        offset = start
        for part in parts:
            # "Hongcun Ancient Village and Xidi Ancient Village": split after a head word
            pieces, last = [], 0
            for cut in HEAD_AND.finditer(part):
                pieces.append(part[last:cut.end("head")])
                last = cut.end()
            pieces.append(part[last:])
            for piece in pieces:
                out.append((offset, piece))
                offset += len(piece) + 5
    return out


def clean(name: str) -> str:
    name = re.sub(r"^(?:The|the|A|An|Its|Their|This)\s+", "", name.strip())
    if " of " in name:
        name = STYLE.sub("", name)  # "Romanesque Basilica of San Zeno"
    if name.endswith(".") and not re.search(r"\b(?:St|Mt|Ste|Sta|Sts)\.$", name):
        name = name[:-1]  # the end of the sentence, not an abbreviation
    name = re.sub(rf"\s+(?:{CONNECTOR})$", "", name)
    return name.strip(" ,;:")


def landmark_names(sentence: str, exclude: set[str], city: str | None = None) -> list[str]:
    """The landmarks a sentence names, as written (`city`: the city's name, which may end one:
    "Guggenheim Museum Bilbao")."""
    found: list[str] = []

    def add(name: str) -> None:
        name = clean(name)
        if NOT_LANDMARK.search(name):
            return
        add_listed(name)

    def add_listed(name: str) -> None:
        name = clean(name)
        if (len(name) < 4 or name in exclude or name in found or len(name.split()) > 9
                or not re.search(r"[a-z]", name)):
            return
        found.append(name)

    for start, run in _runs(sentence):
        if LOCATION_BEFORE.search(sentence[max(0, start - 40):start]):
            continue
        run = clean(run)
        if city and run == f"Old {city}":
            add(run)  # "Old Stavanger": the old town by its name
            continue
        named = run[: -len(city) - 1] if city and run.endswith(" " + city) else run
        if named != run and HEAD_END.search(named) and len(named.split()) >= 2:
            add(run)
            continue
        bare_head = (re.fullmatch(rf"(?:{HEADS})", run) and " " not in run) \
            or run in ("Old Town", "Old City", "Old Street", "Old Port", "Scenic Area")  # generic, not a name
        if (HEAD_END.search(run) and not bare_head) or HEAD_FRONT.match(run):
            add(run)
    heritage = HERITAGE.search(sentence)
    if heritage:
        for m in list(KIND_OF.finditer(sentence)) + list(KIND_APPOSITIVE.finditer(sentence)):
            if not city or clean(m["name"]) != city:
                add(m["name"])
    for m in list(NAME_KIND.finditer(sentence)) + list(KIND_AFTER.finditer(sentence)):
        if (not city or clean(m["name"]) != city) \
                and not LOCATION_BEFORE.search(sentence[max(0, m.start() - 40):m.start()]):
            add(m["name"])
    for cue in LIST_CUE.finditer(sentence):
        rest = re.split(r"(?<!\bSt)(?<!\bMt)(?<!\bSte)\.(?:\s|$)|[;:]|\s+(?:which|that|where|while|whose|are|is|"
                        r"was|were|lie|lies|recall|recalls|form|forms)\s", sentence[cue.end():])[0]
        names = []
        for part in split_list(rest):
            part = re.sub(r"\s*\([^)]*\)", "", part).strip()
            for item in _list_items(part):
                name = clean(item)
                statue = re.fullmatch(rf"(?P<run>{RUN.pattern})\s+(?:statue|sculpture|monument|memorial)", name)
                kind = re.fullmatch(rf"(?P<run>{RUN.pattern})\s+(?:theme park|amusement park|bookshop|"
                                    r"observation tower|water park|shopping street)\b.*", name)
                if kind:
                    name = kind["run"]  # "the Fantawild Adventure theme park on the edge of town"
                if (re.fullmatch(RUN.pattern, name) or statue) and name[:1].isupper() \
                        and not LIST_NOT_LANDMARK.search(name) and name != city:
                    names.append(name)
        # a list of sights: a heritage sentence's, or one most of whose items are sights by their words
        sights = sum(1 for n in names if HEAD_END.search(n) or HEAD_FRONT.match(n))
        if heritage or (sights >= 2 and 2 * sights >= len(names)):
            for name in names:
                add_listed(name)
    return found


def _list_items(part: str) -> list[str]:
    """A list item split where "and"/"with" joins two names: "Tampere Cathedral and Särkänniemi", "the Main
    Town with the Neptune Fountain"; kept whole when the name holds "and" ("Cathedral of Saints Stanislaus
    and Wenceslaus")."""
    m = re.search(r"\s+(?:and|with)\s+(?:its\s+|the\s+)?(?=[A-Z])", part)
    if not m:
        return [part]
    left = part[:m.start()]
    if re.search(r"\s(?:and|with)\s+(?:its\s+|the\s+)", m.group(0)) or HEAD_END.search(clean(left)) \
            and not re.search(r"\sof\s", left) or " with " in m.group(0):
        return [left, *_list_items(part[m.end():])]
    return [part]


def landmark_list(value: str, exclude: set[str]) -> list[str]:
    """The names of a fact box line such as "Scenic spots: Seven Star Crags, Dinghu Mountain"."""
    out = []
    for item in split_list(value):
        item = clean(re.sub(r"\s*\([^)]*\)", "", item))
        item = re.sub(r"\s+(?:with|where|which)\s.*$|\s+(?:park|square|lake|hill|district)$", "", item)
        item = re.sub(rf"\s+by\s+{TOKEN}(?:\s+{TOKEN})*$", "", item)  # "Statue of Gregory of Nin by Ivan Meštrović"
        if item and item[:1].isupper() and item not in exclude and item not in out \
                and not LIST_NOT_LANDMARK.search(item):
            out.append(item)
    return out


INDUSTRY_CUE = re.compile(
    r"\b(?:(?:leading|pillar|main|key|major|principal|core|strategic|emerging|traditional)\s+"
    r"(?:industries|sectors|industrial clusters|clusters)\s+(?:include|includes|including|are|such as|:)"
    r"|(?:industries|sectors)\s+(?:such as|including|like)"
    r"|(?:economy|industry)\s+(?:(?:now|still|today|mainly|largely|mostly)\s+)?(?:relies|rely|is based|are based|"
    r"is driven|was driven|is built|is now built|depends|rests|is known|is strong)\s+(?:up)?(?:on|for|in)"
    r"|(?:economy|industry)\s+is\s+(?:now\s+)?driven\s+by|driven\s+by|based\s+on"
    r"|(?:leading|major|important)\s+(?:centre|center|hub|base)\s+(?:for|of)"
    r"|formed\s+\w+\s+pillar\s+industries\s*:"
    r"|\b(?:a|an|the)\s+(?:major\s+|leading\s+|national\s+|regional\s+)?(?:location|destination|centre|center|"
    r"hub|base)\s+(?:for|of)"
    r"|\b(?:companies|firms|factories|manufacturers|plants)\s+(?:produce|make|manufacture|build)"
    r"|\b(?:centres|centers|hubs|bases)\s+of\s+(?:[A-Z][\w’']+(?:'s|’s)\s+)?"
    r"|(?:world-class\s+|industrial\s+|innovation\s+)?clusters\s+in"
    r"|\b(?:\w+\s+)?pillars?(?:\s+(?:sectors|industries))?\s*:"
    r"|\b(?:leading|main|key|pillar)\s+(?:sectors|industries)\s+are\s*:"
    r"|(?:diversifying|diversified|diversifies|expanding|expanded|moving|branching)\s+(?:out\s+)?into"
    r"|(?:industrial\s+)?base\s+(?:is\s+)?(?:built|founded)\s+on|built\s+(?:its|the|the city's)\s+economy\s+on"
    r"|\beconomy\b[^.:;]{0,40}:|^Economy\s*:"
    r"|\b(?:relies|rely|depends|rests|lives|leans)\s+(?:heavily\s+|mainly\s+|largely\s+|chiefly\s+)?(?:on|off)"
    r"|\b(?:have|has)\s+grown(?:\s+up)?(?=\s+[a-z])"
    r"|(?:led|driven|powered|dominated)\s+by)\s*", re.I)
NOT_SECTOR = re.compile(r"\b(?:is|are|was|were|known|under|on|at|from|shape|shapes|area|city|province|"
                        r"region|county|capital|people|residents|of|often|mostly|many|various|mainly|fabric|"
                        r"variety|number|range|mix)\b|[\"“”]", re.I)
INDUSTRY_CONTEXT = re.compile(r"\b(?:econom\w*|industr\w*|sectors?|manufactur\w*|GDP|output|clusters?)\b", re.I)
#: a list of sectors as the subject: "business services, IT and tourism employ a large share of its workforce"
EMPLOY = re.compile(r"(?:^|,\s+and\s+|;\s+)(?P<list>[A-Za-z][\w\- \x00]*(?:,\s+[\w\- \x00]+)*\s+and\s+[\w\- \x00]+?)\s+"
                    r"(?:employ|employs|account for|accounts for|dominate|dominates|drive|drives|make up|shape|"
                    r"shapes)\b")
HUB_OF = re.compile(r"\bthe (?P<list>[a-z][a-z\- ,]{0,60}? and [a-z][a-z\- ]{0,30}?) (?:industries|sectors)\b")
NO_CONTEXT_CUE = re.compile(r"\ba location for\b|\bcent(?:re|er)s? of\b|\bhub of\b|\b(?:relies|depends|rests) on\b|"
                            r"\bpillars?(?:\s+(?:sectors|industries))?\s*:|"
                            r"\b(?:have|has) grown\b|"
                            r"\b(?:companies|firms|factories) produce\b")
#: a list of sectors before "are its main industries"
ARE_ITS = re.compile(r"(?:^|[.;]\s+)(?P<list>[A-Za-z][\w\- \x00]*(?:,\s+[\w\- \x00]+)*\s+and\s+[\w\- \x00]+?)\s+"
                     r"(?:are|form|remain|"
                     r"make up)\s+(?:its|the city's|the city’s|the|their)\s+(?:(?:main|leading|pillar|key|major|core|"
                     r"strongest|largest|biggest|most important|dominant)\s+(?:industries|sectors)\b|"
                     r"(?:pillars|mainstays|backbone|engines)\s+of\s+(?:the|its)\s+(?:local\s+|city's\s+)?economy\b)")
#: "... with non-ferrous metals, machinery manufacturing and new materials as the leading industries"
WITH_AS = re.compile(r"\bwith\s+(?P<list>[a-z][\w\- \x00]*(?:,\s+[\w\- \x00]+)*\s+and\s+[\w\- \x00]+?)\s+as\s+"
                     r"(?:the|its)\s+(?:main|leading|pillar|key|major|core)\s+(?:industries|sectors)\b")
#: "... make tourism the leading sector, together with tea, traditional Chinese medicine and green food"
MAKE_LEADING = re.compile(r"\bmakes?\s+(?P<first>[a-z][\w\- ]{1,40}?)\s+the\s+(?:leading|main|largest|dominant|"
                          r"biggest)\s+(?:sector|industry)(?:,\s+(?:together\s+)?with\s+(?P<list>[^.;]+))?")
#: "Besides tourism, the local economy rests on ...": a sector named before the list
BESIDES = re.compile(r"^(?:Besides|Apart from|Alongside|In addition to|Beyond)\s+(?P<first>[a-z][\w\- ]{1,40}?),\s")


#: sectors whose name holds "and" (kept whole when a list is split)
COMPOUNDS = ("research and development", "food and beverages", "food and drink", "oil and gas", "arts and crafts",
             "textiles and garments", "footwear and clothing", "automation and packaging machines",
             "information and communication technology", "transport and logistics", "hotels and restaurants",
             "automobiles and new energy vehicles", "automobiles and new energy vehicle",
             "high-tech systems and materials", "systems and materials")


def industry_names(sentence: str) -> list[str]:
    """The industries a sentence lists, as written ("port logistics", "ceramic tiles")."""
    protected = sentence
    for compound in COMPOUNDS:
        protected = re.sub(re.escape(compound), compound.replace(" and ", " \x00 "), protected, flags=re.I)
    return [i.replace(" \x00 ", " and ") for i in _industry_names(protected)]


def industry_list(value: str) -> list[str]:
    """The items of a fact box line such as "Main industries: steel, research and development"."""
    for compound in COMPOUNDS:
        value = re.sub(re.escape(compound), compound.replace(" and ", " \x00 "), value, flags=re.I)
    items = [clean_industry(x) for x in split_list(re.sub(r"\s*\([^)]*\)", "", value))]
    return [i.replace(" \x00 ", " and ") for i in items if i]


def _industry_names(sentence: str) -> list[str]:
    m = MAKE_LEADING.search(sentence)
    if m:
        items = [clean_industry(m["first"])] + [clean_industry(x) for x in split_list(_list_end(m["list"] or ""))]
        if all(items) and items:
            return [i for i in items if i]
    names = _listed_industries(sentence)
    b = BESIDES.match(sentence)
    if names and b and clean_industry(b["first"]) and clean_industry(b["first"]) not in names:
        names.insert(0, clean_industry(b["first"]))  # type: ignore[arg-type]
    return names


def _clause_end(text: str) -> str:
    """The list before a new clause joined by ", and": "A, B and C, and unemployment has hovered at ..." -> "A, B
    and C"; an Oxford comma's last item stays ("..., textiles and garments, and new materials, and the city ...",
    "..., and IT and business services")."""
    for m in re.finditer(r",\s+and\s+", text):
        segment = re.split(r"[,.;:]", text[m.end():], maxsplit=1)[0]
        if len(segment.split()) > 4 and re.search(r"\b(?:is|are|was|were|has|have|had|will|can|which|that|who|"
                                                  r"\w+ed|\w+s\s+(?:at|to|in|on|by))\b|\d", segment):
            return text[:m.start()]
    return text


def _list_end(text: str) -> str:
    """A list ends with its "and" item: "A, B and C, counts more than ..." -> "A, B and C"."""
    m = re.match(r"^(?P<list>[^,]*?(?:,[^,]*?)*?\band\s+[^,]+?)(?=,\s|$)", text)
    return m["list"] if m else text


def _listed_industries(sentence: str) -> list[str]:
    m = EMPLOY.search(sentence) or ARE_ITS.search(sentence) or WITH_AS.search(sentence)
    if m:
        items = [i for i in (clean_industry(x) for x in split_list(m["list"])) if i]
        if len(items) >= 2:
            return items
    if not INDUSTRY_CONTEXT.search(sentence) and not NO_CONTEXT_CUE.search(sentence):
        return []
    m = HUB_OF.search(sentence)
    if m:
        return [i for i in (clean_industry(x) for x in split_list(m["list"])) if i]
    m = INDUSTRY_CUE.search(sentence)
    if not m:
        return []
    rest = re.sub(r"\s*\([^)]*\)", "", sentence[m.end():])
    # "rare-earth mining, producing nearly two thirds of the world's ..., and of navel orange growing"
    rest = re.sub(r",\s+(?:producing|making|employing|accounting|providing|supplying|exporting)\b[^,]*", "", rest)
    rest = re.sub(r"\band,\s+(?:increasingly|above all|more recently|now|also|not least|lately),\s+", "and ", rest)
    rest = re.sub(r"^\s*:\s*", "", rest)
    if re.match(r"\s*-\s+", rest):  # "Its leading industries are: - a - b - c": a bulleted list run together
        rest = ", ".join(re.sub(r",\s+(?:including|such as|notably)\b.*$", "", i).strip()
                         for i in re.split(r"\s+-\s+|^\s*-\s+", rest) if i.strip())
    rest = _clause_end(rest)
    # "... maritime industries on the Baltic coast": the place is not part of the list
    rest = re.split(r"\s+(?:on|in|along|across|around|near|of)\s+the\b", rest)[0]
    rest = re.split(r"[.;:]\s|;|\.$|:\s|,\s+(?:with|while|and is|and has|and it|and its|and the|and a|and an)\b"
                    r"|\s+(?:which|that|where|while|whose|"
                    r"and is|and has|so that)\s", rest)[0]
    rest = re.split(r",\s+and\s+(?=[A-Z])|,\s+with\b", rest)[0]
    items = [clean_industry(x) for x in split_list(rest)]
    if any(i is None for i in items):
        items = [clean_industry(x) for x in split_list(_list_end(rest))]
    if len(items) < 2 or any(i is None for i in items):
        return []  # every item must read as a sector, or the list is something else
    return [i for i in items if i]


NATIONALITY = re.compile(r"Chinese|Japanese|Korean|European|Italian|French|German|Spanish|Portuguese|Dutch|Nordic|"
                         r"Mediterranean|Asian|Western|Eastern|Traditional")


def clean_industry(item: str) -> str | None:
    item = re.sub(r"\s*\([^)]*\)", "", item).strip(" .,;")
    item = re.sub(r"^(?:(?:industries|sectors)\s+(?:such as|like|including)|and\s+of|of)\s+", "", item, flags=re.I)
    if len(item.split()) >= 2:
        item = re.sub(r"\s+production$", "", item)  # "hard alloy production": the industry is hard alloy
    while re.match(r"^(?:the|a|an|its|growing|thriving|booming)\s+", item, flags=re.I):
        item = re.sub(r"^(?:the|a|an|its|growing|thriving|booming)\s+", "", item, flags=re.I)
    item = re.sub(r"\s+(?:sector|sectors)$", "", item) if len(item.split()) >= 2 else item
    if not item or len(item.split()) > 5 or re.search(r"\d", item):
        return None
    words = item.split()
    if any(w[:1].isupper() and not w.isupper() and not NATIONALITY.fullmatch(w) for w in words[1:]) \
            or NOT_SECTOR.search(item):
        return None  # a place or a clause, not a sector ("Jinjiang", "is known as ...")
    return item
