from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesbot.booking_orders.calculations import (
    BookingOrder,
    BookingOrderError,
    Location,
    calculate,
    campaign_duration,
    convert_currency,
    describe_missing,
    missing_fields,
    parse_date,
    parse_money,
    parse_percent,
)
from salesbot.booking_orders.edits import add_location, apply_edit, remove_location
from tests.unit.booking_orders._sample import worked_example
from tests.unit.default_terms import VAT_PCT

D = Decimal


def test_worked_example_holds_exactly() -> None:
    calc = calculate(worked_example(), VAT_PCT)
    assert calc.rentals == D("460000")
    assert calc.net_pre_vat == D("462520")
    assert calc.vat == D("23126")
    assert calc.gross == D("485646")
    assert calc.sla_deduction == D("46000")
    assert calc.net_excl_sla == D("416520")
    assert [t.post_sla for t in calc.locations] == [D("144000"), D("144000"), D("126000")]
    assert calc.warnings == ()
    assert not calc.net_mismatch
    assert not calc.vat_flagged


def test_dm_fee_edit_example_holds_exactly_and_leaves_the_original_alone() -> None:
    original = worked_example()
    edited = apply_edit(original, "municipality fee", "1,000")
    calc = calculate(edited, VAT_PCT)
    assert calc.net_pre_vat == D("463000")
    assert calc.vat == D("23150")
    assert calc.gross == D("486150")
    assert calc.sla_deduction == D("46000")
    assert calc.net_excl_sla == D("417000")
    assert original.municipality_fee == D(520)
    assert calculate(original, VAT_PCT).net_pre_vat == D("462520")


def test_fee_edit_replaces_a_document_net_that_matched_the_old_fee() -> None:
    from_document = worked_example(net_pre_vat=D("462520"), vat=D("23126"), gross=D("485646"))
    calc = calculate(apply_edit(from_document, "DM fee", 1000), VAT_PCT)
    assert calc.net_pre_vat == D("463000")
    assert calc.vat == D("23150")
    assert calc.warnings == ()


def test_a_different_document_net_is_kept_and_warned_about_in_the_spec_format() -> None:
    calc = calculate(worked_example(net_pre_vat=D("470000")), VAT_PCT)
    assert calc.net_pre_vat == D("470000")
    assert calc.computed_net == D("462520")
    assert calc.net_mismatch
    assert calc.warnings[0] == (
        "Location totals (460,000.00) + fees (municipality: 520.00, prod/upload: 2,000.00) "
        "= 462,520.00 doesn't match net (470,000.00)"
    )
    assert calc.vat == D("23500")
    assert calc.gross == D("493500")


@pytest.mark.parametrize(
    ("document_vat", "flagged"),
    [(D("23126"), False), (D("23127"), False), (D("23125.00"), False), (D("23127.01"), True)],
)
def test_document_vat_is_kept_and_flagged_only_beyond_one_unit(
    document_vat: Decimal, flagged: bool
) -> None:
    calc = calculate(worked_example(vat=document_vat), VAT_PCT)
    assert calc.vat == document_vat
    assert calc.computed_vat == D("23126")
    assert calc.gross == D("462520") + document_vat
    assert calc.vat_flagged is flagged
    assert any("VAT on the document" in w for w in calc.warnings) is flagged


def test_vat_rate_is_a_parameter() -> None:
    assert calculate(worked_example(), vat_pct=0).vat == D(0)
    assert calculate(worked_example(), vat_pct=D("7.5")).vat == D("34689.00")


def test_missing_fields_lists_required_data_and_zero_counts_as_missing() -> None:
    bo = BookingOrder(
        company="Viola",
        locations=(
            Location(name="UAE02", start_date=date(2025, 3, 1), net_amount=D(0)),
            Location(end_date=date(2025, 3, 31), net_amount=D(5)),
        ),
    )
    assert missing_fields(bo) == [
        "client",
        "locations[0].end_date",
        "locations[0].net_amount",
        "locations[1].name",
        "locations[1].start_date",
    ]
    assert describe_missing(bo) == [
        "Client",
        "UAE02 end date",
        "UAE02 net amount",
        "Location 2 name",
        "Location 2 start date",
    ]


