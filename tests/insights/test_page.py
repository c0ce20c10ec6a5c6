"""The seller's insight page: totals against the period before, charts, funnels, rankings,
CSV export; in English and Chinese; sellers only."""

import csv
import datetime as dt
import io

import pytest

from storefeed.insights.models import PostDay, ProductDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(seller, post, tea):
    today = dt.date.today()
    for back in range(60):
        day = today - dt.timedelta(days=back)
        recent = back < 30
        PostDay.objects.create(
            status_id=post.pk,
            day=day,
            seller_id=seller.pk,
            impressions=20 if recent else 10,
            taps=4,
            orders=1,
            paid_orders=1 if recent else 0,
            units=1,
            revenue_fen=8800 if recent else 0,
        )
        ProductDay.objects.create(
            product_id=tea.pk,
            day=day,
            seller_id=seller.pk,
            impressions=20,
            carts=2,
            orders=1,
            paid_orders=1 if recent else 0,
            units=1,
            revenue_fen=8800 if recent else 0,
        )
    return today


def test_the_page_shows_totals_changes_charts_funnels_and_rankings(
    seller, client_for, post, tea, month
):
    response = client_for(seller).get("/shop/insight?days=30")
    assert response.status_code == 200
    body = response.content.decode()
    assert "600" in body  # impressions in 30 days
    assert "▲ +100%" in body  # against 300 in the 30 days before
    assert body.count('data-testid="chart"') == 4
    assert "<title>" in body and 'role="img"' in body
    assert 'data-testid="funnel"' in body
    assert "New tea and shirts" in body
    assert "¥2,640.00" in body or "2,640.00" in body or "2640.00" in body
    assert f'data-id="{tea.pk}"' in body


def test_the_charts_are_well_formed_svg_with_text_for_every_bar(seller, client_for, month):
    import re
    import xml.etree.ElementTree as ET

    body = client_for(seller).get("/shop/insight?days=7").content.decode()
    svgs = re.findall(r"<svg class=\"(?:chart|funnel)\".*?</svg>", body, re.S)
    assert len(svgs) == 5  # four measures, one funnel
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.get("aria-label")
    chart = ET.fromstring(svgs[0])
    titles = [t.text for t in chart.iter("title")]
    assert len(titles) == 7 and titles[-1].endswith(": 20")  # a day's value, in words


def test_the_page_in_chinese(seller, client_for, month):
    client = client_for(seller)
    body = client.get("/shop/insight", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "曝光" in body and "转化率" in body


def test_seven_days_and_an_unknown_period(seller, client_for, month):
    client = client_for(seller)
    assert "140" in client.get("/shop/insight?days=7").content.decode()
    assert client.get("/shop/insight?days=5000").status_code == 200  # back to 30 days


def test_csv_export(seller, client_for, post, tea, month):
    response = client_for(seller).get("/shop/insight.csv?days=7&kind=posts")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["date", "status_id", "impressions"]
    assert len(rows) == 8
    assert rows[-1][1] == str(post.pk) and rows[-1][-3] == "88.00"
    products = client_for(seller).get("/shop/insight.csv?kind=products").content.decode()
    assert str(tea.pk) in products


def test_only_sellers(alice, client_for, client):
    assert client_for(alice).get("/shop/insight").status_code == 403
    assert client_for(alice).get("/shop/insight.csv").status_code == 403
    assert client.get("/shop/insight").status_code == 302  # sign in first
