"""The text catalogue: every user-facing string, by key and language.

Pages never hold literal text; they ask ``translate(key, lang, **values)``. Chinese is
complete; English falls back to Chinese for a key not yet translated.
"""

from __future__ import annotations

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
        "status.served": "已结对且有走访",
        "status.paired_not_visited": "已结对但近{window}天未走访",
        "status.unpaired": "未结对",
        "status.never_visited": "从未走访",
        "legend.title": "村（社区）服务状态",
        "legend.count": "{count} 个",
        "map.schematic": "示意边界",
        "map.scale_note": "比例尺见左下角",
        "tooltip.village": "村（社区）",
        "tooltip.township": "乡镇",
        "tooltip.departments": "结对单位",
        "tooltip.days": "距上次走访",
        "tooltip.none": "无",
        "tooltip.never": "从未走访",
        "tooltip.days_value": "{days} 天",
        "table.never_visited.title": "从未走访的村（社区）",
        "table.village": "村（社区）",
        "table.township": "乡镇",
        "table.departments": "结对单位",
        "table.status": "状态",
        "table.empty": "没有从未走访的村（社区）。",
        "error.database": "数据库无法打开：{detail}",
        "error.config": "配置有误：{detail}",
        "error.data": "数据有误：{detail}",
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
        "login.username": "用户名",
        "login.password": "密码",
        "login.submit": "登录",
        "login.failed": "用户名或密码不正确。",
        "login.locked": "登录失败次数过多，账号已暂时锁定，请于 {until} 后再试。",
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
        "status.served": "Paired and visited",
        "status.paired_not_visited": "Paired, not visited in {window} days",
        "status.unpaired": "Unpaired",
        "status.never_visited": "Never visited",
        "legend.title": "Village service status",
        "legend.count": "{count}",
        "map.schematic": "Schematic boundaries",
        "tooltip.village": "Village",
        "tooltip.township": "Township",
        "tooltip.departments": "Paired departments",
        "tooltip.days": "Since last visit",
        "tooltip.none": "none",
        "tooltip.never": "never visited",
        "tooltip.days_value": "{days} days",
    },
}


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
    return text.format(**values) if values else text
