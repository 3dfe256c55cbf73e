"""The spec's worked examples (domain.md §2), which must hold exactly."""

from decimal import Decimal

from salesbot.proposals.priced import InvestmentTable, TableRow
from salesbot.proposals.pricing import (
    CombinedItem,
    CombinedRequest,
    SeparateItem,
    SeparateRequest,
    price_combined,
    price_separate,
)


def _row(table: InvestmentTable, label: str) -> TableRow:
    return next(row for row in table.rows if row.label == label)


def test_example_1_digital_upload_fee(facts, settings, today):
    item = SeparateItem("landmark", "2026-01-01", ["4 weeks"], ["1,250,000"])
    proposal = price_separate(SeparateRequest([item], "Nike"), facts, settings, today)
    option = proposal.locations[0].options[0]
    assert option.fee.aed == Decimal("3000.00")
    assert option.vat.aed == Decimal("62676.00")
    assert option.vat.text == "AED 62,676"
    assert option.total.aed == Decimal("1316196.00")
    assert option.total.text == "AED 1,316,196"


def test_example_2_landmark_three_rates(facts, settings, today):
    item = SeparateItem(
        "landmark", "1 January 2026", ["2 weeks", "4 weeks", "8 weeks"], ["1.5M", "2.8M", "4M"]
    )
    proposal = price_separate(SeparateRequest([item], "Nike"), facts, settings, today)
    options = proposal.locations[0].options
    assert [o.vat.text for o in options] == ["AED 75,176", "AED 140,176", "AED 200,176"]
    assert [o.total.text for o in options] == ["AED 1,578,696", "AED 2,943,696", "AED 4,203,696"]
    assert proposal.option_totals == (
        Decimal("1578696.00"),
        Decimal("2943696.00"),
        Decimal("4203696.00"),
    )
    table = proposal.tables[0]
    assert table.columns == 3
    assert _row(table, "Total:").values == ("AED 1,578,696", "AED 2,943,696", "AED 4,203,696")
    assert _row(table, "Total:").emphasised
    assert _row(table, "Upload Fee:").values == ("AED 3,000",)


def test_example_3_static_production_fee(facts, settings, today):
    item = SeparateItem("uae21", "2026-01-01", ["2 weeks"], ["100,000"], production_fee="5,000")
    proposal = price_separate(SeparateRequest([item], "Nike"), facts, settings, today)
    location = proposal.locations[0]
    option = location.options[0]
    assert location.fee_label == "Production Fee:"
    assert option.vat.text == "AED 5,276"
    assert option.total.text == "AED 110,796"
    assert _row(proposal.tables[0], "Production Fee:").values == ("AED 5,000",)


def test_example_4_static_in_usd(facts, settings, today):
    item = SeparateItem("uae21", "2026-01-01", ["2 weeks"], ["100,000"], production_fee="5,000")
    request = SeparateRequest([item], "Nike", currency="USD")
    proposal = price_separate(request, facts, settings, today)
    option = proposal.locations[0].options[0]
    assert option.net_rate.text == "$27,229.41"
    assert option.fee.text == "$1,361.47"
    assert option.vat.text == "$1,436.62"
    assert option.total.text == "$30,169.09"
    assert option.total.amount == Decimal("30169.09")
    assert option.total.aed == Decimal("110796.00")
    table = proposal.tables[0]
    assert _row(table, "Municipality Fee:").values == ("$141.59 Per Image/Message",)
    assert _row(table, "Net Rate:").values == ("$27,229.41",)
    assert _row(table, "Production Fee:").values == ("$1,361.47",)
    assert _row(table, "VAT 5% :").values == ("$1,436.62",)
    assert _row(table, "Total:").values == ("$30,169.09",)
    assert "All amounts shown in USD (converted from AED at current exchange rates)." in table.terms


def test_example_5_combined_mixed_package(facts, settings, today):
    request = CombinedRequest(
        [
            CombinedItem("dubai_gateway", "2026-01-01", "2 weeks"),
            CombinedItem("uae21", "2026-01-01", "2 weeks", production_fee="20,000"),
        ],
        combined_net_rate="2,000,000",
        client_name="Nike",
    )
    proposal = price_combined(request, facts, settings, today)
    package = proposal.package
    assert package is not None
    assert [f.text for f in package.fees] == ["AED 2,000", "AED 20,000"]
    assert package.subtotal.aed == Decimal("2022520.00")
    assert package.vat.text == "AED 101,126"
    assert package.total.text == "AED 2,123,646"
    table = proposal.tables[0]
    assert _row(table, "Upload/Production Fee:").values == ("AED 2,000", "AED 20,000")
    assert _row(table, "Net Rate:").values == ("AED 2,000,000",)
    assert _row(table, "Municipality Fee:").values == ("AED 520 Per Image/Message",)
    assert _row(table, "VAT 5% :").values == ("AED 101,126",)
    assert _row(table, "Total:").values == ("AED 2,123,646",)


def test_example_6_location_line(facts, settings, today):
    item = SeparateItem("dubai_gateway", "2026-01-01", ["2 weeks"], ["1M"], spots=2)
    proposal = price_separate(SeparateRequest([item], "Nike"), facts, settings, today)
    assert proposal.locations[0].location_line == (
        "The Landmark Series: The Dubai Gateway - Size (7m x 14m) - 4 faces - 2 spots - "
        "24 Seconds - 25.0% SOV - 96 seconds loop"
    )
    assert _row(proposal.tables[0], "Location:").values == (proposal.locations[0].location_line,)
