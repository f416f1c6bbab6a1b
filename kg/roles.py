"""What a quantity of a sentence is: its role, decided from the words around it, precision first.

Every quantity `citykg.kg.quantities` finds gets one role:

- facts that enter the graph: ``population``, ``area``, ``density``, ``indicator`` (a named
  indicator: the lexicon's when it knows the words, else one minted from the text's own noun
  phrase), ``count`` (a count of things: "five UNESCO World Heritage Sites"), ``growth`` (a growth
  figure: "a 6.2% increase in GDP");
- what never enters it, listed in the extraction report with its reason: ``year``, ``age``
  ("founded over 1,800 years ago"), ``ranking`` ("the 6th largest"), ``conversion`` (a bracketed
  conversion of the figure before it), ``candidate`` (a figure whose role is uncertain).

A figure becomes population or area only on explicit words (a population noun or context, an area
unit with an area context); densities, conversions, visitor counts, rankings and years never do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from citykg.uris import slugify

from .lexicon import DIVISION_PLURALS, INDICATORS, IndicatorDef
from .quantities import Quantity

#: words that make a figure a target or a forecast ("officials want the sector to reach an output of ...")
TARGET = re.compile(r"\b(?:aims?|aiming|plans?|planned|planning|targets?|targeted|goal|wants?|wanted|expects?|expected|"
                    r"forecasts?|forecast|projected|projects|will|would|should|intends?|hopes?|seeks?|set to|"
                    r"ambition|envisages?|foresees?|is to|are to)\b", re.I)
#: a sentence whose subject is a named market, company, institution or site ("Linyi Trade City, one of the largest
#: wholesale market clusters in China, brings together some 130 specialised markets"): its figures are its own
NAMED_SUBJECT = re.compile(r"^(?:The\s+)?(?P<name>(?:[A-Z][\w’'&-]*\s){1,5}(?:City|Market|Markets|Group|Company|"
                           r"Corporation|University|College|Institute|Park|Zone|Centre|Center|Airport|Festival|Fair|"
                           r"Museum|Hospital|Mall|Exchange|Bank|Plant|Works|Mine|Stadium|Arena))\b(?!\s+of\b)"
                           r"(?:,|\s+(?:has|had|is|was|brings|brought|handled|handles|recorded|records|employs|counts|"
                           r"attracts|attracted|welcomes|welcomed|draws|drew|covers|produced|produces))")
#: a sentence that lists sights ("Places of interest: Mount Meng, rising to 1,156 m, with forest cover of over 90 %")
SIGHTS_LIST = re.compile(r"^(?:Places of interest|Sights|Landmarks|Attractions|What to see|Must-see|Highlights|"
                         r"Nearby|Around the city|Excursions)\s*:", re.I)
#: a thing the city runs or forms with another ("The Ningbo-Zhoushan Port, which the city operates jointly with ...")
JOINT = re.compile(r"\b(?:jointly|co-operated|co-managed|shared with|run together with|operated together with)\b", re.I)
FACT_ROLES = ("population", "area", "density", "indicator", "count", "growth")
#: what was done (restored, built): the figure of a project, not a quantity the city has
ACHIEVED = re.compile(r"\b(?:restored|built|constructed|upgraded|opened|added|renovated|planted|cleaned|laid|"
                      r"completed|created|extended|rebuilt|repaired|paved|electrified)\s*$", re.I)
#: a length that is a distance from somewhere, not the length of something of the city
DISTANCE = re.compile(r"\b(?:from|away|south|north|east|west|of [A-Z])\b")


@dataclass(frozen=True)
class Role:
    kind: str  # a fact role (FACT_ROLES), or year | age | ranking | conversion | candidate
    indicator: str | None = None  # the indicator slug of a fact
    label: str | None = None  # the indicator's name as the text writes it (for a minted concept)
    reason: str = ""  # why, for the report

    @property
    def is_fact(self) -> bool:
        return self.kind in FACT_ROLES


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


PEOPLE = _rx(r"^(?:permanent |registered |resident |urban |local )?(?:inhabitants|residents|people|citizens|"
             r"population|souls|dwellers)\b")
POPULATION_CONTEXT = _rx(r"\b(?:total |permanent |resident |registered |city(?:'s)? |municipal )?population\b"
                         r"(?!\s+(?:density|growth|of the (?:metropolitan|metro|greater|wider|urban) area))")
#: words that make a population figure something else (the metropolitan area, a region, a share)
NOT_THE_CITY = _rx(r"\b(?:metropolitan|metro|greater|wider|agglomeration|conurbation|urban area|region(?:al)?|"
                   r"province|prefecture(?!-level)|county(?!-level)|district|catchment|commut\w*|daily|annual(?:ly)?|"
                   r"per year|"
                   r"each year|a year|students?|workers|employees|visitors|tourists|passengers|foreign|"
                   r"migrants?|elderly|aged|children)\b")
#: a wider area the people of a figure live in ("780,000 people live in the wider Brainport region")
WIDER = _rx(r"^\w+\s+(?:live|living|reside|residing)\s+in\s+the\s+(?:wider|greater|whole|surrounding|metropolitan)"
            r"|\b(?:wider|greater|surrounding|metropolitan|metro)\s+(?:[A-Z][\w-]*\s+){0,3}(?:region|area|agglomeration)\b")
VISITORS = _rx(r"^(?:international |foreign |domestic |overnight )?(?:visitors|tourists|tourist visits|"
               r"tourist arrivals|tourist trips|visits|overnight stays|stays)\b")
CITY_SUBJECT = _rx(r"^(?:In \d{4},?\s+)?(?:the city|the town|the municipality|it|tourism)\b")
WIDER_OF = _rx(r"\b(?:region|metropolitan|metro|agglomeration|province)\s+of\s*$")
#: the visitors of something in the city, not of the city
OTHER_ATTRACTION = _rx(r"\b(?:market|museum|palace|festival|park|cathedral|castle|fair|exhibition|zoo|garden|event|"
                       r"water town|ancient town|old town|village|resort|scenic area|island|town of|"
                       r"site|monument|temple|estate|basilica|church|gallery|show|stadium|airport|port)s?\b[^.]*$")
METRO = _rx(r"\b(?:metropolitan|metro area|greater [A-Z]\w+|agglomeration|conurbation|urban region|"
            r"metropolitan area)\b")
AREA_CONTEXT = _rx(r"\b(?:(?:total |land |administrative |municipal |surface )?area|territory|covers?|covering|"
                   r"covered|"
                   r"spans?|spanning|extends? over|extending over|spread over|spreads over|stretches over|surface|"
                   r"measures?|measuring|on an area|on|across)\b")
#: an area figure of something other than the city
NOT_THE_CITY_AREA = _rx(r"\b(?:urban area|built-up|built up|metropolitan|metro|green|park|parks|forest|wetland|"
                        r"water|lake|port|zone|campus|district|new area|development|farmland|arable|"
                        r"agricultural|nature reserve|reserve|garden|gardens|old town|historic cent(?:re|er)|core|"
                        r"estate|palace|château|chateau|castle|grounds|domain|site|airport|university|factory|"
                        r"plant|complex|square|old city|walled city|island|peninsula|delta|basin|catchment|"
                        r"region|province|prefecture|county|agglomeration|conurbation|greater)\b")
#: the start of a sentence whose subject is something other than the city ("The estate covers ...")
OTHER_SUBJECT = _rx(r"^(?:the|its|this|a|an)\s+(?!city\b|town\b|municipality\b|commune\b|capital\b|metropolis\b|"
                    r"prefecture\b|seat\b|heart\b|hub\b|territory\b|municipal\b|"
                    r"total\b|land\b|administrative\b|urban\b|whole\b|entire\b|area\b)[a-z]")
DENSITY_CONTEXT = _rx(r"\bdensity\b|\bper (?:square )?(?:km|kilomet(?:re|er))|/\s?km")
GROWTH = _rx(r"\b(?:increase[sd]?|growth|grew|grow(?:s|ing)?|rise|rose|risen|up by|gain(?:ed)?|"
             r"year[- ]on[- ]year|annual(?:ly)? growth)\b")
DECREASE = _rx(r"\b(?:decrease[sd]?|decline[sd]?|fell|fall|drop(?:ped)?|down by|reduction|reduced)\b")
GDP = _rx(r"\bGDP\b|\bgross (?:domestic|regional) product\b|\bGRP\b|\bGRDP\b|\bgross regional domestic product\b|"
          r"\bregional gross product\b|\beconomic output\b")
PER_CAPITA = _rx(r"\bper[- ](?:capita|head|person|inhabitant|resident)\b")
#: nouns after a count that are not counts of the city's things
DECOY_COUNT = _rx(r"^(?:years?|months?|days?|hours?|times|visitors|tourists|passengers|trips|jobs|"
                  r"students|pupils|employees|workers|people|inhabitants|residents|editions|sessions|"
                  r"tonnes|tons|vehicles|cars|beds|members|participants|delegates|"
                  r"km|kilomet(?:re|er)s|metres|meters|miles|per cent|percent|%|m\b|am\b|pm\b)")
#: head words of an indicator's name (what a minted indicator's noun phrase ends with)
INDICATOR_HEAD = _rx(r"(?:rate|ratio|share|coverage|cover|output|product|GDP|GRP|revenue|income|length|"
                     r"volume|throughput|sales|trade|exports|imports|investment|expenditure|spending|"
                     r"consumption|emissions|budget|value|capacity|production|turnover|surplus|"
                     r"index|level|proportion|percentage|footprint|network|mileage|wage|wages|salary|salaries|"
                     r"earnings|pay|pension|rent|rents|price|prices|cost|costs)$")
#: the verbs and prepositions between an indicator's name and its value
LINK = (r"(?:is|was|are|were|stands? at|stood at|reache[sd]|reaching|has reached|had reached|of|at|"
        r"accounts? for|accounted for|amounts? to|amounted to|totals?|totalled|totaled|hit|exceeds?|"
        r"exceeded|rose to|grew to|has risen to|came to|comes to|was about|is about|is around|:|-|–|—|"
        r"stands|equals|equalled|of about|of around|of nearly|of over|of more than|accounting for|"
        r"(?:is|was|are|were) estimated at|(?:is|was|are|were) put at|worth)")
NOUN_BEFORE = re.compile(
    r"(?:^|[,;:(]\s*|\b(?:the|its|their|whose|and|while|with|a|an|city's|city’s)\s+)"
    r"(?P<np>(?:[A-Za-z][\w\-’'&]*\s+){0,6}?[A-Za-z][\w\-’'()&]*)\s+" + LINK
    + r"(?:\s+(?:only|just|still|already|now|currently|today|officially|expected to be))?\s*$",
    re.I,
)
STOP = {"the", "its", "their", "a", "an", "this", "that", "these", "city", "city's", "city’s", "total", "and",
        "of", "in", "with", "while", "has", "have", "is", "was", "are", "were", "some", "about", "around"}
DETERMINERS = re.compile(r"^(?:the|its|their|this|that|a|an|city's|city’s|(?:[A-Z][\w’']+)'s|(?:[A-Z][\w’']+)’s)\s+",
                         re.I)


def clause_around(sentence: str, q: Quantity) -> tuple[str, str]:
    """(the words of q's clause before it, the words after it up to the clause's end)."""
    seps = (", ", "; ", " and the ", " and its ", " and their ", " while ", " whereas ", " but ", " with ", " which ")
    left = max((sentence.rfind(s, 0, q.start) + len(s) for s in seps if sentence.rfind(s, 0, q.start) >= 0),
               default=0)
    rights = [i for i in (sentence.find(s, q.end) for s in seps) if i >= 0]
    right = min(rights) if rights else len(sentence)
    return sentence[left:q.start], sentence[q.end:right]


def known_indicator(words: str, unit: str) -> IndicatorDef | None:
    """The lexicon's indicator whose context words are in `words` and which takes `unit`."""
    best: tuple[int, IndicatorDef] | None = None
    for ind in INDICATORS:
        if ind.context is None or unit not in ind.units or ind.slug in ("population", "area"):
            continue
        for m in ind.context.finditer(words):
            if best is None or m.end() > best[0]:
                best = (m.end(), ind)
    return best[1] if best else None


