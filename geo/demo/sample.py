"""Synthetic, plausible sample records for the real county's villages.

Codes, names and the county outline are real; everything made here (village figures,
departments' habits, pairings, 24 months of visits) is synthetic. The generator is
deterministic for a ``seed`` and an ``anchor`` date: the visit history ends on the
anchor, so the demo never opens on a stale county. Departments follow four habits so
that every metric, neglect reason and formalism warning of DESIGN.md has something
real to find:

* ``diligent`` visits often, with much long-term (造血) work;
* ``steady`` visits about twice a week;
* ``burst`` does most of a quarter's visits in its last ten days;
* ``neglectful`` visits rarely, stops visiting, or never shows up at all.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs import gauss_kruger_epsg

HISTORY_DAYS = 730
HABITS = ("diligent", "steady", "burst", "neglectful", "copying")

# Plausible county-level departments and units, by kind (name, kind).
_DEPARTMENTS_BY_KIND = {
    "党政机关": """县委办公室 县人大常委会办公室 县政府办公室 县政协办公室 县纪委监委 县委组织部
        县委宣传部 县委统战部 县委政法委 县委机构编制委员会办公室 县发展和改革局 县财政局
        县人力资源和社会保障局 县民政局 县审计局 县统计局 县信访局 县退役军人事务局
        县医疗保障局 县政务服务和大数据管理局 县机关事务服务中心""",
    "政法": "县公安局 县人民法院 县人民检察院 县司法局",
    "经济": """县农业农村局 县自然资源和规划局 县住房和城乡建设局 县交通运输局 县水利和湖泊局
        县商务局 县文化和旅游局 县市场监督管理局 县林业局 县经济和信息化局
        市生态环境局兴山分局 县应急管理局 县税务局 县乡村振兴服务中心""",
    "教科文卫": """县教育局 县卫生健康局 县科学技术局 县融媒体中心 县人民医院 县中医医院
        县疾病预防控制中心 兴山县第一中学""",
    "群团": """县总工会 共青团兴山县委员会 县妇女联合会 县科学技术协会 县工商业联合会
        县残疾人联合会 县红十字会""",
    "企事业": """国网兴山县供电公司 县烟草专卖局 中国移动兴山分公司 中国电信兴山分公司
        兴山农村商业银行 中国农业银行兴山支行 中国邮政兴山县分公司 县城市建设投资有限公司""",
}
DEPARTMENTS: tuple[tuple[str, str], ...] = tuple(
    (name, kind) for kind, names in _DEPARTMENTS_BY_KIND.items() for name in names.split()
)
INACTIVE_DEPARTMENT = "县乡村振兴服务中心"  # merged away: ended pairings, no active ones

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
    "袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方邹熊孟秦"
    "邱江尹薛阎段雷侯龙史陶黎贺顾毛郝龚邵万覃"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国"
    "文斌峰林辉鹏云飞燕丹萍宇浩凯婷雪琳晨阳欣怡子涵"
)

# Summaries: each visit kind has openings and details, and every kind shares the
# closings; a summary is "village: opening, detail, closing" with its slots filled, so
# that an ordinary department's summaries are not near-copies of one another. Slots:
# {h} households, {p} problems, {n} people, {name} a resident, {crop} a local product,
# {issue} a problem, {policy} a policy, {group} a group of residents. Parts are "|"-separated.
_OPENINGS = {
    "走访慰问": "入户走访{group}{h}户|看望慰问{group}{h}户，送去米面油等慰问品"
                "|走访{name}等{h}户{group}|到{group}家中逐户走访，共{h}户"
                "|开展“我为群众办实事”走访，入户{h}户|冒雨走访偏远组{group}{h}户"
                "|走访慰问困难党员和{group}{h}户|走访{name}家，了解家庭收入和务工情况",
    "政策宣讲": "在村党群服务中心宣讲{policy}，{n}人参加|召开院坝会宣讲{policy}"
                "|入户宣讲{policy}，发放明白纸{n}份|利用村广播和微信群宣传{policy}"
                "|组织党员群众{n}人集中学习{policy}|结合赶集日现场宣传{policy}"
                "|开展{policy}进村入户宣讲，覆盖{h}户|在{name}家召开屋场会，讲解{policy}",
    "解决实际问题": "现场查看{issue}，协调解决{p}个问题|帮助{name}家解决{issue}"
                    "|督办村民反映的{issue}|协调有关部门解决{issue}，涉及{h}户"
                    "|争取资金解决{issue}|实地踏勘{issue}，制定整改方案"
                    "|回访{name}反映的{issue}，已落实|组织施工队处理{issue}",
    "信访接待/大下访": "开展大下访，现场接待来访群众{n}人，登记诉求{p}件"
                       "|调解{name}与邻居的{issue}纠纷|接待群众来访，受理{issue}诉求{p}件"
                       "|包案化解{name}反映的{issue}|联合村调委会调处{issue}矛盾"
                       "|回访信访人{name}，了解诉求办理情况|排查矛盾纠纷{p}起，就地化解"
                       "|到{name}家做思想工作，化解{issue}积案",
    "支部联过": "与村党支部联合开展主题党日，{n}名党员参加|联合召开组织生活会，开展批评与自我批评"
                "|与村支部共同学习党的二十届三中全会精神|讲专题党课，{n}名党员参加"
                "|联合开展党员志愿服务，清理{issue}|指导村支部规范“三会一课”记录"
                "|与村两委共同重温入党誓词|联合开展党员积分评议，评出先进党员{p}名",
    "阵地联建": "援建村党群服务中心{issue}设施|捐赠图书室书籍{n}册和电脑{p}台"
                "|出资改造村卫生室和老年活动室|协助建设村级便民服务站"
                "|援建村文化广场健身器材{p}套|修缮村党员活动室，更新宣传栏"
                "|为村综治中心配备监控设备{p}套|共建“幸福食堂”，解决留守老人就餐",
    "发展联谋": "与村两委研究{crop}产业发展思路|召开村民代表会，商议村集体经济项目"
                "|调研{crop}种植基地，提出产销对接建议|帮助村里谋划{crop}深加工项目"
                "|研究村庄规划和人居环境整治|对接{crop}收购企业，商谈订单合作"
                "|调研村集体闲置资产盘活|与合作社负责人{name}研究扩大{crop}规模",
    "创优联促": "指导村级星级党支部创建|联合开展“最美家庭”评选，评出{p}户"
                "|共同开展清廉村居建设|联合开展“红旗党支部”创建自查"
                "|指导村里申报乡村治理示范村|开展移风易俗宣传，劝导{h}户简办红白事"
                "|联合评选“好婆婆”“好媳妇”{p}名|指导村里完善村规民约",
    "产业帮扶": "对接超市和电商平台，帮助销售{crop}{n}斤|协调产业资金，扶持{crop}合作社"
                "|请农技专家培训{crop}种植户{h}户|为{name}等{h}户发放{crop}种苗"
                "|帮助{crop}合作社申请小额贷款|组织单位职工消费帮扶，购买{crop}{n}斤"
                "|查看{crop}基地长势，解决{issue}|帮助{name}家发展{crop}庭院经济",
    "其他": "参加村集体活动|开展志愿服务，清扫村道{n}米|配合乡镇开展防汛巡查"
            "|参与村里森林防火值守|协助开展人口普查入户登记{h}户|开展文艺演出进村活动"
            "|组织义诊，服务群众{n}人|参与村里人居环境整治",
}
_DETAILS = {
    "走访慰问": "了解到{name}家有{p}名学生在读|{name}老人身体不适，已联系村医上门"
                "|宣传防返贫监测和{policy}|帮{name}家核对医保缴费|询问{crop}收成和外出务工情况"
                "|发现{issue}问题{p}个|登记群众诉求{p}条|为{name}家申请临时救助",
    "政策宣讲": "现场解答群众提问{p}个|发放宣传资料{n}份|重点讲解补助标准和申领流程"
                "|收集意见建议{p}条|结合身边案例讲解|用方言讲解，群众听得懂",
    "解决实际问题": "投入资金约{p}万元|协调施工{p}天完成|群众现场签字认可|交办乡镇跟进{p}项"
                    "|涉及{h}户群众|已报县{issue}主管部门",
    "信访接待/大下访": "现场答复{p}件，转办其余诉求|双方签订调解协议|明确责任人和办结时限"
                       "|当事人表示满意|已录入信访系统|约定{p}周内回访",
    "支部联过": "交流支部建设经验|检查党费收缴和发展党员工作|征求对单位党组织的意见{p}条"
                "|共同研究{crop}产业党建项目|部署下阶段共建任务",
    "阵地联建": "价值约{p}万元|已交付村里使用|明确专人管理|与村里签订共建协议",
    "发展联谋": "形成初步方案|约定{p}周后再议|邀请{name}等{p}名能人参与|测算可带动{h}户增收",
    "创优联促": "对照标准查找问题{p}个|提出整改意见{p}条|群众参与{n}人|明确创建时间表",
    "产业帮扶": "带动{h}户增收|签订购销协议|现场技术指导|每斤高于市场价{p}角|解决{issue}难题",
    "其他": "群众参与{n}人|{name}等村民一起参加|得到村民好评|拍照留存",
}
_CLOSINGS = (
    "下一步将持续跟踪|已建立工作台账|下周再次回访|问题已反馈乡镇|群众反映良好"
    "|已向单位党组汇报|村两委表示感谢|已纳入单位年度帮扶计划|承诺月底前办结"
    "|将协调相关部门跟进|已明确联系干部|{name}对工作表示满意|已拍照存档"
    "|约定下次走访时间|工作队将继续盯办|同步报送乡镇党委"
)
_FILLERS = {  # space-separated
    "group": "脱贫户 低保户 监测户 留守老人 残疾人家庭 独居老人 五保户 困难党员 退役军人 "
             "留守儿童家庭",
    "crop": "茶叶 柑橘 脐橙 香菇 核桃 魔芋 蜂蜜 高山蔬菜 中药材 土猪 板栗 烟叶 猕猴桃 木耳",
    "issue": "饮水管道 组级道路 路灯 排水沟 护坡 宅基地 山林权属 用电线路 通信信号 "
             "垃圾清运 危房改造 低保申请 医保报销 土地流转 灌溉渠 公厕",
    "policy": "防返贫监测政策 医疗保障政策 城乡居民养老保险 惠农补贴 防电信诈骗知识 "
              "防溺水知识 森林防火知识 耕地保护政策 移风易俗 雨露计划 小额信贷政策 "
              "就业创业扶持政策",
}
# Copy-paste departments (材料雷同): one or two stock texts, the village name swapped in.
COPIED_SUMMARIES = (
    "深入开展结对共建走访活动，认真宣讲党的惠民政策，广泛听取群众意见建议，切实为群众办实事解难题",
    "按照单位结对共建工作安排，到村开展走访慰问和政策宣传，进一步密切了党群干群关系",
)
COPYING_DEPARTMENTS = 2
"""How many departments copy and paste their summaries (材料雷同)."""
KIND_WEIGHTS: dict[str, tuple[float, ...]] = {
    # order of schema.VISIT_KINDS
    "diligent": (0.14, 0.10, 0.14, 0.06, 0.08, 0.08, 0.12, 0.06, 0.18, 0.04),
    "steady": (0.22, 0.16, 0.14, 0.08, 0.10, 0.04, 0.06, 0.06, 0.10, 0.04),
    "burst": (0.40, 0.25, 0.06, 0.04, 0.10, 0.02, 0.03, 0.04, 0.03, 0.03),
    "neglectful": (0.45, 0.25, 0.05, 0.05, 0.10, 0.01, 0.02, 0.02, 0.02, 0.03),
    "copying": (0.45, 0.25, 0.05, 0.04, 0.10, 0.02, 0.02, 0.03, 0.02, 0.02),
}
RESOLVE_SHARE = {"diligent": 0.96, "steady": 0.93, "burst": 0.5, "neglectful": 0.45,
                 "copying": 0.45}
FOLLOW_UP_SHARE = {"diligent": 0.1, "steady": 0.09, "burst": 0.01, "neglectful": 0.01,
                   "copying": 0.01}
MONTHLY_RATE = {"diligent": 12.0, "steady": 8.0, "burst": 7.0, "neglectful": 1.2,
                "copying": 4.0}


@dataclass(frozen=True)
class SampleCounty:
    """The synthetic tables of one sample county (export column names)."""

    units: gpd.GeoDataFrame
    departments: pd.DataFrame
    cadres: pd.DataFrame
    pairings: pd.DataFrame
    visits: pd.DataFrame
    habits: dict[str, str]
    """Each department's habit (``HABITS``) by code: what the figures should find."""
    problems: pd.DataFrame
    """The problem ledger (群众诉求台账): problems raised on the visits of its last
    ``LEDGER_DAYS`` days and resolved by later ones (``_problems``)."""


