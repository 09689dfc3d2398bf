"""One way to read a printed figure, one way to compare with rounding (Decimal only)."""

from decimal import Decimal as D

import pytest

from indexing.numbers import Agreement, Interval, compare_printed, find_numbers, parse_number, sum_interval, to_unit


@pytest.mark.parametrize(
    "text,value,decimals,unit",
    [
        ("1,125.77", D("1125.77"), 2, None),
        ("86,959,408.34", D("86959408.34"), 2, None),
        ("５３．８７", D("53.87"), 2, None),
        ("（12.5）", D("-12.5"), 1, None),
        ("-3.10", D("-3.10"), 2, None),
        ("5.03%", D("5.03"), 2, "%"),
        ("3个百分点", D("3"), 0, "个百分点"),
        ("1.2万元", D("1.2"), 1, "万元"),
        ("0.00", D("0.00"), 2, None),
        ("十二", D("12"), 0, None),
        ("一百零五", D("105"), 0, None),
    ],
)
def test_amounts_parse_exactly(text, value, decimals, unit):
    parsed = parse_number(text)
    assert parsed.value == value and isinstance(parsed.value, D)
    assert parsed.decimals == decimals and parsed.unit == unit
    assert parsed.raw == text


@pytest.mark.parametrize("text", ["", "  ", "-", "—", "——", "－"])
def test_blanks_and_dashes_are_no_value(text):
    parsed = parse_number(text)
    assert parsed is not None and parsed.value is None


@pytest.mark.parametrize("text", ["合计", "一般公共预算", "2080505 机关事业单位", "abc"])
def test_labels_are_not_numbers(text):
    assert parse_number(text) is None


def test_numbers_in_prose_keep_unit_and_span():
    text = "收入增加53.87万元，上升5.03%，支出项目共4个，两人退休，2024-2025年"
    found = list(find_numbers(text))
    assert [(n.value, n.unit) for n in found[:4]] == [(D("53.87"), "万元"), (D("5.03"), "%"), (D("4"), "个"), (D("2"), "人")]
    assert all(text[n.start : n.end] == n.raw for n in found)
    assert D("-2025") not in [n.value for n in found]  # a range dash is not a minus sign


def test_units_convert_exactly():
    assert to_unit(D("86959408.34"), "元", "万元") == D("8695.940834")
    assert to_unit(D("1.5"), "亿元", "万元") == D("15000")


def test_rounding_outcomes():
    assert compare_printed(D("37.11"), 2, D("37.11")) is Agreement.exact
    assert compare_printed(D("37.11"), 2, D("417.79") / D("1125.77") * 100) is Agreement.within_rounding
    # 2,687,760 元 printed as 268.77 万元: truncated, not rounded; accepted and named.
    assert compare_printed(D("268.77"), 2, D("268.776")) is Agreement.truncation
    assert compare_printed(D("21.42"), 2, D("21.52")) is Agreement.outside


def test_sum_of_rounded_parts_uses_intervals():
    parts = sum_interval([(D("0.33"), 2), (D("0.33"), 2), (D("0.33"), 2)])
    assert parts.overlaps(Interval.printed(D("1.00"), 2))  # 1/3 three times, each rounded
    assert not parts.overlaps(Interval.printed(D("1.02"), 2))
