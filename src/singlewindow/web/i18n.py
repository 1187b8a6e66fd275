"""The console's words in Chinese (the default) and English, and how a visitor picks one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


DEFAULT_LANG = Lang.ZH
# Each language named in itself, for the switch.
LANG_NAMES: Mapping[Lang, str] = {Lang.ZH: "中文", Lang.EN: "English"}

# key -> (中文, English)
STRINGS: Mapping[str, tuple[str, str]] = {
    "app.title": ("跨境电商综试区单一窗口", "Cross-border e-commerce single window"),
    "nav.dashboard": ("监测看板", "Dashboard"),
    "nav.inventories": ("清单查询", "Inventories"),
    "nav.summaries": ("汇总申报", "Summaries"),
    "nav.registry": ("备案信息", "Registry"),
    "nav.signout": ("退出", "Sign out"),
    "signin.title": ("登录", "Sign in"),
    "signin.key": ("API密钥", "API key"),
    "signin.hint": (
        "请粘贴用户的API密钥（由 singlewindow user add 生成）。",
        "Paste your user's API key (made by singlewindow user add).",
    ),
    "signin.submit": ("登录", "Sign in"),
    "signin.invalid": ("API密钥无效", "The API key is not valid"),
    "role.zone_admin": ("综试区管理", "Zone administration"),
    "role.customs": ("海关", "Customs"),
    "role.inspection": ("检验检疫", "Inspection"),
    "role.tax": ("税务", "Tax"),
    "role.forex": ("外汇", "Foreign exchange"),
    "role.commerce": ("商务", "Commerce"),
    "role.market_regulation": ("市场监管", "Market regulation"),
    "role.public_security": ("公安", "Public security"),
    "role.statistics": ("统计", "Statistics"),
    "role.post": ("邮政", "Post"),
    "role.enterprise": ("企业", "Enterprise"),
    "dash.title": ("综试区监测看板", "Zone dashboard"),
    "dash.kpis": ("指标与目标", "Indicators against targets"),
    "dash.actual": ("实际", "Actual"),
    "dash.target": ("目标", "Target"),
    "dash.trend": ("近30日趋势", "Trend, last 30 days"),
    "dash.by_country": ("按国家（地区）", "By country"),
    "dash.by_mode": ("按监管方式", "By mode"),
    "dash.by_county": ("按县区", "By county"),
    "dash.by_commodity": ("按商品（HS章）", "By commodity (HS chapter)"),
    "dash.unavailable": ("当前角色无监测看板", "This role has no dashboard"),
    "dash.empty": ("暂无数据", "No data yet"),
    "dash.refusals": ("退单原因", "Refusals by reason"),
    "dash.value": ("货值（元）", "Value (CNY)"),
    "dash.parcels": ("单量", "Parcels"),
    "dash.as_of": ("截至", "As of"),
    "kpi.trade_value": ("本年跨境交易额（元）", "Trade value this year (CNY)"),
    "kpi.parcels_released": ("放行单量", "Parcels released"),
    "kpi.lists_declared": ("申报清单", "Inventories declared"),
    "kpi.lists_refused": ("退单", "Inventories refused"),
    "kpi.comparison_pass_rate": ("三单比对通过率", "Comparison pass rate"),
    "kpi.inspection_rate": ("查验率", "Inspection rate"),
    "kpi.latency": ("申报至放行 中位/P95", "Declaration to release, median / p95"),
    "kpi.taxes": ("征收税款（元）", "Taxes collected (CNY)"),
    "kpi.enterprises": ("活跃/备案企业", "Active / filed sellers"),
    "inv.title": ("清单查询", "Inventory search"),
    "inv.search": ("查询", "Search"),
    "inv.invtNo": ("清单编号", "Inventory no."),
    "inv.orderNo": ("订单编号", "Order no."),
    "inv.ebcCode": ("电商企业代码", "Seller code"),
    "inv.ebpCode": ("电商平台代码", "Platform code"),
    "inv.agentCode": ("申报企业代码", "Declaring agent"),
    "inv.logisticsCode": ("物流企业代码", "Logistics enterprise"),
    "inv.logisticsNo": ("物流运单编号", "Waybill no."),
    "inv.status": ("状态", "Status"),
    "inv.any_status": ("全部状态", "Any status"),
    "inv.direction": ("进出口", "Direction"),
    "inv.tradeMode": ("监管方式", "Trade mode"),
    "inv.buyerIdNumber": ("订购人证件号码", "Buyer ID number"),
    "inv.updated": ("更新时间", "Updated"),
    "inv.none": ("没有符合条件的清单", "No inventory matches"),
    "inv.total": ("共 {n} 条", "{n} found"),
    "inv.prev": ("上一页", "Previous"),
    "inv.next": ("下一页", "Next"),
    "inv.detail": ("清单详情", "Inventory"),
    "inv.documents": ("关联单证", "Linked documents"),
    "inv.history": ("状态历史", "Status history"),
    "inv.time": ("时间", "Time"),
    "inv.from": ("原状态", "From"),
    "inv.to": ("新状态", "To"),
    "inv.actor": ("操作方", "By"),
    "inv.reasons": ("原因", "Reasons"),
    "inv.facts": ("依据", "Facts"),
    "inv.tax": ("税款", "Tax bill"),
    "inv.no_tax": ("无税单", "No tax bill"),
    "doc.type": ("报文类型", "Message type"),
    "doc.kind": ("单证", "Document"),
    "doc.key": ("单证编号", "Key"),
    "doc.sender": ("传输企业", "Sender"),
    "doc.received": ("接收时间", "Received"),
    "tax.dutiable_value": ("完税价格", "Dutiable value"),
    "tax.tariff": ("关税", "Tariff"),
    "tax.vat": ("增值税", "VAT"),
    "tax.consumption_tax": ("消费税", "Consumption tax"),
    "tax.total": ("应征税额", "Total"),
    "dir.I": ("进口", "Import"),
    "dir.E": ("出口", "Export"),
    "status.100": ("退单", "Refused"),
    "status.120": ("入库（等待单证）", "Stored, waiting"),
    "status.399": ("结关（待运抵）", "Concluded"),
    "status.500": ("查验", "Inspection"),
    "status.800": ("放行", "Released"),
    "status.899": ("结关", "Closed"),
    "status.": ("—", "—"),
    "sum.title": ("汇总申报", "Summary declarations"),
    "sum.none": ("暂无汇总申报", "No summary declaration yet"),
    "sum.warnings": ("逾期未汇总提醒", "Overdue for summary"),
    "sum.deadline": ("期限", "deadline"),
    "sum.sumNo": ("汇总申请编号", "Summary no."),
    "sum.month": ("月份", "Month"),
    "sum.flag": ("汇总方式", "Summary flag"),
    "sum.created": ("申请时间", "Requested"),
    "sum.inventories": ("清单数", "Inventories"),
    "sum.rebate_class": ("退税分类", "Rebate class"),
    "sum.declaration": ("报关单", "Declaration"),
    "sum.gseqno": ("项号", "Line"),
    "sum.gname": ("商品名称", "Goods"),
    "sum.country": ("最终目的国", "Destination"),
    "sum.qty": ("数量", "Quantity"),
    "sum.total_price": ("总价", "Total price"),
    "sum.currency": ("币制", "Currency"),
    "sum.weight": ("毛重/净重", "Gross / net weight"),
    "sum.treatment": ("税收处理", "Tax treatment"),
    "sum.treatment.rebate": ("有票退税", "Rebate"),
    "sum.treatment.exemption": ("免税", "Exemption"),
    "sum.treatment.taxed": ("视同内销征税", "Taxed as domestic sale"),
    "sum.excluded": ("未纳入的清单", "Left out"),
    "sum.items": ("清单与报关单项对应", "Inventory lines to declaration lines"),
    "reg.title": ("备案信息", "Registry"),
    "reg.enterprises": ("企业", "Enterprises"),
    "reg.commodities": ("商品", "Commodities"),
    "reg.code": ("代码", "Code"),
    "reg.name": ("名称", "Name"),
    "reg.roles": ("类型", "Roles"),
    "reg.credit": ("信用等级", "Credit class"),
    "reg.county": ("县区", "County"),
    "reg.park": ("园区", "Park"),
    "reg.item_no": ("商品货号", "Item no."),
    "reg.hs_code": ("HS编码", "HS code"),
    "reg.origin": ("原产国", "Origin"),
    "err.not_found": ("未找到", "Not found"),
    "err.back": ("返回", "Back"),
}


def parse_lang(value: str | None) -> Lang | None:
    try:
        return Lang(value) if value else None
    except ValueError:
        return None


def pick_lang(query: str | None, cookie: str | None) -> Lang:
    """An explicit `?lang=` wins, then the visitor's remembered choice, then Chinese."""
    return parse_lang(query) or parse_lang(cookie) or DEFAULT_LANG


def translator(lang: Lang) -> Callable[..., str]:
    """`t(key, **values)`: the text in `lang`; an unknown key shows itself, so a gap is visible."""
    index = 0 if lang is Lang.ZH else 1

    def t(key: str, **values: object) -> str:
        pair = STRINGS.get(key)
        text = key if pair is None else pair[index]
        return text.format(**values) if values else text

    return t


def other_lang(lang: Lang) -> Lang:
    return Lang.EN if lang is Lang.ZH else Lang.ZH