def _village_figures(villages: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n = len(villages)
    community = (villages["kind"] == "社区").to_numpy()
    population = np.where(community, rng.lognormal(8.3, 0.35, n), rng.lognormal(7.35, 0.4, n))
    population = np.clip(population.round(), 300, 15000).astype(int)
    households = (population / rng.uniform(2.6, 3.3, n)).round().astype(int)
    elderly_share = np.where(community, rng.uniform(0.02, 0.07, n), rng.uniform(0.05, 0.2, n))
    left_behind = (population * elderly_share).round().astype(int)
    low_income = (households * rng.uniform(0.01, 0.09, n)).round().astype(int)
    weak = np.zeros(n, dtype=bool)
    weak[rng.choice(np.flatnonzero(~community), size=max(5, n // 12), replace=False)] = True
    figures = pd.DataFrame(
        {
            "population": pd.array(population, dtype="Int64"),
            "households": pd.array(households, dtype="Int64"),
            "left_behind_elderly": pd.array(left_behind, dtype="Int64"),
            "low_income_households": pd.array(low_income, dtype="Int64"),
            "weak": weak,
        },
        index=villages.index,
    )
    # Two villages have not reported their figures yet ("without data" must show).
    missing = rng.choice(np.flatnonzero(~community & ~weak), size=2, replace=False)
    figures.iloc[missing, 0:4] = pd.NA
    return figures


def _departments(rng: np.random.Generator, seat: tuple[float, float]) -> pd.DataFrame:
    rows = []
    for number, (name, kind) in enumerate(DEPARTMENTS, start=1):
        members = int(rng.integers(8, 40)) if kind == "群团" else int(rng.integers(15, 130))
        rows.append(
            {
                "code": f"XS{number:03d}",
                "name": name,
                "kind": kind,
                "party_members": members,
                "seat_lon": round(seat[0], 6),
                "seat_lat": round(seat[1], 6),
                "active": name != INACTIVE_DEPARTMENT,
            }
        )
    return pd.DataFrame(rows)


def _habits(departments: pd.DataFrame, rng: np.random.Generator) -> dict[str, str]:
    codes = departments["code"].tolist()
    shuffled = list(rng.permutation(codes))
    n = len(codes)
    cuts = [round(n * 0.22), round(n * 0.72), round(n * 0.87)]
    habits = {}
    for i, code in enumerate(shuffled):
        habits[code] = HABITS[sum(i >= c for c in cuts)]
    # The county party office leads the pairing work (and the tests' liaison is of it):
    # it is never neglectful, trading habits with a steady department if need be.
    lead = codes[0]
    if habits[lead] == "neglectful":
        swap = next(c for c in shuffled if habits[c] == "steady")
        habits[lead], habits[swap] = habits[swap], habits[lead]
    # A few active steady departments copy and paste their summaries instead.
    active = set(departments.loc[departments["active"], "code"])
    steady = [c for c in shuffled if habits[c] == "steady" and c in active]
    for code in steady[:COPYING_DEPARTMENTS]:
        habits[code] = "copying"
    return habits


def _cadres(departments: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    chosen = rng.choice(len(departments), size=len(departments) // 3, replace=False)
    for index in sorted(chosen):
        department = departments.iloc[index]
        if not department["active"]:
            continue
        size = int(min(department["party_members"], rng.integers(5, 16)))
        for k in range(size):
            name = rng.choice(list(SURNAMES)) + "".join(
                rng.choice(list(GIVEN), size=int(rng.integers(1, 3)))
            )
            rows.append(
                {
                    "id": len(rows) + 1,
                    "department_code": department["code"],
                    "name": name,
                    "leader": k == 0,
                    "active": bool(rng.random() > 0.05) or k == 0,  # leaders stay
                }
            )
    return pd.DataFrame(rows, columns=["id", "department_code", "name", "leader", "active"])


def _pairings(
    villages: pd.DataFrame,
    departments: pd.DataFrame,
    habits: dict[str, str],
    anchor: date,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, set[str]]:
    """Return pairings and the villages that are to stay never visited."""
    history_start = anchor - timedelta(days=HISTORY_DAYS)
    village_codes = villages["code"].tolist()
    weak = dict(zip(villages["code"], villages["weak"], strict=True))
    order = list(rng.permutation(village_codes))
    n_unpaired = round(len(order) * 0.1)
    unpaired, paired = order[:n_unpaired], order[n_unpaired:]
    active = departments.loc[departments["active"], "code"].tolist()
    inactive = departments.loc[~departments["active"], "code"].tolist()
    neglectful = [c for c in active if habits[c] == "neglectful"]
    long_ago = date(history_start.year - 1, 3, 1)
    rows: list[dict] = []

    def add(dept: str, village: str, start: date, end: date | None, kind: str | None = None,
            required: int | None = None, note: str = "") -> None:
        if kind is None:
            kind = "定点帮扶" if weak[village] else str(
                rng.choice(["结对共建", "结对共建", "结对共建", "四联四推"]))
        if required is None:
            required = 2 if weak[village] and kind == "定点帮扶" else 1
        rows.append({"department_code": dept, "village_code": village, "kind": kind,
                     "start_date": start, "end_date": end,
                     "required_visits_per_month": required, "note": note})

    depts = list(rng.permutation(active))
    # Every active department gets one village; the rest of the paired villages go round.
    for i, village in enumerate(paired):
        add(str(depts[i % len(depts)]), village, long_ago, None)
    # Some villages have a second department.
    for village in rng.choice(paired, size=14, replace=False):
        taken = {r["department_code"] for r in rows if r["village_code"] == village}
        dept = str(rng.choice([d for d in active if d not in taken]))
        add(dept, str(village), long_ago, None, kind="四联四推")
    # Pairings that started during the history, on a day in mid-month.
    recent = rng.choice(len(rows), size=8, replace=False)
    for index in recent:
        offset = int(rng.integers(60, HISTORY_DAYS - 60))
        start = history_start + timedelta(days=offset)
        rows[index]["start_date"] = start.replace(day=min(start.day, 28) if start.day > 3 else 15)
    # Ended pairings: the inactive department's, and earlier partners of some unpaired villages.
    for village in unpaired[:3]:
        end = anchor - timedelta(days=int(rng.integers(150, 400)))
        add(str(rng.choice(active)), village, long_ago, end, note="单位调整，结对终止")
    for village in rng.choice(paired, size=3, replace=False):
        end = anchor - timedelta(days=int(rng.integers(200, 500)))
        add(inactive[0], str(village), long_ago, end, note="机构改革，结对终止")
    # A couple of villages paired only with a neglectful department that never came.
    never = set(unpaired[3:7])
    lonely = [v for v in paired if sum(r["village_code"] == v for r in rows) == 1]
    for village in lonely[:2]:
        for row in rows:
            if row["village_code"] == village and neglectful:
                row["department_code"] = str(rng.choice(neglectful))
                never.add(village)
    frame = pd.DataFrame(rows)
    frame = frame.drop_duplicates(["department_code", "village_code", "start_date"])
    frame = frame.sort_values(["village_code", "start_date", "department_code"], ignore_index=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return frame, never


def _month_starts(first: date, last: date) -> list[date]:
    months = []
    current = first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def _visit_days(habit: str, month: date, first: date, last: date,
                rng: np.random.Generator) -> list[date]:
    days_in_month = calendar.monthrange(month.year, month.month)[1]
    lo = max(first, month)
    hi = min(last, month.replace(day=days_in_month))
    if lo > hi:
        return []
    span = (hi - lo).days + 1
    share = span / days_in_month
    quarter_end = month.month in (3, 6, 9, 12)
    if habit == "burst":
        # Little in the quarter's first two months, a rush at its end.
        rate = MONTHLY_RATE[habit] * (2.6 if quarter_end else 0.2)
    else:
        rate = MONTHLY_RATE[habit]
    n = int(rng.poisson(rate * share))
    if habit == "burst" and quarter_end:
        rush_start = max(lo, month.replace(day=days_in_month - 9))
        if rush_start <= hi:
            width = (hi - rush_start).days + 1
            return [rush_start + timedelta(days=int(d)) for d in rng.integers(0, width, n)]
    return [lo + timedelta(days=int(d)) for d in rng.integers(0, span, n)]


def _resident(rng: np.random.Generator) -> str:
    return str(rng.choice(list(SURNAMES))) + "".join(
        rng.choice(list(GIVEN), size=int(rng.integers(1, 3))))


def _summary(kind: str, habit: str, households: int, problems: int,
             rng: np.random.Generator) -> str:
    """A visit's summary (without the village): three varied parts with their slots
    filled, or, for a copying department, mostly a stock text."""
    households, problems = max(1, int(households)), max(1, int(problems))
    if habit == "copying" and rng.random() < 0.9:
        text = str(rng.choice(COPIED_SUMMARIES))
        return text + (f"，走访群众{households}户" if rng.random() < 0.5 else "")
    parts = [str(rng.choice(_OPENINGS[kind].split("|"))),
             str(rng.choice(_DETAILS[kind].split("|"))),
             str(rng.choice(_CLOSINGS.split("|")))]
    slots = {"h": households, "p": problems, "n": int(rng.integers(8, 120)),
             "name": _resident(rng)}
    slots.update({key: str(rng.choice(words.split())) for key, words in _FILLERS.items()})
    return "，".join(parts).format(**slots) + "。"


def _points_in(polygon: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = polygon.bounds
    points: list[np.ndarray] = []
    found = 0
    while found < n:
        xs = rng.uniform(minx, maxx, 4 * n + 8)
        ys = rng.uniform(miny, maxy, 4 * n + 8)
        inside = shapely.contains_xy(polygon, xs, ys)
        batch = np.column_stack([xs[inside], ys[inside]])
        points.append(batch)
        found += len(batch)
    return np.vstack(points)[:n]


def _visits(
    villages: gpd.GeoDataFrame,
    departments: pd.DataFrame,
    habits: dict[str, str],
    cadres: pd.DataFrame,
    pairings: pd.DataFrame,
    never: set[str],
    anchor: date,
    rng: np.random.Generator,
) -> pd.DataFrame:
    from geo.schema import VISIT_KINDS

    history_start = anchor - timedelta(days=HISTORY_DAYS)
    short = dict(zip(villages["code"], villages["short_name"], strict=True))
    cadre_ids = cadres[cadres["active"]].groupby("department_code")["id"].apply(list).to_dict()
    rows: list[dict] = []
    stopped = set()  # neglectful pairings that stopped visiting long ago
    for pairing in pairings.itertuples(index=False):
        if pairing.village_code in never:
            continue
        habit = habits[pairing.department_code]
        first = max(pairing.start_date, history_start + timedelta(days=1))
        last = anchor if pd.isna(pairing.end_date) else min(pairing.end_date, anchor)
        if habit == "neglectful" and rng.random() < 0.6:
            last = min(last, anchor - timedelta(days=int(rng.integers(100, 300))))
            stopped.add(pairing.village_code)
        for month in _month_starts(first, last):
            for day in _visit_days(habit, month, first, last, rng):
                rows.append({"date": day, "department_code": pairing.department_code,
                             "village_code": pairing.village_code, "habit": habit})
    # Visits outside the pairings: petitions days (大下访) and policy talks anywhere.
    reachable = [c for c in villages["code"] if c not in never]
    active = departments.loc[departments["active"], "code"].tolist()
    for _ in range(max(1, len(rows) // 40)):
        day = history_start + timedelta(days=int(rng.integers(1, HISTORY_DAYS + 1)))
        dept = str(rng.choice(active))
        rows.append({"date": day, "department_code": dept,
                     "village_code": str(rng.choice(reachable)), "habit": habits[dept],
                     "kind": str(rng.choice(["信访接待/大下访", "政策宣讲"]))})
    frame = pd.DataFrame(rows)
    n = len(frame)
    kinds = frame.get("kind", pd.Series([None] * n)).tolist()
    for i, habit in enumerate(frame["habit"]):
        if not isinstance(kinds[i], str):
            kinds[i] = str(rng.choice(VISIT_KINDS, p=KIND_WEIGHTS[habit]))
    frame["kind"] = kinds
    frame["cadre_count"] = rng.integers(1, 7, n)
    frame["households_visited"] = np.where(
        np.isin(frame["kind"], ["走访慰问", "解决实际问题", "信访接待/大下访"]),
        rng.integers(1, 25, n), rng.integers(0, 6, n))
    raised = rng.poisson(0.7, n)
    habit = frame["habit"]
    resolved = rng.binomial(raised, habit.map(RESOLVE_SHARE).to_numpy())
    # Follow-up visits resolve earlier problems (so resolved may exceed raised).
    follow_up = rng.random(n) < habit.map(FOLLOW_UP_SHARE).to_numpy()
    resolved = np.where(follow_up, resolved + rng.integers(1, 3, n), resolved)
    frame["problems_raised"] = raised
    frame["problems_resolved"] = resolved
    summaries, ids = [], []
    for row in frame.itertuples(index=False):
        text = _summary(row.kind, row.habit, row.households_visited, row.problems_raised, rng)
        summaries.append(f"{short[row.village_code]}：{text}")
        pool = cadre_ids.get(row.department_code)
        if pool:
            size = min(len(pool), int(row.cadre_count))
            ids.append(";".join(str(c) for c in sorted(rng.choice(pool, size, replace=False))))
        else:
            ids.append("")
    frame["summary"] = summaries
    frame["cadre_ids"] = ids
    # Empty records (形式主义: a form filled in with nothing), mostly from bursts.
    empty_p = frame["habit"].map({"burst": 0.05, "neglectful": 0.05, "copying": 0.03})
    empty_p = empty_p.fillna(0.004).to_numpy()
    empty = rng.random(n) < empty_p
    frame.loc[empty, ["summary"]] = ""
    frame.loc[empty, ["households_visited", "problems_raised", "problems_resolved"]] = 0
    # GPS: about half carry a point inside the village; a few land far away.
    gps = rng.random(n) < 0.55
    frame["lon"] = np.nan
    frame["lat"] = np.nan
    geometry = dict(zip(villages["code"], villages.geometry, strict=True))
    for code, index in frame[gps].groupby("village_code").groups.items():
        points = _points_in(geometry[code], len(index), rng)
        frame.loc[index, "lon"] = points[:, 0].round(6)
        frame.loc[index, "lat"] = points[:, 1].round(6)
    frame = _misplace_points(frame, villages, rng)
    # Record ids: half of the departments number their sheets.
    numbered = set(rng.choice(active, size=len(active) // 2, replace=False))
    frame = frame.sort_values(["date", "department_code", "village_code"], ignore_index=True)
    frame["record_id"] = ""
    for dept, index in frame.groupby("department_code").groups.items():
        if dept in numbered:
            years = frame.loc[index, "date"].map(lambda d: d.year)
            seq = years.groupby(years).cumcount() + 1
            frame.loc[index, "record_id"] = [
                f"{y}-{s:04d}" for y, s in zip(years, seq, strict=True)
            ]
    # Duplicates: the same visit keyed in twice (record ids differ, the content does not).
    dup = frame.sample(n=max(3, n // 120), random_state=int(rng.integers(0, 2**31)))
    dup = dup.assign(record_id=np.where(dup["record_id"] != "", dup["record_id"] + "-2", ""))
    frame = pd.concat([frame, dup], ignore_index=True)
    frame = frame.sort_values(["date", "department_code", "village_code"], ignore_index=True,
                              kind="stable")
    created = [datetime.combine(d, datetime.min.time()) + timedelta(hours=int(h))
               for d, h in zip(frame["date"], rng.integers(9, 20, len(frame)), strict=True)]
    frame["created_at"] = created
    frame["source"] = "sample"
    frame["created_by"] = "sample"
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return frame[["id", "date", "department_code", "village_code", "kind", "cadre_count",
                  "cadre_ids", "households_visited", "problems_raised", "problems_resolved",
                  "lon", "lat", "summary", "record_id", "source", "created_by", "created_at"]]


LEDGER_DAYS = 365
"""The ledger was started this many days before the anchor: earlier visits raised no
registered problem."""
LEDGER_STREAM = 14
"""The ledger's random stream, beside the seed (issue 14)."""
REGISTER_SHARE = 0.6
"""The share of a visit's raised problems entered in the ledger."""
# A department's habit decides how its villages rate what it closes: 满意, 基本满意, 不满意.
RATINGS = {"diligent": (0.75, 0.22, 0.03), "steady": (0.6, 0.32, 0.08),
           "burst": (0.3, 0.4, 0.3), "neglectful": (0.15, 0.35, 0.5),
           "copying": (0.35, 0.4, 0.25)}
UNRESOLVED_SHARE = {"diligent": 0.02, "steady": 0.04, "burst": 0.12, "neglectful": 0.2,
                    "copying": 0.1}
"""The share of a department's closures that close a problem unresolved."""
_PROBLEM_TEXTS = {
    "基础设施": ("{g}组村道塌方，需修复", "{g}组路灯损坏，夜间出行不便", "{g}组饮水管道漏水",
             "{g}组危桥需加固", "村委会至{g}组的公路需硬化"),
    "产业发展": ("{crop}销路不畅，希望对接收购商", "{g}组灌溉水渠堵塞", "{crop}种植缺技术指导",
             "合作社缺少启动资金"),
    "医疗卫生": ("村卫生室缺常用药", "{g}组留守老人看病不便", "希望组织义诊和健康体检"),
    "教育": ("{g}组学生上学路远，希望解决接送", "村小学缺少教师", "困难学生申请助学金"),
    "社会保障": ("{g}组困难户申请低保复核", "养老保险缴费政策咨询", "残疾人补贴未按时发放"),
    "矛盾纠纷": ("{g}组邻里宅基地纠纷", "土地流转租金纠纷", "山林界址争议"),
    "信访": ("反映征地补偿标准问题", "反映{g}组移民后扶资金问题", "反映农村危房改造进度"),
    "其他": ("希望增加村民文化活动", "{g}组垃圾清运不及时", "希望改善村部办公条件"),
}
_CROPS = ("柑橘", "茶叶", "核桃", "土豆", "魔芋", "香菇", "腊肉", "蜂蜜")
_KIND_CATEGORIES = {"信访接待/大下访": ("信访", "矛盾纠纷", "社会保障"),
                    "产业帮扶": ("产业发展",), "发展联谋": ("产业发展", "基础设施"),
                    "阵地联建": ("基础设施", "其他")}


def _problems(villages: gpd.GeoDataFrame, visits: pd.DataFrame, departments: pd.DataFrame,
              habits: dict[str, str], rng: np.random.Generator) -> pd.DataFrame:
    """The problem ledger, consistent with the visits.

    Over the ledger's last ``LEDGER_DAYS`` days, each visit (the first of a group keyed
    in twice) registers ``REGISTER_SHARE`` of the problems it raised, at most its
    ``problems_raised``, with ``raised_visit_id`` = the visit. A later visit of the same
    department to the same village closes as many of the oldest open problems as it
    resolved, on its date: mostly ``resolved``, some ``closed_unresolved`` (more for
    careless habits), rated by the village according to the department's habit (some
    不满意). What nobody closes stays open; only the neglectful departments' thus go
    overdue (due 30 days after they were raised): the other departments closed theirs in
    time, and those no visit here records closing are left out of the sample.
    """
    from geo.schema import PROBLEM_DUE_DAYS, SATISFACTION_RATINGS

    short = dict(zip(villages["code"], villages["short_name"], strict=True))
    active = departments.loc[departments["active"], "code"].tolist()
    anchor = max(visits["date"])
    start = anchor - timedelta(days=LEDGER_DAYS)
    keyed = visits.drop_duplicates(["department_code", "village_code", "date", "kind",
                                    "summary"])
    recent = keyed[keyed["date"] > start].sort_values(["date", "id"], kind="stable")
    rows: list[dict] = []
    waiting: dict[tuple[str, str], list[int]] = {}
    for visit in recent.itertuples(index=False):
        key = (visit.department_code, visit.village_code)
        habit = habits[visit.department_code]
        queue = waiting.setdefault(key, [])
        for _ in range(min(len(queue), int(visit.problems_resolved))):
            row = rows[queue.pop(0)]
            unresolved = rng.random() < UNRESOLVED_SHARE[habit]
            row["status"] = "closed_unresolved" if unresolved else "resolved"
            row["resolved_on"] = visit.date
            row["resolution"] = ("经协调暂不具备解决条件，已向群众解释" if unresolved
                                 else f"{visit.kind}时已办结")
            if rng.random() < 0.85:
                row["satisfaction"] = str(rng.choice(SATISFACTION_RATINGS,
                                                     p=RATINGS[habit]))
        registered = int(rng.binomial(int(visit.problems_raised), REGISTER_SHARE))
        for _ in range(registered):
            category = str(rng.choice(_KIND_CATEGORIES.get(
                visit.kind, tuple(_PROBLEM_TEXTS))))
            text = str(rng.choice(_PROBLEM_TEXTS[category])).format(
                g=int(rng.integers(1, 9)), crop=str(rng.choice(_CROPS)))
            joint = (str(rng.choice([c for c in active if c != visit.department_code]))
                     if rng.random() < 0.05 else "")
            queue.append(len(rows))
            rows.append({
                "village_code": visit.village_code, "raised_on": visit.date,
                "raised_visit_id": int(visit.id), "department_code": visit.department_code,
                "co_departments": joint, "category": category,
                "description": f"{short[visit.village_code]}{text}",
                "resident": _resident(rng) if rng.random() < 0.5 else "",
                "due_date": visit.date + timedelta(days=PROBLEM_DUE_DAYS),
                "status": "open", "resolved_on": None, "resolution": "",
                "satisfaction": "", "record_id": "", "created_by": "sample",
                "created_at": datetime.combine(visit.date, datetime.min.time())
                + timedelta(hours=18)})
    frame = pd.DataFrame(rows)
    # Only the neglectful let problems go overdue: the others closed in time what no
    # visit here records closing (those problems are left out of the sample's ledger).
    due = pd.to_datetime(frame["due_date"]) < pd.Timestamp(anchor)
    lapsed = (frame["status"] == "open") & due & (
        frame["department_code"].map(habits) != "neglectful")
    frame = frame[~lapsed.to_numpy()].reset_index(drop=True)
    still_open = (frame["status"] == "open").to_numpy()
    handling = still_open & (rng.random(len(frame)) < 0.5)
    frame.loc[handling, "status"] = "in_progress"
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return frame


def _misplace_points(frame: pd.DataFrame, villages: gpd.GeoDataFrame,
                     rng: np.random.Generator) -> pd.DataFrame:
    """Move about 2% of GPS points into a village of another township (> 2 km away),
    mostly those of departments that fill in forms at their desks (burst, neglectful,
    copying)."""
    with_gps = np.flatnonzero(frame["lon"].notna().to_numpy())
    habit = frame["habit"].to_numpy()[with_gps]
    weight = np.where(np.isin(habit, ["diligent", "steady"]), 1.0, 8.0)
    chosen = rng.choice(with_gps, size=max(5, len(with_gps) // 50), replace=False,
                        p=weight / weight.sum())
    township = dict(zip(villages["code"], villages["parent_code"], strict=True))
    epsg = gauss_kruger_epsg(float(villages.geometry.union_all().centroid.x))
    projected = villages.set_index("code").geometry.to_crs(epsg)
    codes = villages["code"].to_numpy()
    for index in chosen:
        own = frame.at[index, "village_code"]
        others = [c for c in codes if township[c] != township[own]]
        for _ in range(20):
            target = str(rng.choice(others))
            point = _points_in(villages.geometry.iloc[int(np.flatnonzero(codes == target)[0])],
                               1, rng)[0]
            projected_point = gpd.GeoSeries([shapely.Point(point)], crs=4326).to_crs(epsg)[0]
            if projected[own].distance(projected_point) > 2500:
                frame.at[index, "lon"] = round(float(point[0]), 6)
                frame.at[index, "lat"] = round(float(point[1]), 6)
                break
    return frame


def county_seat(villages: gpd.GeoDataFrame) -> tuple[float, float]:
    """Return the county seat: a point in the first community of the first township."""
    seat = villages.sort_values("code").geometry.iloc[0].representative_point()
    return float(seat.x), float(seat.y)


def generate_sample(villages: gpd.GeoDataFrame, anchor: date, seed: int = 42) -> SampleCounty:
    """Generate the synthetic records for ``villages``.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Village units with ``code``, ``short_name``, ``parent_code``, ``kind`` and polygons
        (WGS84), in code order.
    anchor : datetime.date
        The last day of the visit history.
    seed : int
        Random seed; the same seed and anchor give the same tables.

    Returns
    -------
    SampleCounty
    """
    rng = np.random.default_rng(seed)
    villages = villages.sort_values("code", ignore_index=True)
    figures = _village_figures(villages, rng)
    units = pd.concat([villages.drop(columns=list(figures.columns), errors="ignore"), figures],
                      axis=1)
    departments = _departments(rng, county_seat(villages))
    habits = _habits(departments, rng)
    cadres = _cadres(departments, rng)
    pairings, never = _pairings(units, departments, habits, anchor, rng)
    visits = _visits(units, departments, habits, cadres, pairings, never, anchor, rng)
    # The ledger draws from its own stream, so that adding it changed no other table.
    problems = _problems(units, visits, departments, habits,
                         np.random.default_rng([seed, LEDGER_STREAM]))
    return SampleCounty(units=gpd.GeoDataFrame(units, geometry="geometry", crs=4326),
                        departments=departments, cadres=cadres, pairings=pairings, visits=visits,
                        habits=habits, problems=problems)
