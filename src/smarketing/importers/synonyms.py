"""Header spellings per canonical column, matched after guess.key() (case, spaces and punctuation ignored);
earlier spellings win when two headers compete. English, Chinese and a few German spellings, assembled from
the exports in tests/data/header_sets.toml (HubSpot, Salesforce, Marketo, Pardot, Zoho, Pipedrive, Dynamics,
Mailchimp, ad platforms, Chinese CRMs and ad platforms, Kaggle-style lead files)."""

# fmt: off
SYNONYMS: dict[str, tuple[str, ...]] = {
    "lead_id": ("lead id", "leadid", "contact id", "prospect id", "mql id", "person id", "customer id", "subscriber id",
                "member id", "distinct id", "leid", "user id", "客户id", "客户编号", "线索id", "线索编号", "联系人id",
                "kunden nr", "kundennummer"),
    "created_at": ("created at", "create date", "created date", "created on", "created", "creation date",
                   "date created", "created time", "deal created", "lead created", "engage date", "first contact date", "signup date", "sign up date", "confirm time", "optin time",
                   "创建时间", "创建日期", "注册时间", "录入时间", "留资时间", "erstellt am", "erstelldatum"),
    "email": ("email", "e mail", "email address", "mail", "work email", "邮箱", "电子邮箱", "邮件", "电子邮件",
              "邮箱地址"),
    "phone": ("phone", "phone number", "business phone", "work phone", "telephone", "tel", "mobile", "mobile phone",
              "mobile phone number", "cell", "手机", "手机号", "手机号码", "电话", "联系电话", "telefon"),
    "company": ("company", "company name", "account name", "account", "company account", "organization",
                "organisation", "公司", "公司名称", "客户名称", "企业名称", "企业", "单位", "firma", "unternehmen"),
    "title": ("title", "job title", "position", "role", "job role", "职位", "职务", "头衔", "岗位"),
    "industry": ("industry", "sector", "vertical", "business segment", "行业", "所属行业", "branche"),
    "employees": ("employees", "number of employees", "no of employees", "employee count", "company size",
                  "headcount", "员工数", "员工人数", "公司规模", "mitarbeiter"),
    "country": ("country", "country region", "country/region", "office location", "国家", "国家地区", "land"),
    "region": ("region", "sales region", "state region", "state", "state or province", "stateorprovince",
               "province", "territory", "区域", "大区", "地区", "省份"),
    "source_group": ("source group", "channel group", "original source", "lead source", "lead source code",
                     "person source", "origin", "source type", "线索来源", "渠道类型", "来源类型", "渠道分组", "渠道大类"),
    "source": ("source", "utm source", "original source drill down 1", "original source data 1", "lead source detail", "来源", "渠道",
               "来源渠道", "quelle"),
    "campaign": ("campaign", "utm campaign", "campaign name", "campaign id", "campaignid", "acquisition program",
                 "first touch converting campaign",
                 "活动", "营销活动", "活动名称", "推广计划", "推广计划名称", "广告计划", "计划", "kampagne"),
    "owner": ("owner", "lead owner", "contact owner", "deal owner", "opportunity owner", "owner id", "sales rep",
              "assigned to", "负责人", "销售", "归属人", "所有人", "跟进人", "当前跟进人", "销售负责人", "user id"),
    "ts": ("ts", "timestamp", "event timestamp", "time", "event time", "occurred at", "created at", "created date",
           "activity date", "date", "时间", "发生时间", "行为时间"),
    "event_type": ("event type", "event name", "type name", "activity type", "activity type id", "event",
                   "activity", "type", "事件", "事件类型", "行为", "行为类型", "status"),
    "channel": ("channel", "medium", "utm medium", "渠道", "媒介"),
    "stage": ("stage", "lifecycle stage", "new value", "lead status", "status", "阶段", "生命周期阶段", "状态"),
    "entered_at": ("entered at", "stage date", "changed at", "created date", "date", "进入时间", "变更时间"),
    "deal_id": ("deal id", "opportunity id", "商机id", "商机编号", "订单号", "合同编号"),
    "closed_at": ("closed at", "close date", "closed date", "closing date", "won date", "成交日期", "关闭日期",
                  "成交时间"),
    "status": ("status", "deal status", "deal stage", "stage name", "stage", "result", "outcome", "商机阶段", "阶段", "状态",
               "结果"),
    "amount": ("amount", "value", "deal value", "close value", "revenue", "deal amount", "金额", "合同金额", "成交金额"),
    "dispatched_at": ("dispatched at", "assigned at", "handed off at", "handoff date", "分配时间", "分配到员工时间",
                      "下发时间"),
    "accepted_at": ("accepted at", "accept date", "接受时间", "确认时间"),
    "returned_at": ("returned at", "return date", "退回时间"),
    "return_reason": ("return reason", "reason", "退回原因", "原因"),
    "first_contact_at": ("first contact at", "first contacted", "首次联系时间", "首次跟进时间"),
    "date": ("date", "day", "start date", "reporting starts", "日期", "时间"),
    "impressions": ("impressions", "impr", "views", "展现", "曝光", "展示次数", "展示数", "展现量"),
    "clicks": ("link clicks", "clicks", "点击", "点击量", "点击次数"),
    "cost": ("cost", "spend", "amount spent", "total spent", "spent", "花费", "消费", "消耗", "成本", "费用"),
}
# Words a date header names the won stage by in any stage model ("成交日期", "赢单时间", "签约日期": closed, won, signed).
WON_WORDS = ("成交", "赢单", "签约", "成单")
# Id columns of sales reps, the closer first: in a won file with one row per lead, the first is the lead's owner
# (Olist's closed deals: sr_id, the sales rep who closed, before sdr_id; its seller_id is the new seller itself, last).
REP_IDS = ("sr", "salesrep", "salesrepresentative", "rep", "salesperson", "closer", "sdr", "bdr", "seller")
# Headers that name the row's own id, whatever the table: the lead's in a leads file, the deal's in a deals file.
OWN_ID = ("id", "record id", "recordid", "记录id")
OWN_ID_COLUMN = {"leads": "lead_id", "deals": "deal_id"}
# Known names too generic to count when they only appear inside a longer header ("Target Account" is not the
# company, "Lead - Title" is not a job title, "Add to Marketo Campaign" is not the campaign).
NOT_PARTIAL = {"account", "source", "campaign", "date", "time", "type", "event", "status", "stage", "reason",
               "value", "day", "views", "mail", "cell", "tel", "role", "position", "created", "activity", "result",
               "outcome", "land", "title", "mobile", "origin", "state", "province", "spent", "ts"}
# Words that make a header something else than the column it mentions: a flag, a ratio, a planned date.
NOT_THE_COLUMN = {"has", "is", "do", "not", "no", "opt", "allow", "per", "avg", "average", "rate", "ratio",
                  "expected", "planned", "next", "last", "previous", "预计", "下次", "平均", "千次", "率"}