def test_an_empty_booking_order_misses_client_locations_and_net() -> None:
    assert missing_fields(BookingOrder()) == ["client", "locations", "net_pre_vat"]
    assert missing_fields(worked_example()) == []


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 3, 1), date(2025, 3, 31), "1 month"),
        (date(2025, 2, 1), date(2025, 2, 28), "4 weeks"),  # 28 days are 4 weeks, even in February
        (date(2025, 3, 5), date(2025, 4, 3), "1 month"),
        (date(2025, 3, 5), date(2025, 4, 1), "4 weeks"),  # 28 days that are not a month
        (date(2025, 3, 4), date(2025, 4, 1), "1 month"),  # 29 days
        (date(2025, 3, 1), date(2025, 3, 14), "2 weeks"),
        (date(2025, 3, 1), date(2025, 3, 15), "2 weeks"),
        (date(2025, 3, 1), date(2025, 4, 30), "2 months"),
        (date(2025, 1, 1), date(2025, 12, 31), "12 months"),
        (date(2025, 3, 1), date(2025, 3, 7), "1 week"),
        (date(2025, 3, 1), date(2025, 3, 21), "3 weeks"),
        (date(2025, 3, 1), date(2025, 3, 10), "10 days"),
        (date(2025, 3, 1), date(2025, 3, 1), "1 day"),
    ],
)
def test_campaign_duration_from_dates(start: date, end: date, expected: str) -> None:
    assert campaign_duration(start, end) == expected


def test_calculated_durations_come_from_dates_or_the_document() -> None:
    bo = worked_example()
    undated = replace(bo.locations[0], start_date=None, end_date=None, campaign_duration="4 weeks")
    calc = calculate(replace(bo, locations=(undated, *bo.locations[1:])), VAT_PCT)
    assert [t.campaign_duration for t in calc.locations] == ["4 weeks", "1 month", "2 weeks"]


def test_currency_conversion_goes_through_aed_at_two_decimals() -> None:
    rates = {"USD": D("3.6725"), "EUR": D("4.0")}
    usd = convert_currency(worked_example(), "usd", rates)
    assert usd.currency == "USD"
    assert [loc.net_amount for loc in usd.locations] == [
        D("43567.05"),
        D("43567.05"),
        D("38121.17"),
    ]
    assert usd.municipality_fee == D("141.59")
    assert usd.production_upload_fee == D("544.59")
    eur = convert_currency(usd, "EUR", rates)
    # 43,567.05 USD × 3.6725 / 4.0 = 39,999.9978… → 40,000.00 EUR (rounded once).
    assert eur.locations[0].net_amount == D("40000.00")
    assert convert_currency(usd, "USD", rates) is usd


def test_currency_conversion_needs_a_configured_rate() -> None:
    with pytest.raises(BookingOrderError, match="No exchange rate is configured for GBP"):
        convert_currency(worked_example(), "GBP", {"USD": D("3.6725")})
    with pytest.raises(BookingOrderError, match="must be positive"):
        convert_currency(worked_example(), "USD", {"USD": D(0)})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"municipality_fee": D(-1)}, "Municipality fee can't be negative"),
        ({"production_upload_fee": D("2000000000")}, "Production/upload fee looks wrong"),
        ({"sla_pct": D(120)}, "SLA must be between 0 and 100 %"),
        ({"commission_pct": D(-5)}, "Commission must be between 0 and 100 %"),
        ({"currency": "dirham"}, "three-letter code"),
    ],
)
def test_negative_and_absurd_values_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(BookingOrderError, match=message):
        calculate(worked_example(**changes), VAT_PCT)


def test_a_location_ending_before_it_starts_is_refused() -> None:
    bo = worked_example()
    with pytest.raises(BookingOrderError, match="UAE21 ends before it starts"):
        apply_edit(bo, "end_date", "1st March 2025", location="UAE21")
    with pytest.raises(BookingOrderError, match="more than ten years"):
        apply_edit(bo, "end_date", "2040-01-01", location="UAE21")


