"""A consistent fictional budget: every amount in 元 (Decimal, 2 decimals), built bottom-up so that
the identities of domain.md hold by construction (leaves first, every total is a sum).

Styles that print tables in 万元 ask for a granularity of 100 元: every leaf is then a whole number of
万元 cents, so the printed tables add up exactly and the narrative's 万元 figures equal the cells.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
WAN = Decimal(10000)

# 类 / 款 names used by the catalogue below.
CLASS_NAMES = {
    "201": "一般公共服务支出", "205": "教育支出", "207": "文化旅游体育与传媒支出", "208": "社会保障和就业支出",
    "210": "卫生健康支出", "212": "城乡社区支出", "213": "农林水支出", "221": "住房保障支出", "229": "其他支出",
}
SECTION_NAMES = {
    "20103": "政府办公厅（室）及相关机构事务", "20106": "财政事务", "20501": "教育管理事务", "20502": "普通教育",
    "20701": "文化和旅游", "20802": "民政管理事务", "20805": "行政事业单位养老支出", "20810": "社会福利",
    "21011": "行政事业单位医疗", "21013": "医疗救助", "21015": "医疗保障管理事务", "21201": "城乡社区管理事务",
    "21205": "城乡社区环境卫生", "21208": "国有土地使用权出让收入安排的支出", "21301": "农业农村",
    "22102": "住房改革支出", "22960": "彩票公益金安排的支出",
}

# Department kinds: (name suffix, 行政运行 code, project codes with names, optional government-fund code).
DEPARTMENTS = [
    ("文化旅游局", ("2070101", "行政运行"),
     [("2070102", "一般行政管理事务"), ("2070108", "文化活动"), ("2070109", "群众文化"), ("2070112", "文化和旅游市场管理")],
     None, ["乡村文化活动季", "非遗保护传承", "旅游市场综合执法", "公共文化云平台运维", "景区安全巡查"]),
    ("医疗保障局", ("2101501", "行政运行"),
     [("2101502", "一般行政管理事务"), ("2101301", "城乡医疗救助"), ("2101505", "医疗保障政策管理")],
     None, ["医疗救助配套资金", "医保基金监管专项", "长期护理保险试点", "医保经办窗口建设"]),
    ("民政局", ("2080201", "行政运行"),
     [("2080202", "一般行政管理事务"), ("2080208", "基层政权建设和社区治理"), ("2081002", "老年福利")],
     ("2296002", "用于社会福利的彩票公益金支出"), ["社区治理示范点", "高龄津贴发放", "养老服务站运营", "婚姻登记服务提升"]),
    ("财政局", ("2010601", "行政运行"),
     [("2010602", "一般行政管理事务"), ("2010607", "信息化建设"), ("2010608", "财政委托业务支出")],
     None, ["财政业务系统运维", "中介机构评审服务", "预算绩效评价", "会计人员继续教育"]),
    ("农业农村局", ("2130101", "行政运行"),
     [("2130102", "一般行政管理事务"), ("2130108", "病虫害控制"), ("2130122", "农业生产发展")],
     None, ["农作物病虫害统防统治", "高标准农田管护", "农技推广服务", "农产品质量检测"]),
    ("城市管理局", ("2120101", "行政运行"),
     [("2120104", "城管执法"), ("2120501", "城乡社区环境卫生")],
     ("2120803", "城市建设支出"), ["市容环境整治", "道路保洁外包", "城管执法装备更新", "垃圾分类宣传"]),
    ("教育局", ("2050101", "行政运行"),
     [("2050102", "一般行政管理事务"), ("2050202", "小学教育"), ("2050203", "初中教育")],
     None, ["教师培训专项", "课后服务补助", "校园安全监控", "学生资助"]),
]
FUND_SECTION = {"2296002": "22960", "2120803": "21208"}
EXTRA_ITEM_NAMES = {"2296002": "用于社会福利的彩票公益金支出", "2120803": "城市建设支出"}

CITIES = ["示例市", "范例市", "样本市", "演示市", "虚拟市"]
DISTRICTS = ["云溪区", "青岚区", "松川县", "白鹭湾区", "星河县", "枫桥区", "鹤鸣县", "石泉区"]

# Personnel items that have their own 功能分类 项 (economic code -> function code, names).
PERSONNEL_FUNC = {
    "30108": ("2080505", "机关事业单位基本养老保险缴费支出"),
    "30109": ("2080506", "机关事业单位职业年金缴费支出"),
    "30110": ("2101101", "行政单位医疗"),
    "30113": ("2210201", "住房公积金"),
    "30302": ("2080501", "行政单位离退休"),
}
ECON_CLASS = {"301": "工资福利支出", "302": "商品和服务支出", "303": "对个人和家庭的补助", "310": "资本性支出"}
ECON_NAMES = {
    "30101": "基本工资", "30102": "津贴补贴", "30103": "奖金", "30107": "绩效工资",
    "30108": "机关事业单位基本养老保险缴费", "30109": "职业年金缴费", "30110": "职工基本医疗保险缴费",
    "30113": "住房公积金", "30199": "其他工资福利支出", "30201": "办公费", "30202": "印刷费", "30207": "邮电费",
    "30211": "差旅费", "30212": "因公出国（境）费用", "30213": "维修（护）费", "30215": "会议费", "30216": "培训费",
    "30217": "公务接待费", "30228": "工会经费", "30229": "福利费", "30231": "公务用车运行维护费",
    "30239": "其他交通费用", "30299": "其他商品和服务支出", "30302": "退休费", "31002": "办公设备购置",
    "31013": "公务用车购置",
}


def wan(yuan: Decimal) -> Decimal:
    """元 -> 万元, rounded half-up to 2 decimals (what the narrative prints)."""
    return (yuan / WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def pct(part: Decimal, whole: Decimal) -> Decimal:
    """Honest share/rate in percent, 2 decimals, from the exact 元 amounts."""
    if whole == 0:
        return Decimal("0.00")
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class FuncItem:
    """One 功能分类 项 with its basic/project split and funding source."""

    code: str
    name: str
    basic: Decimal = Decimal("0.00")
    project: Decimal = Decimal("0.00")
    fund: str = "general"  # general | gov_fund
    carry: Decimal = Decimal("0.00")  # part funded by 上年结转 (general budget)

    @property
    def total(self) -> Decimal:
        return self.basic + self.project


@dataclass
class EconItem:
    code: str  # 5 digits
    name: str
    personnel: Decimal  # 人员经费 part
    public: Decimal  # 公用经费 part

    @property
    def total(self) -> Decimal:
        return self.personnel + self.public


@dataclass
class Project:
    name: str
    func_code: str
    amount: Decimal
    fund: str = "general"
    category: str = "特定目标类"


@dataclass
class Budget:
    seed: int
    department: str
    region: str
    kind: str  # department kind, e.g. 文化旅游局
    year: int
    granularity: Decimal
    staff: int
    retirees: int
    vehicles: int
    items: list[FuncItem] = field(default_factory=list)
    econ: list[EconItem] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    three_public: dict[str, Decimal] = field(default_factory=dict)  # 出国, 接待, 购置, 运行
    three_public_prior: dict[str, Decimal] = field(default_factory=dict)
    three_public_reason: str = ""
    class_prior: dict[str, Decimal] = field(default_factory=dict)  # 类 code -> prior-year total
    basic_prior: Decimal = Decimal("0.00")
    operating_prior: Decimal = Decimal("0.00")
    procurement: dict[str, Decimal] = field(default_factory=dict)  # 货物, 工程, 服务
    change_reasons: list[str] = field(default_factory=list)

    # ---- derived totals (all exact sums) ----
    def classes(self) -> list[str]:
        return sorted({i.code[:3] for i in self.items})

    def sections(self, cls: str) -> list[str]:
        return sorted({i.code[:5] for i in self.items if i.code[:3] == cls})

    def items_of(self, prefix: str) -> list[FuncItem]:
        return [i for i in self.items if i.code.startswith(prefix)]

    def sum_of(self, prefix: str, attr: str = "total", fund: str | None = None) -> Decimal:
        return sum((getattr(i, attr) for i in self.items_of(prefix) if fund in (None, i.fund)), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.sum_of("")

    @property
    def basic(self) -> Decimal:
        return self.sum_of("", "basic")

    @property
    def project(self) -> Decimal:
        return self.sum_of("", "project")

    @property
    def carry(self) -> Decimal:
        return self.sum_of("", "carry")

    @property
    def general(self) -> Decimal:  # 一般公共预算 expenditure (this year's appropriation + carry-over)
        return self.sum_of("", fund="general")

    @property
    def general_income(self) -> Decimal:  # this year's 一般公共预算拨款收入
        return self.general - self.carry

    @property
    def gov_fund(self) -> Decimal:
        return self.sum_of("", fund="gov_fund")

    @property
    def income_this_year(self) -> Decimal:
        return self.general_income + self.gov_fund

    @property
    def personnel(self) -> Decimal:
        return sum((e.personnel for e in self.econ), Decimal("0.00"))

    @property
    def public(self) -> Decimal:
        return sum((e.public for e in self.econ), Decimal("0.00"))

    @property
    def operating(self) -> Decimal:  # 机关运行经费 = 公用经费 of an administrative unit
        return self.public

    @property
    def three_public_total(self) -> Decimal:
        return sum(self.three_public.values(), Decimal("0.00"))

    @property
    def three_public_prior_total(self) -> Decimal:
        return sum(self.three_public_prior.values(), Decimal("0.00"))

    @property
    def prior_total(self) -> Decimal:
        return sum(self.class_prior.values(), Decimal("0.00"))

    @property
    def project_prior(self) -> Decimal:
        return self.prior_total - self.basic_prior

    def class_total(self, cls: str) -> Decimal:
        return self.sum_of(cls)

    def name_of(self, code: str) -> str:
        if len(code) == 3:
            return CLASS_NAMES[code]
        if len(code) == 5:
            return SECTION_NAMES[code]
        return next(i.name for i in self.items if i.code == code)


class _Amounts:
    """Random amounts on a grid (100 元 for 万元 tables, 1 元 or 1 分 for 元 tables)."""

    def __init__(self, rng: random.Random, granularity: Decimal):
        self.rng, self.g = rng, granularity

    def wan(self, lo: float | int, hi: float | int) -> Decimal:
        # Bounds are in 万元; ints keep float out of the arithmetic.
        lo_u, hi_u = int(Decimal(str(lo)) * WAN / self.g), int(Decimal(str(hi)) * WAN / self.g)
        return (self.g * self.rng.randint(lo_u, hi_u)).quantize(CENT)

    def share(self, base: Decimal, lo_pct: int, hi_pct: int) -> Decimal:
        units = int(base * self.rng.randint(lo_pct, hi_pct) / 100 / self.g)
        return (self.g * units).quantize(CENT)


def _prior_of(rng: random.Random, amounts: _Amounts, current: Decimal) -> Decimal:
    """A prior-year figure: sometimes equal (持平), else current minus a change of -20%..+25%."""
    r = rng.random()
    if r < 0.12:
        return current
    change = amounts.share(current, 1, 25) if current > 0 else amounts.wan(1, 20)
    if rng.random() < 0.4:
        change = -change
    return max(current - change, Decimal("0.00"))


def make_budget(seed: int, granularity: Decimal = Decimal(100), year: int | None = None) -> Budget:
    rng = random.Random(seed)
    amt = _Amounts(rng, granularity)
    kind, run_code, proj_codes, fund_code, proj_names = DEPARTMENTS[rng.randrange(len(DEPARTMENTS))]
    region = rng.choice(CITIES) + rng.choice(DISTRICTS)
    year = year or rng.choice([2024, 2025, 2026])
    staff = rng.randint(8, 90)
    retirees = rng.randint(0, staff // 3)
    b = Budget(seed=seed, department=region + kind, region=region, kind=kind, year=year,
               granularity=granularity, staff=staff, retirees=retirees, vehicles=rng.choice([0, 0, 1, 2, 3, 5]))

    # Economic classification of the basic expenditure, per head then per item.
    wages = amt.wan(staff * 9, staff * 14)
    e: dict[str, tuple[Decimal, Decimal]] = {}
    e["30101"] = (amt.share(wages, 25, 32), Decimal(0))
    e["30102"] = (amt.share(wages, 30, 40), Decimal(0))
    e["30103"] = (amt.share(wages, 3, 8), Decimal(0))
    e["30107"] = (wages - e["30101"][0] - e["30102"][0] - e["30103"][0], Decimal(0))
    for code, rate in (("30108", 16), ("30109", 8), ("30110", 8), ("30113", 12)):
        e[code] = (amt.share(wages, rate - 1, rate + 1), Decimal(0))
    e["30199"] = (amt.wan(0, staff), Decimal(0))
    if retirees:
        e["30302"] = (amt.wan(retirees * 2, retirees * 5), Decimal(0))
    for code in ("30201", "30207", "30211", "30213", "30216", "30228", "30229", "30299"):
        if rng.random() < 0.85:
            e[code] = (Decimal(0), amt.wan(0.5, max(1, staff // 3)))
    # 三公 parts live in the basic economic table too (接待 30217, 运行 30231, 出国 30212, 购置 31013).
    tp = {"因公出国(境)费": Decimal("0.00"), "公务接待费": Decimal("0.00"),
          "公务用车购置费": Decimal("0.00"), "公务用车运行维护费": Decimal("0.00")}
    if rng.random() < 0.15:
        tp["因公出国(境)费"] = amt.wan(2, 12)
    if rng.random() < 0.8:
        tp["公务接待费"] = amt.wan(0.2, 6)
    if b.vehicles:
        tp["公务用车运行维护费"] = amt.wan(b.vehicles * 1, b.vehicles * 3)
        if rng.random() < 0.2:
            tp["公务用车购置费"] = amt.wan(12, 25)
    for code, key in (("30212", "因公出国(境)费"), ("30217", "公务接待费"),
                      ("30231", "公务用车运行维护费"), ("31013", "公务用车购置费")):
        if tp[key] > 0:
            e[code] = (Decimal(0), tp[key])
    if rng.random() < 0.5:
        e["31002"] = (Decimal(0), amt.wan(0.5, 5))
    b.econ = [EconItem(c, ECON_NAMES[c], p.quantize(CENT), q.quantize(CENT)) for c, (p, q) in sorted(e.items())]
    b.three_public = tp
    b.three_public_prior = {k: _prior_of(rng, amt, v) if (v > 0 or rng.random() < 0.3) else v for k, v in tp.items()}
    b.three_public_reason = rng.choice([
        "严格执行过紧日子要求，压减一般性支出", "公务活动安排减少，接待标准从严控制",
        "车辆使用年限延长，维修费用随之变化", "按照新增执法任务合理保障公务出行", "公务接待统一由机关事务部门保障"])

    # 功能分类 items: personnel items with their own 项, the rest of the basic goes to 行政运行.
    items: dict[str, FuncItem] = {}
    special = Decimal(0)
    for econ_code, (func_code, func_name) in PERSONNEL_FUNC.items():
        if econ_code in e:
            items[func_code] = FuncItem(func_code, func_name, basic=e[econ_code][0])
            special += e[econ_code][0]
    basic_total = sum((x.total for x in b.econ), Decimal(0))
    items[run_code[0]] = FuncItem(run_code[0], run_code[1], basic=basic_total - special)

    # Projects (2-7), each under one of the department's project codes; 行政运行 may carry one too.
    n = rng.randint(2, 7)
    names = rng.sample(proj_names, min(n, len(proj_names)))
    while len(names) < n:
        names.append(f"{rng.choice(proj_names)}（{len(names) + 1}期）")
    for name in names:
        code, cname = rng.choice(proj_codes)
        p = Project(name, code, amt.wan(3, 400), category=rng.choice(["特定目标类", "其他运转类"]))
        b.projects.append(p)
        items.setdefault(code, FuncItem(code, cname)).project += p.amount
    if fund_code and rng.random() < 0.35:
        p = Project(rng.choice(["福利彩票公益金资助项目", "土地出让收入安排的建设项目"]), fund_code[0],
                    amt.wan(20, 300), fund="gov_fund")
        b.projects.append(p)
        items[fund_code[0]] = FuncItem(fund_code[0], fund_code[1], project=p.amount, fund="gov_fund")
    if rng.random() < 0.25:  # part of one general project is funded by last year's carry-over
        target = next(i for i in items.values() if i.project > 0 and i.fund == "general")
        target.carry = amt.share(target.project, 10, 50)
    b.items = [items[c] for c in sorted(items)]

    # Prior year: per 类, plus the basic part; reasons name the classes that moved most.
    for cls in b.classes():
        b.class_prior[cls] = _prior_of(rng, amt, b.class_total(cls))
    b.basic_prior = min(_prior_of(rng, amt, b.basic), b.prior_total)
    b.operating_prior = _prior_of(rng, amt, b.operating)
    goods = amt.wan(0, 30) if rng.random() < 0.8 else Decimal("0.00")
    works = amt.wan(5, 80) if rng.random() < 0.2 else Decimal("0.00")
    services = amt.wan(1, 60) if rng.random() < 0.6 else Decimal("0.00")
    b.procurement = {"货物": goods, "工程": works, "服务": services}
    b.change_reasons = [rng.choice(["人员调整及工资标准变化", "新增重点工作任务", "部分项目执行完毕不再安排",
                                    "落实过紧日子要求压减支出", "社保缴费基数调整"])]
    return b
