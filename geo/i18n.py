"""The text catalogue: every user-facing string, by key and language.

Pages never hold literal text; they ask ``translate(key, lang, **values)``. Both
languages hold every key with the same placeholders (``tests/test_i18n.py``); Chinese is
the default language.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_LANG = "zh"

CATALOGUE: dict[str, dict[str, str]] = {
    "zh": {
        "app.title": "结对服务地图",
        "app.subtitle": "县直单位结对共建村（社区）服务覆盖",
        "nav.section.maps": "地图与分析",
        "page.overview": "总览",
        "page.overview.question": "我们的村（社区）服务得怎么样？哪里还没有服务到？",
        "caption.as_of": "截至 {as_of}，近 {window} 天",
        "caption.schematic": (
            "示意边界：乡镇和村界为示意，不作为实际边界依据；"
            "样例数据除区划代码、名称和县界外均为模拟数据。"
        ),
        "kpi.villages": "村（社区）",
        "kpi.paired": "已结对村",
        "kpi.visited": "近{window}天走访覆盖",
        "kpi.never_visited": "从未走访",
        "kpi.weak": "薄弱村",
        "kpi.delta_previous": "较上一{window}天",
        "kpi.paired.help": "截至当日有生效结对关系的村（社区）数及占比",
        "kpi.visited.help": "近{window}天内至少有一次走访记录（任何单位）的村（社区）数及占比",
        "kpi.never_visited.help": "截至当日没有任何走访记录的村（社区）",
        "kpi.weak.help": "软弱涣散村（社区）数",
        "kpi.severe": "需关注村",
        "kpi.severe.help": (
            "有严重原因的村（社区）数：未结对、从未走访、超期未走访（{days} 天以上），"
            "或有超期未办结的诉求。"
            "不是软弱涣散村（社区）。"
        ),
        "kpi.delta_villages": "{change} 个",
        "kpi.delta_points": "{change} 个百分点",
        "overview.townships": "乡镇对比",
        "overview.townships_caption": (
            "最需关注的乡镇在前（按需关注村占比、走访覆盖率、结对率排序）。"),
        "township.name": "乡镇",
        "township.villages": "村（社区）数",
        "township.paired_share": "结对率",
        "township.visited_share": "近{window}天走访覆盖率",
        "township.never_visited": "从未走访",
        "township.severe": "需关注村",
        "township.neglected": "待关注村（含一般）",
        "township.visits_per_1000": "每千人走访次数",
        "township.visits_per_1000.help": (
            "近{window}天走访次数 ÷ 常住人口 × 1000；“—”表示无人口数据"),
        "group.severe": "严重",
        "group.general": "一般",
        "neglected.group": "程度",
        "neglected.count_county": "{count} 个村（社区）待关注，含严重与一般（全县共 {total} 个）",
        "neglected.count_township": (
            "{count} 个村（社区）待关注，含严重与一般（{township}共 {total} 个）"),
        "neglected.section": "{group}：{count} 个",
        "neglected.severe_explain": (
            "未结对、从未走访、超期未走访（{days} 天以上），或有超期未办结的诉求。"),
        "neglected.general_explain": "只有走访未达要求或问题未解决。",
        "neglected.open_problems": "未解决问题",
        "neglected.open_problems.help": "近{window}天走访中收集的问题减去已解决的问题",
        "neglected.shortfalls": "未达要求的单位及月份",
        "neglected.shortfalls.help": "结对单位当月走访次数少于要求的月份",
        "neglected.shortfall": "{department}：{months}",
        "reason.UNPAIRED": "未结对",
        "reason.NEVER_VISITED": "从未走访",
        "reason.NOT_VISITED": "超期未走访",
        "reason.OVERDUE_PROBLEM": "超期未办结",
        "reason.BELOW_REQUIRED": "走访未达要求",
        "reason.PROBLEMS_PENDING": "问题未解决",
        "list.separator": "、",
        "list.separator.long": "；",
        "neglected.none": "按当前筛选条件，没有需要关注的村（社区）。",
        "neglected.select_hint": "点选表格左侧的方框，查看该村（社区）详情。",
        "neglected.days_never_help": "“从未”表示从未有走访记录",
        "table.never": "从未",
        "card.no_pairings": "该村（社区）没有结对记录。",
        "card.no_visits": "没有可查看的走访记录。",
        "visits.none": "按当前筛选条件，没有走访记录。",
        "audit.none": "按当前筛选条件，没有审计记录。",
        "audit.username_placeholder": "全部操作人",
        "audit.changes.help": "修改前 → 修改后；“—”表示空",
        "admin.no_users": "还没有用户。",
        "admin.failed_logins": "近期登录失败次数",
        "data.download_warnings": "下载提示清单",
        "data.sheet_placeholder": "默认第一个工作表",
        "data.src_crs_placeholder": "可不填",
        "data.field_placeholder": "可不填，自动识别",
        "status.paired_visited": "已结对·近期有走访",
        "status.paired_lapsed": "已结对·超期未走访",
        "status.paired_never": "已结对·从未走访",
        "status.unpaired_visited": "未结对·近期有走访",
        "status.unpaired_not_visited": "未结对·近期无走访",
        "status.never_visited": "从未走访",
        "warning.END_OF_PERIOD_BURST": "季末突击",
        "warning.EMPTY_RECORD": "空记录",
        "warning.DUPLICATE": "重复记录",
        "warning.LOCATION_MISMATCH": "位置不符",
        "warning.TEMPLATE_TEXT": "材料雷同",
        "warning.END_OF_PERIOD_BURST.explain": (
            "一个季度走访 6 次及以上，一半以上集中在季度最后 10 天（季末突击补记录）"),
        "warning.EMPTY_RECORD.explain": (
            "没有工作内容、没有走访户数、没有收集问题的空记录（不计入任何指标）"),
        "warning.DUPLICATE.explain": (
            "同一单位、同一村、同一天、同一类型、工作内容相同的重复记录（只计第一条）"),
        "warning.LOCATION_MISMATCH.explain": "走访定位点在所记村的村界 2 公里以外",
        "warning.TEMPLATE_TEXT.explain": (
            "5 条以上记录的工作内容与本单位其他村或其他日期的记录几乎一样"
            "（20 字以上，相似度 90% 以上，照抄照搬）"),
        "page.departments": "单位工作",
        "page.planner": "结对规划",
        "planner.explain": (
            "为未结对、从未走访或超期未走访的村（社区）安排结对单位：先让更需要的村都有人管，"
            "再让路程最短。改动参数或下面的“假设调整”会立即重新规划；勾选采纳的建议后可下载"
            "组织部格式的表格，或提交为结对关系（当天可撤销最后一次提交）。"),
        "planner.reasons": "候选村（原因）",
        "planner.max_per_village": "每村最多结对单位",
        "planner.max_per_village.help": "已有这么多个生效结对的村不再安排（减轻村里的接待负担）",
        "planner.members_per_village": "每村所需党员数",
        "planner.members_per_village.help": (
            "单位名额 = 党员数 ÷ 此数（至少 1）− 现有结对数"),
        "planner.what_if": "假设调整：名额、指定结对、排除",
        "planner.party_members": "党员数",
        "planner.rule_places": "按规则名额",
        "planner.rule_places.help": "党员数 ÷ 每村所需党员数（至少 1）− 现有生效结对",
        "planner.places": "名额",
        "planner.places_caption": (
            "名额按规则计算，可逐个改写（不小于 0 的整数）；改动“每村所需党员数”会按新规则"
            "重算名额，已改的名额需重新填写。"),
        "planner.places_bad": "名额须为不小于 0 的整数，以下未能采用，请改正：{rows}",
        "planner.places_bad_one": "{department}（填写的是“{value}”）",
        "planner.reasons_placeholder": "请选择候选原因",
        "planner.number_bad": "“{value}”不是 {low} 到 {high} 之间的整数，请改正。",
        "planner.summary_km": "总距离 {km} 公里。",
        "planner.places.help": "可改为任意不小于 0 的整数；改过的单位按此数安排",
        "planner.locks": "**指定结对**（一定安排，占用该单位名额）",
        "planner.exclusions": "**排除**（不安排这些单位与村的组合）",
        "planner.costs": "道路距离表（可选，CSV 或 Excel）",
        "planner.costs.help": (
            "三列：单位代码、村代码、公里数。上传后按表中的距离规划，表中没有的组合不安排。"),
        "planner.pair_incomplete": "第 {rows} 行只选了单位或村中的一个，请补全或删除该行。",
        "planner.pair_repeated": "第 {rows} 行是同一个单位与村，请删去重复的行。",
        "planner.no_reasons": "请至少选择一种候选原因。",
        "planner.proposals": "结对建议（{count} 条）",
        "planner.summary": (
            "候选村 {candidates} 个，已安排 {covered} 个；各单位共有名额 {capacity} 个；"
            "总距离 {km} 公里。"),
        "planner.accept": "采纳",
        "planner.distance": "距离（公里）",
        "planner.paired_with": "已结对单位",
        "planner.paired_with.help": "该村截至当日已有的生效结对单位；空白表示未结对",
        "planner.second_pairings": (
            "其中 {count} 条是给已有结对单位的村再加一个单位（这些村仍从未走访或超期未走访，"
            "且未达每村上限）。不需要的请取消勾选，或把“每村最多结对单位”设为 1。"),
        "planner.reason": "理由",
        "planner.map_caption": (
            "蓝色为拟安排单位结对的村，深红为未能安排的候选村；虚线从单位所在位置"
            "（其现有结对村的中心，没有结对时为单位驻地）连到拟结对的村。"),
        "planner.commit": "提交采纳的 {count} 条结对",
        "planner.committed": "已提交 {count} 条结对关系（结对共建，自今天起）。",
        "planner.sheet": "下载组织部表格（Excel）",
        "planner.sheet_file": "结对规划.xlsx",
        "planner.undo": "撤销今天最后一次提交",
        "planner.undo.help": "删除那次提交的结对；已有走访的结对改为今天结束",
        "planner.undone": "已撤销：删除 {removed} 条结对，{ended} 条改为今天结束。",
        "period.choice": "统计期",
        "period.months": "近{months}个月",
        "period.window": "近{window}天",
        "period.year": "年度（年度考核）",
        "period.range": "自定义",
        "period.year_label": "年度",
        "period.range_label": "起止日期",
        "period.range_incomplete": "请再选择结束日期。",
        "period.range_future": "结束日期 {end} 晚于今天（{today}），请重新选择。",
        "period.before_data": (
            "走访记录从 {first} 开始：统计期内此前没有记录，按月达标率和预警只反映此后的情况。"),
        "period.no_data": "统计期内没有任何走访记录。",
        "period.unknown_link": "链接中的统计期“{period}”无法识别，已改为近12个月。",
        "departments.period_caption": (
            "截至 {end}，统计期 {start} 至 {end}（{days} 天）：本页的排名、趋势、结对村和预警"
            "都按这一统计期计算。"),
        "departments.ranking": "单位排名（红黑榜）",
        "departments.ranking_caption": (
            "得分（0–100）只看工作质量，不看走访次数：按要求走访（达标率）30%、结对村覆盖 20%、"
            "问题解决率 20%、造血帮扶占比 15%、群众满意度 15%（本期没有村评价的单位暂无，权重按其余"
            "各项重新分配）；每条形式主义预警扣 5 分，最低 0 分。空记录和重复记录不计入，"
            "多报不能提高排名。前 5 名为红榜，后 5 名为黑榜。"),
        "departments.list_red": "红榜",
        "departments.list_black": "黑榜",
        "departments.list_other": "其他单位",
        "departments.score": "得分",
        "departments.score.help": "0–100，各项指标的加权平均 × 100，每条形式主义预警扣 5 分",
        "departments.rank": "名次",
        "departments.rank.help": (
            "得分从高到低，同分按单位代码；无可计算指标的单位排在最后；停用的单位不排名"),
        "departments.warnings_count": "预警数",
        "departments.warnings.help": "形式主义预警条数，每条扣 5 分",
        "departments.villages_visited": "走访村数",
        "departments.metric.visits": "走访次数",
        "departments.metric.compliance": "按要求走访达标率",
        "departments.metric.compliance.help": (
            "各结对村每月走访次数达到要求的月份占比，只计统计期内的整月"),
        "departments.metric.paired_coverage": "结对村覆盖",
        "departments.metric.paired_coverage.help": (
            "期末结对的村（社区）中，本单位在统计期内走访过的占比"),
        "departments.metric.resolution_rate": "问题解决率",
        "departments.metric.resolution_rate.help": (
            "解决的问题数 ÷ 收集的问题数（最高 100%）；没有收集到问题时为空"),
        "departments.metric.long_term_share": "造血帮扶占比",
        "departments.metric.long_term_share.help": (
            "产业帮扶、发展联谋、阵地联建的走访占全部走访的比例"),
        "departments.metric.satisfaction": "群众满意度",
        "departments.metric.satisfaction.help": (
            "（满意 + 0.5 × 基本满意）÷ 有评价的件数，按本期内办结的诉求计算；没有评价时为空"),
        "departments.metric.participation": "党员参与率",
        "departments.metric.participation.help": (
            "走访记录中出现的不同干部人数 ÷ 党员人数（最高 100%）；记录未填干部编号时为空"),
        "departments.metric.leader_participation": "领导带头率",
        "departments.metric.leader_participation.help": (
            "有领导干部参加的走访占全部走访的比例；记录未填干部编号时为空"),
        "departments.trends": "月度趋势",
        "departments.compare": "对比单位（最多 5 个）",
        "departments.compare_placeholder": "选择单位",
        "departments.compare_limit": "最多对比 {count} 个单位，只显示前 {count} 个。",
        "departments.trends_caption": (
            "每月一点；首尾两个月可能只含统计期内的部分天数。达标率只计整月；断开处表示该月无可"
            "考核的结对或没有收集到问题。"),
        "departments.month": "月份",
        "departments.villages": "结对村达标情况",
        "departments.map_department": "单位",
        "departments.map_caption": (
            "颜色为所选单位在统计期内对各结对村的按月走访达标情况；白色为其他村（社区）。"),
        "departments.months_met": "达标月数",
        "departments.months_judged": "考核月数",
        "departments.no_pairings": "该单位在统计期末没有生效的结对村。",
        "departments.warnings": "形式主义预警",
        "departments.warnings_caption": (
            "点选一行，查看该预警所指的走访记录（限您有权查看的记录）。"),
        "departments.warning": "预警",
        "departments.quarter": "季度",
        "departments.warning_records": "涉及记录",
        "departments.warning_meanings": "五种预警的含义",
        "departments.warning_meaning_line": "- **{name}**：{meaning}",
        "departments.no_warnings": "统计期内没有形式主义预警。",
        "departments.records_hidden": "另有 {count} 条记录属于其他单位，您无权查看。",
        "departments.no_scores": "暂无可排名的单位",
        "departments.unknown_link": "链接中的单位代码“{code}”不存在，已改为显示默认单位。",
        "overview.red_black": "单位红黑榜",
        "overview.red_black_caption": "近{window}天得分（0–100），点名称看详情",
        "overview.list_row": "{rank}　{score}　{name}",
        "layer.compliance": "所选单位结对村：按月走访达标情况",
        "layer.compliance_full": "每月均达标",
        "layer.compliance_partial": "半数以上月份达标",
        "layer.compliance_low": "不足半数月份达标",
        "layer.compliance_unjudged": "尚无可考核的整月",
        "layer.compliance_other": "非该单位结对村",
        "layer.compliance_tooltip": "达标月数",
        "layer.compliance_value": "{met}/{judged} 个月（{share:.0%}）",
        "layer.plan": "规划：拟结对的村与未能安排的候选村",
        "layer.plan_proposed": "拟安排单位结对",
        "layer.plan_uncovered": "候选村，未能安排",
        "layer.plan_other": "不在本次规划中",
        "layer.plan_tooltip": "拟结对单位",
        "legend.hatched": "其中从未走访（斜线）",
        "legend.title": "村（社区）服务状态（近期＝近 {window} 天）",
        "legend.count": "{count} 个",
        "map.schematic": "示意边界",
        "map.reset": "回到全县",
        "page.data": "数据导入导出",
        "data.import_records": "导入台账（CSV / Excel）",
        "data.import_boundaries": "导入边界（GeoJSON / Shapefile 压缩包 / GeoPackage）",
        "data.table": "数据表",
        "data.file": "选择文件",
        "data.sheet": "工作表（可不填，默认第一个）",
        "data.skip_invalid": "跳过有错误的行（其余照常导入，错误行可下载）",
        "data.check": "检查文件",
        "data.confirm": "确认导入",
        "data.checked": (
            "检查完成：共 {rows} 行，将新增 {inserted}、更新 {updated}、不变 {unchanged}，"
            "有错误 {rejected} 行。"
        ),
        "data.done": (
            "导入完成：共 {rows} 行，新增 {inserted}、更新 {updated}、不变 {unchanged}，"
            "未导入 {rejected} 行。"
        ),
        "data.has_errors": (
            "文件中有错误，未导入任何数据。请按下表修改后重新上传，或勾选“跳过有错误的行”。"
        ),
        "data.errors": "错误",
        "data.warnings": "提示",
        "data.download_errors": "下载错误清单",
        "data.download_rejected": "下载未导入的行",
        "data.level": "层级",
        "data.level.township": "乡镇",
        "data.level.village": "村（社区）",
        "data.src_crs": "坐标系（文件未声明时填写，如 EPSG:4546 或 gcj02）",
        "data.code_field": "代码字段（可不填）",
        "data.name_field": "名称字段（可不填）",
        "data.templates": "导入模板",
        "data.templates_explain": (
            "模板含中文表头和一行示例，可直接在 Excel 中填写；请把示例行改成真实记录或删除，"
            "原样留下的示例行不会导入。"),
        "data.export": "导出数据",
        "data.export_table": "导出的表",
        "data.format": "格式",
        "format.csv": "CSV",
        "format.xlsx": "Excel",
        "format.geojson": "GeoJSON",
        "data.download": "下载",
        "data.row": "行",
        "data.column": "列",
        "data.value": "内容",
        "data.message": "说明",
        "tablename.villages": "村（社区）",
        "tablename.townships": "乡镇",
        "tablename.departments": "单位",
        "tablename.cadres": "干部",
        "tablename.pairings": "结对关系",
        "tablename.visits": "走访记录",
        "tablename.audit": "审计日志",
        "issue.missing_value": "“{column}”不能为空",
        "issue.bad_date": "“{value}”不是日期（可写 2024-05-06、2024/5/6 或 2024年5月6日）",
        "issue.future_date": "日期 {value} 晚于今天",
        "issue.bad_number": "“{value}”不是整数",
        "issue.bad_decimal": "“{value}”不是数字",
        "issue.negative_count": "{value} 是负数，数量不能为负",
        "issue.bad_coordinate": "{value} 超出坐标的取值范围",
        "issue.bad_coordinate.longitude": "{value} 超出经度的取值范围（-180 到 180）",
        "issue.bad_coordinate.latitude": "{value} 超出纬度的取值范围（-90 到 90）",
        "issue.incomplete_point": "经度和纬度须同时填写或同时留空",
        "issue.bad_flag": "“{value}”不是“是”或“否”",
        "issue.too_long": "“{value}”超过 {limit} 个字符",
        "issue.unknown_village": "没有村（社区）“{value}”",
        "issue.ambiguous_village": "村（社区）“{value}”不唯一（{candidates}），请填写村代码或乡镇",
        "issue.unknown_township": "没有乡镇“{value}”",
        "issue.unknown_department": "没有单位“{value}”",
        "issue.ambiguous_department": "单位“{value}”不唯一（{candidates}），请填写单位代码",
        "issue.unknown_kind": "“{value}”不是可选的类型（{choices}）",
        "issue.end_before_start": "结束日期 {value} 早于开始日期 {start}",
        "issue.overlapping_pairing": "与同一单位和村的另一结对（{other}）时间重叠",
        "issue.duplicate_in_file": "“{value}”在文件中重复（首次出现在第 {first_row} 行）",
        "issue.edit_window_passed": "该走访记录录入已超过 {days} 天，联络员不能再修改",
        "issue.duplicate_visit": "同一走访在文件中出现多次（第 {rows} 行）",
        "issue.duplicate_record_id": "记录编号“{value}”在同一单位中重复（第 {rows} 行）",
        "issue.resolved_exceeds_raised": "解决问题数 {resolved} 多于收集问题数 {raised}"
                                   "（回访可解决以前的问题，仅提示）",
        "issue.unknown_column": "列“{column}”不是可导入的列，已忽略",
        "issue.implausible_count": "{value} 不合常理（一次走访最多 {limit}）",
        "issue.more_than_households": "走访户数 {value} 多于该村户数 {households}",
        "issue.control_character": "含有控制字符（如 NUL），请删除后再导入",
        "issue.template_example_row": "这是模板里的示例行，不是真实记录；请删除这一行后再导入",
        "issue.undecodable_row": (
            "这一行不是 {encoding} 编码，看起来是 {looks}（整个文件按 {encoding} 读取）；"
            "请把文件统一另存为“CSV UTF-8”后重新导入"),
        "issue.undecodable_row.unknown": (
            "这一行不是 {encoding} 编码，也不是 GBK 或 UTF-8（整个文件按 {encoding} 读取，"
            "无法识别的字节显示为 �）；请把文件统一另存为“CSV UTF-8”后重新导入"),
        "issue.empty_record": "空记录：没有工作内容、走访户数和收集问题（记为形式主义预警）",
        "issue.missing_code": "缺少区划代码",
        "issue.bad_code": "区划代码“{value}”格式不对",
        "issue.bad_code.township_length": "乡镇代码应为 9 位数字（或以 000 结尾的 12 位）",
        "issue.bad_code.township_village_code": (
            "乡镇代码应为 9 位数字；12 位代码是村代码（层级请选“村”）"),
        "issue.bad_code.township_county_code": "乡镇代码不能以 000 结尾（那是县的代码）",
        "issue.bad_code.village_length": "村代码应为 12 位数字",
        "issue.bad_code.village_township_code": (
            "村代码应为 12 位数字；9 位代码是乡镇代码（层级请选“乡镇”）"),
        "issue.bad_code.village_ends_000": "村代码不能以 000 结尾（那是乡镇的代码）",
        "issue.duplicate_code": "区划代码 {code} 在第 {others} 个要素中也出现",
        "issue.unknown_township.parent": "库中没有代码 {code} 所属的乡镇 {parent}",
        "issue.unknown_county.parent": "库中没有代码 {code} 所属的县 {parent}",
        "issue.not_nested": (
            "代码 {code} 与上级代码 {parent} 不对应：代码前 {digits} 位须为上级代码"),
        "issue.bad_geometry": "图形的坐标不是数字",
        "issue.bad_geometry.township_point": "乡镇须为面，不能是点",
        "issue.bad_geometry.not_polygon": "图形是 {kind}，乡镇须为面",
        "issue.bad_geometry.not_polygon_or_point": "图形是 {kind}，村须为面或点",
        "issue.invalid_geometry": "图形无效（{reason}），修复后没有面积",
        "issue.outside_china": "图形（部分）不在中国范围内，请检查坐标系",
        "issue.missing_name": "新增单位 {code} 须有名称",
        "issue.name_too_long": "名称不能超过 {limit} 个字符",
        "issue.empty_geometry": "没有图形",
        "issue.empty_geometry.new": "新增单位 {code} 没有图形",
        "issue.empty_geometry.kept": "没有图形，保留原有位置",
        "issue.repaired_geometry": "图形无效（{reason}），已自动修复为有效的 {kind}",
        "issue.name_differs": "库中 {code} 名为“{stored}”，保留库中名称",
        "issue.not_in_file": "库中的 {code}（{name}）不在文件中，未删除",
        "issue.assumed_wgs84": "文件未声明坐标系，已按经纬度（WGS84）读取",
        "issue.crs_overridden": "文件声明的坐标系为 {declared}，已按指定的 {given} 读取",
        "error.password_too_short": "密码至少 {minimum} 位",
        "error.password_too_long": "密码不能超过 {maximum} 字节（一个汉字占 3 字节）",
        "error.bad_username": "用户名为 1-50 个字符：小写字母、数字、“.”、“_”或“-”",
        "error.unknown_role": "没有角色“{role}”，可选：{choices}",
        "error.liaison_needs_department": "单位联络员必须指定单位（{option_department}）",
        "error.unknown_department": "没有单位“{code}”",
        "error.user_exists": "用户 {name} 已存在",
        "error.admin_exists": "系统管理员已存在，请直接登录",
        "error.no_user": "没有用户 {name}",
        "error.deactivate_self": "不能停用自己的账号",
        "error.cookie_key_too_short": "PAIRMAP_COOKIE_KEY 至少需要 {minimum} 字节",
        "error.backup_needs_sqlite": "此处只能下载 SQLite 数据库；PostgreSQL 请用 pg_dump 备份",
        "error.bad_database_url": "PAIRMAP_DATABASE_URL 不是数据库地址：{url}",
        "error.unsupported_database": "PAIRMAP_DATABASE_URL 指定的数据库不受支持：{driver}",
        "error.unreadable_settings": "无法读取配置文件 {path}：{detail}",
        "error.days_not_whole": "{name} 应为整数天数，现为“{value}”",
        "error.seconds_not_whole": "{name} 应为整数秒数，现为“{value}”",
        "error.days_not_positive": "{name} 应为正数，现为 {value}",
        "error.setting_not_whole": "{name} 应为正整数，现为“{value}”",
        "error.setting_not_positive": "{name} 应为正数，现为 {value}",
        "error.unknown_language": "PAIRMAP_LANG 只能是 {choices}，现为“{value}”",
        "error.period_reversed": "--to {end} 早于 --from {start}",
        "error.period_months": "统计月数应至少为 1（现为 {months}）",
        "error.period_future_year": "{year} 年尚未开始，无法统计",
        "error.missing_input_column": "{frame} 表缺少必需的列“{column}”，无法计算指标",
        "error.no_visit": "没有编号为 {id} 的走访记录",
        "error.edit_window_passed": "联络员只能在录入后 {days} 天内修改或删除走访记录",
        "error.no_geometry": "{table} 没有图形，请导出为 .csv 或 .xlsx",
        "error.period_incomplete": "--from 和 --to 须同时给出",
        "error.period_conflict": "--from/--to 不能与 --as-of、--window-days 同时使用",
        "error.part_departments_only": "--part 只适用于 report departments（本次为 {kind}）",
        "error.level_missing": "导入边界须指定 --level township 或 --level village",
        "error.townships_not_importable": "乡镇随边界导入：请用 import boundaries --level township",
        "error.audit_not_importable": "审计日志只能由系统写入，不能导入",
        "error.unknown_table": "没有表“{table}”，可选：{choices}",
        "error.no_stdin": "没有标准输入，无法读取密码",
        "error.passwords_differ": "两次输入的密码不一致",
        "error.no_password": "标准输入中没有密码",
        "error.unreadable_outline": "无法读取县界：{detail}",
        "error.empty_outline": "县界文件中没有要素",
        "error.missing_column": "缺少列",
        "error.no_boundary": "单位 {code} 没有边界",
        "error.geojson_tables": "只有 {tables} 能导出为 GeoJSON",
        "error.unknown_output_type": "不支持的文件类型“{suffix}”，请用 .csv、.xlsx 或 .geojson",
        "error.duplicate_column": "“{first}”和“{second}”两列都是 {field}，请只保留一列",
        "error.required_column_missing": "缺少必需的列：{columns}",
        "error.file_missing": "文件不存在",
        "error.not_a_file": "这是文件夹，不是文件",
        "error.unreadable_file": "无法读取文件：{detail}",
        "error.file_empty": "文件是空的",
        "error.sheet_needs_xlsx": "只有 .xlsx 工作簿才能选择工作表",
        "error.old_or_protected_workbook": (
            "这是旧版 Excel（.xls）或受保护的工作簿，不是 CSV；请另存为 .xlsx 或 CSV"),
        "error.old_excel": "不能读取旧版 Excel（.xls）文件，请另存为 .xlsx",
        "error.unknown_table_file_type": "不支持的文件类型“{suffix}”，请用 .csv 或 .xlsx",
        "error.unknown_encoding": "无法识别文件的文字编码，请另存为“CSV UTF-8”",
        "error.no_header_row": "前 {rows} 行中没有表头",
        "error.row_too_long": "约第 {where} 行的单元格比表头多：{detail}",
        "error.unreadable_csv": "无法按 CSV 读取文件：{detail}",
        "error.unreadable_xlsx": "无法按 .xlsx 工作簿读取文件（{detail}）",
        "error.no_sheets": "工作簿中没有工作表",
        "error.no_such_sheet": "没有工作表“{sheet}”；工作簿中有：{sheets}",
        "error.unreadable_sheet": "无法读取工作表“{sheet}”（{detail}）",
        "error.sheet_empty": "工作表“{sheet}”是空的",
        "error.unknown_boundary_format": (
            "不支持的格式“{suffix}”，请用 GeoJSON（.geojson）、Shapefile 压缩包（.zip）或 "
            "GeoPackage（.gpkg）"),
        "error.bad_zip": "不是可读取的 zip 文件（{detail}）",
        "error.zip_too_large": (
            "压缩包解压后共 {size} MB，超过上限 {limit} MB（PAIRMAP_UPLOAD_MAX_MB），没有解压"),
        "error.zip_unpacks_too_much": (
            "压缩包解压出的内容超过上限 {limit} MB（PAIRMAP_UPLOAD_MAX_MB），比它声明的还多，"
            "已停止解压"),
        "error.too_many_zip_members": "压缩包中有 {count} 个文件，超过上限 {limit} 个，没有解压",
        "error.file_too_large": (
            "文件有 {size} MB，超过上限 {limit} MB（PAIRMAP_UPLOAD_MAX_MB），没有读取"),
        "error.too_many_rows": (
            "行数超过上限 {limit} 行（PAIRMAP_UPLOAD_MAX_ROWS），没有读取；"
            "请把文件拆成几个后分别导入"),
        "error.too_many_columns": (
            "用到了 {count} 列，超过上限 {limit} 列（PAIRMAP_UPLOAD_MAX_COLUMNS），没有读取；"
            "请删除多余的列（包括只设了格式的空列）"),
        "error.shared_strings_too_large": (
            "工作簿的共享字符串表解压后有 {size} MB，超过上限 {limit} MB"
            "（PAIRMAP_UPLOAD_MAX_SHARED_STRINGS_MB），没有读取"),
        "error.workbook_part_too_large": (
            "工作簿中的 {part} 解压后有 {size} MB，超过上限 {limit} MB，"
            "不像正常的 Excel 文件，没有读取"),
        "error.sheet_piece_too_large": (
            "工作表中有一行（或行外的一段）超过 {limit} MB，不像正常的 Excel 文件，没有读取"),
        "error.unusual_sheet_markup": (
            "工作表 {part} 含有 Excel 不会写入的 XML 标记（注释、CDATA 或 DOCTYPE），没有读取；"
            "请用 Excel 打开后另存为 .xlsx"),
        "error.line_too_long": "一行超过 {limit} MB，没有读取",
        "error.undecodable_header": (
            "表头行不是 {encoding} 编码（看起来是 {looks}），文件的其他行却是；"
            "请把整个文件另存为“CSV UTF-8”后重新导入"),
        "error.too_many_features": (
            "文件有 {count} 个要素，超过上限 {limit} 个（PAIRMAP_UPLOAD_MAX_ROWS），没有读取"),
        "error.too_many_fields": (
            "文件有 {count} 个属性列，超过上限 {limit} 列（PAIRMAP_UPLOAD_MAX_COLUMNS），没有读取"),
        "error.several_shapefiles": (
            "zip 文件中有 {count} 个 Shapefile（{names}），每个 zip 文件只能放一个"),
        "error.no_shapefile": "zip 文件中没有 Shapefile（.shp 及 .shx、.dbf）",
        "error.cannot_unpack": "无法解压 {member}（{detail}）",
        "error.shapefile_parts_missing": (
            "Shapefile 缺少 .shx 或 .dbf；请把 .shp、.shx、.dbf、.prj 和 .cpg 一起压缩"),
        "error.no_geometry_layer": "文件中没有含图形的图层",
        "error.several_layers": "文件中有 {count} 个图层（{names}），每个文件只能有一个图层",
        "error.unreadable_boundary_file": "无法按 GeoJSON、Shapefile 或 GeoPackage 读取：{detail}",
        "error.no_geometry_column": "文件中没有图形",
        "error.no_features": "文件中没有要素",
        "error.no_feature_geometry": "文件中没有任何要素带有图形",
        "error.gcj02_needs_lonlat": (
            "{option_src_crs}为 gcj02 时需要经纬度坐标，但文件声明的是 {declared}"),
        "error.gcj02_outside_china": (
            "{option_src_crs}为 gcj02 时需要中国范围内的经纬度，但坐标范围是 {extent}"),
        "error.bad_src_crs": "{option_src_crs}中的“{value}”不是坐标系，请填 EPSG:N 或 gcj02",
        "error.no_crs_not_lonlat": (
            "文件未声明坐标系，且坐标（{extent}）不是中国范围内的经纬度；"
            "请在{option_src_crs}中填写原坐标系（EPSG:N 或 gcj02）"),
        "error.declared_lonlat_implausible": (
            "文件声明为 {declared}，但坐标（{extent}）不是经纬度；"
            "请在{option_src_crs}中填写原坐标系（EPSG:N 或 gcj02）"),
        "error.no_coordinates_converted": (
            "没有任何坐标能从 {crs} 转换；请检查坐标系，"
            "或在{option_src_crs}中填写原坐标系（EPSG:N 或 gcj02）"),
        "error.outside_china_as_read": (
            "按 {crs} 读取后，要素不在中国范围内（{extent}）；请检查坐标系，"
            "或在{option_src_crs}中填写原坐标系（EPSG:N 或 gcj02）"),
        "error.cannot_reproject": "无法把坐标从 {crs} 转换为 WGS84：{detail}",
        "error.no_such_field": "没有{what}列“{column}”（{option}）；文件的列有：{columns}",
        "error.several_code_columns": (
            "有多列像区划代码（{columns}），请在{option_code_field}中指定一列"),
        "error.no_code_column": (
            "找不到区划代码列（文件的列有：{columns}），请在{option_code_field}中指定"),
        "error.unknown_level": "没有层级“{level}”，请选乡镇（township）或村（village）",
        "error.units_changed": "导入期间区划数据被修改，请重新导入",
        "error.upload_without_name": "上传的文件没有文件名",
        "error.shapefile_needs_zip": (
            "请把 Shapefile 的 .shp、.shx、.dbf、.prj 和 .cpg 一起压缩成一个 .zip 文件上传"),
        "cli.error": "错误：{message}",
        "cli.database": "数据库：{detail}",
        "cli.os": "{detail}：{path}",
        "cli.unexpected": "发生意外错误（{kind}）；加 --debug 可查看详情",
        "cli.bad_date": "“{value}”不是日期（YYYY-MM-DD）",
        "cli.not_whole": "“{value}”不是整数",
        "cli.not_positive": "须为正整数，而不是 {value}",
        "cli.help.description": "结对服务地图命令行",
        "cli.help.debug": "意外错误时显示调用栈",
        "cli.help.seed_demo": "把样例县载入数据库",
        "cli.help.scale": ("county：样例县（兴山县）；province：湖北省（105 个县级单位、"
                           "27,057 个村（社区）、约 100 万条走访，需数分钟）"),
        "cli.help.demo_as_of": "走访记录的最后一天（默认今天，北京时间）",
        "cli.help.force": "替换已有数据的数据库",
        "cli.help.export": "把一张表导出为 CSV、XLSX 或 GeoJSON",
        "cli.help.export_out": "文件路径；按扩展名（.csv、.xlsx、.geojson）选择格式",
        "cli.help.import": "从文件导入边界或记录",
        "cli.help.import_table": (
            "boundaries、villages、departments、cadres、pairings、visits 或 problems"),
        "cli.help.level": "仅边界：要素的层级",
        "cli.help.src_crs": "EPSG:N 或 gcj02（仅边界）",
        "cli.help.sheet": "XLSX 工作表（默认第一张）",
        "cli.help.dry_run": "只检查，不写入",
        "cli.help.skip_invalid": "写入有效的行；无效的行另存一个文件",
        "cli.help.report": "覆盖、单位或诉求指标，JSON 或 CSV",
        "cli.help.as_of": "统计截至日期 T（默认今天，北京时间）",
        "cli.help.from": "与 --to 一起：统计期为这段时间（含首尾两天）",
        "cli.help.part": "仅 departments：输出月度数据或预警，而不是各单位",
        "cli.help.report_out": "输出文件（默认标准输出）",
        "cli.help.users": "添加、重置或停用用户",
        "cli.help.users_add": "添加用户；密码从标准输入读取",
        "cli.help.department": "单位代码（仅联络员）",
        "cli.help.users_reset": "设置新密码，从标准输入读取",
        "cli.help.users_deactivate": "停用用户，不再能登录",
        "cli.help.plan": "为待关注村提出新的结对建议",
        "cli.help.plan_as_of": "统计截至日期 T；提交的结对自这天起（默认今天）",
        "cli.help.reasons": "候选原因，逗号分隔（默认三种都选）",
        "cli.help.max_per_village": "候选村现有生效结对须少于此数",
        "cli.help.members_per_village": "单位每结对一个村所需的党员数",
        "cli.help.capacity": "CSV/XLSX：单位代码、名额（代替按规则计算的名额）",
        "cli.help.lock": "CSV/XLSX：一定要安排的单位代码与村代码",
        "cli.help.exclude": "CSV/XLSX：不安排的单位代码与村代码",
        "cli.help.costs": "CSV/XLSX：单位代码、村代码、公里数（道路距离）",
        "cli.help.county": "只规划这个县（6 位代码）",
        "cli.help.plan_out": "同时写出组织部格式的表格（.xlsx）",
        "cli.help.commit": "把建议写为自 T 起的结对共建关系",
        "cli.help.undo_last": "撤销最后一次提交（只能在提交当天）",
        "cli.help.briefing": "会议简报：PDF、Excel 工作簿或地图图片",
        "cli.help.briefing_out": "文件路径；按扩展名（.pdf、.xlsx、.png）选择格式",
        "cli.help.make_sample": "重新生成 data/sample 中的样例文件",
        "error.role_may_not": "您的角色无权进行此操作",
        "error.role_may_not_for_department": "您的角色无权对单位 {department} 进行此操作",
        "audit.action.create": "新增",
        "audit.action.update": "修改",
        "audit.action.delete": "删除",
        "audit.action.import": "导入",
        "audit.action.reset_password": "重置密码",
        "audit.action.deactivate": "停用",
        "audit.action.login_failed": "登录失败",
        "audit.action.login_slowed": "登录放慢",
        "audit.action.merge_duplicates": "合并重复记录",
        "audit.action.replace_all": "整体替换数据",
        "error.duplicate_record_ids": (
            "数据库中有 {count} 组同一单位、同一编号但内容不同的走访记录，无法自动合并，"
            "升级已停止、未做任何修改。请先核对并删除多余的记录：{listing}"),
        "error.record_id_taken": "本单位已有编号为“{record_id}”的走访记录，请换一个编号",
        "error.database_busy": (
            "数据库正忙（可能有大批量导入正在写入），{seconds} 秒内未能写入；"
            "已填写的内容仍保留，请稍后再试"),
        "audit.change": "{field}：{before} → {after}",
        "audit.value": "{field}：{recorded}",
        "audit.separator": "；",
        "audit.yes": "是",
        "audit.no": "否",
        "audit.changes": "内容",
        "tablename.users": "用户",
        "tablename.data": "全部数据",
        "tablename.boundaries": "边界",
        "tablename.logins": "登录",
        "field.date": "日期",
        "field.department_code": "单位代码",
        "field.village_code": "村代码",
        "field.kind": "类型",
        "field.cadre_count": "参与人数",
        "field.cadre_ids": "干部编号",
        "field.households_visited": "走访户数",
        "field.problems_raised": "收集问题",
        "field.problems_resolved": "解决问题",
        "field.lon": "经度",
        "field.lat": "纬度",
        "field.summary": "工作内容",
        "field.record_id": "原始编号",
        "field.source": "来源",
        "field.created_by": "录入人",
        "field.created_at": "录入时间",
        "field.username": "用户名",
        "field.display_name": "姓名",
        "field.role": "角色",
        "field.active": "在用",
        "field.failed_logins": "该用户名近期失败次数",
        "field.address_failures": "该地址近期失败次数",
        "field.delay_seconds": "此后每次登录等待（秒）",
        "field.department": "单位",
        "field.file": "文件",
        "field.rows": "行数",
        "field.inserted": "新增",
        "field.admin_units": "行政区划数",
        "field.departments": "单位数",
        "field.cadres": "干部数",
        "field.pairings": "结对数",
        "field.visits": "走访记录数",
        "field.updated": "更新",
        "field.unchanged": "不变",
        "field.rejected": "未导入",
        "field.level": "层级",
        "field.warnings": "提示",
        "field.crs": "坐标系",
        "import.rejected.row": "行号",
        "import.reason": "{column}：{message}",
        "import.rejected.reason": "原因",
        "error.unexpected": "发生意外错误",
        "error.bad_setting": "配置有误",
        "error.plan_bad_reasons": "候选原因“{reasons}”无效，可选：{choices}",
        "error.plan_bad_setting": "规划参数 {name} 须为不小于 1 的整数，而不是 {value}",
        "error.plan_unknown_department": "没有单位“{code}”",
        "error.plan_unknown_village": "没有村（社区）“{code}”",
        "error.plan_unknown_county": "没有县“{code}”的村（社区）或单位",
        "error.plan_bad_capacity": "单位“{name}”的名额须为不小于 0 的整数，而不是 {value}",
        "error.plan_inactive_department": "单位“{name}”已停用，不能安排结对",
        "error.plan_too_large": (
            "规划规模过大（{villages} 个村、{departments} 个单位），无法精确求解，请按县分别规划"),
        "error.plan_solver_failed": "求解器没有给出结果（{status}）",
        "error.plan_lock_twice": (
            "村“{village_name}”被指定给两个单位（“{first_name}”和“{department_name}”），"
            "每村每次只能安排一个单位"),
        "error.plan_lock_excluded": "单位“{department_name}”与村“{village_name}”既被指定又被排除",
        "error.plan_other_county": (
            "单位“{department_name}”属于县 {county}，不能安排到外县的村“{village_name}”"),
        "error.plan_lock_paired": (
            "单位“{department_name}”与村“{village_name}”已有结对关系，不能再指定"),
        "error.plan_lock_full": "村“{village_name}”的结对单位已达上限 {limit} 个，不能再指定",
        "error.plan_locks_exceed_capacity": (
            "单位“{name}”指定了 {locks} 个村，超过其名额 {capacity} 个"),
        "error.plan_department_county": "数据库中有 {counties} 个县，无法确定各单位所属的县",
        "error.plan_commit_unknown": "单位 {department} 与村 {village} 不在本次规划中，不能提交",
        "error.plan_commit_empty": "没有选中要提交的结对",
        "error.plan_commit_overlap": (
            "单位 {department} 与村 {village} 已有结对（编号 {pairing}），本次没有写入任何结对"),
        "error.plan_nothing_to_undo": "没有可以撤销的规划提交",
        "error.plan_undo_too_late": "上次规划提交于 {day}，只能在提交当天撤销",
        "error.plan_undo_alone": "--undo-last 不能与其他规划选项同时使用",
        "error.plan_out_suffix": "--out 须为 .xlsx 文件，而不是 {path}",
        "error.plan_file_column_missing": "缺少列：{expected}",
        "error.plan_file_empty": "单元格为空",
        "error.plan_file_unknown_department": "没有单位“{value}”",
        "error.plan_file_unknown_village": "没有村（社区）“{value}”",
        "error.plan_file_capacity": "名额“{value}”不是不小于 0 的整数",
        "error.plan_file_km": "距离“{value}”不是不小于 0 的公里数",
        "error.plan_file_repeated": "与第 {first} 行重复",
        "error.plan_file_encoding": "这一行不是文件所用的编码，看起来是 {looks}",
        "plan.note.no_candidates": (
            "没有符合条件的候选村（原因：{reasons}；结对单位少于 {limit} 个），无需新增结对。"),
        "plan.note.no_candidates_locked": (
            "除锁定的结对外，没有符合条件的候选村（原因：{reasons}；结对单位少于 {limit} 个）。"),
        "plan.note.no_capacity": "各单位已没有结对名额，{candidates} 个候选村都未能安排。",
        "plan.note.short": (
            "候选村 {candidates} 个，安排 {covered} 个；单位名额共 {capacity} 个，不够，"
            "{uncovered} 个村未能安排。"),
        "plan.note.short_unreachable": (
            "候选村 {candidates} 个，安排 {covered} 个，{uncovered} 个村未能安排：其中 "
            "{no_department} 个村没有可安排的单位（已排除、已结对或不在本县），其余因名额"
            "（共 {capacity} 个）不够。"),
        "plan.note.short_matrix": (
            "候选村 {candidates} 个，安排 {covered} 个，{uncovered} 个村未能安排：其中 "
            "{no_department} 个村在距离表中没有可安排的单位，其余因名额（共 {capacity} 个）不够。"),
        "plan.reason.UNPAIRED": "未结对",
        "plan.reason.NEVER_VISITED": "从未走访",
        "plan.reason.NOT_VISITED": "超期未走访",
        "plan.reason.LOCKED": "指定结对",
        "audit.action.plan_commit": "提交结对规划",
        "audit.action.plan_undo": "撤销结对规划",
        "error.bad_data": "数据有误",
        "error.database_not_empty": "数据库中已有数据；如确需覆盖，请加 --force",
        "error.access_denied": "您的角色无权进行此操作。",
        "error.where.file": "文件 {file}",
        "error.where.row": "第 {row} 行",
        "error.where.column": "“{column}”列",
        "page.record": "录入走访",
        "record.new": "新增走访记录",
        "record.with_gps": "有定位",
        "record.lon": "经度",
        "record.lat": "纬度",
        "record.submit": "保存",
        "record.update": "保存修改",
        "record.delete": "删除",
        "record.added": "已保存，编号 {id}。",
        "record.updated": "已修改记录 {id}。",
        "record.deleted": "已删除记录 {id}。",
        "record.recent": "近 {days} 天录入的记录（可修改或删除）",
        "record.none": "近期没有可修改的记录。",
        "record.choose": "选择要修改的记录编号",
        "page.coverage": "覆盖地图",
        "page.neglected": "薄弱环节：待关注村",
        "coverage.layer": "图层",
        "coverage.as_of": "截至日期",
        "coverage.window": "统计窗口（天）",
        "coverage.click_hint": "点击地图上的村（社区）查看详情。",
        "card.title": "{name}（{township}）",
        "card.visits_in_window": "窗口内走访次数",
        "card.priority": "优先级",
        "card.reasons": "待关注原因：{reasons}",
        "card.no_reason": "无",
        "card.pairings": "**结对关系**",
        "card.pairing_kind": "结对类型",
        "card.start": "开始日期",
        "card.end": "结束日期",
        "card.required": "每月应走访",
        "card.compliance": "达标率",
        "card.last_visits": "**最近 10 次走访**",
        "card.need_factors": "**需求因素**",
        "card.factor": "因素",
        "card.scaled": "标准化值",
        "card.weight": "权重",
        "need.population": "人口",
        "need.elderly_share": "留守老人比例",
        "need.low_income_share": "低收入户比例",
        "need.weak": "软弱涣散村",
        "neglected.reason": "原因",
        "neglected.count": "{count} 个村（社区）待关注，含严重与一般（共 {total} 个）",
        "neglected.code": "区划代码",
        "neglected.reasons": "原因",
        "neglected.days_help": "空白表示从未走访",
        "layer.pairing": "结对与走访状态",
        "layer.days": "距上次走访天数",
        "layer.days_class": "{range} 天",
        "layer.days_over": "{days} 天及以上",
        "layer.visits_per_1000": "每千人走访次数",
        "layer.need": "需求指数",
        "layer.no_data": "无人口数据",
        "map.scale_note": "比例尺见左下角",
        "tooltip.village": "村（社区）",
        "tooltip.township": "乡镇",
        "tooltip.departments": "结对单位",
        "tooltip.days": "距上次走访",
        "tooltip.none": "无",
        "tooltip.never": "从未走访",
        "tooltip.days_value": "{days} 天",
        "tooltip.separator": "、",
        "legend.separator": "：",
        "overview.top_neglected": "最需关注的村（社区）",
        "overview.all_neglected": "查看全部待关注村",
        "table.village": "村（社区）",
        "record.choose_label": "{id} · {date} · {village} · {kind}",
        "record.choose_department": "请选择单位",
        "record.choose_village": "请选择村（社区）",
        "record.choose_kind": "请选择走访类型",
        "record.all_townships": "全部乡镇",
        "record.village.own": "★ {name}（本单位结对）",
        "record.village.own_in": "★ {name}（{township}，本单位结对）",
        "record.village_in": "{name}（{township}）",
        "record.count_placeholder": "0",
        "record.optional": "可不填",
        "record.summary_placeholder": "做了什么、解决了什么问题",
        "record.need_department": "请选择单位后再保存",
        "record.need_village": "请选择村（社区）后再保存",
        "record.need_kind": "请选择走访类型后再保存",
        "record.need_date": "请填写走访日期",
        "record.not_saved": "未保存：请按上面各项旁的提示修改后再保存。",
        "record.warning": "提示：{message}",
        "issue.control_character.form": "含有控制字符（如 NUL），请删除后再保存",
        "issue.missing_value.form": "不能为空，请填写",
        "issue.required_below_one": "每月走访次数至少为 1（填写的是 {value}）",
        "issue.overlapping_pairing.form": ("与同一单位和村的另一结对（编号 {other_id}，"
                                           "{other_start} 起）时间重叠"),
        "error.no_pairing": "没有编号为 {id} 的结对",
        "error.pairing_changed": "编号 {id} 的结对刚被他人修改过，请刷新页面后再改",
        "field.start_date": "开始日期",
        "field.end_date": "结束日期",
        "field.required_visits_per_month": "每月走访次数",
        "field.note": "备注",
        "page.pairings": "结对关系",
        "pairings.question": "哪些单位与哪些村结对？每月要走访几次？",
        "pairings.state": "状态",
        "pairings.state.active": "有效",
        "pairings.state.ended": "已结束",
        "pairings.state.not_started": "未开始",
        "pairings.kind": "结对类型",
        "pairings.start": "开始日期",
        "pairings.end": "结束日期",
        "pairings.required": "每月走访次数",
        "pairings.required_short": "每月次数",
        "pairings.note": "备注",
        "pairings.id": "编号",
        "pairings.count": "共 {count} 个结对",
        "pairings.none": "没有符合条件的结对。",
        "pairings.read_only": "结对关系由组织部门维护；您的角色只能查看。",
        "pairings.choose": "选择要修改或结束的结对",
        "pairings.choose_label": "{department} — {village}（{township}，{start} 起）",
        "pairings.edit": "修改每月走访次数和备注",
        "pairings.save": "保存修改",
        "pairings.end_title": "结束结对",
        "pairings.end_date_help": "结对在这一天仍有效，次日起不再计入。",
        "pairings.end_submit": "结束结对",
        "pairings.change_end": "更改结束日期",
        "pairings.saved": "已保存编号 {id} 的结对。",
        "pairings.ended": "编号 {id} 的结对已结束于 {end}。",
        "pairings.unchanged": "没有改动，未保存。",
        "pairings.not_saved": "未保存：请按上面各项旁的提示修改后再保存。",
        "pairings.required_placeholder": "整数，至少为 1",
        "pairings.note_placeholder": "可不填",
        "table.township": "乡镇",
        "table.departments": "结对单位",
        "table.status": "状态",
        "table.empty": "没有需要关注的村（社区）。",
        "info.seeded": "首次启动：已载入样例县（兴山县）数据。",
        "map.failed": "地图无法显示：{detail}",
        "nav.section.records": "走访记录",
        "nav.section.admin": "系统",
        "page.visits": "走访记录",
        "page.audit": "审计日志",
        "page.admin": "系统管理",
        "role.leader": "县领导",
        "role.organiser": "组织部",
        "role.liaison": "单位联络员",
        "role.admin": "系统管理员",
        "sidebar.user": "{name}（{role}）",
        "sidebar.logout": "退出登录",
        "sidebar.language": "语言",
        "language.name": "中文",
        "login.username": "用户名",
        "login.password": "密码",
        "login.submit": "登录",
        "login.failed": "用户名或密码不正确。",
        "page.login": "登录",
        "guard.database": "数据库暂时无法读写，请稍后再试；如仍不行，请联系系统管理员。",
        "setup.title": "首次启动：创建系统管理员",
        "setup.explain": (
            "系统中还没有任何用户。请创建第一个系统管理员账号（没有默认密码）。密码至少 8 位。"
        ),
        "setup.display_name": "姓名",
        "setup.again": "再次输入密码",
        "setup.submit": "创建管理员并登录",
        "setup.mismatch": "两次输入的密码不一致。",
        "error.refused": "您的角色无权查看此页面。",
        "error.login_required": "请先登录。",
        "filter.since": "起始日期",
        "filter.until": "截止日期",
        "filter.township": "乡镇",
        "filter.department": "单位",
        "filter.all": "全部",
        "visits.count": "共 {count} 条走访记录",
        "visits.id": "编号",
        "visits.date": "日期",
        "visits.kind": "类型",
        "visits.cadres": "参与人数",
        "visits.households": "走访户数",
        "visits.raised": "收集问题",
        "visits.resolved": "解决问题",
        "visits.summary": "工作内容",
        "visits.record_id": "原始编号",
        "table.department": "单位",
        "download.csv": "下载 CSV",
        "download.xlsx": "下载 Excel",
        "audit.count": "共 {count} 条记录",
        "audit.at": "时间",
        "audit.username": "操作人",
        "audit.action": "操作",
        "audit.entity": "对象",
        "audit.key": "编号",
        "audit.before": "修改前",
        "audit.after": "修改后",
        "admin.add_user": "添加用户",
        "admin.role": "角色",
        "admin.department": "单位（联络员必填）",
        "admin.add_submit": "添加",
        "admin.added": "已添加用户 {name}。",
        "admin.change_user": "重置密码或停用",
        "admin.new_password": "新密码（重置时填写）",
        "admin.reset_submit": "重置密码",
        "admin.deactivate_submit": "停用账号",
        "admin.reset_done": "已重置 {name} 的密码。",
        "admin.deactivated": "已停用 {name}。",
        "admin.users": "全部用户",
        "admin.backup": "数据备份",
        "admin.backup_explain": (
            "下载当前 SQLite 数据库的一致副本（运行中也可下载）。PostgreSQL 请用 pg_dump 备份。"
        ),
        "admin.backup_download": "下载数据库备份",
        # Presentation mode (会议模式) of the overview, issue 13
        "present.toggle": "会议模式",
        "present.toggle_help": (
            "投影时用：隐藏侧边栏，放大指标，地图铺满屏幕。网址加 ?present=1 直接打开会议模式。"
        ),
        "map.fullscreen": "全屏显示地图",
        "map.fullscreen_exit": "退出全屏",
        # --- briefing (会议简报): the page, the PDF, the workbook and the static map ---
        "page.briefing": "会议简报",
        "briefing.intro": (
            "一键下载会议简报：PDF（A4，一至两页）、Excel（每个表一张工作表）和覆盖地图图片（PNG）。"
        ),
        "briefing.contents": (
            "简报包括：关键指标及其变化、村（社区）服务状态地图、最需关注的 10 个村（社区）及原因、"
            "单位红黑榜、近 12 个月走访次数。"
        ),
        "briefing.months_caption": "月度走访：{start} 至 {end}（与“单位工作”页默认期间一致）",
        "briefing.download_pdf": "下载简报 PDF",
        "briefing.download_xlsx": "下载简报 Excel",
        "briefing.download_png": "下载地图 PNG",
        "briefing.file_name": "会议简报_{county}_{as_of}",
        "briefing.title": "{county}结对服务会议简报",
        "briefing.subtitle": "截至 {as_of}，近 {window} 天 · 制表日期：{made_on}",
        "briefing.kpis": "关键指标",
        "briefing.kpi": "指标",
        "briefing.kpi_value": "本期",
        "briefing.kpi_previous": "上期",
        "briefing.kpi_change": "较上一{window}天",
        "briefing.kpi_unit": "变化单位",
        "briefing.unit_villages": "个",
        "briefing.unit_points": "个百分点",
        "briefing.map": "村（社区）服务状态",
        "briefing.neglected": "最需关注的 10 个村（社区）",
        "briefing.neglected_caption": (
            "共 {total} 个村（社区）待关注，其中严重 {severe} 个；按优先级排列。"
        ),
        "briefing.number": "序号",
        "briefing.red_black": "单位红黑榜（近{window}天得分，0–100）",
        "briefing.months": "近 12 个月走访次数（{start} 至 {end}）",
        "briefing.month": "月份",
        "briefing.visits": "走访次数",
        "briefing.footer": "结对服务地图 · 会议简报 · 第 {page} 页",
        "briefing.map.title": "{county} · 截至 {as_of}，近 {window} 天",
        "briefing.map.km": "{km} 公里",
        "briefing.map.north": "北",
        "briefing.sheet.info": "说明",
        "briefing.sheet.kpis": "关键指标",
        "briefing.sheet.neglected": "最需关注村",
        "briefing.sheet.red": "红榜",
        "briefing.sheet.black": "黑榜",
        "briefing.sheet.months": "月度走访",
        "briefing.info.item": "项目",
        "briefing.info.value": "内容",
        "briefing.info.county": "县",
        "briefing.info.as_of": "截至日期",
        "briefing.info.window": "统计窗口（天）",
        "briefing.info.neglect": "超期未走访天数",
        "briefing.info.made_on": "制表日期",
        "briefing.info.boundaries": "边界",
        "briefing.info.schematic": "示意边界，不作为实际边界依据",
        "briefing.info.official": "正式边界",
        "error.cjk_font_missing": (
            "没有找到中文 TrueType 字体，无法生成 PDF 和地图图片；"
            "请安装软件包 {package}（apt-get install {package}，字体文件 {path}）"
        ),
        "error.briefing_suffix": "不支持的简报文件类型“{suffix}”，请用 .pdf、.xlsx 或 .png",
        "error.briefing_no_boundaries": (
            "没有县界和村界，无法绘制简报地图；"
            "请先导入边界（import boundaries）或加载样例县（seed-demo）"
        ),
        # Problem ledger (群众诉求台账), data layer
        "tablename.problems": "群众诉求",
        "error.no_problem": "没有编号为 {id} 的诉求",
        "error.problem_record_id_taken": "本单位已有编号为“{record_id}”的诉求，请换一个编号",
        "error.problem_status_move": "诉求不能从“{before}”改为“{after}”",
        "error.problem_not_closed": "只有已办结或未解决已关闭的诉求可以重新打开（现为“{status}”）",
        "issue.due_before_raised": "办理期限 {value} 早于受理日期 {raised}",
        "issue.closing_date_required": "已办结或关闭的诉求须填写办结日期",
        "issue.closing_date_without_closing": "诉求尚未办结，不能填写办结日期 {value}",
        "issue.closed_before_raised": "办结日期 {value} 早于受理日期",
        "issue.rating_needs_closing": "诉求办结或关闭时才能填写群众评价",
        "issue.unknown_visit": "没有编号为 {value} 的走访记录",
        "problem.status.open": "待办理",
        "problem.status.in_progress": "办理中",
        "problem.status.resolved": "已办结",
        "problem.status.closed_unresolved": "未解决已关闭",
        "tablename.problem_notes": "诉求办理记录",
        "error.problem_field_not_editable": "诉求的“{column}”不能在这里修改",
        "error.problem_edit_window_passed": (
            "联络员只能在登记后 {days} 天内修改诉求内容（办理进度和办结不受此限）"),
        "field.raised_on": "受理日期",
        "field.raised_visit_id": "受理走访编号",
        "field.co_departments": "协办单位",
        "field.category": "诉求类别",
        "field.description": "诉求内容",
        "field.resident": "反映人",
        "field.due_date": "办理期限",
        "field.status": "办理状态",
        "field.resolved_on": "办结日期",
        "field.resolution": "办理结果",
        "field.satisfaction": "群众评价",
        "field.problem_id": "诉求编号",
        "field.text": "办理情况",
        "field.problems": "诉求数",
        # Problem ledger UI (ledger2): visit form rows, overview card, liaison banner,
        # coverage map layer, department ledger figures
        "kpi.overdue": "超期未办结",
        "kpi.overdue.help": (
            "截至当日全县超期未办结的群众诉求件数：已受理、尚未办结（或办结日期在当日之后），"
            "且办理期限早于当日（期限当天不算超期）"),
        "kpi.delta_problems": "{change} 件",
        "briefing.unit_problems": "件",
        "layer.problems": "诉求",
        "layer.problems_title": "待办群众诉求（蓝色粗边：有超期未办结）",
        "layer.problems_none": "无待办诉求",
        "layer.problems_class": "{range} 件",
        "layer.problems_over": "{count} 件及以上",
        "layer.problems_value": "{open} 件",
        "layer.problems_value_overdue": "{open} 件，其中超期 {overdue} 件",
        "layer.problems_tooltip": "待办诉求",
        "layer.problems_outlined": "其中有超期未办结的村",
        "record.problem_rows": "本次受理的群众诉求",
        "record.problem_rows.help": (
            "每条诉求一行，保存时与走访记录一起写入；收集问题数至少为诉求条数"),
        "record.problem_rows_none": "不登记",
        "record.problem_rows_count": "{count} 条",
        "record.problems_heading": "受理的群众诉求（每条一行）",
        "record.problem_category": "诉求 {row}：类别",
        "record.problem_description": "诉求 {row}：内容",
        "record.problem_resident": "诉求 {row}：反映人（可不填）",
        "record.choose_category": "请选择类别",
        "record.problem_issue": "第 {row} 条诉求，“{column}”：{message}",
        "record.added_with_problems": "已保存，编号 {id}；同时登记诉求 {count} 条。",
        "banner.overdue": "本单位有 {count} 件诉求超期未办结：{villages}。",
        "banner.village": "{name}（{count} 件，最长超期 {days} 天）",
        "banner.more": "等 {count} 个村",
        "banner.open_ledger": "到诉求台账办理",
        "departments.ledger_open": "待办诉求",
        "departments.ledger_open.help": "截至期末已受理、尚未办结的诉求件数（本单位为责任单位）",
        "departments.ledger_overdue": "超期未办结",
        "departments.ledger_overdue.help": "截至期末待办且已过办理期限的诉求件数",
        "departments.ledger_resolved": "诉求办结",
        "departments.ledger_resolved.help": "期内办结（状态为已办结）的诉求件数",
        "departments.ledger_median": "办结用时中位数（天）",
        "departments.ledger_median.help": "期内办结的诉求从受理到办结的天数中位数；无办结时为空",
        # Problem ledger page (诉求台账)
        "page.ledger": "诉求台账",
        "ledger.question": "群众反映的问题哪些还没办结、哪些已超期，由哪个单位负责？",
        "ledger.overdue_only": "只看超期",
        "ledger.none": "没有符合条件的诉求。",
        "ledger.liaison_scope": (
            "联络员只看到本单位负责和协办的诉求；反映人只在本单位负责的诉求上显示。"),
        "ledger.chosen_title": "诉求办理",
        "ledger.choose": "选择诉求",
        "ledger.choice": "#{id} {village} · {category} · {status} · {description}",
        "ledger.new_title": "登记新诉求",
        "ledger.read_only": "您的角色只能查看诉求台账，不能登记或办理诉求。",
        "ledger.category.基础设施": "基础设施",
        "ledger.category.产业发展": "产业发展",
        "ledger.category.医疗卫生": "医疗卫生",
        "ledger.category.教育": "教育",
        "ledger.category.社会保障": "社会保障",
        "ledger.category.矛盾纠纷": "矛盾纠纷",
        "ledger.category.信访": "信访",
        "ledger.category.其他": "其他",
        "ledger.rating.满意": "满意",
        "ledger.rating.基本满意": "基本满意",
        "ledger.rating.不满意": "不满意",
        "ledger.rating_none": "未评价",
        "ledger.id": "编号",
        "ledger.age_days": "已等待（天）",
        "ledger.age_days.help": "未办结诉求从受理之日到截至日期的天数",
        "ledger.overdue_days": "超期（天）",
        "ledger.overdue_days.help": "超过办理期限的天数（办理期限当天不算超期）",
        "ledger.count.open": "未办结",
        "ledger.count.open.help": "截至日期时已受理、尚未办结或关闭的诉求（待办理和办理中）",
        "ledger.count.overdue": "其中超期",
        "ledger.count.overdue.help": "未办结且已过办理期限的诉求",
        "ledger.count.resolved": "近{window}天办结",
        "ledger.count.unresolved": "近{window}天未解决关闭",
        "ledger.count.listed": (
            "列表共 {listed} 条 = 未办结 {open} 条 + 已办结 {resolved} 条"
            " + 未解决关闭 {unresolved} 条"),
        "ledger.detail.place": "**{village}**（{township}），责任单位：{department}",
        "ledger.detail.text": "诉求内容：{description}",
        "ledger.detail.joint": "协办单位：{names}",
        "ledger.detail.resident": "反映人：{resident}",
        "ledger.detail.closed": "办结日期：{on}；办理结果：{resolution}；群众评价：{rating}",
        "ledger.notes": "办理记录",
        "ledger.notes_none": "还没有办理记录。",
        "ledger.note_at": "时间",
        "ledger.beside": "{field}：{message}",
        "ledger.not_saved": "未保存：请按上面各项旁的提示修改后再提交。",
        "ledger.note_placeholder": "本次办理情况，如已协调的单位、下一步安排",
        "ledger.note_submit": "添加办理记录",
        "ledger.noted": "已为诉求 #{id} 添加办理记录。",
        "ledger.start_title": "开始办理",
        "ledger.start_submit": "标记为办理中",
        "ledger.started": "诉求 #{id} 已标记为办理中。",
        "ledger.close_title": "办结或关闭",
        "ledger.close_unresolved": "未解决，关闭",
        "ledger.resolution_placeholder": "如何办理、结果如何",
        "ledger.close_submit": "办结",
        "ledger.closed": "诉求 #{id} 已改为“{status}”。",
        "ledger.reopen_title": "重新打开",
        "ledger.reopen_help": (
            "改回办理中，清除办结日期、办理结果和群众评价（审计日志保留原记录）。"),
        "ledger.reopen_submit": "重新打开",
        "ledger.reopened": "诉求 #{id} 已重新打开。",
        "ledger.assign_title": "调整责任单位",
        "ledger.joint_placeholder": "无协办单位",
        "ledger.assign_submit": "保存责任单位",
        "ledger.reassigned": "诉求 #{id} 的责任单位已改为{department}。",
        "ledger.choose_category": "请选择诉求类别",
        "ledger.description_placeholder": "群众反映的具体问题",
        "ledger.due_help": "不填则为受理日期后 {days} 天",
        "ledger.new_submit": "登记诉求",
        "ledger.added": "已登记诉求 #{id}，办理期限 {due}。",
        "ledger.label.status": "办理状态",
        "ledger.label.category": "诉求类别",
        "ledger.label.description": "诉求内容",
        "ledger.label.co_departments": "协办单位",
        "ledger.label.raised_on": "受理日期",
        "ledger.label.due_date": "办理期限",
        "ledger.label.resolved_on": "办结日期",
        "ledger.label.satisfaction": "群众评价",
        "ledger.label.resident": "反映人",
        "ledger.label.resolution": "办理结果",
        "ledger.label.text": "办理情况",
        "ledger.label.username": "用户名",
        # Province sample (issue 15)
        "error.unknown_scale": "样例规模 {scale} 不存在（可选 county、province）",
        "cli.help.report_county": "只统计这个县（6 位代码）的村（社区）、单位及其记录",
        # Drill-down maps (issue 15)
        "drill.level.all": "全部",
        "drill.level.province": "省",
        "drill.level.city": "市（州）",
        "drill.level.county": "县（市、区）",
        "drill.level.township": "乡镇",
        "drill.level.village": "村（社区）",
        "drill.choose": "选择{level}",
        "drill.all_of": "全部{level}",
        "drill.up": "上一级",
        "drill.breadcrumb": "当前范围：{path}",
        "drill.click_hint": "点击地图上的区域可进入下一级。",
        "drill.reset": "回到全图",
        "drill.legend.title": "近{window}天走访覆盖率",
        "drill.legend.range": "{low}%–{high}%",
        "drill.legend.at_least": "{low}% 及以上",
        "drill.legend.no_village": "无村（社区）",
        "drill.legend.count": "{count} 个",
        "drill.tooltip.unit": "地区",
        "drill.tooltip.villages": "村（社区）数",
        "drill.tooltip.paired": "已结对比例",
        "drill.tooltip.visited": "走访覆盖率",
        "drill.tooltip.never": "从未走访",
        "drill.tooltip.neglected": "需关注村",
        # Benchmark (issue 15, python -m geo bench)
        "cli.help.bench": ("计时主要功能（覆盖指标及 DuckDB 参照、待关注村、单位考核、地图、"
                           "导入、结对规划）"),
        "cli.help.bench_scale": ("county：样例县；province：湖北省样例（PAIRMAP_DATABASE_URL "
                                 "指向已载入的数据库时用它，否则临时建库，省级需数分钟）"),
        "cli.help.bench_json": "以 JSON 输出（DESIGN.md 的 bench 格式）",
        "cli.help.bench_runs": "每项计时的次数（取中位数，默认 5）",
        "cli.help.bench_import_rows": "导入计时的走访行数（默认 1,000,000）",
        "cli.help.bench_import_runs": "导入计时的次数，每次导入新建的样例县数据库（默认 1）",
        "cli.help.bench_pg_url": ("PostgreSQL 地址（可建库的角色）：导入也在其上临时建库计时，"
                                  "结果列在 SQLite 旁"),
        "cli.bench_pg_url": "“{value}”不是 PostgreSQL 地址（postgresql+psycopg://…）",
        "error.bench_scale_mismatch": (
            "数据库中是 {stored} 样例，而不是 {scale}；请换 --scale 或换数据库"),
        "bench.note_database": "计时数据库 {url}",
        "bench.note_temporary": "临时 SQLite 数据库载入 {scale} 样例后计时，结束后删除",
        "bench.note_no_level": "数据库中没有 {level} 级单位，map_{level} 记为 null",
        "bench.note_county_map": "县级覆盖地图（geo/maps.py，村最多的县）HTML {bytes} 字节",
        "bench.import_postgresql": "导入（PostgreSQL）：{seconds} 秒",
        "bench.header": "{scale}：{villages} 个村，{visits} 条走访；各项为 {runs} 次的中位数",
        "overview.units": "{level}对比",
        "neglected.count_unit": "{count} 个村（社区）待关注，含严重与一般（{unit}共 {total} 个）",
        "issue.required_above_most": "每月走访次数最多 {limit}（填写的是 {value}）",
        "overview.units_caption": (
            "最需关注的{level}在前（按需关注村占比、走访覆盖率、结对率排序）。"),
        # Departments' county (issue 15: report --county, county_code in the data files)
        "error.county_column_required": (
            "数据库中有 {counties} 个县，单位文件须有县代码列（county_code 或 县代码），"
            "写明每个单位所属的县"),
        "issue.unknown_county": "“{value}”不是库中的县（请填写 6 位县代码，如 420526，或县名）",
        "issue.ambiguous_county": "县名“{value}”不唯一（{candidates}），请填写县代码",
        "issue.county_filled": "县代码为空，记为库中唯一的县 {name}（{county}）",
        "issue.county_filled_file": (
            "文件没有县代码列，{count} 个单位记为库中唯一的县 {name}（{county}）"),
        # Issue 15's leftovers: names above one county, long values in messages
        "overview.department_in_county": "{county}·{name}",
        "value.shortened": "{start}…（共 {length} 个字符）",
        # How a message names an option: on the command line, or in a form of the app
        "option.src_crs.cli": "--src-crs",
        "option.src_crs.form": "“坐标系”一栏",
        "option.code_field.cli": "--code-field",
        "option.code_field.form": "“代码字段”一栏",
        "option.name_field.cli": "--name-field",
        "option.name_field.form": "“名称字段”一栏",
        "option.department.cli": "命令行：--department 单位代码",
        "option.department.form": "请在“单位”中选择",
        # Streamlit's uploader in the UI's words; the warming thread's setting
        "upload.button": "选择文件",
        "upload.limit": "每个文件不超过 {megabytes} MB",
        "error.seconds_negative": "{name} 应为 0 或正整数秒数，现为 {value}",
    },
    "en": {
        "app.title": "PairMap",
        "app.subtitle": "Service coverage of villages paired with county departments",
        "nav.section.maps": "Maps and analysis",
        "page.overview": "Overview",
        "page.overview.question": "How well are our villages served, and where not?",
        "caption.as_of": "As of {as_of}, last {window} days",
        "caption.schematic": "Schematic boundaries: township and village borders are "
                             "illustrative; sample records are synthetic except codes, names "
                             "and the county outline.",
        "kpi.villages": "Villages",
        "kpi.paired": "Paired villages",
        "kpi.visited": "Visited, last {window} days",
        "kpi.never_visited": "Never visited",
        "kpi.weak": "Weak villages",
        "kpi.delta_previous": "vs previous {window} days",
        "kpi.paired.help": "Villages with at least one active pairing today, and their share",
        "kpi.visited.help": (
            "Villages with at least one visit (by any department) in the last {window} days, "
            "and their share; its change is in percentage points (pts)"),
        "kpi.never_visited.help": "Villages with no visit on record up to today",
        "kpi.weak.help": "Villages with a weak party branch",
        "kpi.severe": "Need attention",
        "kpi.severe.help": (
            "Villages with a severe reason: unpaired, never visited, not visited for "
            "{days} days or more, or a problem overdue. Not the same as weak party branches."),
        "kpi.delta_villages": "{change} villages",
        "kpi.delta_points": "{change} pts",
        "overview.townships": "Townships compared",
        "overview.townships_caption": (
            "Weakest first (by share of villages needing attention, visited share, "
            "paired share)."),
        "township.name": "Township",
        "township.villages": "Villages",
        "township.paired_share": "Paired",
        "township.visited_share": "Visited, last {window} days",
        "township.never_visited": "Never visited",
        "township.severe": "Needing attention",
        "township.neglected": "With any reason",
        "township.visits_per_1000": "Visits per 1,000 residents",
        "township.visits_per_1000.help": (
            "Visits in the last {window} days per 1,000 residents; — without population"),
        "group.severe": "Severe",
        "group.general": "General",
        "neglected.group": "Group",
        "neglected.count_county": "{count} villages need attention (of {total} in the county)",
        "neglected.count_township": "{count} villages need attention (of {total} in {township})",
        "neglected.section": "{group}: {count}",
        "neglected.severe_explain": (
            "Unpaired, never visited, not visited for {days} days or more, or a problem "
            "overdue."),
        "neglected.general_explain": "Only visits below requirement or problems pending.",
        "neglected.open_problems": "Open problems",
        "neglected.open_problems.help": (
            "Problems raised minus resolved on the visits of the last {window} days"),
        "neglected.shortfalls": "Departments and months below requirement",
        "neglected.shortfalls.help": "Months in which a paired department visited too rarely",
        "neglected.shortfall": "{department}: {months}",
        "reason.UNPAIRED": "unpaired",
        "reason.NEVER_VISITED": "never visited",
        "reason.NOT_VISITED": "not visited for too long",
        "reason.OVERDUE_PROBLEM": "overdue problem",
        "reason.BELOW_REQUIRED": "visits below requirement",
        "reason.PROBLEMS_PENDING": "problems pending",
        "list.separator": ", ",
        "list.separator.long": "; ",
        "neglected.none": "No village needs attention with these filters.",
        "neglected.select_hint": "Tick a row's box to open the village card.",
        "neglected.days_never_help": "“never” means no visit was ever recorded",
        "neglected.reason": "Reason",
        "neglected.count": "{count} villages need attention, severe and general (of {total})",
        "neglected.code": "Code",
        "neglected.reasons": "Reasons",
        "neglected.days_help": "Empty: never visited",
        "table.never": "never",
        "card.no_pairings": "This village has no pairing on record.",
        "card.no_visits": "No visit records you may read.",
        "card.title": "{name} ({township})",
        "card.visits_in_window": "Visits in the window",
        "card.priority": "Priority",
        "card.reasons": "Needs attention because: {reasons}",
        "card.no_reason": "none",
        "card.pairings": "**Pairings**",
        "card.pairing_kind": "Kind",
        "card.start": "Start",
        "card.end": "End",
        "card.required": "Visits a month",
        "card.compliance": "Met",
        "card.last_visits": "**Last 10 visits**",
        "card.need_factors": "**Need factors**",
        "card.factor": "Factor",
        "card.scaled": "Scaled value",
        "card.weight": "Weight",
        "need.population": "Population",
        "need.elderly_share": "Share of elderly left behind",
        "need.low_income_share": "Share of low-income households",
        "need.weak": "Weak party branch",
        "visits.none": "No visit records with these filters.",
        "audit.none": "No audit entries with these filters.",
        "audit.username_placeholder": "All users",
        "audit.changes.help": "before → after; — means empty",
        "admin.no_users": "No users yet.",
        "admin.failed_logins": "Recent failed logins",
        "data.download_warnings": "Download the warnings",
        "data.sheet_placeholder": "the first sheet",
        "data.src_crs_placeholder": "optional",
        "data.field_placeholder": "optional, detected",
        "status.paired_visited": "Paired · visited recently",
        "status.paired_lapsed": "Paired · not visited recently",
        "status.paired_never": "Paired · never visited",
        "status.unpaired_visited": "Unpaired · visited recently",
        "status.unpaired_not_visited": "Unpaired · not visited recently",
        "status.never_visited": "Never visited",
        "warning.END_OF_PERIOD_BURST": "End-of-quarter rush",
        "warning.EMPTY_RECORD": "Empty record",
        "warning.DUPLICATE": "Duplicate record",
        "warning.LOCATION_MISMATCH": "Location mismatch",
        "warning.TEMPLATE_TEXT": "Copied write-ups",
        "warning.END_OF_PERIOD_BURST.explain": (
            "6 or more visits in a quarter, half or more of them in its last 10 days"),
        "warning.EMPTY_RECORD.explain": (
            "No write-up, no households visited, no problem raised (counts for nothing)"),
        "warning.DUPLICATE.explain": (
            "The same department, village, day, kind and write-up recorded more than once "
            "(only the first counts)"),
        "warning.LOCATION_MISMATCH.explain": (
            "The visit's GPS point lies more than 2 km outside the village"),
        "warning.TEMPLATE_TEXT.explain": (
            "5 or more write-ups nearly the same as another of the department's, in other "
            "villages or on other days (20 characters or more, 90% alike)"),
        "page.departments": "Departments",
        "page.planner": "Pairing planner",
        "planner.explain": (
            "Departments for villages unpaired, never visited or not visited for too long: "
            "first every village that needs one most, then the shortest distances. Changing "
            "the parameters or the what-if edits re-plans at once; tick the proposals to "
            "accept, download the organisation department's sheet or commit them as "
            "pairings (the last commit can be undone the same day)."),
        "planner.reasons": "Candidate villages (reasons)",
        "planner.max_per_village": "Departments per village at most",
        "planner.max_per_village.help": "A village with this many active pairings is left out",
        "planner.members_per_village": "Party members per village",
        "planner.members_per_village.help": (
            "A department's places = members ÷ this (at least 1) − its pairings"),
        "planner.what_if": "What if: places, locked and excluded pairs",
        "planner.party_members": "Party members",
        "planner.rule_places": "Places by the rule",
        "planner.rule_places.help": "Members ÷ members per village (at least 1) − pairings",
        "planner.places": "Places",
        "planner.places_caption": (
            "Places follow the rule and can be typed over (whole numbers from 0); changing "
            "the members per village recomputes them and drops what was typed."),
        "planner.places_bad": "Places must be whole numbers from 0; not used: {rows}",
        "planner.places_bad_one": "{department} (typed “{value}”)",
        "planner.reasons_placeholder": "Choose reasons",
        "planner.number_bad": "“{value}” is not a whole number from {low} to {high}.",
        "planner.summary_km": "{km} km in total.",
        "planner.places.help": "Any whole number from 0; a changed department gets this many",
        "planner.locks": "**Locked pairs** (always planned, using a place)",
        "planner.exclusions": "**Excluded pairs** (never planned)",
        "planner.costs": "Road distances (optional, CSV or Excel)",
        "planner.costs.help": (
            "Three columns: department code, village code, km. The plan then uses them; a "
            "pair the table does not list is not proposed."),
        "planner.pair_incomplete": (
            "Row {rows} names only a department or only a village: complete or delete it."),
        "planner.pair_repeated": "Rows {rows} name the same pair: delete the repeats.",
        "planner.no_reasons": "Choose at least one candidate reason.",
        "planner.proposals": "Proposed pairings ({count})",
        "planner.summary": (
            "{candidates} candidate villages, {covered} covered; {capacity} places in all; "
            "{km} km in total."),
        "planner.accept": "Accept",
        "planner.distance": "Distance (km)",
        "planner.paired_with": "Already paired with",
        "planner.paired_with.help": "Departments paired with the village at the as-of date; "
                                    "empty when it is unpaired",
        "planner.second_pairings": (
            "{count} of these add a department to a village that already has one (it is still "
            "never or not recently visited and below the per-village limit). Untick those you "
            "don't want, or set the departments per village to 1."),
        "planner.reason": "Reason",
        "planner.map_caption": (
            "Blue: a department proposed; dark red: candidates left uncovered; dashed lines "
            "run from each department's anchor to its proposed village."),
        "planner.commit": "Commit the {count} accepted",
        "planner.committed": "{count} pairings committed (结对共建, from today).",
        "planner.sheet": "Download the sheet (Excel)",
        "planner.sheet_file": "pairing-plan.xlsx",
        "planner.undo": "Undo today's last commit",
        "planner.undo.help": "Removes its pairings; those already visited end today",
        "planner.undone": "Undone: {removed} pairings removed, {ended} ended today.",
        "period.choice": "Period",
        "period.months": "Last {months} months",
        "period.window": "Last {window} days",
        "period.year": "Calendar year (annual evaluation)",
        "period.range": "Custom",
        "period.year_label": "Year",
        "period.range_label": "From – to",
        "period.range_incomplete": "Choose the last day as well.",
        "period.range_future": "The last day {end} is after today ({today}); choose again.",
        "period.before_data": (
            "Visits are recorded from {first}: the period holds none before that day."),
        "period.no_data": "No visit is recorded in the period.",
        "period.unknown_link": (
            "The link's period “{period}” is unknown; showing the last 12 months."),
        "departments.period_caption": (
            "As of {end}, period {start} to {end} ({days} days): the ranking, trends, "
            "paired villages and warnings on this page all cover it."),
        "departments.ranking": "Ranking (red and black lists)",
        "departments.ranking_caption": (
            "The score (0–100) judges the quality of the work, never the number of visits: "
            "visiting paired villages as required 30%, paired villages visited 20%, problems "
            "solved 20%, lasting help 15%, residents' satisfaction 15% (none where no closed "
            "problem was rated; the other parts then count for more); each formalism warning takes "
            "off 5 points, never below 0. Empty and duplicated records count for nothing. "
            "The top 5 make the red list, the bottom 5 the black list."),
        "departments.list_red": "Red list",
        "departments.list_black": "Black list",
        "departments.list_other": "Others",
        "departments.score": "Score",
        "departments.score.help": (
            "0–100: the weighted mean of the parts × 100, minus 5 per formalism warning"),
        "departments.rank": "Rank",
        "departments.rank.help": (
            "Highest score first, ties by department code; departments with nothing to "
            "judge come last; inactive departments are not ranked"),
        "departments.warnings_count": "Warnings",
        "departments.warnings.help": "Formalism warnings, 5 points each",
        "departments.villages_visited": "Villages visited",
        "departments.metric.visits": "Visits",
        "departments.metric.compliance": "Visits as required",
        "departments.metric.compliance.help": (
            "Share of whole months in which each paired village got its required visits"),
        "departments.metric.paired_coverage": "Paired villages visited",
        "departments.metric.paired_coverage.help": (
            "Share of the villages paired at the end of the period that it visited"),
        "departments.metric.resolution_rate": "Problems solved",
        "departments.metric.resolution_rate.help": (
            "Problems solved ÷ problems raised (at most 100%); empty when none was raised"),
        "departments.metric.long_term_share": "Lasting help",
        "departments.metric.long_term_share.help": (
            "Share of visits for industry, development planning or shared facilities"),
        "departments.metric.satisfaction": "Residents' satisfaction",
        "departments.metric.satisfaction.help": (
            "(satisfied + 0.5 × fairly satisfied) ÷ rated, over the problems closed in the "
            "period; empty when none was rated"),
        "departments.metric.participation": "Members taking part",
        "departments.metric.participation.help": (
            "Distinct cadres on its visits ÷ party members (at most 100%); empty without "
            "cadre ids"),
        "departments.metric.leader_participation": "Leaders taking part",
        "departments.metric.leader_participation.help": (
            "Share of visits with a leading cadre; empty without cadre ids"),
        "departments.trends": "Monthly trends",
        "departments.compare": "Compare departments (up to 5)",
        "departments.compare_placeholder": "Choose departments",
        "departments.compare_limit": (
            "At most {count} departments are compared: the first {count} are shown."),
        "departments.trends_caption": (
            "One point per month; the first and last may be partial. Compliance counts whole "
            "months only; a gap means nothing to judge that month."),
        "departments.month": "Month",
        "departments.villages": "Paired villages",
        "departments.map_department": "Department",
        "departments.map_caption": (
            "Colours show how often the chosen department met each paired village's monthly "
            "visits in the period; other villages are white."),
        "departments.months_met": "Months met",
        "departments.months_judged": "Months judged",
        "departments.no_pairings": "The department has no active pairing at the end of the period.",
        "departments.warnings": "Formalism warnings",
        "departments.warnings_caption": (
            "Select a row to read the visit records it names (those you may read)."),
        "departments.warning": "Warning",
        "departments.quarter": "Quarter",
        "departments.warning_records": "Records",
        "departments.warning_meanings": "What the five warnings mean",
        "departments.warning_meaning_line": "- **{name}**: {meaning}",
        "departments.no_warnings": "No formalism warning in the period.",
        "departments.records_hidden": "{count} more records belong to other departments.",
        "departments.no_scores": "No department can be ranked yet",
        "departments.unknown_link": (
            "The link names department “{code}”, which does not exist; showing the default."),
        "overview.red_black": "Red and black lists",
        "overview.red_black_caption": "Last {window} days' scores (0–100); a name opens it",
        "overview.list_row": "{rank}  {score}  {name}",
        "layer.compliance": "The department's paired villages: monthly visits as required",
        "layer.compliance_full": "Every month met",
        "layer.compliance_partial": "Half the months or more",
        "layer.compliance_low": "Fewer than half the months",
        "layer.compliance_unjudged": "No whole month to judge yet",
        "layer.compliance_other": "Not paired with it",
        "layer.compliance_tooltip": "Months met",
        "layer.compliance_value": "{met}/{judged} months ({share:.0%})",
        "layer.plan": "Plan: villages proposed and candidates left uncovered",
        "layer.plan_proposed": "A department proposed",
        "layer.plan_uncovered": "Candidate, not covered",
        "layer.plan_other": "Not in this plan",
        "layer.plan_tooltip": "Proposed department",
        "layer.pairing": "Pairing and visit status",
        "layer.days": "Days since the last visit",
        "layer.days_class": "{range} days",
        "layer.days_over": "{days} days or more",
        "layer.visits_per_1000": "Visits per 1,000 residents",
        "layer.need": "Need index",
        "layer.no_data": "No population data",
        "legend.hatched": "of which never visited (hatched)",
        "legend.title": "Village service status (recently = last {window} days)",
        "legend.count": "{count}",
        "map.schematic": "Schematic boundaries",
        "map.reset": "Whole county",
        "page.data": "Data import and export",
        "data.import_records": "Import records (CSV / Excel)",
        "data.import_boundaries": "Import boundaries (GeoJSON / zipped Shapefile / GeoPackage)",
        "data.table": "Table",
        "data.file": "Choose a file",
        "data.sheet": "Sheet (optional; the first by default)",
        "data.skip_invalid": (
            "Skip rows with errors (the rest are imported; the bad rows can be downloaded)"),
        "data.check": "Check the file",
        "data.confirm": "Confirm the import",
        "data.checked": (
            "Checked: {rows} rows; {inserted} would be added, {updated} updated, {unchanged} "
            "unchanged; {rejected} rows have errors."),
        "data.done": (
            "Imported: {rows} rows; {inserted} added, {updated} updated, {unchanged} "
            "unchanged, {rejected} not imported."),
        "data.has_errors": (
            "The file has errors, so nothing was imported. Correct them as listed below and "
            "upload it again, or tick “Skip rows with errors”."),
        "data.errors": "Errors",
        "data.warnings": "Notes",
        "data.download_errors": "Download the list of errors",
        "data.download_rejected": "Download the rows not imported",
        "data.level": "Level",
        "data.level.township": "Townships",
        "data.level.village": "Villages",
        "data.src_crs": "Coordinate system (if the file declares none, e.g. EPSG:4546 or gcj02)",
        "data.code_field": "Code column (optional)",
        "data.name_field": "Name column (optional)",
        "data.templates": "Import templates",
        "data.templates_explain": (
            "Each template has the Chinese headers and one example row and can be filled in "
            "Excel; replace the example row with real records or delete it: an example row "
            "left unchanged is not imported."),
        "data.export": "Export data",
        "data.export_table": "Table to export",
        "data.format": "Format",
        "format.csv": "CSV",
        "format.xlsx": "Excel",
        "format.geojson": "GeoJSON",
        "data.download": "Download",
        "data.row": "Row",
        "data.column": "Column",
        "data.value": "Value",
        "data.message": "Problem",
        "tablename.villages": "villages",
        "tablename.townships": "townships",
        "tablename.departments": "departments",
        "tablename.cadres": "cadres",
        "tablename.pairings": "pairings",
        "tablename.visits": "visits",
        "tablename.audit": "audit log",
        "tooltip.village": "Village",
        "tooltip.township": "Township",
        "tooltip.departments": "Paired departments",
        "tooltip.days": "Since last visit",
        "tooltip.none": "none",
        "tooltip.never": "never visited",
        "tooltip.days_value": "{days} days",
        "tooltip.separator": ", ",
        "legend.separator": ": ",
        "overview.top_neglected": "Villages most needing attention",
        "overview.all_neglected": "All villages needing attention",
        "table.village": "Village",
        "page.login": "Log in",
        "guard.database": "The database cannot be read or written just now; try again "
                          "later, or ask the system administrator.",
        "setup.title": "First start: create the administrator",
        "setup.explain": (
            "There are no users yet. Create the first administrator account (there is no "
            "default password). The password needs at least 8 characters."),
        "setup.display_name": "Name",
        "setup.again": "Password again",
        "setup.submit": "Create the administrator and log in",
        "setup.mismatch": "The two passwords differ.",
        "error.refused": "Your role may not open this page.",
        "error.login_required": "Please log in first.",
        "filter.since": "From",
        "filter.until": "To",
        "filter.township": "Township",
        "filter.department": "Department",
        "filter.all": "All",
        "visits.count": "{count} visit records",
        "visits.id": "No.",
        "visits.date": "Date",
        "visits.kind": "Kind",
        "visits.cadres": "People",
        "visits.households": "Households",
        "visits.raised": "Problems raised",
        "visits.resolved": "Problems solved",
        "visits.summary": "What was done",
        "visits.record_id": "Record id",
        "table.department": "Department",
        "download.csv": "Download CSV",
        "download.xlsx": "Download Excel",
        "audit.count": "{count} entries",
        "audit.at": "Time",
        "audit.username": "User",
        "audit.action": "Action",
        "audit.entity": "Table",
        "audit.key": "Id",
        "audit.before": "Before",
        "audit.after": "After",
        "admin.add_user": "Add a user",
        "admin.role": "Role",
        "admin.department": "Department (required for a liaison)",
        "admin.add_submit": "Add",
        "admin.added": "User {name} added.",
        "admin.change_user": "Reset a password or deactivate",
        "admin.new_password": "New password (for a reset)",
        "admin.reset_submit": "Reset the password",
        "admin.deactivate_submit": "Deactivate the account",
        "admin.reset_done": "The password of {name} was reset.",
        "admin.deactivated": "{name} was deactivated.",
        "admin.users": "All users",
        "admin.backup": "Backup",
        "admin.backup_explain": (
            "Download a consistent copy of the SQLite database (also while the app runs). For "
            "PostgreSQL use pg_dump."),
        "admin.backup_download": "Download the database backup",

        "issue.missing_value": "{column} must not be empty",
        "issue.bad_date": "{value!r} is not a date (write 2024-05-06, 2024/5/6 or 2024年5月6日)",
        "issue.future_date": "the date {value} is in the future",
        "issue.bad_number": "{value!r} is not a whole number",
        "issue.bad_decimal": "{value!r} is not a number",
        "issue.negative_count": "{value} is negative; counts cannot be negative",
        "issue.bad_coordinate": "{value} is outside the range of a coordinate",
        "issue.bad_coordinate.longitude": "{value} is outside the range of a longitude",
        "issue.bad_coordinate.latitude": "{value} is outside the range of a latitude",
        "issue.incomplete_point": "give both longitude and latitude, or neither",
        "issue.bad_flag": "{value!r} is not yes or no",
        "issue.too_long": "{value!r} is longer than {limit} characters",
        "issue.unknown_village": "unknown village {value!r}",
        "issue.ambiguous_village": "the village {value!r} is ambiguous ({candidates}); give "
                                   "its code or its township",
        "issue.unknown_township": "unknown township {value!r}",
        "issue.unknown_department": "unknown department {value!r}",
        "issue.ambiguous_department": "the department {value!r} is ambiguous ({candidates}); give "
                                "its code",
        "issue.unknown_kind": "{value!r} is not one of the kinds ({choices})",
        "issue.end_before_start": "the end date {value} is before the start date {start}",
        "issue.overlapping_pairing": "overlaps another pairing of the same department and village "
                               "({other})",
        "issue.duplicate_in_file": "{value!r} appears more than once in the file (first on row "
                             "{first_row})",
        "issue.edit_window_passed": "this visit was recorded more than {days} days ago; a liaison "
                              "may no longer change it",
        "issue.duplicate_visit": "the same visit is listed more than once (rows {rows})",
        "issue.duplicate_record_id": "the record id {value!r} is used more than once by one "
                               "department (rows {rows})",
        "issue.resolved_exceeds_raised": "{resolved} problems resolved but {raised} raised (a "
                                   "follow-up visit may resolve earlier problems)",
        "issue.unknown_column": "the column {column!r} is not imported",
        "issue.implausible_count": "{value} is implausible (one visit has at most {limit})",
        "issue.more_than_households": (
            "{value} households visited, but the village has {households}"),
        "issue.control_character": "holds a control character (such as NUL); remove it",
        "issue.template_example_row": (
            "this is the template's example row, not a real record; delete it and import "
            "again"),
        "issue.undecodable_row": (
            "this row is not {encoding} but looks like {looks} (the file is read as "
            "{encoding}); save the whole file as CSV UTF-8 and import it again"),
        "issue.undecodable_row.unknown": (
            "this row is neither {encoding} nor GBK or UTF-8 (the file is read as {encoding}; "
            "bytes that fit no encoding show as �); save the whole file as CSV UTF-8 and "
            "import it again"),
        "issue.empty_record": (
            "an empty record: no summary, no households visited and no problems raised "
            "(a formalism warning)"),
        "issue.missing_code": "the feature has no code",
        "issue.bad_code": "the code {value!r} is malformed",
        "issue.bad_code.township_length": "a township code has 9 digits (or 12 ending in 000)",
        "issue.bad_code.township_village_code": (
            "a township code has 9 digits (or 12 ending in 000); 12-digit codes name villages "
            "(--level village)"),
        "issue.bad_code.township_county_code": (
            "a township code does not end in 000 (that is the county's code)"),
        "issue.bad_code.village_length": "a village code has 12 digits",
        "issue.bad_code.village_township_code": (
            "a village code has 12 digits; 9-digit codes name townships (--level township)"),
        "issue.bad_code.village_ends_000": (
            "a village code does not end in 000 (that is its township's code)"),
        "issue.duplicate_code": "the code {code} also appears in feature {others}",
        "issue.unknown_township.parent": (
            "there is no township {parent} in the database for the code {code}"),
        "issue.unknown_county.parent": (
            "there is no county {parent} in the database for the code {code}"),
        "issue.not_nested": (
            "the code {code} does not nest in {parent} given as its parent; digits "
            "1-{digits} of the code must be its parent's code"),
        "issue.bad_geometry": "the geometry has coordinates that are not numbers",
        "issue.bad_geometry.township_point": "a township needs a polygon, not a point",
        "issue.bad_geometry.not_polygon": "the geometry is a {kind}; a polygon is needed",
        "issue.bad_geometry.not_polygon_or_point": (
            "the geometry is a {kind}; a polygon or a point is needed"),
        "issue.invalid_geometry": "the polygon is invalid ({reason}) and has no area once repaired",
        "issue.outside_china": "the geometry lies (partly) outside China",
        "issue.missing_name": "the new unit {code} needs a name",
        "issue.name_too_long": "a name has at most {limit} characters",
        "issue.empty_geometry": "the feature has no geometry",
        "issue.empty_geometry.new": "the new unit {code} has no geometry",
        "issue.empty_geometry.kept": (
            "the feature has no geometry; the unit keeps its current location"),
        "issue.repaired_geometry": (
            "the polygon was invalid ({reason}) and was repaired into a valid {kind}"),
        "issue.name_differs": "the database calls {code} {stored}; the name was kept",
        "issue.not_in_file": "the unit {code} ({name}) is not in the file and was kept",
        "issue.assumed_wgs84": (
            "the file declares no coordinate system; its longitude/latitude were taken as WGS84"),
        "issue.crs_overridden": (
            "the file declares {declared}; its coordinates were read as {given} (--src-crs)"),
        "error.password_too_short": "the password must have at least {minimum} characters",
        "error.password_too_long": "the password must not be longer than {maximum} bytes",
        "error.bad_username": (
            "a username has 1-50 characters: lower-case letters, digits, '.', '_' or '-'"),
        "error.unknown_role": "unknown role {role!r}; use one of {choices}",
        "error.liaison_needs_department": "a liaison always has a department ({option_department})",
        "error.unknown_department": "unknown department {code}",
        "error.user_exists": "user {name} already exists",
        "error.admin_exists": "the administrator already exists; log in instead",
        "error.no_user": "no user {name}",
        "error.deactivate_self": "you cannot deactivate yourself",
        "error.cookie_key_too_short": "PAIRMAP_COOKIE_KEY must have at least {minimum} bytes",
        "error.backup_needs_sqlite": "only a SQLite database can be downloaded here; use pg_dump",
        "error.bad_database_url": "PAIRMAP_DATABASE_URL is not a database URL: {url!r}",
        "error.unsupported_database": "PAIRMAP_DATABASE_URL names no supported database: {driver}",
        "error.unreadable_settings": "cannot read settings file {path}: {detail}",
        "error.days_not_whole": "{name} must be a whole number of days, got {value!r}",
        "error.seconds_not_whole": "{name} must be a whole number of seconds, got {value!r}",
        "error.days_not_positive": "{name} must be positive, got {value}",
        "error.setting_not_whole": "{name} must be a whole number, got {value!r}",
        "error.setting_not_positive": "{name} must be positive, got {value}",
        "record.choose_label": "{id} · {date} · {village} · {kind}",
        "record.choose_department": "Choose a department",
        "record.choose_village": "Choose a village",
        "record.choose_kind": "Choose the kind of visit",
        "record.all_townships": "All townships",
        "record.village.own": "★ {name} (paired with your department)",
        "record.village.own_in": "★ {name} ({township}; paired with your department)",
        "record.village_in": "{name} ({township})",
        "record.count_placeholder": "0",
        "record.optional": "optional",
        "record.summary_placeholder": "What was done, which problems were solved",
        "record.need_department": "Choose a department before saving",
        "record.need_village": "Choose a village before saving",
        "record.need_kind": "Choose the kind of visit before saving",
        "record.need_date": "Enter the date of the visit",
        "record.not_saved": "Not saved: correct the fields marked above and save again.",
        "issue.missing_value.form": "must not be empty",
        "issue.required_below_one": "at least 1 visit a month ({value} was given)",
        "issue.overlapping_pairing.form": ("overlaps another pairing of the same department "
                                           "and village (no. {other_id}, from {other_start})"),
        "error.no_pairing": "no pairing {id}",
        "error.pairing_changed": ("pairing {id} was changed by someone else just now; "
                                  "reload the page and try again"),
        "field.start_date": "start date",
        "field.end_date": "end date",
        "field.required_visits_per_month": "visits per month",
        "field.note": "note",
        "page.pairings": "Pairings",
        "pairings.question": "Which departments are paired with which villages, and how "
                             "often must they visit?",
        "pairings.state": "State",
        "pairings.state.active": "active",
        "pairings.state.ended": "ended",
        "pairings.state.not_started": "not started",
        "pairings.kind": "Kind",
        "pairings.start": "Start",
        "pairings.end": "End",
        "pairings.required": "Visits per month",
        "pairings.required_short": "A month",
        "pairings.note": "Note",
        "pairings.id": "No.",
        "pairings.count": "{count} pairings",
        "pairings.none": "No pairing matches.",
        "pairings.read_only": "Pairings are kept by the organisation department; your role "
                              "may only read them.",
        "pairings.choose": "Pairing to change or end",
        "pairings.choose_label": "{department} — {village} ({township}, from {start})",
        "pairings.edit": "Visits per month and note",
        "pairings.save": "Save changes",
        "pairings.end_title": "End the pairing",
        "pairings.end_date_help": "The pairing is still active on this day and no longer "
                                  "from the next.",
        "pairings.end_submit": "End the pairing",
        "pairings.change_end": "Change the end date",
        "pairings.saved": "Pairing {id} saved.",
        "pairings.ended": "Pairing {id} ends on {end}.",
        "pairings.unchanged": "Nothing changed; nothing saved.",
        "pairings.not_saved": "Not saved: correct the fields marked above and save again.",
        "pairings.required_placeholder": "a whole number, at least 1",
        "pairings.note_placeholder": "optional",
        "table.township": "Township",
        "table.departments": "Paired departments",
        "table.status": "Status",
        "table.empty": "No village needs attention.",
        "info.seeded": "First start: the sample county (Xingshan) was loaded.",
        "map.failed": "The map cannot be shown: {detail}",
        "map.scale_note": "Scale bar at the bottom left",
        "nav.section.records": "Visit records",
        "nav.section.admin": "System",
        "page.visits": "Visit records",
        "page.audit": "Audit log",
        "page.admin": "Administration",
        "page.record": "Record visits",
        "page.coverage": "Coverage map",
        "page.neglected": "Neglected villages",
        "coverage.layer": "Layer",
        "coverage.as_of": "As of",
        "coverage.window": "Window (days)",
        "coverage.click_hint": "Click a village on the map for its details.",
        "role.leader": "County leader",
        "role.organiser": "Organisation department",
        "role.liaison": "Department liaison",
        "role.admin": "Administrator",
        "sidebar.user": "{name} ({role})",
        "sidebar.logout": "Log out",
        "sidebar.language": "Language",
        "language.name": "English",
        "login.username": "Username",
        "login.password": "Password",
        "login.submit": "Log in",
        "login.failed": "Wrong username or password.",
        "record.warning": "Note: {message}",
        "record.new": "New visit",
        "record.with_gps": "GPS measured",
        "record.lon": "Longitude",
        "record.lat": "Latitude",
        "record.submit": "Save",
        "record.update": "Save changes",
        "record.delete": "Delete",
        "record.added": "Saved as no. {id}.",
        "record.updated": "Record {id} changed.",
        "record.deleted": "Record {id} deleted.",
        "record.recent": "Records entered in the last {days} days (can be changed or deleted)",
        "record.none": "No recent record can be changed.",
        "record.choose": "Record to change (no.)",
        "issue.control_character.form": "holds a control character (such as NUL); remove it",
        "error.unknown_language": "PAIRMAP_LANG must be one of {choices}, got {value!r}",
        "error.period_reversed": "--to {end} is before --from {start}",
        "error.period_months": "A period needs at least 1 month (not {months})",
        "error.period_future_year": "{year} has not begun yet",
        "error.missing_input_column": (
            "the {frame} table has no column {column!r}, which the metrics require"),
        "error.no_visit": "no visit {id}",
        "error.edit_window_passed": (
            "a liaison may change a visit only within {days} days of recording it"),
        "error.no_geometry": "{table} has no geometry; write it as .csv or .xlsx",
        "error.period_incomplete": "give --from and --to together",
        "error.period_conflict": "--from/--to replace --as-of and --window-days",
        "error.part_departments_only": "--part applies to report departments only (not {kind})",
        "error.level_missing": "import boundaries needs --level township or --level village",
        "error.townships_not_importable": (
            "townships cannot be imported: use import boundaries --level township"),
        "error.audit_not_importable": (
            "audit cannot be imported: the audit log is written by PairMap only"),
        "error.unknown_table": "unknown table {table}; use {choices}",
        "error.no_stdin": "no standard input to read the password from",
        "error.passwords_differ": "the two passwords differ",
        "error.no_password": "no password on standard input",
        "error.unreadable_outline": "cannot read the county outline: {detail}",
        "error.empty_outline": "the county outline file holds no feature",
        "error.missing_column": "missing column",
        "error.no_boundary": "no boundary for unit {code}",
        "error.geojson_tables": "only {tables} can be written as GeoJSON",
        "error.unknown_output_type": "unknown file type {suffix}; use .csv, .xlsx or .geojson",
        "error.duplicate_column": (
            "the columns {first!r} and {second!r} both give {field}; keep one of them"),
        "error.required_column_missing": "a required column is missing: {columns}",
        "error.file_missing": "the file does not exist",
        "error.not_a_file": "this is a folder, not a file",
        "error.unreadable_file": "cannot read the file: {detail}",
        "error.file_empty": "the file is empty",
        "error.sheet_needs_xlsx": "a sheet can only be chosen in an .xlsx workbook",
        "error.old_or_protected_workbook": (
            "this is an old Excel (.xls) or protected workbook, not CSV; save it as .xlsx or CSV"),
        "error.old_excel": "old Excel files (.xls) cannot be read; save the sheet as .xlsx",
        "error.unknown_table_file_type": "unknown file type {suffix}; use .csv or .xlsx",
        "error.unknown_encoding": "cannot tell the file's text encoding; save it as CSV UTF-8",
        "error.no_header_row": "no header row in the first {rows} rows",
        "error.row_too_long": "a row has more cells than the header (about row {where}): {detail}",
        "error.unreadable_csv": "cannot read the file as CSV: {detail}",
        "error.unreadable_xlsx": "cannot read the file as an .xlsx workbook ({detail})",
        "error.no_sheets": "the workbook has no sheet",
        "error.no_such_sheet": "no sheet {sheet!r}; the workbook has {sheets}",
        "error.unreadable_sheet": "cannot read sheet {sheet!r} ({detail})",
        "error.sheet_empty": "sheet {sheet!r} is empty",
        "error.unknown_boundary_format": (
            "unknown format {suffix}; use GeoJSON (.geojson), a zipped Shapefile (.zip) or a "
            "GeoPackage (.gpkg)"),
        "error.bad_zip": "the file is not a readable zip file ({detail})",
        "error.zip_too_large": (
            "the zip file unpacks to {size} MB, more than the limit of {limit} MB "
            "(PAIRMAP_UPLOAD_MAX_MB); nothing was unpacked"),
        "error.zip_unpacks_too_much": (
            "the zip file unpacks to more than the limit of {limit} MB (PAIRMAP_UPLOAD_MAX_MB), "
            "more than it declares; unpacking stopped"),
        "error.too_many_zip_members": (
            "the zip file holds {count} files, more than the limit of {limit}; nothing was "
            "unpacked"),
        "error.file_too_large": (
            "the file has {size} MB, more than the limit of {limit} MB (PAIRMAP_UPLOAD_MAX_MB); "
            "it was not read"),
        "error.too_many_rows": (
            "more rows than the limit of {limit} (PAIRMAP_UPLOAD_MAX_ROWS); the file was not "
            "read: split it into several files"),
        "error.too_many_columns": (
            "{count} columns used, more than the limit of {limit} (PAIRMAP_UPLOAD_MAX_COLUMNS); "
            "the file was not read: delete the extra columns (formatted empty ones too)"),
        "error.shared_strings_too_large": (
            "the workbook's shared strings unpack to {size} MB, more than the limit of {limit} "
            "MB (PAIRMAP_UPLOAD_MAX_SHARED_STRINGS_MB); it was not read"),
        "error.workbook_part_too_large": (
            "the workbook's {part} unpacks to {size} MB, more than the limit of {limit} MB; "
            "this is no ordinary Excel file and was not read"),
        "error.sheet_piece_too_large": (
            "a row of the sheet (or a stretch outside the rows) holds more than {limit} MB; "
            "this is no ordinary Excel file and was not read"),
        "error.unusual_sheet_markup": (
            "the sheet {part} holds XML markup Excel never writes (a comment, CDATA or "
            "DOCTYPE); it was not read: open it in Excel and save it as .xlsx"),
        "error.line_too_long": "a line holds more than {limit} MB; the file was not read",
        "error.undecodable_header": (
            "the header row is not {encoding} (it looks like {looks}) while the file's other "
            "rows are; save the whole file as CSV UTF-8 and import it again"),
        "error.too_many_features": (
            "the file holds {count} features, more than the limit of {limit} "
            "(PAIRMAP_UPLOAD_MAX_ROWS); it was not read"),
        "error.too_many_fields": (
            "the file has {count} attribute fields, more than the limit of {limit} "
            "(PAIRMAP_UPLOAD_MAX_COLUMNS); it was not read"),
        "error.several_shapefiles": (
            "the zip file holds {count} Shapefiles ({names}); put one Shapefile in each zip file"),
        "error.no_shapefile": "the zip file holds no Shapefile (.shp with .shx and .dbf)",
        "error.cannot_unpack": "cannot unpack {member} ({detail})",
        "error.shapefile_parts_missing": (
            "the Shapefile lacks its .shx or .dbf part; zip the .shp, .shx, .dbf, .prj and "
            ".cpg files together"),
        "error.no_geometry_layer": "the file holds no layer with geometry",
        "error.several_layers": "the file holds {count} layers ({names}); keep one layer per file",
        "error.unreadable_boundary_file": (
            "cannot read it as GeoJSON, Shapefile or GeoPackage: {detail}"),
        "error.no_geometry_column": "the file holds no geometry",
        "error.no_features": "the file holds no feature",
        "error.no_feature_geometry": "no feature of the file has a geometry",
        "error.gcj02_needs_lonlat": (
            "{option_src_crs} gcj02 needs longitude/latitude, but the file declares "
            "{declared}"),
        "error.gcj02_outside_china": (
            "{option_src_crs} gcj02 needs longitude/latitude inside China, but the "
            "coordinates run {extent}"),
        "error.bad_src_crs": (
            "{option_src_crs} {value!r} is not a coordinate system; use EPSG:N or gcj02"),
        "error.no_crs_not_lonlat": (
            "the file declares no coordinate system and its coordinates ({extent}) are not "
            "longitude/latitude inside China; give the source CRS in {option_src_crs} "
            "(EPSG:N or gcj02)"),
        "error.declared_lonlat_implausible": (
            "the file declares {declared}, but its coordinates ({extent}) are not "
            "longitude/latitude; give the source CRS in {option_src_crs} (EPSG:N or gcj02)"),
        "error.no_coordinates_converted": (
            "no coordinate could be converted from {crs}; check the coordinate system or "
            "give the source CRS in {option_src_crs} (EPSG:N or gcj02)"),
        "error.outside_china_as_read": (
            "read as {crs}, the features lie outside China ({extent}); check the coordinate "
            "system or give the source CRS in {option_src_crs} (EPSG:N or gcj02)"),
        "error.cannot_reproject": "cannot convert the coordinates from {crs} to WGS84: {detail}",
        "error.no_such_field": (
            "there is no {what} column {column!r} ({option}); the columns are {columns}"),
        "error.several_code_columns": (
            "several columns hold codes ({columns}); name the code column in "
            "{option_code_field}"),
        "error.no_code_column": (
            "no code column found (columns: {columns}); name it in {option_code_field}"),
        "error.unknown_level": "unknown level {level!r}; use township or village",
        "error.units_changed": "the units changed while the file was imported; import it again",
        "error.upload_without_name": "the upload has no file name",
        "error.shapefile_needs_zip": (
            "upload a Shapefile as one .zip file with its .shx, .dbf, .prj and .cpg parts"),
        "cli.error": "error: {message}",
        "cli.database": "database: {detail}",
        "cli.os": "{detail}: {path}",
        "cli.unexpected": "an unexpected error occurred ({kind}); add --debug to see it",
        "cli.bad_date": "not a date (YYYY-MM-DD): {value}",
        "cli.not_whole": "not a whole number: {value}",
        "cli.not_positive": "must be positive: {value}",
        "cli.help.description": "PairMap command line",
        "cli.help.debug": "show the traceback of an unexpected error",
        "cli.help.seed_demo": "load the sample county into the database",
        "cli.help.scale": ("county: the sample county (Xingshan); province: Hubei (105 "
                           "county-level units, 27,057 villages, about a million visits; "
                           "takes minutes)"),
        "cli.help.demo_as_of": "last day of the visit history (default today, Asia/Shanghai)",
        "cli.help.force": "replace a non-empty database",
        "cli.help.export": "write a table to CSV, XLSX or GeoJSON",
        "cli.help.export_out": "file path; the ending (.csv, .xlsx, .geojson) picks the format",
        "cli.help.import": "import boundaries or records from a file",
        "cli.help.import_table": (
            "boundaries, villages, departments, cadres, pairings, visits or problems"),
        "cli.help.level": "boundaries only: the level of the features",
        "cli.help.src_crs": "EPSG:N or gcj02 (boundaries only)",
        "cli.help.sheet": "XLSX sheet (default the first)",
        "cli.help.dry_run": "check only; write nothing",
        "cli.help.skip_invalid": "write the valid rows; the invalid ones go to a side file",
        "cli.help.report": "coverage, department or problem figures as JSON or CSV",
        "cli.help.as_of": "the as-of date T (default today, Asia/Shanghai)",
        "cli.help.from": "with --to: the window is this period (both days included)",
        "cli.help.part": "departments only: the months or the warnings instead of the departments",
        "cli.help.report_out": "file (default stdout)",
        "cli.help.users": "add, reset or deactivate users",
        "cli.help.users_add": "add a user; the password is read from stdin",
        "cli.help.department": "department code (liaison only)",
        "cli.help.users_reset": "set a new password, read from stdin",
        "cli.help.users_deactivate": "stop a user from logging in",
        "cli.help.plan": "propose new pairings for neglected villages",
        "cli.help.plan_as_of": "the as-of date T; committed pairings start on it (default today)",
        "cli.help.reasons": "candidate reasons, comma-separated (default all three)",
        "cli.help.max_per_village": "a candidate has fewer active pairings than this",
        "cli.help.members_per_village": "party members per village a department can take",
        "cli.help.capacity": "CSV/XLSX: department code, places (replaces the rule)",
        "cli.help.lock": "CSV/XLSX: department code, village code pairs the plan must hold",
        "cli.help.exclude": "CSV/XLSX: department code, village code pairs never proposed",
        "cli.help.costs": "CSV/XLSX: department code, village code, km (road distances)",
        "cli.help.county": "only this county (6-digit code)",
        "cli.help.plan_out": "also write the organisation department's sheet (.xlsx)",
        "cli.help.commit": "write the proposals as 结对共建 pairings starting at T",
        "cli.help.undo_last": "take back the last commit (only on the day it was made)",
        "cli.help.briefing": "the meeting briefing as a PDF, a workbook or the map",
        "cli.help.briefing_out": "file path; the ending (.pdf, .xlsx, .png) picks the format",
        "cli.help.make_sample": "regenerate the sample files in data/sample",
        "error.role_may_not": "your role may not do this",
        "error.role_may_not_for_department": (
            "your role may not do this for department {department}"),
        "audit.action.create": "created",
        "audit.action.update": "changed",
        "audit.action.delete": "deleted",
        "audit.action.import": "imported",
        "audit.action.reset_password": "password reset",
        "audit.action.deactivate": "deactivated",
        "audit.action.login_failed": "failed login",
        "audit.action.login_slowed": "logins slowed",
        "audit.action.merge_duplicates": "duplicates merged",
        "audit.action.replace_all": "all data replaced",
        "error.duplicate_record_ids": (
            "the database holds {count} groups of visits with the same department and record "
            "id but different contents; they cannot be merged automatically, so the upgrade "
            "stopped and changed nothing. Check them and delete the extra ones: {listing}"),
        "error.record_id_taken": ("this department already has a visit with record id "
                                  "'{record_id}'; choose another"),
        "error.database_busy": (
            "the database is busy (a large import may be writing) and could not be written "
            "within {seconds} s; what you typed is kept, try again shortly"),
        "audit.change": "{field}: {before} → {after}",
        "audit.value": "{field}: {recorded}",
        "audit.separator": "; ",
        "audit.yes": "yes",
        "audit.no": "no",
        "audit.changes": "Changes",
        "tablename.users": "users",
        "tablename.data": "all data",
        "tablename.boundaries": "boundaries",
        "tablename.logins": "logins",
        "field.date": "date",
        "field.department_code": "department code",
        "field.village_code": "village code",
        "field.kind": "kind",
        "field.cadre_count": "people",
        "field.cadre_ids": "cadre ids",
        "field.households_visited": "households",
        "field.problems_raised": "problems raised",
        "field.problems_resolved": "problems resolved",
        "field.lon": "longitude",
        "field.lat": "latitude",
        "field.summary": "summary",
        "field.record_id": "record id",
        "field.source": "source",
        "field.created_by": "recorded by",
        "field.created_at": "recorded at",
        "field.username": "username",
        "field.display_name": "name",
        "field.role": "role",
        "field.active": "active",
        "field.failed_logins": "recent failures on this name",
        "field.address_failures": "recent failures from this address",
        "field.delay_seconds": "wait before each later login (s)",
        "field.department": "department",
        "field.file": "file",
        "field.rows": "rows",
        "field.inserted": "inserted",
        "field.admin_units": "admin units",
        "field.departments": "departments",
        "field.cadres": "cadres",
        "field.pairings": "pairings",
        "field.visits": "visits",
        "field.updated": "updated",
        "field.unchanged": "unchanged",
        "field.rejected": "rejected",
        "field.level": "level",
        "field.warnings": "warnings",
        "field.crs": "coordinate system",
        "import.rejected.row": "row",
        "import.reason": "{column}: {message}",
        "import.rejected.reason": "reason",
        "error.unexpected": "an unexpected error occurred",
        "error.bad_setting": "a setting is wrong",
        "error.plan_bad_reasons": "unknown candidate reason {reasons}; choose from {choices}",
        "error.plan_bad_setting": "the plan setting {name} must be a whole number of at least 1, "
                                  "not {value}",
        "error.plan_unknown_department": "unknown department {code}",
        "error.plan_unknown_village": "unknown village {code}",
        "error.plan_unknown_county": "no village or department of county {code}",
        "error.plan_bad_capacity": "the places of {name} must be a whole number "
                                   "of at least 0, not {value}",
        "error.plan_inactive_department": "{name} is inactive and cannot be paired",
        "error.plan_too_large": ("the plan is too large to solve exactly ({villages} villages, "
                                 "{departments} departments); plan one county at a time"),
        "error.plan_solver_failed": "the solver gave no result ({status})",
        "error.plan_lock_twice": ("{village_name} is locked to two departments ({first_name} "
                                  "and {department_name}); a run gives a village one "
                                  "department"),
        "error.plan_lock_excluded": "{department_name} and {village_name} are both locked "
                                    "and excluded",
        "error.plan_other_county": "{department_name} belongs to county {county} and cannot "
                                   "take {village_name} of another county",
        "error.plan_lock_paired": "{department_name} is already paired with "
                                  "{village_name}",
        "error.plan_lock_full": "{village_name} already has {limit} paired departments, "
                                "the limit",
        "error.plan_locks_exceed_capacity": "{name} has {locks} locked villages, "
                                            "more than its {capacity} places",
        "error.plan_department_county": "the database holds {counties} counties; the county "
                                        "of each department is unknown",
        "error.plan_commit_unknown": "department {department} and village {village} are not "
                                     "in this plan",
        "error.plan_commit_empty": "no pairing was chosen to commit",
        "error.plan_commit_overlap": ("department {department} is already paired with village "
                                      "{village} (pairing {pairing}); nothing was written"),
        "error.plan_nothing_to_undo": "there is no committed plan to undo",
        "error.plan_undo_too_late": "the last plan was committed on {day}; it can only be "
                                    "undone that day",
        "error.plan_undo_alone": "--undo-last takes no other plan option",
        "error.plan_out_suffix": "--out must be an .xlsx file, not {path}",
        "error.plan_file_column_missing": "a column is missing: {expected}",
        "error.plan_file_empty": "the cell is empty",
        "error.plan_file_unknown_department": "unknown department {value}",
        "error.plan_file_unknown_village": "unknown village {value}",
        "error.plan_file_capacity": "places {value!r} is not a whole number of at least 0",
        "error.plan_file_km": "distance {value!r} is not a number of km of at least 0",
        "error.plan_file_repeated": "the same as row {first}",
        "error.plan_file_encoding": "this row is not in the file's encoding; it looks like "
                                    "{looks}",
        "plan.note.no_candidates": ("no village qualifies (reasons {reasons}; fewer than {limit} "
                                    "paired departments): no new pairing is needed."),
        "plan.note.no_candidates_locked": ("besides the locked pairs, no village qualifies "
                                           "(reasons {reasons}; fewer than {limit} paired "
                                           "departments)."),
        "plan.note.no_capacity": "no department has places left: none of the {candidates} "
                                 "candidate villages could be given one.",
        "plan.note.short": ("{covered} of {candidates} candidate villages covered; the "
                            "departments' {capacity} places are too few for {uncovered}."),
        "plan.note.short_unreachable": (
            "{covered} of {candidates} candidate villages covered; {uncovered} left: "
            "{no_department} have no department that may take them (excluded, already paired "
            "or another county), the rest lack places ({capacity} in all)."),
        "plan.note.short_matrix": (
            "{covered} of {candidates} candidate villages covered; {uncovered} left: "
            "{no_department} have no department in the distance table, the rest lack places "
            "({capacity} in all)."),
        "plan.reason.UNPAIRED": "unpaired",
        "plan.reason.NEVER_VISITED": "never visited",
        "plan.reason.NOT_VISITED": "not visited for too long",
        "plan.reason.LOCKED": "locked",
        "audit.action.plan_commit": "plan committed",
        "audit.action.plan_undo": "plan undone",
        "error.bad_data": "the data are wrong",
        "error.database_not_empty": "the database already holds data; add --force to replace it",
        "error.access_denied": "your role does not allow this",
        "error.where.file": "file {file}",
        "error.where.row": "row {row}",
        "error.where.column": "column {column}",
        # Presentation mode (会议模式) of the overview, issue 13
        "present.toggle": "Presentation mode",
        "present.toggle_help": (
            "For a projector: hides the sidebar, enlarges the figures and fills the screen "
            "with the map. Add ?present=1 to the address to open it so."
        ),
        "map.fullscreen": "Show the map full screen",
        "map.fullscreen_exit": "Leave full screen",
        # --- briefing (会议简报): the page, the PDF, the workbook and the static map ---
        "page.briefing": "Briefing",
        "briefing.intro": ("The meeting briefing in one click: a PDF (A4, one or two pages), "
                           "an Excel workbook (one sheet per table) and the coverage map (PNG)."),
        "briefing.contents": (
            "It holds the key figures and their change, the map of village status, the 10 "
            "villages that most need attention with their reasons, the departments' red and "
            "black lists and the visits of the last 12 months."
        ),
        "briefing.months_caption": ("Visits by month: {start} to {end} (the Departments "
                                    "page's default period)"),
        "briefing.download_pdf": "Download the briefing (PDF)",
        "briefing.download_xlsx": "Download the briefing (Excel)",
        "briefing.download_png": "Download the map (PNG)",
        "briefing.file_name": "briefing_{county}_{as_of}",
        "briefing.title": "{county}: pairing service briefing",
        "briefing.subtitle": "As of {as_of}, last {window} days · made on {made_on}",
        "briefing.kpis": "Key figures",
        "briefing.kpi": "Figure",
        "briefing.kpi_value": "Now",
        "briefing.kpi_previous": "Before",
        "briefing.kpi_change": "vs previous {window} days",
        "briefing.kpi_unit": "Unit of change",
        "briefing.unit_villages": "villages",
        "briefing.unit_points": "percentage points",
        "briefing.map": "Village service status",
        "briefing.neglected": "The 10 villages that most need attention",
        "briefing.neglected_caption": ("{total} villages need attention, {severe} of them "
                                       "severe; by priority."),
        "briefing.number": "No.",
        "briefing.red_black": "Red and black lists (score of the last {window} days, 0–100)",
        "briefing.months": "Visits in the last 12 months ({start} to {end})",
        "briefing.month": "Month",
        "briefing.visits": "Visits",
        "briefing.footer": "PairMap · meeting briefing · page {page}",
        "briefing.map.title": "{county} · as of {as_of}, last {window} days",
        "briefing.map.km": "{km} km",
        "briefing.map.north": "N",
        "briefing.sheet.info": "About",
        "briefing.sheet.kpis": "Key figures",
        "briefing.sheet.neglected": "Needing attention",
        "briefing.sheet.red": "Red list",
        "briefing.sheet.black": "Black list",
        "briefing.sheet.months": "Visits by month",
        "briefing.info.item": "Item",
        "briefing.info.value": "Value",
        "briefing.info.county": "County",
        "briefing.info.as_of": "As of",
        "briefing.info.window": "Window (days)",
        "briefing.info.neglect": "Not visited for (days)",
        "briefing.info.made_on": "Made on",
        "briefing.info.boundaries": "Boundaries",
        "briefing.info.schematic": "schematic, not official",
        "briefing.info.official": "official",
        "error.cjk_font_missing": (
            "no Chinese TrueType font found, so no PDF or map image can be made; install the "
            "package {package} (apt-get install {package}; font file {path})"
        ),
        "error.briefing_suffix": "unknown briefing file type {suffix}; use .pdf, .xlsx or .png",
        "error.briefing_no_boundaries": (
            "no county or village boundaries to draw the briefing's map; import boundaries "
            "first (import boundaries) or load the sample county (seed-demo)"
        ),
        # Problem ledger (群众诉求台账), data layer
        "tablename.problems": "residents' problems",
        "error.no_problem": "no problem {id}",
        "error.problem_record_id_taken": ("this department already has a problem with record "
                                          "id {record_id!r}; choose another"),
        "error.problem_status_move": "a problem cannot move from {before} to {after}",
        "error.problem_not_closed": ("only a resolved or closed problem can be reopened "
                                     "(it is {status})"),
        "issue.due_before_raised": "the due date {value} is before the day raised, {raised}",
        "issue.closing_date_required": "a resolved or closed problem needs its closing date",
        "issue.closing_date_without_closing": ("the problem is not closed; it cannot have a "
                                               "closing date ({value})"),
        "issue.closed_before_raised": "the closing date {value} is before the day raised",
        "issue.rating_needs_closing": "the village rates a problem only when it is closed",
        "issue.unknown_visit": "no visit {value}",
        "problem.status.open": "open",
        "problem.status.in_progress": "in progress",
        "problem.status.resolved": "resolved",
        "problem.status.closed_unresolved": "closed unresolved",
        "tablename.problem_notes": "progress notes",
        "error.problem_field_not_editable": "a problem's {column} cannot be changed here",
        "error.problem_edit_window_passed": (
            "a liaison corrects a problem only within {days} days of recording it (progress "
            "and closing are not limited)"),
        "field.raised_on": "raised on",
        "field.raised_visit_id": "raised on visit",
        "field.co_departments": "co-departments",
        "field.category": "category",
        "field.description": "description",
        "field.resident": "resident",
        "field.due_date": "due date",
        "field.status": "status",
        "field.resolved_on": "closed on",
        "field.resolution": "resolution",
        "field.satisfaction": "village's rating",
        "field.problem_id": "problem",
        "field.text": "note",
        "field.problems": "problems",
        # Problem ledger UI (ledger2): visit form rows, overview card, liaison banner,
        # coverage map layer, department ledger figures
        "kpi.overdue": "Overdue problems",
        "kpi.overdue.help": (
            "Residents' problems overdue today, county-wide: raised, not closed (or closed "
            "after today), and due before today (a problem due today is not overdue yet)"),
        "kpi.delta_problems": "{change} problems",
        "briefing.unit_problems": "problems",
        "layer.problems": "Problems",
        "layer.problems_title": "Open residents' problems (heavy blue edge: one overdue)",
        "layer.problems_none": "None open",
        "layer.problems_class": "{range} open",
        "layer.problems_over": "{count} or more open",
        "layer.problems_value": "{open} open",
        "layer.problems_value_overdue": "{open} open, {overdue} overdue",
        "layer.problems_tooltip": "Open problems",
        "layer.problems_outlined": "of which with an overdue problem",
        "record.problem_rows": "Residents' problems received",
        "record.problem_rows.help": (
            "One row per problem, saved with the visit; the problems raised count is at "
            "least the number of rows"),
        "record.problem_rows_none": "None",
        "record.problem_rows_count": "{count}",
        "record.problems_heading": "Residents' problems received (one row each)",
        "record.problem_category": "Problem {row}: category",
        "record.problem_description": "Problem {row}: description",
        "record.problem_resident": "Problem {row}: resident (optional)",
        "record.choose_category": "Choose a category",
        "record.problem_issue": "Problem {row}, {column}: {message}",
        "record.added_with_problems": "Saved as no. {id}, with {count} problems.",
        "banner.overdue": "Your department has {count} overdue problems: {villages}.",
        "banner.village": "{name} ({count}, up to {days} days overdue)",
        "banner.more": "{count} villages in all",
        "banner.open_ledger": "Handle them in the problem ledger",
        "departments.ledger_open": "Open problems",
        "departments.ledger_open.help": (
            "Problems the department is responsible for, raised and not closed at the end "
            "of the period"),
        "departments.ledger_overdue": "Overdue",
        "departments.ledger_overdue.help": (
            "Open problems past their due date at the end of the period"),
        "departments.ledger_resolved": "Problems resolved",
        "departments.ledger_resolved.help": "Problems resolved (status resolved) in the period",
        "departments.ledger_median": "Median days to resolve",
        "departments.ledger_median.help": (
            "Median days from raised to resolved over the problems resolved in the period; "
            "empty with none"),
        # Problem ledger page (诉求台账)
        "page.ledger": "Problem ledger",
        "ledger.question": "Which residents' problems are still open or overdue, and which "
                           "department owes the answer?",
        "ledger.overdue_only": "Overdue only",
        "ledger.none": "No problem matches.",
        "ledger.liaison_scope": ("A liaison sees its own department's problems and those it "
                                 "handles jointly; residents' names only on its own."),
        "ledger.chosen_title": "Handling a problem",
        "ledger.choose": "Problem",
        "ledger.choice": "#{id} {village} · {category} · {status} · {description}",
        "ledger.new_title": "Record a new problem",
        "ledger.read_only": "Your role reads the ledger; it does not record or handle problems.",
        "ledger.category.基础设施": "Infrastructure",
        "ledger.category.产业发展": "Local industry",
        "ledger.category.医疗卫生": "Health care",
        "ledger.category.教育": "Education",
        "ledger.category.社会保障": "Social security",
        "ledger.category.矛盾纠纷": "Disputes",
        "ledger.category.信访": "Petitions",
        "ledger.category.其他": "Other",
        "ledger.rating.满意": "Satisfied",
        "ledger.rating.基本满意": "Mostly satisfied",
        "ledger.rating.不满意": "Dissatisfied",
        "ledger.rating_none": "Not rated",
        "ledger.id": "No.",
        "ledger.age_days": "Waiting (days)",
        "ledger.age_days.help": "Days from the day an open problem was raised to the as-of date",
        "ledger.overdue_days": "Overdue (days)",
        "ledger.overdue_days.help": "Days past the due date (a problem due today is not overdue)",
        "ledger.count.open": "Open",
        "ledger.count.open.help": (
            "Raised by the as-of date and not yet closed (open or in progress)"),
        "ledger.count.overdue": "Overdue",
        "ledger.count.overdue.help": "Open problems past their due date",
        "ledger.count.resolved": "Resolved, {window} days",
        "ledger.count.unresolved": "Unresolved, {window} days",
        "ledger.count.listed": (
            "{listed} listed = {open} open + {resolved} resolved + {unresolved} closed "
            "unresolved"),
        "ledger.detail.place": "**{village}** ({township}), responsible: {department}",
        "ledger.detail.text": "Problem: {description}",
        "ledger.detail.joint": "Co-departments: {names}",
        "ledger.detail.resident": "Raised by: {resident}",
        "ledger.detail.closed": "Closed on {on}; resolution: {resolution}; rating: {rating}",
        "ledger.notes": "Progress notes",
        "ledger.notes_none": "No progress note yet.",
        "ledger.note_at": "At",
        "ledger.beside": "{field}: {message}",
        "ledger.not_saved": "Not saved: correct the fields as said above, then submit again.",
        "ledger.note_placeholder": "What was done, who was involved, what comes next",
        "ledger.note_submit": "Add progress note",
        "ledger.noted": "Progress note added to problem #{id}.",
        "ledger.start_title": "Start handling",
        "ledger.start_submit": "Mark in progress",
        "ledger.started": "Problem #{id} is in progress.",
        "ledger.close_title": "Close the problem",
        "ledger.close_unresolved": "Close unresolved",
        "ledger.resolution_placeholder": "How it was handled and with what result",
        "ledger.close_submit": "Close as resolved",
        "ledger.closed": "Problem #{id} is now {status}.",
        "ledger.reopen_title": "Reopen",
        "ledger.reopen_help": ("Back to in progress; the closing date, resolution and rating "
                               "are cleared (the audit log keeps them)."),
        "ledger.reopen_submit": "Reopen",
        "ledger.reopened": "Problem #{id} is reopened.",
        "ledger.assign_title": "Responsible department",
        "ledger.joint_placeholder": "No co-department",
        "ledger.assign_submit": "Save departments",
        "ledger.reassigned": "Problem #{id} is now the responsibility of {department}.",
        "ledger.choose_category": "Choose a category",
        "ledger.description_placeholder": "The problem as the residents put it",
        "ledger.due_help": "Empty: {days} days after the day raised",
        "ledger.new_submit": "Record problem",
        "ledger.added": "Problem #{id} recorded, due {due}.",
        "ledger.label.status": "Status",
        "ledger.label.category": "Category",
        "ledger.label.description": "Description",
        "ledger.label.co_departments": "Co-departments",
        "ledger.label.raised_on": "Raised on",
        "ledger.label.due_date": "Due",
        "ledger.label.resolved_on": "Closed on",
        "ledger.label.satisfaction": "Village's rating",
        "ledger.label.resident": "Resident",
        "ledger.label.resolution": "Resolution",
        "ledger.label.text": "Progress note",
        "ledger.label.username": "User",
        # Province sample (issue 15)
        "error.unknown_scale": "no sample of scale {scale} (county or province)",
        "cli.help.report_county": ("only this county (6-digit code): its villages, "
                                   "departments and their records"),
        # Drill-down maps (issue 15)
        "drill.level.all": "All",
        "drill.level.province": "Province",
        "drill.level.city": "City",
        "drill.level.county": "County",
        "drill.level.township": "Township",
        "drill.level.village": "Village",
        "drill.choose": "Choose a {level}",
        "drill.all_of": "All ({level})",
        "drill.up": "Up",
        "drill.breadcrumb": "Showing: {path}",
        "drill.click_hint": "Click an area on the map to open it.",
        "drill.reset": "Whole area",
        "drill.legend.title": "Visited in the last {window} days",
        "drill.legend.range": "{low}%–{high}%",
        "drill.legend.at_least": "{low}% or more",
        "drill.legend.no_village": "No village",
        "drill.legend.count": "{count}",
        "drill.tooltip.unit": "Area",
        "drill.tooltip.villages": "Villages",
        "drill.tooltip.paired": "Paired",
        "drill.tooltip.visited": "Visited",
        "drill.tooltip.never": "Never visited",
        "drill.tooltip.neglected": "Needing attention",
        # Benchmark (issue 15, python -m geo bench)
        "cli.help.bench": ("time the main paths (coverage metrics with the DuckDB reference, "
                           "neglected villages, department figures, map, import, planner)"),
        "cli.help.bench_scale": ("county: the sample county; province: the Hubei sample (the "
                                 "database of PAIRMAP_DATABASE_URL when it holds it, else a "
                                 "temporary one, minutes for the province)"),
        "cli.help.bench_json": "print JSON (DESIGN.md's bench object)",
        "cli.help.bench_runs": "runs per timing (the median is reported; default 5)",
        "cli.help.bench_import_rows": "visit rows of the timed import (default 1,000,000)",
        "cli.help.bench_import_runs": ("imports to time, each into a fresh sample county "
                                       "(default 1)"),
        "cli.help.bench_pg_url": ("a PostgreSQL URL (a role that may create databases): the "
                                  "import is timed there too, in a temporary database, beside "
                                  "SQLite's"),
        "cli.bench_pg_url": "not a PostgreSQL URL (postgresql+psycopg://…): {value}",
        "error.bench_scale_mismatch": (
            "the database holds the {stored} sample, not {scale}: change --scale or the "
            "database"),
        "bench.note_database": "timing the database {url}",
        "bench.note_temporary": ("timing a temporary SQLite database seeded with the {scale} "
                                 "sample (removed afterwards)"),
        "bench.note_no_level": "the database has no {level} unit: map_{level} is null",
        "bench.note_county_map": ("the county coverage map (geo/maps.py, the county with the "
                                  "most villages) renders to {bytes} bytes of HTML"),
        "bench.import_postgresql": "import (PostgreSQL): {seconds} s",
        "bench.header": "{scale}: {villages} villages, {visits} visits; medians of {runs} runs",
        "overview.units": "{level} compared",
        "neglected.count_unit": "{count} villages need attention (of {total} in {unit})",
        "issue.required_above_most": "at most {limit} visits a month ({value} was given)",
        "overview.units_caption": (
            "Weakest {level} first (by share of villages needing attention, visited "
            "share, paired share)."),
        # Departments' county (issue 15: report --county, county_code in the data files)
        "error.county_column_required": (
            "the database holds {counties} counties: a departments file needs a county "
            "column (county_code) giving each department's county"),
        "issue.unknown_county": ("{value!r} is not a county in the database (give its "
                                 "6-digit code, such as 420526, or its name)"),
        "issue.ambiguous_county": ("the county name {value!r} is ambiguous ({candidates}); "
                                   "give its code"),
        "issue.county_filled": ("no county given: recorded as the database's only county, "
                                "{name} ({county})"),
        "issue.county_filled_file": ("the file has no county column: {count} departments "
                                     "recorded as the database's only county, {name} "
                                     "({county})"),
        # Issue 15's leftovers: names above one county, long values in messages
        "overview.department_in_county": "{county} · {name}",
        "value.shortened": "{start}… ({length} characters)",
        # How a message names an option: on the command line, or in a form of the app
        "option.src_crs.cli": "--src-crs",
        "option.src_crs.form": "the Coordinate system field",
        "option.code_field.cli": "--code-field",
        "option.code_field.form": "the Code column field",
        "option.name_field.cli": "--name-field",
        "option.name_field.form": "the Name column field",
        "option.department.cli": "--department CODE",
        "option.department.form": "choose it under Department",
        # Streamlit's uploader in the UI's words; the warming thread's setting
        "upload.button": "Choose a file",
        "upload.limit": "up to {megabytes} MB per file",
        "error.seconds_negative": "{name} must be 0 or a whole number of seconds, not {value}",
    },
}


VALUE_SHOWN_MAX = 60
"""The longest value a message repeats whole; a longer one (a 1,000-character 反映人)
shows its first ``VALUE_SHOWN_START`` characters and its length (``shown_value``)."""
VALUE_SHOWN_START = 30


def shown_value(value: object, lang: str = DEFAULT_LANG) -> object:
    """``value`` as a message repeats it: a text over ``VALUE_SHOWN_MAX`` characters as
    its start and length ("甲乙丙…（共 1000 个字符）"), anything else unchanged."""
    if isinstance(value, str) and len(value) > VALUE_SHOWN_MAX:
        return translate("value.shortened", lang, start=value[:VALUE_SHOWN_START],
                         length=len(value))
    return value


def _with_value_shown(values: Mapping[str, object], lang: str) -> dict[str, object]:
    """``values`` with the one named ``value`` (what a person typed) as ``shown_value``."""
    shown = dict(values)
    if "value" in shown:
        shown["value"] = shown_value(shown["value"], lang)
    return shown


def translate(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """Return the text of ``key`` in ``lang`` with ``values`` filled in.

    Raises
    ------
    KeyError
        When the key is in no catalogue (a programming error, caught by tests).
    """
    text = CATALOGUE.get(lang, {}).get(key)
    if text is None:
        text = CATALOGUE[DEFAULT_LANG][key]
    return text.format(**_with_value_shown(values, lang)) if values else text


class _Blank(dict):
    """Format values where a missing name is shown empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def _template(key: str, lang: str) -> str | None:
    text = CATALOGUE.get(lang, {}).get(key)
    return text if text is not None else CATALOGUE[DEFAULT_LANG].get(key)


