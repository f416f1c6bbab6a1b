"""kg/quantities.py: every quantity in a sentence, parsed right or not at all."""

from __future__ import annotations

from decimal import Decimal

import pytest
from citykg.kg.quantities import Quantity, document_style, find_period, find_quantities, parse_label_line

D = Decimal

# text, the one quantity expected: (value, high, unit, qualifier, kind)
SINGLE: list[tuple[str, tuple[str, str | None, str, str, str]]] = [
    # thousands separators and decimal marks
    ("The city has 812.000 inhabitants.", ("812000", None, "NUM", "exact", "quantity")),
    ("It is home to 1.234.567 people.", ("1234567", None, "NUM", "exact", "quantity")),
    ("A population of 3,200 people.", ("3200", None, "NUM", "exact", "quantity")),
    ("The population was 1,234,567.", ("1234567", None, "NUM", "exact", "quantity")),
    ("The population is 1 234 567.", ("1234567", None, "NUM", "exact", "quantity")),
    ("The population is 1\u2009234\u2009567.", ("1234567", None, "NUM", "exact", "quantity")),
    ("The population is 1\u202f234\u202f567.", ("1234567", None, "NUM", "exact", "quantity")),
    ("The population is 1\u00a0234\u00a0567.", ("1234567", None, "NUM", "exact", "quantity")),
    ("The population is 1'234'567.", ("1234567", None, "NUM", "exact", "quantity")),
    ("It covers 16,410.54 square kilometres.", ("16410.54", None, "KiloM2", "exact", "quantity")),
    ("It covers 16.410,54 km².", ("16410.54", None, "KiloM2", "exact", "quantity")),
    ("1.234 people live on the island.", ("1234", None, "NUM", "exact", "quantity")),
    ("The ratio is 1.234.", ("1.234", None, "NUM", "exact", "quantity")),
    ("Over 1.4 million residents live here.", ("1400000", None, "NUM", "more-than", "quantity")),
    ("A budget of 1,500 million.", ("1500000000", None, "NUM", "exact", "quantity")),
    ("Tickets cost €1.500 each.", ("1500", None, "CCY_EUR", "exact", "quantity")),
    ("Growth was 0.5 percent.", ("0.5", None, "PERCENT", "exact", "quantity")),
    # number and scale words
    ("It is home to over two million people.", ("2000000", None, "NUM", "more-than", "quantity")),
    ("There are a dozen museums.", ("12", None, "NUM", "exact", "quantity")),
    ("There are two dozen bridges.", ("24", None, "NUM", "exact", "quantity")),
    ("There are sixty-four thousand students.", ("64000", None, "NUM", "exact", "quantity")),
    ("There are 64 thousand students.", ("64000", None, "NUM", "exact", "quantity")),
    ("GDP reached 2.4 trillion yuan.", ("2400000000000", None, "CCY_CNY", "exact", "quantity")),
    ("It draws half a million visitors.", ("500000", None, "NUM", "exact", "quantity")),
    ("It has one and a half million people.", ("1500000", None, "NUM", "exact", "quantity")),
    ("It has three hundred temples.", ("300", None, "NUM", "exact", "quantity")),
    ("It has a population of 1.2m.", ("1200000", None, "NUM", "exact", "quantity")),
    ("The plan costs 3bn.", ("3000000000", None, "NUM", "exact", "quantity")),
    ("The race drew 45k runners.", ("45000", None, "NUM", "exact", "quantity")),
    ("GDP was €3.5bn.", ("3500000000", None, "CCY_EUR", "exact", "quantity")),
    ("Exports were US$1.2 billion.", ("1200000000", None, "CCY_USD", "exact", "quantity")),
    ("It has two airports.", ("2", None, "NUM", "exact", "quantity")),
    ("A quarter of a million people.", ("250000", None, "NUM", "exact", "quantity")),
    ("Half a dozen parks.", ("6", None, "NUM", "exact", "quantity")),
    ("Three hundred and five bridges.", ("305", None, "NUM", "exact", "quantity")),
    # ranges
    ("Between 3 and 4 million people live here.", ("3000000", "4000000", "NUM", "exact", "quantity")),
    ("Growth of 3–4% a year.", ("3", "4", "PERCENT", "exact", "quantity")),
    ("Some 3-4 million people.", ("3000000", "4000000", "NUM", "approximately", "quantity")),
    ("From 3 to 4 million people.", ("3000000", "4000000", "NUM", "exact", "quantity")),
    ("A share of from 20 to 30 percent.", ("20", "30", "PERCENT", "exact", "quantity")),
    ("Between 500,000 and 1 million people.", ("500000", "1000000", "NUM", "exact", "quantity")),
    ("A cost of €3–4bn.", ("3000000000", "4000000000", "CCY_EUR", "exact", "quantity")),
    # units before and after
    ("RMB 45.3 billion of output.", ("45300000000", None, "CCY_CNY", "exact", "quantity")),
    ("CNY 12 billion.", ("12000000000", None, "CCY_CNY", "exact", "quantity")),
    ("¥1.2 trillion of output.", ("1200000000000", None, "CCY_CNY", "exact", "quantity")),
    ("It earned 3 billion USD.", ("3000000000", None, "CCY_USD", "exact", "quantity")),
    ("It earned 2 million US dollars.", ("2000000", None, "CCY_USD", "exact", "quantity")),
    ("It earned $5 million.", ("5000000", None, "CCY_USD", "exact", "quantity")),
    ("It earned 50 million euros.", ("50000000", None, "CCY_EUR", "exact", "quantity")),
    ("It earned EUR 7 million.", ("7000000", None, "CCY_EUR", "exact", "quantity")),
    ("It covers 1,234 km2.", ("1234", None, "KiloM2", "exact", "quantity")),
    ("It covers 1,234 sq km.", ("1234", None, "KiloM2", "exact", "quantity")),
    ("It covers 1,234 sq. km.", ("1234", None, "KiloM2", "exact", "quantity")),
    ("It covers 1,234 square kilometers.", ("1234", None, "KiloM2", "exact", "quantity")),
    ("It covers 1,234 km square.", ("1234", None, "KiloM2", "exact", "quantity")),
    ("It covers 1,234 square km.", ("1234", None, "KiloM2", "exact", "quantity")),
    ("A park of 120 hectares.", ("120", None, "HA", "exact", "quantity")),
    ("A park of 120 ha.", ("120", None, "HA", "exact", "quantity")),
    ("An area of 62 square miles.", ("62", None, "MI2", "exact", "quantity")),
    ("An area of 62 sq mi.", ("62", None, "MI2", "exact", "quantity")),
    ("Forest coverage of 45 per cent.", ("45", None, "PERCENT", "exact", "quantity")),
    ("Forest coverage of 45 percent.", ("45", None, "PERCENT", "exact", "quantity")),
    ("The port handled 40 million TEUs.", ("40000000", None, "TEU", "exact", "quantity")),
    ("The port handled 4 million TEU.", ("4000000", None, "TEU", "exact", "quantity")),
    ("Cargo of 500 million tonnes.", ("500000000", None, "TONNE", "exact", "quantity")),
    ("Cargo of 500 million tons.", ("500000000", None, "TONNE", "exact", "quantity")),
    ("Cargo of 500 t a day.", ("500", None, "TONNE", "exact", "quantity")),
    ("A 35 km coastline.", ("35", None, "KiloM", "exact", "quantity")),
    ("A coastline of 35 kilometres.", ("35", None, "KiloM", "exact", "quantity")),
    ("A density of 3,200/km².", ("3200", None, "PER-KiloM2", "exact", "quantity")),
    ("A density of 3,200 per square kilometre.", ("3200", None, "PER-KiloM2", "exact", "quantity")),
    ("A density of 3,200 people per km².", ("3200", None, "PER-KiloM2", "exact", "quantity")),
    ("A 30m tower.", ("30", None, "M", "exact", "quantity")),
    ("Winters reach -5 °C.", ("-5", None, "DEG_C", "exact", "quantity")),
    # qualifiers
    ("About 300 temples.", ("300", None, "NUM", "approximately", "quantity")),
    ("Around 300 temples.", ("300", None, "NUM", "approximately", "quantity")),
    ("Approximately 300 temples.", ("300", None, "NUM", "approximately", "quantity")),
    ("Approx. 300 temples.", ("300", None, "NUM", "approximately", "quantity")),
    ("Roughly 300 temples.", ("300", None, "NUM", "approximately", "quantity")),
    ("Nearly 300 temples.", ("300", None, "NUM", "nearly", "quantity")),
    ("Almost 300 temples.", ("300", None, "NUM", "nearly", "quantity")),
    ("Close to 4 million people.", ("4000000", None, "NUM", "nearly", "quantity")),
    ("More than 300 temples.", ("300", None, "NUM", "more-than", "quantity")),
    ("Above 30 percent.", ("30", None, "PERCENT", "more-than", "quantity")),
    ("Exceeding 1 trillion yuan.", ("1000000000000", None, "CCY_CNY", "more-than", "quantity")),
    ("Upwards of 40 parks.", ("40", None, "NUM", "more-than", "quantity")),
    ("At least 12 parks.", ("12", None, "NUM", "at-least", "quantity")),
    ("No less than 12 parks.", ("12", None, "NUM", "at-least", "quantity")),
    ("Up to 300 ships.", ("300", None, "NUM", "at-most", "quantity")),
    ("At most 300 ships.", ("300", None, "NUM", "at-most", "quantity")),
    ("Less than 5 percent.", ("5", None, "PERCENT", "less-than", "quantity")),
    ("Under 5%.", ("5", None, "PERCENT", "less-than", "quantity")),
    ("Below 5%.", ("5", None, "PERCENT", "less-than", "quantity")),
    ("Fewer than 20 hospitals.", ("20", None, "NUM", "less-than", "quantity")),
    ("As many as 3,000 ships.", ("3000", None, "NUM", "as-many-as", "quantity")),
    ("It has 2,000 or so temples.", ("2000", None, "NUM", "approximately", "quantity")),
    ("It has 45,000-plus seats.", ("45000", None, "NUM", "more-than", "quantity")),
    ("It has 45,000+ seats.", ("45000", None, "NUM", "more-than", "quantity")),
    ("It spreads over 120 km².", ("120", None, "KiloM2", "exact", "quantity")),
    # years, ordinals, ages
    ("The museum opened in 2019.", ("2019", None, "NUM", "exact", "year")),
    ("Since 1998 the city has grown.", ("1998", None, "NUM", "exact", "year")),
    ("The census (2020) says so.", ("2020", None, "NUM", "exact", "year")),
    ("It is the 6th largest city.", ("6", None, "NUM", "exact", "ordinal")),
    ("It is the second-largest city.", ("2", None, "NUM", "exact", "ordinal")),
    ("It was founded over 1,800 years ago.", ("1800", None, "YR", "more-than", "age")),
    ("It has a history of more than 2,500 years.", ("2500", None, "YR", "more-than", "age")),
    ("It has over 2,000 years of history.", ("2000", None, "YR", "more-than", "age")),
    ("It has a 2,000-year history.", ("2000", None, "YR", "exact", "age")),
    ("The 2021 census was late.", ("2021", None, "NUM", "exact", "year")),
    ("In 2020/21 it grew.", ("2020", "2021", "NUM", "exact", "year")),
    ("From 2010 to 2020 it grew.", ("2010", "2020", "NUM", "exact", "year")),
    ("It has 2000 students.", ("2000", None, "NUM", "exact", "quantity")),
    ("Built around 1900.", ("1900", None, "NUM", "approximately", "year")),
    # a name before a real figure
    ("Line 2 carries 2 million passengers.", ("2000000", None, "NUM", "exact", "quantity")),
]


