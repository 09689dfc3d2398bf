"""Question templates over a budget: the ways a citizen, a journalist or an inspector asks for the
same figures, with the department written in full, by its district and short name, or not at all,
with or without the year, in 万元 or in 元, and in colloquial words (花了多少, 开支, 经费, 加起来).

A template is (id, kind, text, targets): `kind` is the operation the truth is computed with
(value, value_yuan, share, change, difference, sum, parts, count, prior_value, unanswerable);
`text` has the slots {D} (department), {Y} (year), {P} (previous year), {A}/{B} (metric wordings),
{S} (a 科目 name), {C} (a 科目 code), {J} (a project name). Targets name the truth (truth.py keys).
None of these is taken from the labelled questions of ../shared/labels.
"""

from __future__ import annotations

# How people name each metric (first: the documents' word; then colloquial forms).
WORDINGS = {
    "支出总计": ["支出总计", "总支出", "全部支出", "支出预算总额", "总共的支出"],
    "收入总计": ["收入总计", "总收入", "收入预算总额"],
    "基本支出": ["基本支出", "基本支出经费"],
    "项目支出": ["项目支出", "项目经费", "项目开支"],
    "人员经费": ["人员经费", "人员方面的经费"],
    "公用经费": ["公用经费", "日常公用经费"],
    "三公经费": ["“三公”经费", "三公经费", "三公开支"],
    "因公出国(境)费": ["因公出国（境）费", "出国经费", "因公出国费用"],
    "公务接待费": ["公务接待费", "接待费"],
    "公务用车购置及运行费": ["公务用车购置及运行费", "公车购置和运行费用"],
    "机关运行经费": ["机关运行经费", "机关的运行经费"],
    "政府采购": ["政府采购预算", "政府采购金额"],
    "一般公共预算收入": ["一般公共预算拨款收入", "一般公共预算拨款"],
}
SHARE_PAIRS = [("项目支出", "支出总计"), ("基本支出", "支出总计"), ("人员经费", "基本支出"), ("公用经费", "基本支出"),
               ("三公经费", "支出总计"), ("因公出国(境)费", "三公经费"), ("公务用车购置及运行费", "三公经费")]
DIFF_PAIRS = [("基本支出", "项目支出"), ("人员经费", "公用经费"), ("支出总计", "项目支出")]
SUM_PAIRS = [("基本支出", "项目支出"), ("人员经费", "公用经费"), ("因公出国(境)费", "公务接待费")]
VALUE_METRICS = ["支出总计", "收入总计", "基本支出", "项目支出", "人员经费", "公用经费", "三公经费", "因公出国(境)费",
                 "公务接待费", "公务用车购置及运行费", "机关运行经费", "政府采购", "一般公共预算收入"]
CHANGE_METRICS = ["三公经费", "机关运行经费", "支出总计"]

TEMPLATES: list[tuple[str, str, str]] = [
    # value
    ("v01", "value", "{D}{Y}{A}是多少？"),
    ("v02", "value", "{D}{Y}{A}预算安排了多少钱？"),
    ("v03", "value", "{Y}{D}的{A}有多少万元？"),
    ("v04", "value", "{D}{A}花了多少？"),
    ("v05", "value", "请问{D}{Y}{A}一共多少？"),
    ("v06", "value", "{A}是多少钱？"),
    ("v07", "value", "{D}今年{A}是多少"),
    ("v08", "value", "{D}{Y}在{A}上安排了多少？"),
    ("v09", "value", "{D}{Y}{A}的预算数是多少？"),
    ("v10", "value", "想知道{D}{Y}的{A}"),
    ("v11", "value", "{D}{Y}{A}折合多少万元？"),
    ("v12", "value_yuan", "{D}{Y}{A}是多少元？"),
    ("v13", "value_yuan", "{D}{A}具体是多少元钱？"),
    ("v14", "value", "{D}{Y}度{A}多少"),
    # 三公 parts
    ("p01", "parts", "{D}{Y}“三公”经费由哪几部分构成，各是多少？"),
    ("p02", "parts", "{D}{Y}三公经费分别花在哪些方面，各多少？"),
    # 科目 and projects
    ("s01", "subject", "{D}{Y}“{S}”科目预算多少？"),
    ("s02", "subject", "{D}{Y}{S}安排了多少钱？"),
    ("s03", "code", "{D}{Y}科目{C}安排了多少？"),
    ("s04", "code", "功能分类科目{C}的预算是多少？"),
    ("j01", "project", "{D}{Y}{J}项目安排了多少钱？"),
    ("j02", "project", "{J}预算是多少？"),
    ("j03", "project_share", "{J}占项目支出的比重是多少？"),
    # share
    ("r01", "share", "{D}{Y}{A}占{B}的比重是多少？"),
    ("r02", "share", "{A}占{B}的比例是多少？"),
    ("r03", "share", "{D}{A}在{B}里占百分之几？"),
    ("r04", "share_total", "{D}{Y}{A}占全部支出的比例？"),
    ("r05", "share_parts", "{D}{Y}人员经费和公用经费各占基本支出多少？"),
    ("r06", "share_parts", "{D}基本支出和项目支出各占总支出的多少？"),
    # change vs last year
    ("c01", "change", "{D}{Y}{A}比上年增加还是减少了？变化多少？"),
    ("c02", "change", "{D}{A}和去年比变化了多少？"),
    ("c03", "change", "与{P}年相比，{D}{A}变化多少？"),
    ("c04", "change", "{D}{Y}{A}较上年增长了多少？"),
    ("c05", "prior_value", "{D}{P}年的{A}是多少？"),
    # difference and sum
    ("d01", "difference", "{D}{Y}{A}比{B}多多少？"),
    ("d02", "difference", "{A}和{B}相差多少？"),
    ("d03", "sum", "{D}{Y}{A}和{B}加起来是多少？"),
    ("d04", "sum", "{D}{A}与{B}合计多少？"),
    ("d05", "two_values", "{D}{Y}{A}和{B}分别是多少？"),
    # yes/no, counts
    ("y01", "yes_fund", "{D}{Y}有没有安排政府性基金预算？"),
    ("y02", "yes_value", "{D}{Y}有没有“三公”经费？"),
    ("n01", "vehicles", "{D}有几辆公务用车？"),
    ("n02", "projects", "{D}{Y}有多少个项目？"),
    # unanswerable: what the templates never disclose
    ("u01", "unanswerable", "{D}{J}项目由哪家单位承接？"),
    ("u02", "unanswerable", "{D}{Y}的债务余额是多少？"),
    ("u03", "unanswerable", "{D}{Y}职工的平均工资是多少？"),
    ("u04", "unanswerable", "{D}{Y}公务接待了多少批次、多少人次？"),
    ("u05", "unanswerable", "{D}局长是谁？"),
    ("u06", "unanswerable", "{D}{Y}在编人员的平均年龄是多少？"),
    ("u07", "unanswerable", "{D}办公楼的建筑面积有多大？"),
    ("u08", "unanswerable", "{D}{J}的中标单位和合同金额是多少？"),
    ("u09", "unanswerable", "{D}{Y}的银行存款余额是多少？"),
    ("u10", "unanswerable_year", "{D}{O}年的项目支出是多少？"),
]

# Short forms people write for a department's kind (the question's words, not the documents').
SHORT_KIND = {"医疗保障局": ["医保局", "医疗保障局"], "文化旅游局": ["文旅局", "文化旅游局"], "民政局": ["民政局"],
              "财政局": ["财政局"], "农业农村局": ["农业农村局"], "城市管理局": ["城管局", "城市管理局"],
              "教育局": ["教育局"]}