def test_edit_a_named_location_net_amount() -> None:
    edited = apply_edit(worked_example(), "net amount", "150000", location="uae21")
    calc = calculate(edited, VAT_PCT)
    assert edited.locations[2].net_amount == D(150000)
    assert calc.rentals == D("470000")
    assert calc.sla_deduction == D("47000")
    assert calc.locations[2].post_sla == D("135000")


def test_edit_dates_recomputes_duration_and_single_location_needs_no_name() -> None:
    single = worked_example(locations=(worked_example().locations[0],))
    edited = apply_edit(single, "end date", "14/03/2025")
    assert edited.locations[0].end_date == date(2025, 3, 14)
    assert calculate(edited, VAT_PCT).locations[0].campaign_duration == "2 weeks"


def test_edit_plain_fields_and_refusals() -> None:
    bo = worked_example()
    assert apply_edit(bo, "client", "  Adidas  ").client == "Adidas"
    assert apply_edit(bo, "upload fee", "AED 3,000").production_upload_fee == D(3000)
    assert apply_edit(bo, "sla", "15%").sla_pct == D(15)
    assert apply_edit(bo, "commission", "0.025").commission_pct == D("2.5")
    assert apply_edit(bo, "bo_date", "1st March 2025").bo_date == date(2025, 3, 1)
    assert apply_edit(bo, "asset", "UAE02, UAE05 and UAE07").asset == ("UAE02", "UAE05", "UAE07")
    with pytest.raises(BookingOrderError, match="The client is the buyer, not Viola"):
        apply_edit(bo, "client", "viola")
    with pytest.raises(BookingOrderError, match="Gross is calculated"):
        apply_edit(bo, "gross", "1")
    with pytest.raises(BookingOrderError, match="currency conversion"):
        apply_edit(bo, "currency", "USD")
    with pytest.raises(BookingOrderError, match="'colour' is not a field you can edit"):
        apply_edit(bo, "colour", "red")
    with pytest.raises(
        BookingOrderError, match=r"No location named 'Gateway'.*UAE02, UAE03, UAE21"
    ):
        apply_edit(bo, "net amount", "1", location="Gateway")
    with pytest.raises(BookingOrderError, match="Which location"):
        apply_edit(bo, "start date", "1st March 2025")
    with pytest.raises(BookingOrderError, match="is not an amount"):
        apply_edit(bo, "DM fee", "a lot")


def test_edit_document_net_and_vat_are_overrides() -> None:
    net = apply_edit(worked_example(vat=D("1")), "net_pre_vat", "500,000")
    assert net.vat is None
    assert calculate(net, VAT_PCT).net_pre_vat == D("500000")
    assert calculate(net, VAT_PCT).net_mismatch
    vat = apply_edit(worked_example(), "vat", "23,000")
    assert calculate(vat, VAT_PCT).vat == D("23000")
    assert calculate(vat, VAT_PCT).vat_flagged


def test_add_and_remove_locations_recalculate() -> None:
    bo = worked_example(net_pre_vat=D("462520"))
    added = add_location(bo, Location("UAE30", net_amount=D(10000)))
    assert added.net_pre_vat is None
    assert calculate(added, VAT_PCT).net_pre_vat == D("472520")
    removed = remove_location(added, "UAE02")
    assert [loc.name for loc in removed.locations] == ["UAE03", "UAE21", "UAE30"]
    assert calculate(removed, VAT_PCT).rentals == D("310000")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AED 160,000.00", D("160000.00")),
        ("160000", D("160000")),
        ("1.5M", D("1500000.0")),
        ("150k", D("150000")),
        ("(2,000)", D("-2000")),
        (520, D(520)),
    ],
)
def test_parse_money(text: str | int, expected: Decimal) -> None:
    assert parse_money(text) == expected


@pytest.mark.parametrize(
    "text",
    ["1st March 2025", "01/03/2025", "2025-03-01", "March 1, 2025", "1-Mar-2025", "1.3.2025"],
)
def test_parse_date_formats(text: str) -> None:
    assert parse_date(text) == date(2025, 3, 1)


