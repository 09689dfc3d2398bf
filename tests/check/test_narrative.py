"""Narrative figures against the tables they come from."""

from decimal import Decimal as D

from checking.check import check_document
from checking.findings import Category, Report, Severity
from tests.check.fixtures import basic_table, expenditure_table, make_doc, operating_cost_table, three_public_table


def _errors(report):
    return [f for f in report.findings if f.severity is Severity.error]


def test_operating_cost_21_42_vs_21_52_is_one_error_citing_both():
    doc = make_doc(["七、机关运行经费预算", "我部门2025年机构运行经费支出预算21.42万元，主要保障机构正常运转。"], [operating_cost_table()])
    errors = _errors(check_document(doc))
    assert len(errors) == 1
    f = errors[0]
    assert f.category is Category.narrative_vs_table and f.stated == D("21.42") and f.expected == D("21.52")
    assert f.difference == D("-0.10")
    sides = {e.side for e in f.evidence}
    assert sides == {"narrative", "table"}
    table_ev = next(e for e in f.evidence if e.side == "table")
    assert table_ev.location.table_id == "t9" and table_ev.raw == "21.52"
    assert "21.42" in f.message and "21.52" in f.message


def test_consistent_amounts_and_shares_give_no_error():
    doc = make_doc(
        ["三、支出预算总体情况说明",
         "2025年某区医疗保障局支出合计1125.77万元，其中：基本支出417.79万元，占37.11%；项目支出707.98万元，占62.89%。"],
        [expenditure_table()],
    )
    report = check_document(doc)
    assert _errors(report) == [] and report.aligned >= 3


def test_share_outside_rounding_is_reported():
    doc = make_doc(["三、支出", "支出合计1125.77万元，其中：基本支出417.79万元，占39.11%。"], [expenditure_table()])
    errors = _errors(check_document(doc))
    assert [f.code for f in errors] == ["N-SHARE"] and errors[0].expected == D("37.11")


def test_shares_adjusted_to_add_up_to_100_are_not_errors():
    """Three equal parts are 33.33% each, which adds up to 99.99%: printing one as 33.34% is the
    usual last-digit adjustment (seed 003 prints 0.68% + 98.64% + 0.68% for 0.68/98.64/0.67). Moving
    a digit when honest rounding already reaches 100% (37.11 + 62.89) stays a finding."""
    adjusted = make_doc(["三、支出", "支出合计3000.00万元，其中：基本支出1000.00万元，占33.34%；项目支出1000.00万元，"
                                  "占33.33%；事业单位经营支出1000.00万元，占33.33%。"], [])
    findings = check_document(adjusted).findings
    assert not [f for f in findings if f.code == "N-SHARE"]
    notes = [f for f in findings if f.code == "N-SHARE-ADJUSTED"]
    assert len(notes) == 1 and notes[0].severity is Severity.info and "合计100%" in notes[0].message
    assert notes[0].stated == D("33.34") and notes[0].expected == D("33.33")
    moved = make_doc(["三、支出", "支出合计1125.77万元，其中：基本支出417.79万元，占37.12%；项目支出707.98万元，占62.88%。"],
                     [expenditure_table()])
    codes = {f.code for f in check_document(moved).findings}
    assert "N-SHARE" in codes and "N-SHARE-ADJUSTED" not in codes


def test_yuan_table_and_wan_narrative_are_converted():
    rows = [["208", "社会保障和就业支出", "648,400.00", "648,400.00", "0.00"],
            ["210", "卫生健康支出", "10,295,300.00", "3,215,500.00", "7,079,800.00"],
            ["221", "住房保障支出", "314,000.00", "314,000.00", "0.00"]]
    t = expenditure_table(total=("11,257,700.00", "4,177,900.00", "7,079,800.00"), rows=rows)
    t.unit = "元"
    for row in t.rows:
        for c in row.cells:
            if c.figure:
                c.figure.unit = "元"
    doc = make_doc(["一、支出", "支出合计1125.77万元，其中：基本支出417.79万元。"], [t])
    assert _errors(check_document(doc)) == []


def test_digit_swap_is_named():
    doc = make_doc(["一、支出", "支出合计1125.77万元，其中：基本支出471.79万元。"], [expenditure_table()])
    errors = _errors(check_document(doc))
    assert len(errors) == 1 and "颠倒" in errors[0].message


def test_unit_slip_is_named_not_a_plain_mismatch():
    doc = make_doc(["一、支出", "支出合计11257700万元。"], [expenditure_table()])
    f = [x for x in check_document(doc).findings if x.code == "N-AMOUNT"]
    assert f and "单位" in f[0].message


def test_change_rate_and_minus_100():
    doc = make_doc(
        ["一、收支", "收入总计1125.77万元，与2024年预算相比，收入增加53.87万元，上升5.03%。",
         "二、三公", "“三公”经费预算为0万元。较2024年减少4万元，减少100%。",
         "三、其他", "公务接待费1.00万元，较2024年减少2万元，下降100%。"],
        [three_public_table()],
    )
    codes = [f.code for f in _errors(check_document(doc))]
    assert codes.count("N-RATE") == 0 and "N-MINUS-100" in codes


def test_prior_year_rate_and_direction():
    narrative = ["一、支出",
                 "1、公共安全支出（204类）司法（06款）行政运行（01项）1434.89万元。主要用于：基本支出。2025年当年预算执行数为1690.69万元，2026年预算安排1434.89万元，比2025年预算执行数减少1.10%。",
                 "2、住房保障支出（221类）住房改革支出（02款）购房补贴（03项）207万元。2025年当年预算执行数为241.76万元，2026年预算安排170.03万元，比2025年预算执行数增加21.74%。"]
    rows = [["204", "公共安全支出", "1,434.89", "1,434.89", ""], ["20406", "司法", "1,434.89", "1,434.89", ""],
            ["2040601", "行政运行", "1,434.89", "1,434.89", ""], ["221", "住房保障支出", "207.00", "207.00", ""],
            ["22102", "住房改革支出", "207.00", "207.00", ""], ["2210203", "购房补贴", "207.00", "207.00", ""]]
    doc = make_doc(narrative, [expenditure_table(total=("1,641.89", "1,641.89", "0"), rows=rows)], year=2026)
    errors = _errors(check_document(doc))
    codes = sorted(f.code for f in errors)
    assert codes == ["N-AMOUNT", "N-DIRECTION", "N-RATE"], codes
    amount = next(f for f in errors if f.code == "N-AMOUNT")
    assert amount.stated == D("170.03") and amount.expected == D("207.00")


def test_incomplete_table_is_an_extraction_finding_not_an_error():
    doc = make_doc(["七、机关运行经费", "机构运行经费支出预算21.42万元。"], [operating_cost_table(complete=False)])
    report = check_document(doc)
    assert _errors(report) == []
    assert any(f.category is Category.extraction for f in report.findings)


def test_report_round_trips_through_json():
    doc = make_doc(["七、机关运行经费", "机构运行经费支出预算21.42万元。"], [operating_cost_table(), basic_table()])
    report = Report(documents=[check_document(doc)])
    again = Report.from_json(report.to_json())
    assert again == report
    assert isinstance(again.documents[0].findings[0].stated, D)