def known_noun(after: str, unit: str) -> IndicatorDef | None:
    for ind in INDICATORS:
        if ind.noun is not None and unit in ind.units and ind.noun.match(after):
            return ind
    return None


def clean_phrase(text: str) -> str:
    text = DETERMINERS.sub("", text.strip())
    text = re.sub(r"\s+", " ", text).strip(" ,;:-–—")
    words = text.split()
    while words and words[0].lower() in STOP:
        words.pop(0)
    while words and words[-1].lower() in STOP:
        words.pop()
    return " ".join(words)


def name_before(before: str) -> str | None:
    """The indicator's noun phrase just before the value: "the urbanisation rate is 78%" -> "urbanisation rate"."""
    m = NOUN_BEFORE.search(before)
    if not m:
        return None
    phrase = clean_phrase(m["np"])
    if re.search(r"\b(?:has|have|had|is|was|are|were|be|been|will|would|can|could|represents?|represented|"
                 r"recorded|records|brings|brought|handled|handles|employs|counts|marks|makes|made)\b", phrase):
        return None  # "the new tramway has a length": a clause, not a name
    if " of " in phrase or " in " in phrase:
        head = re.split(r" (?:of|in) ", phrase)[0]
        if INDICATOR_HEAD.search(head) and (len(head.split()) > 1 or not re.search(
                r"\b(?:share|proportion|percentage|rate|ratio|level|index|value|volume)$", head)):
            phrase = head  # "tree canopy cover of the urban area", "unemployment rate in the city": the cover, the rate
    if not phrase or len(phrase) < 3 or not re.search(r"[A-Za-z]{3}", phrase):
        return None
    return phrase


def indicator_slug(phrase: str) -> str:
    return slugify(re.sub(r"\(([A-Z]{2,})\)", "", phrase).strip())


def count_noun(after: str) -> str | None:
    """The noun phrase a count counts: "five UNESCO World Heritage Sites" -> "UNESCO World Heritage Sites"."""
    m = re.match(r"^\s*(?P<np>(?:[\w\-’']+\s+){0,5}?[\w\-’']+?)(?=\s*(?:[,.;:()]|$|\s+(?:in|of|on|at|and|with|"
                 r"across|around|within|for|which|that|are|is|were|was|has|have|such|including|where|from|"
                 r"to|along|between|over|under|spread|located|scattered|listed|registered|"
                 r"dating|built|open|opened|lie|lies|stand|stands|line|lines)\b))", after)
    if not m:
        return None
    phrase = m["np"].strip()
    words = phrase.split()
    if not words or len(words) > 6 or re.fullmatch(r"[A-Z]{1,4}|[a-zµ]{1,2}|[A-Za-z]{1,3}[²³/]\w*", words[0]):
        return None  # "22,500 MW main industries": a unit, not the name of things counted
    last = words[-1]
    plural = last.lower().endswith("s") and not last.lower().endswith(("ss", "us", "is")) \
        or last.lower() in ("people", "children", "media", "criteria")
    if not plural or DECOY_COUNT.match(phrase):
        return None
    return phrase