def test_parse_date_and_percent_refuse_nonsense() -> None:
    with pytest.raises(BookingOrderError, match="is not a date"):
        parse_date("next Tuesday")
    assert parse_percent("10%") == D(10)
    assert parse_percent("0.1") == D(10)
    assert parse_percent("0.5%") == D("0.5")


# ---------------------------------------------------------------- properties

amounts = st.decimals(
    min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False
)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def booking_orders(draw: st.DrawFn) -> BookingOrder:
    nets = draw(st.lists(amounts, min_size=1, max_size=6))
    locations = tuple(
        Location(f"L{i}", start_date=date(2025, 1, 1), end_date=date(2025, 1, 31), net_amount=n)
        for i, n in enumerate(nets)
    )
    return BookingOrder(
        company="Viola",
        client="Nike",
        sla_pct=draw(percents),
        municipality_fee=draw(amounts),
        production_upload_fee=draw(amounts),
        locations=locations,
    )


@settings(max_examples=150, deadline=None)
@given(bo=booking_orders(), vat_pct=percents)
def test_gross_is_net_plus_vat(bo: BookingOrder, vat_pct: Decimal) -> None:
    calc = calculate(bo, vat_pct=vat_pct)
    assert calc.gross == calc.net_pre_vat + calc.vat
    assert calc.net_pre_vat == calc.rentals + calc.municipality_fee + calc.production_upload_fee
    assert calc.net_excl_sla == calc.net_pre_vat - calc.sla_deduction


@settings(max_examples=150, deadline=None)
@given(
    bo=booking_orders(),
    fee=st.sampled_from(["municipality_fee", "production_upload_fee"]),
    new=amounts,
)
def test_editing_a_fee_changes_only_what_depends_on_it(
    bo: BookingOrder, fee: str, new: Decimal
) -> None:
    before = calculate(bo, VAT_PCT)
    after = calculate(apply_edit(bo, fee, new), VAT_PCT)
    delta = new - getattr(bo, fee)
    assert after.rentals == before.rentals
    assert after.sla_deduction == before.sla_deduction
    assert after.locations == before.locations
    assert after.net_pre_vat == before.net_pre_vat + delta
    assert after.net_excl_sla == before.net_excl_sla + delta
    assert after.vat == (after.net_pre_vat * 5 / Decimal(100)).quantize(
        D("0.01"), rounding=ROUND_HALF_UP
    )
    assert after.gross == after.net_pre_vat + after.vat


# AED per unit; a round trip through a currency whose unit is worth less than (or as much as)
# the starting one loses at most two half-cents.
rate_values = st.decimals(min_value="0.01", max_value="20", places=4)


@settings(max_examples=150, deadline=None)
@given(bo=booking_orders(), rate_a=rate_values, rate_b=rate_values)
def test_currency_round_trip_stays_within_a_cent(
    bo: BookingOrder, rate_a: Decimal, rate_b: Decimal
) -> None:
    strong, weak = max(rate_a, rate_b), min(rate_a, rate_b)
    rates = {"USD": strong, "INR": weak}
    start = replace(bo, currency="USD")
    back = convert_currency(convert_currency(start, "INR", rates), "USD", rates)
    pairs: list[tuple[Decimal | None, Decimal | None]] = [
        (start.municipality_fee, back.municipality_fee),
        (start.production_upload_fee, back.production_upload_fee),
    ]
    pairs += [
        (a.net_amount, b.net_amount) for a, b in zip(start.locations, back.locations, strict=True)
    ]
    for original, returned in pairs:
        assert original is not None and returned is not None
        assert abs(original - returned) <= D("0.01")


@settings(max_examples=100, deadline=None)
@given(bo=booking_orders())
def test_aed_round_trip_through_a_stronger_currency_is_within_half_a_cent_per_rate_unit(
    bo: BookingOrder,
) -> None:
    rates = {"USD": D("3.6725")}
    back = convert_currency(convert_currency(bo, "USD", rates), "AED", rates)
    bound = D("0.005") * D("3.6725") + D("0.005")
    for a, b in zip(bo.locations, back.locations, strict=True):
        assert a.net_amount is not None and b.net_amount is not None
        assert abs(a.net_amount - b.net_amount) <= bound