def _fill(template: str, values: Mapping[str, object], lang: str = DEFAULT_LANG) -> str:
    """``template`` with ``values``; a tuple of values (the choices of a field) is one
    list in ``lang`` ("甲、乙", "A, B")."""
    separator = _template("list.separator", lang) or ", "
    shown = {name: separator.join(map(str, value)) if isinstance(value, tuple) else value
             for name, value in _with_value_shown(values, lang).items()}
    try:
        return template.format_map(_Blank(shown))
    except (ValueError, IndexError, KeyError, AttributeError):
        return template


def translate_or_none(key: str, lang: str = DEFAULT_LANG, **values: object) -> str | None:
    """``translate``, or None for a key in no catalogue (a value without a label)."""
    if key not in CATALOGUE[DEFAULT_LANG] and key not in CATALOGUE.get(lang, {}):
        return None
    return translate(key, lang, **values)


OPTIONS = ("src_crs", "code_field", "name_field", "department")
"""The options a message may name (``{option_src_crs}``, or an ``option`` parameter
holding one of these names): ``option.<name>.cli`` on the command line, ``.form`` in
the app, where a clerk has a form and no command line."""
INTERFACES = ("cli", "form")


def translate_error(error: object, lang: str = DEFAULT_LANG, interface: str = "cli") -> str:
    """Return the sentence of a ``geo.errors.PairMapError`` in ``lang``, with where it is.

    The sentence is ``error.<code>`` filled with the error's parameters, followed by the
    file, row and column it names ("（文件 visits.csv，第 3 行，“日期”列）"); a column
    alone is a form field and is not repeated in the sentence. An option it names is
    named as ``interface`` (one of ``INTERFACES``) offers it (``OPTIONS``).
    """
    code = str(getattr(error, "code", "unexpected"))
    params = dict(getattr(error, "params", {}) or {})
    options = {name: _template(f"option.{name}.{interface}", lang) or "" for name in OPTIONS}
    params = {**{f"option_{name}": text for name, text in options.items()}, **params}
    if params.get("option") in options:
        params["option"] = options[params["option"]]
    template = _template(f"error.{code}", lang)
    if template is None and _template(f"issue.{code}", lang) is not None:
        # A broken import rule raised for one record (the visit form): the issue's text.
        return translate_issue({"code": code, "params": params, "value": params.get("value"),
                                "column": getattr(error, "column", None)}, lang)
    places = {part: getattr(error, part, None) for part in ("file", "row", "column")}
    text = code if template is None else _fill(template, {**places, **params}, lang)
    # A column is a place in a file; without file or row it names a form field, which
    # the form shows the message beside.
    in_file = any(getattr(error, part, None) not in (None, "") for part in ("file", "row"))
    where = [_fill(_template(f"error.where.{part}", lang) or "", {part: value}, lang)
             for part in ("file", "row", "column")
             if (value := getattr(error, part, None)) not in (None, "")
             and (in_file or part != "column")]
    if not where:
        return text
    if lang == "zh":
        return f"{text}（{'，'.join(where)}）"
    return f"{text} ({', '.join(where)})"


def translate_issue(issue: object, lang: str = DEFAULT_LANG) -> str:
    """Return an import issue's message in ``lang`` (``issue.<code>`` of the catalogue).

    ``issue`` is a ``geo.io.report.Issue`` or a mapping with ``code``, ``value``,
    ``column`` and optionally ``params``; a code the catalogue lacks gives the issue's
    own ``message``.
    """
    def get(name: str) -> object:
        return issue.get(name) if isinstance(issue, Mapping) else getattr(issue, name, None)

    code = get("code")
    params = dict(get("params") or {})
    variant = params.get("variant")
    template = None
    if code is not None and variant:
        template = _template(f"issue.{code}.{variant}", lang)
    if code is not None and template is None:
        template = _template(f"issue.{code}", lang)
    if template is None:
        return str(get("message") or code or "")
    values = params
    values["value"] = "" if get("value") is None else get("value")
    values["column"] = "" if get("column") is None else get("column")
    return _fill(template, values, lang)