def assign(sentence: str, q: Quantity, *, label: str | None = None, figure_line: bool = False,
           city: str | None = None) -> Role:
    """The role of quantity `q` of `sentence` (`label`: the label of a ``Label: value`` line;
    `figure_line`: the quantity is a line of its own, a brochure's figure box)."""
    if q.kind == "year":
        return Role("year", reason="a year")
    if q.kind == "age":
        return Role("age", reason="an age")
    if q.kind == "ordinal":
        return Role("ranking", reason="a ranking")
    if q.bracketed_conversion:
        return Role("conversion", reason="a conversion of the figure before it")
    if label is not None:
        return by_label(label, q, city)
    head = sentence[:q.start]
    if TARGET.search(head[max(head.rfind(", "), head.rfind("; "), 0):]) or re.match(
            r"^\s*(?:\w+\s+){0,4}?by\s+(?:the\s+end\s+of\s+)?20[3-9]\d\b", sentence[q.end:]):
        return Role("candidate", reason="a target or a forecast, not a figure of the city")
    if re.search(r"\bone of (?:the |its |[A-Z][\w’']*(?:'s|’s) )?$", head):
        return Role("candidate", reason="one of a group (a ranking), not a count of the city's")
    if re.search(r"\b(?:employ|employs|employed|employing|hire|hires|hired|train|trains|trained|staff|"
                 r"provides? jobs for|jobs for)\s+(?:\w+\s+)?$", head):
        return Role("candidate", reason="the people a company or a sector employs, not the city's population")
    if q.unit in ("KiloM", "MI") and re.match(r"^\s*(?:away|from|to the|north|south|east|west|north-east|north-west|"
                                              r"south-east|south-west|upstream|downstream|inland|off)\b",
                                              sentence[q.end:]):
        return Role("candidate", reason="a distance, not a length of the city's")
    if JOINT.search(sentence):
        return Role("candidate", reason="a figure of something the city shares with another, not the city's alone")
    subject = NAMED_SUBJECT.match(sentence)
    if subject and not (city and subject["name"].strip() == f"{city} City"):
        return Role("candidate", reason=f"a figure of {subject['name'].strip()}, not of the city")
    if SIGHTS_LIST.match(sentence):
        return Role("candidate", reason="a figure of a sight in a list of sights")
    heart = list(re.finditer(r"(?:^|,\s+(?:and\s+)?|;\s+)(?P<n>[A-Z][\w’'-]+(?:\s[A-Z][\w’'-]+)?),\s+the\s+"
                             r"(?:heart|centre|center|core|capital|hub)\s+of\b", head))
    if heart and city and heart[-1]["n"] != city and not city.startswith(heart[-1]["n"]):
        return Role("candidate", reason=f"a figure of {heart[-1]['n']}, not of the city")
    through = re.match(r"^\s*(?:\w+\s+){0,2}?(?:moving|passing|handled|shipped|moved)\s+(?:through|at|in|by)\s+"
                       r"(?:the\s+)?(?P<n>[A-Z][\w’'-]+)", sentence[q.end:])
    if through and city and through["n"] != city and through["n"] not in ("Port", "City"):
        return Role("candidate", reason=f"a figure of {through['n']}, not of the city")
    before, after = clause_around(sentence, q)
    after_words = after.lstrip()
    unit = q.unit
    owner = other_owner(sentence, q, before)
    if owner is not None and unit not in ("KiloM2", "HA", "MI2"):
        people = unit == "NUM" and (PEOPLE.match(after_words) or re.search(r"\bpopulation\s+of\s*$", before)
                                    or (not after_words.strip(" .") and PEOPLE_WORD.search(sentence[:q.start])))
        kind = wider_kind(owner)
        if kind is not None and SHARED_AREA.search(sentence[:q.start]):
            return Role("candidate", reason=f"a figure of {owner}, which the city forms with others")
        if people and kind is not None:
            return Role("indicator", indicator_slug(kind), kind.replace("-", " "), f"the people of {owner}")
        if unit == "NUM" and kind == "metropolitan-population":
            phrase = count_noun(after_words)
            if phrase is not None and COUNTABLE.search(phrase.lower()):
                name = f"metropolitan area {phrase}"
                return Role("count", indicator_slug(name), name, "a count of the metropolitan area")
        return Role("candidate", reason=f"a figure of {owner}, not of the city")

    if unit == "PER-KiloM2" or (unit == "NUM" and DENSITY_CONTEXT.search(before[-40:] + " " + after_words[:30])):
        if unit == "PER-KiloM2" or re.search(r"\bdensity\b", before):
            return Role("density", "population-density", "population density", "a density")
        return Role("candidate", reason="a figure per square kilometre of something")
    if unit in ("KiloM2", "HA", "MI2"):
        if figure_line:
            return Role("area", "area", reason="an area on its own line")
        if owner is not None:
            if wider_kind(owner) == "metropolitan-population" and not SHARED_AREA.search(sentence[:q.start]):
                return Role("indicator", "metropolitan-area", "metropolitan area (surface)", "a metropolitan area")
            return Role("candidate", reason=f"an area of {owner}, not of the city")
        thing = area_of(sentence, q, after_words, city)
        if thing == "":
            return Role("candidate", reason="the area of a named place in or near the city, not the city's")
        if thing is not None:
            name = thing if re.search(r"(?i)\barea$", thing) else f"{thing} area"
            return Role("indicator", indicator_slug(name), name, "the area of a named thing")
        own = re.sub(r"^(?i:the|its)\s+(?:seat|capital)\s+of\s+(?:the\s+)?[^,]*?(?=\s+(?:spreads|covers|extends|"
                     r"spans|has|measures)\b)|\bcity and county\b", "the city", before)  # "The seat of the X Region"
        if AREA_CONTEXT.search(before + " " + after_words[:20]) and not NOT_THE_CITY_AREA.search(own) \
                and not OTHER_SUBJECT.match(sentence):
            return Role("area", "area", reason="an area")
        return Role("candidate", reason="an area of something other than the city")
    if unit == "PERCENT":
        return percent_role(sentence, q, before, after_words)
    if unit.startswith("CCY_"):
        return money_role(before, after_words, unit)
    if unit in ("TONNE", "TEU", "KiloM"):
        ind = known_indicator(before + " " + after_words, "TONNE" if unit == "TONNE" else unit)
        if unit == "TEU":
            return Role("indicator", "container-throughput", reason="TEU")
        if ind is not None:
            return Role("indicator", ind.slug, reason="the lexicon")
        phrase = name_before(before)
        if phrase and INDICATOR_HEAD.search(phrase):
            return Role("indicator", indicator_slug(phrase), phrase, "its own noun phrase")
        if unit == "KiloM":
            thing = length_of(sentence, q, before, after_words)
            if thing is not None:
                return Role("indicator", indicator_slug(f"{thing} length"), f"{thing} length", "a length of something")
        if unit == "TONNE":
            per_head = re.search(r"(?P<what>(?:greenhouse[- ]gas|GHG|CO2|carbon(?: dioxide)?|CO₂)\s+emissions)\s+"
                                 r"per\s+(?:resident|capita|inhabitant|head|person)\b", before, re.I)
            if per_head:
                what = re.sub(r"(?i)greenhouse[- ]gas", "GHG", per_head["what"])
                return Role("indicator", indicator_slug(f"{what} per capita"), f"{what} per capita",
                            "emissions per head")
            made = tonnes_of(before)
            if made is not None:
                return Role("indicator", indicator_slug(made), made, "what the city's works produce")
        if unit == "KiloM":
            of = re.match(r"^of\s+(?:the\s+|its\s+)?(?P<np>(?:(?!(?:since|in|along|across|around|upgraded|built|for|"
                          r"from|to|on|at|by|with|and|that|which)\b)[A-Za-z][\w\-]*\s?){1,3})", after_words)
            if of and ACHIEVED.search(before):
                return Role("candidate", reason="a length of work done, not of something the city has")
            if of and not re.search(r"\b(?:the|a|an)$", of["np"]) and not DISTANCE.search(after_words[:40]):
                np = of["np"].strip()
                if LINEAR.search(np.lower()):
                    return Role("indicator", slugify(np), f"{np} (length)", "a length of something")
                if not np[:1].isupper():
                    return Role("indicator", slugify(np), f"{np} (length)", "a length of something")
        return Role("candidate", reason=f"a figure in {unit} without a name")
    # NUM
    if VISITORS.match(after_words):
        head = sentence[:q.start]
        clause_start = max(head.rfind(", and "), head.rfind("; "), head.rfind(": "))
        clause = head[clause_start + 1:] if clause_start >= 0 else head
        passive = re.match(r"^\w+(?:\s+\w+)?\s+(?:were|was)\s+(?:recorded|registered|counted|received|welcomed)\b",
                           after_words) and clause_start >= 0 and not OTHER_ATTRACTION.search(clause)
        economy = re.search(r"\b(?:the (?:local |city's |urban )?economy|the city|the town),\s+which\s+(?:welcomed|"
                            r"received|attracted|recorded|counted)\s+(?:\w+\s+)?$", head)
        owned = re.match(rf"^(?:The city's|The town's|{re.escape(city)}'s|{re.escape(city)}’s)\s+(?P<np>[^,]+?)"
                         r"(?:,|\s+(?:draws|attracts|welcomes|receives))", sentence) if city else None
        owned_ok = owned is not None and not OTHER_ATTRACTION.search(owned["np"])
        city_subject = CITY_SUBJECT.match(sentence) or (city and (
            sentence.startswith(city) or re.search(rf"\b(?:to|in|visit) {re.escape(city)}\b", sentence)))
        clause_city = re.match(r"^\s*(?:and\s+)?(?:the city|the town|the municipality|it)\s+(?:\w+\s+)?(?:recorded|"
                               r"welcomed|received|counted|attracted|registered|hosted)\b", clause)
        if passive or economy or owned_ok or clause_city:
            city_subject, head = True, ""
        if not city_subject or OTHER_ATTRACTION.search(head):
            return Role("candidate", reason="visitors, but not said to be the city's")
        yearly = re.search(r"\b(?:a|per|each|every|last|this|that) year\b|\bannual(?:ly)?\b|\byearly\b|"
                           r"\bin (?:[\w-]+ )?years\b", sentence)
        noun = VISITORS.match(after_words).group(0).lower()
        if re.search(r"tourist (?:visits|arrivals|trips)|overnight stays", noun):
            slug = noun.replace("international ", "").replace("foreign ", "").replace("domestic ", "")
            return Role("indicator", indicator_slug(slug), slug, "a count of visits")  # named as the text names it
        return Role("indicator", "annual-visitors" if yearly or q_year(sentence) else "visitors",
                    "annual visitors" if yearly or q_year(sentence) else "visitors", "a count of visitors")
    city_of = re.search(r"(?i)\b(?:a|the) (?:[\w-]+ ){0,2}?(?:city|town|municipality|metropolis) of\s*$", before) \
        and not re.match(r"^[a-z]", after_words)  # "The city of some 345,000, whose economy ..."
    if PEOPLE.match(after_words) or POPULATION_CONTEXT.search(before) or city_of or of_whom(sentence, q, after_words):
        lives = re.match(r"^(?:\w+\s+)?(?:live|lived|living|reside|resided|residing)\s+in\s+(?:the|its)\s+"
                         r"(?P<where>(?:[\w-]+\s+){0,3}?(?:area|region|agglomeration|districts|core|proper|centre|"
                         r"center|city))\b", after_words)
        if lives and re.search(r"\bof whom\s*$", sentence[:q.start]) and re.search(
                r"urban|built-up|built up|city proper|central|inner|core", lives["where"]):
            return Role("indicator", "urban-population", "urban population", "the people of the urban area")
        if lives and wider_kind(lives["where"]) is not None:
            kind = wider_kind(lives["where"]) or ""
            return Role("indicator", kind, kind.replace("-", " "), f"the people of the {lives['where']}")
        if WIDER.search(after_words[:80]) and not re.search(r"\bcity\b", after_words[:30]):
            return Role("candidate", reason="the people of a wider area than the city")
        appositive = re.search(r"\b(?:metropolitan area|metro area|agglomeration|conurbation),\s+"
                               r"(?:with|of|has|having)\s*$", sentence[:q.start])
        if (METRO.search(before) or appositive) \
                and not re.search(r"\b(?:students|workers|employees|visitors|tourists)\b", before):
            return Role("indicator", "metropolitan-population", "metropolitan population", "a metropolitan area")
        if NOT_THE_CITY.search(before) or re.match(r"^\w+\s+(?:visitors|tourists|passengers)", after_words):
            return Role("candidate", reason="people of something other than the city")
        yearly = re.match(r"^(?:\w+\s+)?(?:a|per|each|every)\s+year\b", after_words)
        change = re.search(r"\b(?:added|adds|adding|gained|gains|lost|loses|grown|grew|grows|growing|increased|"
                           r"decreased|fell|rose|declined|shrunk|shrank)\s+(?:by\s+)?$", before)
        if yearly and re.search(r"\b(?:added|adds|gained|gains|grown|grew|grows|growing|increased)\b", before) \
                and not re.search(r"\b(?:lost|loses|fell|declined|shrunk|shrank|decreased)\b", before):
            # "has added nearly 4 000 residents a year": the population's yearly growth, in people
            return Role("growth", "annual-population-growth", "annual population growth", "people added a year")
        if yearly or change:
            return Role("candidate", reason="a change of the population, not the population")
        if re.match(r"^(?:people|inhabitants|residents)\s+(?:per|/)", after_words):
            return Role("density", "population-density", "population density", "people per area")
        if q.value < 500 and not re.search(r"million|thousand|billion|mln", q.stated, re.I):
            return Role("candidate", reason="too small for a city's population")
        return Role("population", "population", reason="a population")
    noun = known_noun(after_words, "NUM")
    if noun is not None:
        return Role("count", noun.slug, reason="the lexicon")
    made = re.search(r"(?:^|\b(?:the city|the town|it|the municipality)(?:,\s+which)?\s+)(?:turned out|produced|"
                     r"produces|manufactured|manufactures|built|builds|made|makes|rolled out)\s*$",
                     sentence[:q.start].removesuffix(q.stated).rstrip() + " ")
    thing = re.match(r"^(?P<np>(?:[a-z][\w\-]*\s){0,3}?(?:vehicles|cars|cars and trucks|trucks|buses|ships|aircraft|"
                     r"bicycles|motorcycles|phones|smartphones|computers|tyres|tires|engines|locomotives|robots|"
                     r"chips|panels|batteries))\b", after_words)
    if made and thing and (made.group(0).startswith(("the", "it")) or CITY_SUBJECT.match(sentence)
                           or (city and sentence.startswith(city))):
        np = thing["np"]
        name = f"{np[:-1] if np.endswith('s') else np} production"
        return Role("indicator", indicator_slug(name), name, "what the city produces")
    if re.match(r"^(?:university |college |higher education )?students\b", after_words):
        return students_role(sentence, q)
    phrase = count_noun(after_words)
    if phrase is not None and re.fullmatch(r"(?:lakes|rivers|islands|hills|ponds|springs)", phrase.lower()) \
            and re.search(r"\b(?:within|in)\s+(?:the\s+)?(?:city(?:\s+limits)?|municipality|municipal area)\b",
                          after_words):
        return Role("count", count_slug(phrase), phrase, "a count of things within the city")
    if phrase is not None:
        if re.match(r"^[A-Z][a-z]", q.stated) and q.start > 0 and phrase[:1].isupper():
            return Role("candidate", reason="a number word in a name")
        if not COUNTABLE.search(phrase.lower()) or (q.start == 0 and re.match(r"^[A-Z][a-z]", q.stated)
                                                    and re.search(r"\b[A-Z]", phrase) and "Sites" not in phrase):
            return Role("candidate", reason=f"a count of {phrase}")
        if WIDER.search(before) or WIDER_OF.search(before):
            return Role("candidate", reason=f"{phrase} of a wider area")
        return Role("count", count_slug(phrase), phrase, "a count of things")
    if GDP.search(before):
        return Role("candidate", reason="a GDP without a currency")
    return Role("candidate", reason="no role")


