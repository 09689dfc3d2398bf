"""The narrative (概况, 情况说明, 名词解释) as sections of paragraphs made of plain text and `Slot`s.

A slot is a sentence fragment with named fields (amounts, rates, direction words, years); every number
that a checker could compare with a table is a `Claim` attached to its slot. Injection edits fields, so
the label's quote is always the slot's rendered text, exactly as printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from eval.generate.figures import CLASS_NAMES, Budget, pct, wan
from eval.generate.styles import Style

Ref = tuple[str, str, str]  # (table key, row label, column key)


@dataclass
class Field:
    kind: str  # amount | pct | word | year | count
    value: object  # Decimal for amount/pct, str for word, int for year/count
    unit: str = ""

    def render(self) -> str:
        if self.kind in ("amount", "pct"):
            return f"{self.value:.2f}{self.unit}" if isinstance(self.value, Decimal) else f"{self.value}{self.unit}"
        return f"{self.value}{self.unit}"


@dataclass
class Claim:
    field: str  # the slot field holding the printed number
    metric: str
    kind: str  # amount | share_pct | change_amount | change_pct | count | prior_year_amount
    unit: str
    value: Decimal
    evidence: list[Ref] = field(default_factory=list)
    computed: str = ""
    verdict: str = "consistent"
    severity: Optional[str] = None
    note: str = ""
    id: str = ""


@dataclass
class Slot:
    template: str
    fields: dict[str, Field]
    claims: list[Claim] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    removed: bool = False

    def text(self) -> str:
        return "" if self.removed else self.template.format(**{k: f.render() for k, f in self.fields.items()})


@dataclass
class NSection:
    heading: str
    paragraphs: list[list] = field(default_factory=list)  # each paragraph: list of str | Slot

    def slots(self):
        for p in self.paragraphs:
            yield from (x for x in p if isinstance(x, Slot))


def paragraph_text(parts: list) -> str:
    return "".join(p if isinstance(p, str) else p.text() for p in parts)


DUTIES = {
    "文化旅游局": ["统筹全区文化事业、文化产业和旅游业发展，拟订相关政策并组织实施",
               "管理全区公共文化服务体系建设，指导群众文化活动和非物质文化遗产保护",
               "负责文化和旅游市场的行业监管与综合执法"],
    "医疗保障局": ["组织实施医疗保险、生育保险和医疗救助等医疗保障制度",
               "监督管理医疗保障基金，推进支付方式改革", "负责医疗保障经办服务和信息化建设"],
    "民政局": ["拟订并组织实施社会救助、养老服务和社会福利政策", "指导城乡社区治理和基层政权建设",
            "负责婚姻登记、殡葬管理和社会组织登记管理"],
    "财政局": ["编制年度预算草案并组织执行，管理财政收支", "拟订政府采购、国有资产和会计管理制度并监督实施",
            "推进预算绩效管理，组织开展财政监督"],
    "农业农村局": ["统筹推进乡村振兴，组织实施农业农村发展规划", "负责农作物病虫害防控和农业技术推广",
              "监督管理农产品质量安全和高标准农田建设"],
    "城市管理局": ["负责市容环境卫生管理和城市管理综合执法", "组织实施生活垃圾分类和道路保洁作业管理",
              "参与城市基础设施运行维护的监督考核"],
    "教育局": ["贯彻落实教育法律法规，统筹全区各级各类教育发展", "管理教师队伍建设和学生资助工作",
            "指导学校安全、招生考试和教育督导"],
}


class _Writer:
    def __init__(self, b: Budget, style: Style):
        self.b, self.s, self.w = b, style, style.words
        self.py = b.year - 1

    # -- field helpers: each returns (Field, Claim | None) -------------------------------------
    def amount(self, metric: str, yuan: Decimal, ev: list[Ref], kind: str = "amount", verdict: str = "consistent",
               computed: str = "", note: str = ""):
        w = wan(yuan)
        if not computed:
            computed = f"{yuan:.2f}元 = {w}万元" if self.s.table_unit == "元" else f"表中 {w} = 叙述 {w}"
        if not ev and verdict == "consistent" and kind == "amount":
            verdict = "unverifiable"
        return Field("amount", w, "万元"), Claim("", metric, kind, "万元", w, ev, computed, verdict, note=note)

    def share(self, metric: str, part: Decimal, whole: Decimal, ev: list[Ref]):
        p = pct(part, whole)
        return Field("pct", p, "%"), Claim("", metric, "share_pct", "%", p, ev,
                                           f"{wan(part)}/{wan(whole)} = {p}%", note="rounding")

    def count(self, metric: str, n: int, unit: str, ev: list[Ref]):
        verdict = "consistent" if ev else "unverifiable"
        return Field("count", n, unit), Claim("", metric, "count", unit, Decimal(n), ev,
                                              "表中行数" if ev else "无表可核", verdict)

    def slot(self, template: str, tags=(), **parts) -> Slot:
        fields, claims = {}, []
        for name, part in parts.items():
            f, c = part if isinstance(part, tuple) else (part, None)
            fields[name] = f
            if c is not None:
                c.field = name
                claims.append(c)
        return Slot(template, fields, claims, set(tags))

    def change(self, metric: str, cur: Decimal, prior: Decimal, prior_ev: list[Ref], lead: str,
               show_prior: bool, tags=()) -> Slot:
        """'{lead}{compare}[{prior}]{增加}{d}，{增长}{p}' or '…持平'. The change is verifiable when the prior
        figure is printed (in this sentence or a table)."""
        yf = Field("year", self.py)
        cmp_tpl = self.w["compare"].replace("{py}", "{year}")
        if cur == prior:
            tpl = lead + self.w["flat"].replace("{py}", "{year}")
            return self.slot(tpl, tags=tags, year=yf)
        d = abs(cur - prior)
        up = cur > prior
        verifiable = bool(prior_ev) or show_prior
        ev_note = "上年数见表" if prior_ev else ("上年数在同句中列示" if show_prior else "上年数不在表中")
        parts = {"year": yf, "dir": Field("word", self.w["up"] if up else self.w["down"])}
        tpl = lead + cmp_tpl
        if show_prior:
            parts["prior"] = self.amount(f"{metric}上年预算", prior, prior_ev, "prior_year_amount",
                                         "consistent" if prior_ev else "unverifiable", note=ev_note)
            tpl += "{prior}"
        parts["delta"] = self.amount(metric, d, prior_ev, "change_amount",
                                     "consistent" if verifiable else "unverifiable",
                                     computed=f"{wan(cur)} - {wan(prior)} = {wan(cur) - wan(prior)}",
                                     note=("增加" if up else "减少") + "; " + ev_note)
        tpl += "{dir}{delta}"
        if prior > 0:
            p = pct(d, prior)
            parts["dir2"] = Field("word", self.w["rise"] if up else self.w["fall"])
            parts["rate"] = (Field("pct", p, "%"),
                             Claim("", metric, "change_pct", "%", p, prior_ev,
                                   f"{wan(d)}/{wan(prior)} = {p}%", note="按隐含上年基数; rounding"))
            tpl += "，{dir2}{rate}"
        return self.slot(tpl, tags=tags, **parts)

    # -- sections ------------------------------------------------------------------------------
    def overview(self) -> list[NSection]:
        b = self.b
        duties = NSection("一、主要职责", [[f"{i + 1}．{d}。"] for i, d in enumerate(DUTIES[b.kind])])
        staff = self.slot("{dept}核定行政编制{n}，年初实有在职人员{m}，离退休人员{r}。",
                          dept=Field("word", b.department),
                          n=self.count("行政编制", b.staff + 2, "人", []),
                          m=self.count("实有在职人员", b.staff, "人", []),
                          r=self.count("离退休人员", b.retirees, "人", []))
        org = NSection("二、机构设置", [[staff, "内设办公室、业务科室和综合执法机构，本部门预算为本级预算。"]])
        return [duties, org]

    def explanation(self) -> list[NSection]:
        b, w, S = self.b, self.w, []
        y = b.year
        sm = lambda row, col: ("summary", row, col)  # noqa: E731
        tot_ev = [sm("收入总计", "收入/预算数")]
        # 一、收支总体情况
        s1 = [self.slot(f"{y}年{b.department}收入总计{{inc}}，支出总计{{exp}}。",
                        inc=self.amount("收入总计", b.total, tot_ev),
                        exp=self.amount("支出总计", b.total, [sm("支出总计", "支出/预算数")])),
              self.change("收支总计", b.total, b.prior_total, [], "收支总计", True, tags={"total_change"}), "。"]
        movers = [(c, b.class_total(c) - b.class_prior[c]) for c in b.classes() if b.class_total(c) != b.class_prior[c]]
        if movers:
            s1.append(w["reason"])
            bits = []
            for c, dlt in movers[:3]:
                f, cl = self.amount(CLASS_NAMES[c], abs(dlt), [], "change_amount", "unverifiable",
                                    note="增加" if dlt > 0 else "减少")
                bits.append(self.slot(CLASS_NAMES[c] + "{dir}{d}",
                                      dir=Field("word", w["up"] if dlt > 0 else w["down"]), d=(f, cl)))
            for k, bit in enumerate(bits):
                s1 += (["、"] if k else []) + [bit]
            s1.append(f"，{b.change_reasons[0]}。")
        S.append(NSection("一、收支预算总体情况", [s1]))
        # 二、收入
        inc = [self.slot("收入合计{a}，其中：", a=self.amount("本年收入合计", b.income_this_year,
                                                         [sm("本年收入合计", "收入/预算数")])),
               self.slot("一般公共预算拨款收入{a}，占{p}",
                         a=self.amount("一般公共预算收入", b.general_income, [sm("一、一般公共预算拨款收入", "收入/预算数")]),
                         p=self.share("一般公共预算收入", b.general_income, b.income_this_year,
                                      [sm("一、一般公共预算拨款收入", "收入/预算数"), sm("本年收入合计", "收入/预算数")])),
               "；",
               self.slot("政府性基金预算拨款收入{a}", a=self.amount("政府性基金预算收入", b.gov_fund,
                                                             [sm("二、政府性基金预算拨款收入", "收入/预算数")]))]
        if b.carry:
            inc += ["；另有", self.slot("上年结转{a}", a=self.amount("上年结转", b.carry, [sm("上年结转", "收入/预算数")]))]
        S.append(NSection("二、收入预算情况", [inc + ["。"]]))
        # 三、支出
        ex = ("expenditure", "合计", "支出预算/合计")
        eb, ep = ("expenditure", "合计", "支出预算/基本支出"), ("expenditure", "合计", "支出预算/项目支出")
        S.append(NSection("三、支出预算情况", [[
            self.slot("支出合计{a}，其中：", a=self.amount("支出合计", b.total, [ex])),
            self.slot("基本支出{a}，占{p}", a=self.amount("基本支出", b.basic, [eb]),
                      p=self.share("基本支出", b.basic, b.total, [eb, ex])), "；",
            self.slot("项目支出{a}，占{p}", a=self.amount("项目支出", b.project, [ep]),
                      p=self.share("项目支出", b.project, b.total, [ep, ex])), "。"]]))
        # 四、一般公共预算支出 (by 类, and the 项 list Shanghai-style)
        g_ev = [("general", "合计", "一般公共预算支出/合计")]
        para = [self.slot("一般公共预算支出{a}，主要用于：", a=self.amount("一般公共预算支出", b.general, g_ev))]
        classes = [c for c in b.classes() if b.sum_of(c, fund="general")]
        for k, c in enumerate(classes):
            amt = b.sum_of(c, fund="general")
            row = self.code_label(c)
            para += (["；"] if k else []) + [self.slot(CLASS_NAMES[c] + "{a}，占{p}",
                                                      a=self.amount(CLASS_NAMES[c], amt, [("general", row, "一般公共预算支出/合计")]),
                                                      p=self.share(CLASS_NAMES[c], amt, b.general, g_ev))]
        paras = [para + ["。"]]
        for k, it in enumerate(i for i in b.items if i.fund == "general"):
            name = f"“{CLASS_NAMES[it.code[:3]]}（类）{b.name_of(it.code[:5])}（款）{it.name}（项）”"
            paras.append([f"{k + 1}．", self.slot(name + "{a}", a=self.amount(
                it.name, it.total, [("general", self.code_label(it.code), "一般公共预算支出/合计")])),
                "，用于保障相关工作正常开展。"])
        S.append(NSection("四、一般公共预算支出情况", paras))
        # 五、基本支出
        bt = ("basic", "合计", "一般公共预算基本支出/合计")
        bp, bq = ("basic", "合计", "一般公共预算基本支出/人员经费"), ("basic", "合计", "一般公共预算基本支出/公用经费")
        S.append(NSection("五、一般公共预算基本支出情况", [[
            self.slot("基本支出{a}，其中：", a=self.amount("基本支出", b.basic, [bt])),
            self.slot("人员经费{a}，占{p}", a=self.amount("人员经费", b.personnel, [bp]),
                      p=self.share("人员经费", b.personnel, b.basic, [bp, bt])),
            "，包括工资津贴、社会保险缴费、住房公积金和离退休费等；",
            self.slot("公用经费{a}，占{p}", a=self.amount("公用经费", b.public, [bq]),
                      p=self.share("公用经费", b.public, b.basic, [bq, bt])),
            "，包括办公、差旅、维修和公务用车运行等日常开支。"]]))
        S.append(self.three_public())
        # 七、政府性基金
        if b.gov_fund:
            gf = [self.slot("政府性基金预算支出{a}", a=self.amount("政府性基金预算支出", b.gov_fund,
                                                             [("gov_fund", "合计", "政府性基金预算支出/合计")])), "。"]
        else:
            gf = [f"本部门{y}年没有使用政府性基金预算拨款安排的支出，政府性基金预算支出表为空表。"]
        S.append(NSection("七、政府性基金预算支出情况", [gf]))
        # 八、其他事项
        op = w["operating"]
        o1 = [self.slot(f"{y}年{op}预算{{a}}", a=self.amount("机关运行经费", b.operating,
                                                        [("operating", "合计", "金额"), bq])), "，",
              self.change("机关运行经费", b.operating, b.operating_prior, [], "", False), "。"]
        pr = b.procurement
        ptot = sum(pr.values(), Decimal(0))
        pe = lambda r: [("procurement", r, "预算金额")]  # noqa: E731
        o2 = [self.slot(f"{y}年政府采购预算{{a}}，其中：", a=self.amount("政府采购预算", ptot, pe("合计"))),
              self.slot("货物{a}", a=self.amount("政府采购货物", pr["货物"], pe("货物"))), "、",
              self.slot("工程{a}", a=self.amount("政府采购工程", pr["工程"], pe("工程"))), "、",
              self.slot("服务{a}", a=self.amount("政府采购服务", pr["服务"], pe("服务"))), "。"]
        big = max(b.projects, key=lambda p: p.amount)
        o3 = [self.slot("纳入绩效目标管理的项目共{n}，", n=self.count("项目个数", len(b.projects), "个",
                                                               [("project", "合计", "预算金额/合计")])),
              self.slot("涉及资金{a}", a=self.amount("项目支出", b.project, [("project", "合计", "预算金额/合计"), ep])),
              "，其中", self.slot(big.name + "{a}", a=self.amount(big.name, big.amount, [("project", big.name, "预算金额/合计")]),
                                 tags={"project_quoted"}), "。"]
        o4 = [self.slot(f"截至{y - 1}年末，本部门共有公务用车{{n}}", n=self.count("公务用车数量", b.vehicles, "辆", [])),
              "，单位价值百万元以上的大型设备0台（套）。"]
        S.append(NSection("八、其他重要事项", [["（一）", op, "：", *o1], ["（二）政府采购："] + o2,
                                           ["（三）绩效目标："] + o3, ["（四）国有资产占用："] + o4]))
        return S

    def code_label(self, code: str) -> str:
        return f"{code} {self.b.name_of(code)}"

    def three_public(self) -> NSection:
        b, y = self.b, self.b.year
        tp = b.three_public
        cur_row, prior_row = f"{y}年预算数", f"{y - 1}年预算数"
        ev = lambda col, row=cur_row: [("three_public", row, col)]  # noqa: E731
        total, ptotal = b.three_public_total, b.three_public_prior_total
        p1 = [self.slot(f"{y}年“三公”经费预算{{a}}，", a=self.amount("三公经费合计", total, ev("合计"))),
              self.change("三公经费合计", total, ptotal, ev("合计", prior_row), "", False, tags={"three_public_change"}),
              "。"]
        if total != ptotal or total:
            p1.append(self.slot("{r}", tags={"three_public_reason"},
                                r=Field("word", f"{self.w['reason']}{b.three_public_reason}。")))
        car = tp["公务用车购置费"] + tp["公务用车运行维护费"]
        p2 = ["其中：", self.slot("因公出国（境）费{a}", a=self.amount("因公出国(境)费", tp["因公出国(境)费"], ev("因公出国（境）费"))),
              "；", self.slot("公务用车购置及运行费{a}", a=self.amount("公务用车购置及运行费", car, ev("公务用车购置及运行费/小计"))),
              "（", self.slot("购置费{a}", a=self.amount("公务用车购置费", tp["公务用车购置费"],
                                                   ev("公务用车购置及运行费/公务用车购置费"))), "，",
              self.slot("运行维护费{a}", a=self.amount("公务用车运行维护费", tp["公务用车运行维护费"],
                                                  ev("公务用车购置及运行费/公务用车运行维护费"))), "）；",
              self.slot("公务接待费{a}", a=self.amount("公务接待费", tp["公务接待费"], ev("公务接待费"))), "。"]
        return NSection("六、“三公”经费预算情况", [p1, p2])


def build_narrative(b: Budget, style: Style) -> dict[str, list[NSection]]:
    w = _Writer(b, style)
    return {"第一部分 部门概况": w.overview(), "第二部分 部门预算情况说明": w.explanation(),
            "第三部分 名词解释": [NSection("名词解释", [[g] for g in GLOSSARY])]}


GLOSSARY = [
    "基本支出：为保障机构正常运转、完成日常工作任务安排的支出，分为人员经费和公用经费。",
    "项目支出：在基本支出之外，为完成特定工作任务和事业发展目标安排的支出。",
    "“三公”经费：使用财政拨款安排的因公出国（境）费、公务用车购置及运行费和公务接待费。",
    "机关运行经费：行政单位和参照公务员法管理的事业单位使用一般公共预算财政拨款安排的基本支出中的日常公用经费。",
    "上年结转：以前年度尚未完成、按规定结转到本年继续使用的资金。",
]
