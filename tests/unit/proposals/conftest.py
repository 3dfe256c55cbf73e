from datetime import date
from decimal import Decimal

import pytest

from salesbot.proposals.pricing import LocationFacts
from tests.unit.proposals.helpers import DEFAULT_UPLOAD_FEE, build_template, default_pricing

TODAY = date(2025, 11, 5)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def settings():
    return default_pricing()


@pytest.fixture
def gateway():
    return LocationFacts(
        key="dubai_gateway",
        display_name="The Dubai Gateway",
        display_type="digital",
        series="The Landmark Series",
        width_m=Decimal(7),
        height_m=Decimal(14),
        number_of_faces=4,
        spot_duration_s=12,
        loop_duration_s=96,
        sov_pct=Decimal("12.5"),
        upload_fee=Decimal(2000),
    )


@pytest.fixture
def landmark():
    return LocationFacts(
        key="landmark",
        display_name="The Landmark",
        display_type="digital",
        series="The Landmark Series",
        upload_fee=Decimal(3000),
    )


@pytest.fixture
def uae21():
    return LocationFacts(
        key="uae21",
        display_name="UAE 21",
        display_type="static",
        series="The Portrait Gallery",
        width_m=Decimal("10.5"),
        height_m=Decimal(20),
        upload_fee=DEFAULT_UPLOAD_FEE,
    )


@pytest.fixture
def facts(gateway, landmark, uae21):
    return {f.key: f for f in (gateway, landmark, uae21)}


@pytest.fixture(scope="session")
def template_pptx():
    return build_template()