@pytest.mark.parametrize(("text", "expected"), SINGLE, ids=[t for t, _ in SINGLE])
def test_one_quantity(text: str, expected: tuple[str, str | None, str, str, str]) -> None:
    qs = find_quantities(text)
    assert len(qs) == 1, qs
    q = qs[0]
    value, high, unit, qualifier, kind = expected
    assert (q.value, q.high, q.unit, q.qualifier, q.kind) == (D(value), D(high) if high else None, unit, qualifier,
                                                              kind)
    assert q.stated == text[q.start:q.end].strip()


NOT_QUANTITIES = [
    "It is a hub of Industry 4.0.",
    "It is part of RIS 4.",
    "It hosted Expo 2010.",
    "COVID-19 hit the city.",
    "It hosted the G20 summit.",
    "The A1 motorway passes by.",
    "Take Line 2.",
    "It has 5G coverage.",
    "It is open 24/7.",
    "The shop opens at 10:30.",
    "It is one of the largest cities.",
    "Thousands of people came.",
    "Hundreds of temples stand here.",
    "The F-16 flew over.",
    "The score was 5-3.",
    "It has a long history.",
    "It runs Metro Lines 1 and 2.",
    "Three quarters of a million people.",  # a fraction not read: nothing rather than a wrong "a million"
]


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_no_quantity(text: str) -> None:
    assert [q for q in find_quantities(text) if q.kind == "quantity"] == []


