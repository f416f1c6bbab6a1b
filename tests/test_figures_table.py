"""A place's figures table: every figure up to 50, past that the latest of each indicator with a link to
every figure (``?figures=all``); periods read as people write them (2020, 2021-Q4), not as IRIs."""

from __future__ import annotations

import re

import pytest
from citykg.server.app import create_app
from test_tables import build, make_seeds


@pytest.fixture(scope="module")
def yearbook_client(tmp_path_factory):
    """Lakeview with 60 years of population and 30 quarters of GDP; Pinecrest with two figures."""
    tmp = tmp_path_factory.mktemp("figures")
    rows = "".join(f"Lakeview,population,{1960 + i},{5_000_000 + 1000 * i},NUM,,Yearbook {1961 + i}\n"
                   for i in range(60))
    rows += "".join(f"Lakeview,gdp,{2015 + q // 4}-Q{q % 4 + 1},{100 + q},CNY,about,Quarterly bulletin\n"
                    for q in range(30))
    rows += "Pinecrest,forest-coverage-rate,2021-Q4,62.5,%,more than,Forest Province Bulletin\n"
    out = tmp / "dist"
    result = build(make_seeds(tmp, rows=rows), out)
    assert result.returncode == 0, result.stderr
    return create_app(out, config={"TESTING": True}).test_client()


def table_rows(html: str) -> list[str]:
    table = html[html.index('<table class="indicators"'):]
    table = table[:table.index("</table>")]
    return re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", table, re.S)


def test_past_fifty_figures_the_page_shows_the_latest_of_each_indicator(yearbook_client):
    r = yearbook_client.get("/doc/city/lakeview", headers={"Accept": "text/html"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    rows = table_rows(html)
    population = [row for row in rows if "/def/indicator/population\"" in row]
    gdp = [row for row in rows if "/def/indicator/gdp\"" in row]
    # the profile's own (undated) statement, and the table's latest year
    assert len(population) == 2 and "5.6 million" in population[0]
    assert ">2019<" in population[1] and "5,059,000" in population[1]
    assert len(gdp) == 1 and ">2022-Q2<" in gdp[0]  # the 30th quarter from 2015-Q1
    summary = re.search(r'<p id="figures-summary">(.*?)</p>', html, re.S)
    assert summary is not None
    text = re.sub(r"<[^>]+>", "", summary[1])
    assert re.search(r"of \d+ figures in all", text) and "every figure" in text
    assert 'href="/doc/city/lakeview?figures=all"' in summary[1]
    assert "reference.data.gov.uk" not in "".join(rows)  # periods in words, not IRIs


def test_every_figure_on_request(yearbook_client):
    html = yearbook_client.get("/doc/city/lakeview?figures=all", headers={"Accept": "text/html"}).get_data(
        as_text=True)
    rows = table_rows(html)
    assert sum("/def/indicator/population\"" in row for row in rows) == 61
    assert sum("/def/indicator/gdp\"" in row for row in rows) == 31  # with the profile's own 2021 figure
    years = [m[1] for row in rows if "/def/indicator/population\"" in row and (m := re.search(r">(\d{4})<", row))]
    assert years[:3] == ["1960", "1961", "1962"] and len(years) == 60
    assert 'href="/doc/city/lakeview">the latest of each only</a>' in html


def test_a_few_figures_are_all_shown_without_a_summary(yearbook_client):
    html = yearbook_client.get("/doc/city/pinecrest", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'id="figures-summary"' not in html
    rows = table_rows(html)
    assert any(">2021-Q4<" in row for row in rows)


def test_a_bad_figures_value_is_a_clear_400(yearbook_client):
    r = yearbook_client.get("/doc/city/lakeview?figures=some", headers={"Accept": "text/html"})
    assert r.status_code == 400
    assert "figures must be all" in r.get_data(as_text=True)