INSTITUTION = re.compile(r"\b(?:University|College|Institute|Academy|School|Polytechnic|Conservatory|Conservatoire)\b"
                         r"|\b(?:the|this|its|a|one) (?:[\w-]+ ){0,3}(?:university|college|institute|academy|school|"
                         r"polytechnic|campus)\b(?!\s+(?:city|town|centre|center|hub))")
INSTITUTIONS = _rx(r"\b(?:universities|colleges|institutions|campuses|higher education|academies|schools)\b")


def students_role(sentence: str, q: Quantity) -> Role:
    """Students are the city's when the text counts them over the city or its universities ("four
    universities and more than 60,000 students", "20,000 students study in its universities"); the
    students of one institution ("Ghent University, with over 49,000 students", "attended by some
    90,000 students" of the oldest university) stay candidates."""
    seg_start = max(sentence.rfind(";", 0, q.start), sentence.rfind(":", 0, q.start)) + 1
    ends = [i for i in (sentence.find(";", q.end), sentence.find(":", q.end)) if i >= 0]
    segment = sentence[seg_start:min(ends) if ends else len(sentence)]
    before = sentence[seg_start:q.start]
    after = sentence[q.end:min(ends) if ends else len(sentence)]
    if re.search(r"\bstudents\s+(?:and|or|&)\s+(?:teachers|staff|professors|researchers|pupils)\b|\bexchanges?\b|"
                 r"\btaken part\b|\bparticipat", segment, re.I):
        return Role("candidate", reason="students of an exchange or a programme")
    if re.search(r"(?:,\s*(?:with|having|counting)|\(|\bwhich has|\bthat has)\s*$", before) \
            and INSTITUTION.search(before[-90:]):
        return Role("candidate", reason="the students of one institution")
    if INSTITUTIONS.search(segment):
        return Role("count", "students", "students", "a count of the city's students")
    named = re.findall(r"\b(?:University|College|Institute|Academy|Polytechnic)\b", after)
    if re.match(r"^\s*(?:(?:university\s+|college\s+)?students\s+)?(?:study|studying|are enrolled|enrolled|attend)\b",
                after) and len(named) >= 2:
        return Role("count", "students", "students", "the students of the city's institutions")
    if INSTITUTION.search(segment) or re.search(r"\b(?:attended|enrolled)\b", segment):
        return Role("candidate", reason="the students of one institution")
    return Role("count", "students", "students", "a count of students")