def test_decimal_comma_in_a_dot_thousands_document() -> None:
    (q,) = find_quantities("Unemployment is 2,5 %.", dot_thousands=True)
    assert (q.value, q.unit, q.decimal_comma) == (D("2.5"), "PERCENT", True)


def test_three_digits_after_a_comma_follow_the_document_style() -> None:
    assert find_quantities("It is 3,200 km long.", dot_thousands=False)[0].value == D(3200)
    q = find_quantities("It is 3,200 km long.", dot_thousands=True)[0]
    assert (q.value, q.decimal_comma) == (D("3.2"), True)
    # a count is never fractional, whatever the style
    assert find_quantities("It has 3,200 residents.", dot_thousands=True)[0].value == D(3200)
    assert find_quantities("It has 1.234 residents.", dot_thousands=False)[0].value == D(1234)


def test_dot_thousands_style_with_a_scale_word() -> None:
    assert find_quantities("GDP of 1.500 million.", dot_thousands=True)[0].value == D(1500 * 10**6)
    assert find_quantities("GDP of 1.500 million.", dot_thousands=False)[0].value == D(1500 * 10**3)


def test_an_attached_m_before_a_length_word_is_metres() -> None:
    (q,) = find_quantities("A 1.5m high wall.")
    assert (q.value, q.unit) == (D("1.5"), "M")


