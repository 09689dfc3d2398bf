"""service/scope.py: the department, year and kind of a question, read against the indexed catalogue.

Fictional departments, built from the naming rules (places + office), not from the labelled set."""

from __future__ import annotations

import pytest

from service.scope import CatalogEntry, name_forms, question_kind, question_year, resolve_scope

CATALOG = [
    CatalogEntry("a25", "东山市河口区医疗保障局", year=2025, kind="预算"),
    CatalogEntry("b25", "西岭县医疗保障局", year=2025, kind="预算"),
    CatalogEntry("c25", "东山市河口区财政局", year=2025, kind="预算"),
    CatalogEntry("c24", "东山市河口区财政局", year=2024, kind="决算"),
    CatalogEntry("d25", "东山市河口区人力资源和社会保障局", year=2025, kind="预算"),
    CatalogEntry("e25", "东山市河口区人民政府办公室", year=2025, kind="预算"),
    CatalogEntry("f25", "东山市河口区发展和改革委员会", year=2025, kind="预算"),
]


@pytest.mark.parametrize("question, department", [
    ("财政局2025年项目支出是多少", "东山市河口区财政局"),
    ("区财政局三公经费是多少", "东山市河口区财政局"),
    ("河口区医保局三公经费为什么下降", "东山市河口区医疗保障局"),
    ("河口医保局三公经费", "东山市河口区医疗保障局"),  # the district said without 区
    ("西岭县医保局机关运行经费", "西岭县医疗保障局"),
    ("人社局的项目支出", "东山市河口区人力资源和社会保障局"),  # parts joined by 和: first characters
    ("区政府办公室的公用经费", "东山市河口区人民政府办公室"),  # 人民政府 said 政府
    ("发改委2025年预算", "东山市河口区发展和改革委员会"),  # 委员会 said 委
])
def test_a_part_of_the_name_names_the_department(question, department):
    scope = resolve_scope(question, CATALOG)
    assert scope.status == "named" and scope.departments == (department,)
    assert scope.doc_ids and all(e.department == department for e in CATALOG if e.doc_id in scope.doc_ids)


def test_a_part_several_departments_share_is_ambiguous_and_answers_for_none():
    scope = resolve_scope("医保局2025年机关运行经费是多少", CATALOG)
    assert scope.status == "ambiguous" and not scope.doc_ids
    assert set(scope.candidates) == {"东山市河口区医疗保障局", "西岭县医疗保障局"}
    text = scope.clarification()
    assert "东山市河口区医疗保障局" in text and "西岭县医疗保障局" in text and "医保局" in text


def test_words_that_are_no_name_name_nothing():
    for q in ("财政拨款收入是多少", "该局有公务用车吗", "项目支出占全部支出的比例是多少"):
        scope = resolve_scope(q, CATALOG)
        assert scope.status == "absent" and not scope.departments, q
        assert scope.clarification()  # several departments loaded: the answer says so


def test_the_word_of_a_compound_kind_is_cut_but_the_kind_alone_names_nothing():
    catalog = CATALOG + [CatalogEntry("g25", "东山市河口区城市管理局", year=2025, kind="预算"),
                         CatalogEntry("h25", "东山市河口区市场监督管理局", year=2025, kind="预算")]
    for q, dept in (("城管局2025年三公经费", "东山市河口区城市管理局"),  # 城市管理局: 城市 and 管理 cut
                    ("区城管局的项目支出", "东山市河口区城市管理局"),
                    ("市场监管局的公用经费", "东山市河口区市场监督管理局")):
        scope = resolve_scope(q, catalog)
        assert scope.status == "named" and scope.departments == (dept,), q
    assert resolve_scope("管理局的预算", catalog).status == "absent"  # the kind alone is no mention


def test_a_back_reference_after_a_verb_of_asking_names_nothing():
    for q in ("想知道该局2025年三公经费是多少", "我还想知道该局的项目支出", "想了解本局的机关运行经费"):
        scope = resolve_scope(q, CATALOG)
        assert scope.status == "absent" and not scope.departments and scope.unknown is None, q


def test_another_place_or_an_office_not_indexed_is_not_matched():
    assert resolve_scope("北湖市财政局三公经费", CATALOG).status == "unknown"  # another city's 财政局
    scope = resolve_scope("教育局2025年预算是多少", CATALOG)
    assert scope.status == "unknown" and scope.unknown == "教育局" and "教育局" in scope.clarification()


def test_one_department_indexed_needs_no_name():
    scope = resolve_scope("三公经费是多少", [CATALOG[0]])
    assert scope.status == "only" and scope.doc_ids == ("a25",)


def test_two_departments_named_are_each_answered_separately():
    scope = resolve_scope("河口区医保局和区财政局的三公经费", CATALOG)
    assert scope.status == "named" and len(scope.departments) == 2 and not scope.definite
    each = scope.for_department("东山市河口区财政局", CATALOG)
    assert each.definite and set(each.doc_ids) <= {"c25", "c24"}


def test_selector_narrows_and_a_question_may_not_leave_it():
    assert resolve_scope("项目支出是多少", CATALOG, department="财政局").departments == ("东山市河口区财政局",)
    assert resolve_scope("三公经费", CATALOG, department="医疗保障局").status == "ambiguous"
    assert resolve_scope("三公经费", CATALOG, department="教育局").status == "unknown"
    # the question names a department outside the selection: none of the selected documents
    scope = resolve_scope("发改委的三公经费", CATALOG, doc_ids=["a25"])
    assert scope.status == "unknown" and scope.doc_ids == ()


def test_year_asked_not_year_compared_and_kind_only_where_both_are_loaded():
    assert question_year("与2024年相比，2025年预算增加多少") == 2025
    assert question_year("2025年预算比2024年增加了多少") == 2025
    assert question_year("与2024年相比变化多少") is None
    assert question_kind("2024年决算中年初预算数") == "决算" and question_kind("三公经费预算") == "预算"
    scope = resolve_scope("财政局2024年年初预算执行情况", CATALOG)
    assert scope.doc_ids == ("c24",)
    assert resolve_scope("财政局的决算", CATALOG).doc_ids == ("c24",)
    # a kind that is not loaded for the department never empties the scope
    assert resolve_scope("河口区医保局决算数", CATALOG).doc_ids == ("a25",)


def test_short_forms_follow_the_rule_for_any_office():
    forms = name_forms("北湖市卫生健康委员会")
    assert {"北湖市卫健委", "北湖卫健委", "北湖市卫生健康委员会"} <= forms


def test_a_place_only_one_department_holds_names_it_and_a_word_ending_in_an_office_kind_is_no_name():
    assert resolve_scope("西岭县城乡居民医保配套资金有多少", CATALOG).departments == ("西岭县医疗保障局",)
    assert resolve_scope("河口区城乡社区支出是多少", CATALOG).status == "absent"  # a place five share
    for q in ("418.80万元中介机构服务费分别委托给了哪些机构", "支出结构布局有什么变化"):
        assert resolve_scope(q, CATALOG).status == "absent", q