#: the things a length is the length of ("a coastline of 1,260 km", "the city wall, which at 13.7 km ...")
LINEAR = _rx(r"(?:city wall|tramway|tram network|coastline|shoreline|coast|walls?|ramparts|tram lines?|metro|"
             r"metro lines?|metro network|subway|subway lines?|railways?|rail network|light rail|network|lanes|paths|"
             r"trails|greenways?|river|riverbank|canals?|border|boundary|embankment|promenade|beach(?:es)?|porticoes|"
             r"arcades|bikeways?|cycleways?|cycle paths|cycle lanes|bike lanes|roads?|motorways?|expressways?|"
             r"highways?|waterfront|riverfront|seafront|dikes?|dykes?|levees?|ring road|tunnel|bridge|aqueduct|"
             r"boulevard|pipeline|pipelines|sewers?|sewer network|water mains)$")
_NP = r"(?P<np>(?:[A-Za-z][\w\-’']*\s){0,3}?[A-Za-z][\w\-’']*)"


def length_of(sentence: str, q: Quantity, before: str, after: str) -> str | None:
    """What a length in km is of: "has a coastline of 1,260 km", "the new tramway has a length of 23.8 km",
    "the Ming-era city wall, which at 13.7 km is ...", "the river is 60 km long"."""
    head = sentence[:q.start]
    for pattern in (rf"\b(?i:the|its|a|an)\s+{_NP}\s+(?:has|had|have)\s+a\s+(?:total\s+)?length\s+of\s*$",
                    rf"\b(?i:the|its|a|an)\s+{_NP},?\s+which\s+(?:is\s+|was\s+)?(?:at|measures|runs for|stretches for|"
                    r"extends for|is)\s*$",
                    rf"(?:^|\b(?i:the|its)\s+|(?:[A-Z][\w’'-]*\s)*[A-Z][\w’'-]*(?:'s|’s)\s+){_NP}\s+(?:stretches|runs|"
                    r"extends|measures)(?:\s+for)?\s+(?:some\s+|about\s+|around\s+)?$",
                    rf"\b(?:has|have|had|with|boasts?|its|a|an|the)\s+(?:a\s+|an\s+)?{_NP}\s+of\s*$"):
        m = re.search(pattern, head)
        if m:
            lm = LINEAR.search(clean_phrase(m["np"]).lower())
            if lm:
                return lm.group(0)
    m = re.match(r"^\s*long\b", after)
    sm = re.search(rf"(?i:^|,\s|;\s)(?i:the|its)\s+{_NP}\s+(?:is|was|runs|stretches)\s*$", head)
    lm = LINEAR.search(clean_phrase(sm["np"]).lower()) if m and sm else None
    return lm.group(0) if lm else None


#: what a work produces, from its verb ("the marble quarries produced around 250,000 tonnes")
MADE = {"produced": "production", "produces": "production", "produce": "production", "yielded": "production",
        "harvested": "harvest", "exported": "exports", "exports": "exports", "mined": "production",
        "extracted": "production", "recycled": "recycling", "recycles": "recycling", "processed": "processing"}
WORKS = r"(?:quarries|quarry|mines|mine|farms|plants|factories|mills|works|fields|orchards|vineyards|fisheries|" \
        r"fishermen|growers|producers|companies|industry|sector)"


def tonnes_of(before: str) -> str | None:
    m = re.search(rf"\b(?i:the|its|the city's)\s+(?P<what>[a-z][\w\-]*(?:\s[a-z][\w\-]*)?)\s+{WORKS}"
                  r"(?:\s+of\s+the\s+(?:municipality|city|town|county|region))?\s+(?P<v>\w+)\s*$", before)
    if m and m["v"] in MADE:
        return f"{m['what']} {MADE[m['v']]}"
    return None


AREA_VERB = r"(?:covers|covering|that covers|which covers|spans|spanning|extends over|occupies|occupying|of)"


def area_of(sentence: str, q: Quantity, after: str, city: str | None = None) -> str | None:
    """The thing an area belongs to when the text names it: the part of a whole ("covers 689.6 km², of which
    164 km² is water"), a named thing ("a UNESCO World Heritage Site covering 427 hectares", "the Albufera
    Natural Park, a coastal lagoon of about 21,000 hectares"), the subject ("The estate covers 800 hectares").
    "" for a place with a name of its own ("Lake Ptuj, an artificial reservoir of 346 hectares"): its figure,
    not the city's."""
    head = sentence[:q.start]
    if re.search(r"\b(?:of|from) which\s*$", head):
        m = re.match(r"^\s*(?:is|are|was|were)?\s*(?P<np>(?:[a-z][\w\-]*\s){0,2}?[a-z][\w\-]*)\s*(?:[,.;)]|$)", after)
        if m and clean_phrase(m["np"]) and not re.match(r"(?:is|are|was|were)$", m["np"]):
            return clean_phrase(m["np"])
        return None
    m = re.search(rf"(?P<det>^|,\s|;\s|\b(?:the|a|an|its)\s)(?P<name>(?:[A-Z][\w\-’']*\s){{0,4}}[A-Z][\w\-’']*)"
                  rf"(?:,\s+(?:a|an|the)\s+(?:[a-z][\w\-]*\s){{0,3}}?[a-z][\w\-]*,?)?\s+{AREA_VERB}\s*$", head)
    if m and not re.fullmatch(r"(?:It|The|This|Its|City|Town|Municipality)", m["name"]) \
            and not (city and (m["name"] == city or m["name"].startswith(city + " ") and len(m["name"].split()) < 3)):
        if m["det"].strip() not in ("a", "an"):
            return ""  # "Lake Ptuj, an artificial reservoir of 346 hectares": a named place's own figure
        return m["name"]  # "a UNESCO World Heritage Site covering 427 hectares": a designation of the city's
    m = re.search(r"(?:^|,\s|;\s)(?:The|the|Its|its)\s+(?P<np>(?:[a-z][\w\-]*\s){0,2}?[a-z][\w\-]*)\s+"
                  r"(?:covers|spans|extends over|occupies|measures)\s*$", head)
    if m and NOT_THE_CITY_AREA.search(m["np"]) \
            and not re.search(r"\b(?:city|town|municipality|commune|prefecture|county)\b", m["np"]):
        return clean_phrase(m["np"])
    m = re.search(rf"\b(?:a|an|the)\s+(?P<np>(?:[a-z][\w\-]*\s){{0,2}}?(?:protected area|nature reserve|reserve|"
                  rf"park|forest|wetland|lagoon|lake|campus|zone|new area|estate))\s+{AREA_VERB}\s*$", head)
    if m:
        return clean_phrase(m["np"])
    return None