@pytest.mark.parametrize(("text", "units", "conversion"), [
    ("It covers 1,234 km² (476 sq mi).", ["KiloM2", "MI2"], [False, True]),
    ("It covers 62 square miles (160 km2).", ["MI2", "KiloM2"], [False, True]),
    ("It covers 9,600 km² (about 2.3 million acres).", ["KiloM2", "AC"], [False, True]),
    ("It covers 1,234 km² (about 1.2 million inhabitants).", ["KiloM2", "NUM"], [False, False]),
    ("GDP was €3.5bn (US$4bn).", ["CCY_EUR", "CCY_USD"], [False, True]),
    ("GDP was €3.5bn (€3.1bn in 2020).", ["CCY_EUR", "CCY_EUR"], [False, False]),
    ("The lake (476 sq mi) is large.", ["MI2"], [False]),
])
def test_bracketed_conversions(text: str, units: list[str], conversion: list[bool]) -> None:
    qs = [q for q in find_quantities(text) if q.kind == "quantity"]
    assert [q.unit for q in qs] == units
    assert [q.bracketed_conversion for q in qs] == conversion


def test_several_quantities_in_one_sentence() -> None:
    # "812.000 inhabitants" makes the sentence a dot-thousands one: "1.234 km²" is then 1234 km²
    qs = find_quantities("In 2019, the city of 812.000 inhabitants covered 1.234 km² and earned €3,5 Mrd.")
    assert [(q.kind, q.value, q.unit) for q in qs] == [
        ("year", D(2019), "NUM"), ("quantity", D(812000), "NUM"), ("quantity", D(1234), "KiloM2"),
        ("quantity", D(3500000000), "CCY_EUR")]