#: what a count may count: the head nouns of a city's countable things (anything else is a candidate)
COUNTABLE = _rx(r"(?:sites|museums|universities|colleges|institutes|institutions|schools of higher \w+|"
                r"parks|gardens|theatres|theaters|libraries|hospitals|districts|counties|towns|townships|"
                r"sub-districts|subdistricts|villages|municipalities|boroughs|wards|arrondissements|"
                r"county-level cities|development zones|new areas|industries|monuments|churches|temples|"
                r"galleries|stadiums|airports|ports|harbours|metro lines|subway lines|railway stations|"
                r"scenic areas|scenic spots|nature reserves|reserves|laboratories|research institutes|"
                r"enterprises|high-tech enterprises|listed companies|relics|heritage sites|"
                r"world heritage sites|bridges|islands|beaches|wineries|breweries|distilleries|moorings|berths|"
                r"bikes|bicycles|e-bikes|shared bikes|charging points|charging stations|buses|electric buses|trams|"
                r"hotels|markets|squares|fountains|towers|castles|palaces|canals|gates|cinemas|concert halls|"
                r"sports halls|swimming pools|playgrounds|kindergartens|primary schools|secondary schools|schools|"
                r"pagodas|mosques|synagogues|cathedrals|abbeys|monasteries|villas|gardens|squares|piers|quays|"
                r"metro stations|stations|bus lines|tram lines|ferry lines|routes)$")


def q_year(sentence: str) -> bool:
    return bool(re.search(r"\b(?:in|during) (?:19|20)\d\d\b", sentence, re.I))


#: a clause whose subject is a wider or other area than the city ("In 2022 the region generated a GDP of ...")
OTHER_OWNER = _rx(r"\b(?:the|this|that|whole|wider|surrounding|entire|its)\s+(?:[\w-]+\s+){0,2}?"
                  r"(?:(?:sub-)?region|province|"
                  r"agglomeration|metropolitan area|metro area|metropolitan region|conurbation|country|urban area|"
                  r"nation|state|urban agglomeration|city region|catchment area)\b")


#: a wider area the city forms with other cities ("Together with Changsha and Xiangtan it forms the ...")
SHARED_AREA = _rx(r"\btogether with\b|\b(?:forms?|formed|forming|makes? up|constitutes?)\s+(?:the|a|an)\b|"
                  r"\bshared with\b")
def of_whom(sentence: str, q: Quantity, after: str) -> bool:
    """ "..., of whom 1,521,000 lived in the built-up area": a part of the population before it."""
    return bool(re.search(r"\bof whom\s*$", sentence[:q.start])
                and re.match(r"^\s*(?:live|lived|living|reside)", after))


PEOPLE_WORD = _rx(r"\b(?:inhabitants|residents|people|population|citizens)\b")


def wider_kind(owner: str) -> str | None:
    """The population indicator of a wider area the city is the heart of; None for a region or province,
    whose people are not a figure of the city."""
    o = owner.lower()
    if re.search(r"metropolitan|metro area|agglomeration|conurbation|functional urban area|greater\b|city region", o):
        return "metropolitan-population"
    if re.search(r"\burban region\b", o):
        return "urban-region-population"
    if re.search(r"\bsub-region\b", o):
        return "sub-region-population"
    if re.search(r"\b(?:urban|built-up|built up) area\b", o):
        return "urban-area-population"
    return None


def other_owner(sentence: str, q: Quantity, before: str) -> str | None:
    """The wider area a figure belongs to, when its clause says so: its subject ("the region
    generated ...") or, for a relative clause, the noun it hangs on ("the Chang-Zhu-Tan urban
    agglomeration, which has a population of about 16 million")."""
    lead = sentence[:max(0, q.start - len(before))]
    if re.search(r"\s(?:the|its) $", lead):  # "..., and the metropolitan region it anchors is home to ..."
        before = lead[-4:] + before
    m = OTHER_OWNER.search(before)
    if m and m.group(0).endswith("urban area") and re.search(r"\bof\s+$", before[:m.start()]):
        m = None  # "the tree canopy cover of the urban area": the city's built part, not a wider area
    if m and not re.search(r"\b(?:capital|centre|center|seat|city|town)\s+of\s+(?:the\s+)?[\w\- ]*$",
                           before[:m.start()]):
        return m.group(0)
    rel = re.search(r",\s+(?:which|that|whose)\s+[^,]*$", sentence[:q.start])
    if rel:
        head = sentence[max(0, rel.start() - 60):rel.start()]
        m = OTHER_OWNER.search(head) or re.search(r"\b(?:agglomeration|conurbation|metropolitan area|region)\s*$",
                                                  head)
        if m:
            return m.group(0)
    return None


def count_slug(phrase: str) -> str:
    lowered = phrase.lower()
    for singular, plural in DIVISION_PLURALS.items():
        if lowered in (singular, plural):
            return slugify(plural)
    return slugify(phrase)


LEVEL_VERB = _rx(r"\b(?:rose|risen|rise|grew|grown|increased|fell|fall|fallen|dropped|drop|declined|decreased|"
                 r"climbed|reached|stood|stands|held|holds|remained|remains|stayed|stays|was|is)\s+(?:to|at)\s+$")


def percent_role(sentence: str, q: Quantity, before: str, after: str) -> Role:
    if len(before.split()) <= 1:  # "Unemployment has stayed low, at 3,6 %": the name is in the clause before
        before = sentence[max(0, q.start - 80):q.start]
        before = before[max(before.rfind(". "), before.rfind("; ")) + 1:]
    around = before + " " + after[:40]
    if LEVEL_VERB.search(before):  # "the unemployment rate fell to 11.2%": the rate, not its change
        level = re.sub(r"\s+(?:has\s+|had\s+)?\w+\s+(?:to|at)\s+$", " is ", before)
        ind = known_indicator(level, "PERCENT")
        if ind is not None:
            return Role("indicator", ind.slug, reason="the lexicon")
        phrase = name_before(level)
        if phrase and INDICATOR_HEAD.search(phrase):
            ind = known_indicator(phrase, "PERCENT")
            return Role("indicator", ind.slug if ind else indicator_slug(phrase), None if ind else phrase,
                        "its own noun phrase")
    if GROWTH.search(around) or DECREASE.search(around) \
            or re.search(r"(?:^|,\s*|\s)(?<!make )(?<!makes )(?<!made )(?<!take )(?<!takes )up\s*$", before):
        subject = growth_subject(sentence, q, before, after)
        if subject is None:
            return Role("candidate", reason="a change of something unnamed")
        if DECREASE.search(around) and not GROWTH.search(around):
            return Role("candidate", reason="a decrease")
        return Role("growth", f"{subject}-growth-rate", f"{subject.replace('-', ' ')} growth rate", "a growth figure")
    ind = known_indicator(before, "PERCENT")
    if ind is not None:
        return Role("indicator", ind.slug, reason="the lexicon")
    phrase = name_before(before)
    of_whole = re.match(r"^\s*of\s+(?:the\s+city's\s+|the\s+|its\s+)?(?P<whole>GDP|gross domestic product|"
                        r"the economy|economic output|output|total)\b", after, re.I)
    if phrase and of_whole and re.search(r"\b(?:accounts? for|accounted for|makes? up|made up|represents?|"
                                         r"represented|reached|is|was|amounts? to|amounted to)\s*$", before):
        # "the service sector accounted for 47.8% of GDP": a share of the GDP, named after its part
        whole = "gdp" if re.match(r"(?i)gdp|gross|econom|output", of_whole["whole"]) else "total"
        return Role("indicator", f"{indicator_slug(phrase)}-share-of-{whole}", f"{phrase} share of {whole.upper()}",
                    "a share of the GDP")
    if phrase and INDICATOR_HEAD.search(phrase) and not re.search(r"\b(?:of|by)$", phrase):
        return Role("indicator", indicator_slug(phrase), phrase, "its own noun phrase")
    part = share_of_part(sentence, q, before, after)
    if part is not None:
        return part
    made_up = re.search(r"(?:^|\b(?:the|its)\s+)(?P<np>(?:[A-Za-z][\w\-]*\s){0,3}?[A-Za-z][\w\-]*)\s+"
                        r"(?:make|makes|made)\s+up\s*$", before)
    if made_up and clean_phrase(made_up["np"]):  # "Welsh speakers make up 11.8 per cent"
        np = clean_phrase(made_up["np"])
        return Role("indicator", indicator_slug(f"{np} share"), f"{np} share", "a share of the population")
    recycled = re.search(r"\b(?:separated|recycled|sorted|collected)\s+(?:about |around |some |over |nearly )?$",
                         before)
    if recycled and re.match(r"^\s*of\s+(?:the\s+|its\s+)?(?:household\s+|municipal\s+|urban\s+)?"
                             r"(?:waste|rubbish|garbage)", after):
        return Role("indicator", "recycling-rate", "recycling rate", "the share of waste recycled")
    ind = known_indicator(after[:80], "PERCENT")
    if ind is not None:
        return Role("indicator", ind.slug, reason="the lexicon (after)")
    return Role("candidate", reason="a share of something unnamed")


#: verbs of what a city does with a share of something, and the noun of each ("reuses 60% of its wastewater")
SHARE_VERBS = {"reuses": "reuse", "recycles": "recycling", "treats": "treatment", "collects": "collection",
               "recovers": "recovery", "composts": "composting", "generates": "generation", "produces": "production",
               "sources": "sourcing", "covers": "coverage", "protects": "protection", "supplies": "supply",
               "exports": "export", "processes": "processing", "purifies": "purification"}
PART_NP = r"(?P<np>(?:[a-z][\w\-]*\s){0,3}?[a-z][\w\-]*)"


def share_of_part(sentence: str, q: Quantity, before: str, after: str) -> Role | None:
    """A share named by the words after it: the part of a whole the sentence gave ("7,830 hectares, of which
    31% are forest and agricultural land"), what the city does with it ("reuses 60% of its treated wastewater"),
    the days of a year with a quality ("92% of the days in 2022 had good air quality")."""
    head = sentence[:q.start]
    m = re.match(rf"^\s*(?:are|is|was|were|consists? of|is covered by|are covered by)\s+{PART_NP}\s*(?:[,.;]|$)",
                 after)
    if m and re.search(r"\b(?:of|from) which\s*$|\b(?:of|from) which\s+(?:about|around|some|nearly|over)\s*$",
                       head):
        np = clean_phrase(m["np"])
        if np:
            return Role("indicator", indicator_slug(f"{np} share"), f"{np} share", "a share of the whole")
    verb = re.search(r"\b(?P<v>[a-z]+s)\s+(?:about |around |some |nearly |over |more than )?$", head)
    m = re.match(rf"^\s*of\s+(?:its|the city's|the|all)\s+{PART_NP}(?=\s*(?:[,.;]|$|\s+(?:for|in|into|as|to|"
                 r"and|by|from|with)\b))", after)
    if verb and m and verb["v"] in SHARE_VERBS:
        np = clean_phrase(m["np"])
        if np:
            label = f"{np} {SHARE_VERBS[verb['v']]} share"
            return Role("indicator", indicator_slug(label), label, "a share of what the city does")
    m = re.match(r"^\s*of\s+(?:the\s+)?days(?:\s+(?:in|of)\s+(?:the\s+year\s+)?(?:19|20)\d\d|\s+of\s+the\s+year|"
                 r"\s+a\s+year)?\s+(?:had|have|has|were|was|with|enjoyed)\s+(?P<np>(?:[a-z][\w\-]*\s){0,3}?[a-z][\w\-]*)"
                 r"(?=\s*(?:[,.;]|$))", after)
    if m:
        np = clean_phrase(m["np"])
        if np:
            label = f"{np} days share"
            return Role("indicator", indicator_slug(label), label, "a share of the days")
    return None


def growth_subject(sentence: str, q: Quantity, before: str, after: str) -> str | None:
    text = before + " " + after[:60]
    if GDP.search(text) or re.search(r"\b(?:economy|economic growth)\b", text, re.I):
        return "gdp"
    if re.search(r"\bpopulation\b", text, re.I):
        return "population"
    if re.search(r"\b(?:imports and exports|exports and imports|foreign trade|external trade)\s+(?:rose|grew|increased|"
                 r"went up|climbed)\s+(?:by\s+)?$", before):
        return "foreign-trade"
    m = re.search(r"(?:^|the |its |the city's |the number of )(?P<np>(?:[a-z][\w\-]*\s){0,3}[a-z][\w\-]*)\s+"
                  r"(?:grew|rose|increased|went up|climbed)\s+(?:by|of)\s*$", before)
    if m:
        phrase = clean_phrase(re.sub(r"^number of\s+", "", m["np"]))
        if phrase:
            return indicator_slug(phrase)
    whole = sentence[:q.start]
    if re.search(r"\bgrowth rate\b", before) and (GDP.search(whole) or re.search(r"\beconom", whole)):
        return "gdp"  # "GDP amounted to ..., with a growth rate of 4.8 percent"
    if re.search(r"^\s*(?:an?\s+)?(?:increase|growth|rise)\b", before) and GDP.search(whole):
        return "gdp"  # "the city's GDP reached ..., an increase of 4.8%"
    if re.search(r"\b(?:up|grew|growth|increase)\b", before + after[:20]) and GDP.search(whole):
        return "gdp"  # "the GDP was RMB 722.3 billion, up 3.7% year on year"
    m = re.search(r"\b(?:in|of)\s+(?:the\s+|its\s+)?(?P<np>[a-z][\w\- ]{2,40}?)(?=[,.;]|$|\s+(?:in|to|from|over|"
                  r"compared|since|year|last|for)\b)", after)
    if m:
        phrase = clean_phrase(m["np"])
        if phrase and INDICATOR_HEAD.search(phrase):
            return indicator_slug(phrase)
    return None


def money_role(before: str, after: str, unit: str) -> Role:
    """An amount of money: the GDP only when the GDP words name this very figure ("the GDP reached
    RMB 845 billion"), not when they name another figure of the sentence."""
    # per capita only from the words of this figure: before it, or right after ("RMB 48,600 per capita")
    right_after = re.match(r"^\s*per[- ](?:capita|head|person|inhabitant|resident)\b", after)
    if GDP.search(before) and not PER_CAPITA.search(before) and re.search(
            r"\b(?:rose|grew|increased|climbed|expanded|jumped)\b[^,;]*\bto\s+(?:a\s+record\s+)?$", before):
        return Role("indicator", "gdp", reason="the GDP, after its growth")  # "GDP rose 6.1 per cent in 2023 to ..."
    traded = re.search(r"\b(?P<v>exported|imported|exports|imports)\s+(?:goods|products|merchandise|services)?\s*"
                       r"(?:worth|valued at|of|totalling|totaling|amounting to)\s*$", before)
    if traded:  # "companies based in the municipality exported goods worth €2,6 billion"
        what = "exports" if traded["v"].startswith("export") else "imports"
        return Role("indicator", what, what, "the value of what the city trades")
    if re.search(r"\b(?:total\s+)?(?:imports and exports|exports and imports|foreign trade|external trade)\b"
                 r"[^,;]*\b(?:rose|grew|increased|reached|totalled|totaled|amounted|was|were|stood|came)\b[^,;]*$",
                 before):
        return Role("indicator", "foreign-trade", "foreign trade", "the value of the city's foreign trade")
    phrase = name_before(before)
    if phrase is not None:
        if GDP.search(phrase):
            if re.search(r"\b(?:output value|industr\w+ output)\b", phrase, re.I):
                return Role("candidate", reason="an output value, not the GDP")
            if PER_CAPITA.search(phrase) or right_after:
                return Role("indicator", "gdp-per-capita", "GDP per capita", "GDP per capita")
            return Role("indicator", "gdp", reason="the GDP")
        if INDICATOR_HEAD.search(phrase):
            if right_after and "per capita" not in phrase.lower():
                phrase = f"{phrase} per capita"
            return Role("indicator", indicator_slug(phrase), phrase, "its own noun phrase")
        return Role("candidate", reason=f"an amount of money ({phrase})")
    near = before[-30:]
    if GDP.search(near) and not re.search(r"\b(?:income|revenue|investment|budget|sales|exports|imports)\b", near):
        if PER_CAPITA.search(near) or right_after:
            return Role("indicator", "gdp-per-capita", "GDP per capita", "GDP per capita")
        return Role("indicator", "gdp", reason="the GDP")
    return Role("candidate", reason="an amount of money without a name")


LABEL_POPULATION = _rx(r"^(?:total |resident |permanent |registered |city |municipal )?(?:population|inhabitants|"
                       r"residents|population \(city\)|population \(\d{4}\))"
                       r"(?: at (?:the )?year-end| at the end of the year)?$")