def test_a_change_is_not_a_range() -> None:
    qs = find_quantities("The share rose from 20 to 30 percent.")
    assert [(q.value, q.high, q.unit) for q in qs] == [(D(20), None, "PERCENT"), (D(30), None, "PERCENT")]


def test_spans_cover_qualifier_currency_and_unit() -> None:
    text = "GDP was about US$1.2 billion last year."
    (q,) = [q for q in find_quantities(text) if q.kind == "quantity"]
    assert q.stated == "about US$1.2 billion"
    assert isinstance(q, Quantity)


@pytest.mark.parametrize(("text", "style"), [
    ("The city has 1.234.567 inhabitants.", True),
    ("812.000 inhabitants live here.", True),
    ("Unemployment is 2,5 %.", True),
    ("It has 1,234,567 people.", False),
    ("Over 1.4 million people.", False),
    ("It has 3,200 people.", False),
    ("No numbers here.", None),
    ("The ratio is 1.234.", None),
])
def test_document_style(text: str, style: bool | None) -> None:
    assert document_style(text) is style


@pytest.mark.parametrize(("text", "period"), [
    ("In 2021, the population was 3 million.", "2021"),
    ("The population was 3 million in 2019.", "2019"),
    ("Population 3 million (2020).", "2020"),
    ("As of 2020, it had 3 million people.", "2020"),
    ("The 2021 census counted 3 million.", "2021"),
    ("GDP in 2020/21 was RMB 3 billion.", "2021"),
    ("At the end of 2022 the city had 3 million residents.", "2022"),
    ("In 2021, GDP was 5% above 2020.", "2021"),
    ("It was founded in 1850.", None),
    ("Since 1998 the city has grown.", None),
    ("It had 1 million in 2010 and 2 million in 2020.", None),
    ("From 2010 to 2020 it grew.", None),
    ("No year is stated.", None),
])
def test_find_period(text: str, period: str | None) -> None:
    assert find_period(text) == period


@pytest.mark.parametrize(("line", "expected"), [
    ("Population: 4,123,456 (2020)", ("Population", "4123456", "NUM", "2020")),
    ("Area: 1,234.5 square kilometers", ("Area", "1234.5", "KiloM2", None)),
    ("GDP (2022): €45.3 billion", ("GDP", "45300000000", "CCY_EUR", "2022")),
    ("Density – 3,200/km²", ("Density", "3200", "PER-KiloM2", None)),
    ("Area: 1,234 km² (476 sq mi)", ("Area", "1234", "KiloM2", None)),
    ("Population: 812.000 (2021 census)", ("Population", "812000", "NUM", "2021")),
    ("Population: about 3.2 million (as of 2019)", ("Population", "3200000", "NUM", "2019")),
    ("Population: 4.1 million (city), 12 million (metro)", None),
    ("Founded: 1850", None),
    ("Just a sentence with 3 people.", None),
])
def test_parse_label_line(line: str, expected: tuple[str, str, str, str | None] | None) -> None:
    got = parse_label_line(line)
    if expected is None:
        assert got is None
        return
    assert got is not None
    label, q, period = got
    assert (label, q.value, q.unit, period) == (expected[0], D(expected[1]), expected[2], expected[3])