LABEL_AREA = _rx(r"^(?:total |land |administrative |city |municipal |surface )?(?:area|surface|size)"
                 r"(?: \(city\)| \(km²\)| of the (?:city|municipality|town))?$")
LABEL_DENSITY = _rx(r"^(?:population )?density(?: \(?per (?:km²|km2|sq\.? ?km)\)?)?$|"
                    r"^(?:inhabitants|people|persons|residents) per (?:km²|km2|sq\.? ?km|"
                    r"square kilomet(?:re|er))$")
LABEL_NOT_FIGURE = _rx(r"\b(?:founded|established|^year|year (?:founded|of)|founding year|since|"
                       r"elevation|altitude|height|postal|post code|location|"
                       r"situated|distance|lies|coordinates|twin|sister|mentioned|first|charter|rights|incorporated|"
                       r"nearby|neighbours?|neighbors?|excursions?|getting there|good to know|mention|age|"
                       r"chinese name|status|seat|"
                       r"area code|code|phone|website|mayor|time zone|coordinates|rank|ranking)\b")


#: a label that names an institution, a company or a place other than the city: its figure is not the city's
NAMED_LABEL = re.compile(r"\b(?:University|College|Institute|Academy|School|Polytechnic|Company|Group|Airport|"
                         r"Hospital|Museum|Festival|Fair|Lake|Mount|River|Castle|Palace|Cathedral)\b")


def named_label(name: str, city: str | None) -> bool:
    if NAMED_LABEL.search(name):
        return True
    words = [w for w in re.sub(r"\([^)]*\)", "", name).split() if w]
    caps = [w for w in words if w[:1].isupper() and not w.isupper()]
    if city:
        caps = [w for w in caps if w not in city.split()]
    # "Kweichow Moutai base liquor output": two capitalised words of a name, not the first word of a label
    return len(caps) >= 2 and not re.search(r"(?i)\b(?:metropolitan|agglomeration|region|area|world heritage|unesco)\b",
                                             name)


def by_label(label: str, q: Quantity, city: str | None = None) -> Role:
    name = re.sub(r"\s*\((?:\d{4}|city|est\.?|estimate|census)[^)]*\)", "", label).strip()
    name = re.sub(r",?\s+(?:in\s+)?(?:19|20)\d\d\b", "", name).strip()  # "GDP 2023 (CNY billion)": a period
    if city:
        name = re.sub(rf"\s+(?:located\s+)?in\s+(?:the\s+city\s+of\s+)?{re.escape(city)}$", "", name)  # "Jobs in Linz"
    if city and re.sub(r"\s*\([^)]*\)", "", name).strip() == city:
        return Role("candidate", reason=f"the label {label!r} is the city's name: a title, not a figure")
    if named_label(name, city):
        return Role("candidate", reason=f"{label!r}: a figure of something named in the city, not the city's")
    if q.unit == "NUM" and "(" in name and wider_kind(name) is not None:  # "Tampere region (functional urban area)"
        kind = wider_kind(name) or ""
        return Role("indicator", kind, kind.replace("-", " "), "the people of a wider area")
    name = re.sub(r"\s*\([^)]*\)", "", name).strip()
    if LABEL_NOT_FIGURE.search(name):
        return Role("candidate", reason=f"the label {label!r} is not an indicator")
    if re.fullmatch(r"(?:(?:university|college|higher[- ]education|tertiary) )?students(?: \(\w+\))?"
                    r"(?: (?:at|in) (?:higher[- ]education institutions|universities|(?:the city's )?universities and "
                    r"colleges|the city's universities))?", name, re.I) and q.unit == "NUM":
        return Role("count", "students", "students", "a students line")
    if re.search(r"\b(?:students|pupils|visitors|tourists|passengers|employees|members)\b", name, re.I) \
            and not re.fullmatch(r"(?:annual |yearly |overnight |foreign |international |domestic )?(?:visitors|"
                                 r"tourists|tourist arrivals|tourist visits|tourist trips|overnight stays)"
                                 r"(?: per year| a year| each year)?", name, re.I):
        return Role("candidate", reason=f"{label!r}: people of something in the city, not the city's")
    yearly = re.match(r"(?i)^(?:annual\s+|yearly\s+)?(?P<what>visitors|tourists|tourist visits|tourist arrivals|"
                      r"tourist trips)"
                      r"(?P<per>\s+(?:per|a|each)\s+year)?$", name)
    if yearly and q.unit == "NUM" and (yearly["per"] or re.match(r"(?i)annual|yearly", name)):
        return Role("indicator", "annual-visitors", "annual visitors", "a visitors line")
    named = re.search(r"\s(?:at|to|of|in)\s+(?:the\s+)?(?P<n>[A-Z][\w’'-]*)", name)
    if named and not named["n"].isupper() and not (city and named["n"] in city.split()):  # "Port of Ghent": the city's
        return Role("candidate", reason=f"{label!r}: a figure of something named in the city")
    if q.unit == "NUM" and re.search(r"\b(?:area|region|agglomeration|conurbation)\b", label, re.I):
        kind = wider_kind(label)
        if kind is not None:
            return Role("indicator", indicator_slug(kind), kind.replace("-", " "), "the people of a wider area")
        return Role("candidate", reason=f"{label!r}: the people of another area than the city")
    if q.unit == "PERCENT" and GROWTH.search(name):
        subject = "gdp" if GDP.search(name) or re.search(r"\becono", name, re.I) else \
            clean_phrase(re.sub(r"(?i)\b(?:growth|rate|annual|yearly)\b", "", name))
        if subject:
            slug = f"{indicator_slug(subject)}-growth-rate"
            return Role("growth", slug, f"{subject} growth rate", "a growth line")
    part = re.match(r"(?i)^(?:of which|incl\.?|including)\s+(?P<what>.+)$", name)
    if part and q.unit == "NUM" and re.fullmatch(r"(?i)urban (?:residents|population|inhabitants)", part["what"]):
        return Role("indicator", "urban-population", "urban population", "a part of the population line")
    if part:
        name = part["what"]
    if LABEL_POPULATION.match(name) and q.unit == "NUM":
        return Role("population", "population", reason="a population line")
    if re.search(r"\bpopulation\b", name, re.I) and q.unit == "NUM":
        return Role("indicator", indicator_slug(name), name, "a population of something else")
    if LABEL_AREA.match(name) and q.unit in ("KiloM2", "HA", "MI2"):
        return Role("area", "area", reason="an area line")
    if (LABEL_DENSITY.match(name) and q.unit in ("NUM", "PER-KiloM2")) or q.unit == "PER-KiloM2":
        return Role("density", "population-density", "population density", "a density line")
    if q.unit.startswith("CCY_") and GDP.search(name):
        if PER_CAPITA.search(name):
            return Role("indicator", "gdp-per-capita", "GDP per capita", "a GDP per capita line")
        return Role("indicator", "gdp", reason="a GDP line")
    ind = known_indicator(name, q.unit) or known_noun(name.lower(), q.unit)
    if ind is not None:
        return Role("count" if q.unit == "NUM" else "indicator", ind.slug, reason="the lexicon")
    phrase = clean_phrase(name)
    if not phrase:
        return Role("candidate", reason="an empty label")
    if re.search(r"(?i)\b(?:total value of )?(?:imports and exports|exports and imports|foreign trade)\b", phrase) \
            and q.unit.startswith("CCY_"):
        return Role("indicator", "foreign-trade", "foreign trade", "a foreign trade line")
    cut = re.fullmatch(r"(?i)(?P<head>.+?) (?:of|in) (?:the )?(?:(?:resident|permanent|registered|total) )?"
                       r"(?:population|city|municipality|town)", phrase)
    if cut and len(cut["head"].split()) > 1 and INDICATOR_HEAD.search(cut["head"]):
        phrase = cut["head"]  # "Urbanization rate of resident population": the urbanization rate
    if q.unit == "NUM" and phrase.lower().endswith("s") and not INDICATOR_HEAD.search(phrase):
        return Role("count", count_slug(phrase), phrase, "a count line")
    return Role("indicator", indicator_slug(phrase), phrase, "a labelled figure")
