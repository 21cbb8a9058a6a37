"""The vocabulary of the demo company: channels, campaigns, titles, industries, countries, names.

Scores in [0, 1] say how well a value fits the demo company's ideal customer profile; the demo uses
them to tie firmographics to each lead's hidden fit.
"""

from __future__ import annotations

# source_group, source, campaigns, weight of leads, fit (a, b) and intent (a, b) Beta shapes, cost per lead
SOURCES = [
    ("Paid Search", "Google Ads", ["GA – Brand", "GA – Competitors", "GA – Lead scoring keywords"], 14, (2, 2.2), (1.6, 2.4), 180),
    ("Paid Search", "Bing Ads", ["Bing – Brand"], 3, (2, 2.2), (1.5, 2.5), 140),
    ("Paid Social", "LinkedIn Ads", ["LI – ABM Enterprise", "LI – Funnel report eBook"], 9, (2.4, 1.9), (1.3, 2.8), 260),
    ("Paid Social", "Facebook Ads", ["FB – Retargeting"], 6, (1.4, 2.8), (1.2, 3.0), 70),
    ("Paid Social", "X Ads", ["X – Awareness"], 2, (1.4, 2.6), (1.1, 3.2), 90),
    ("Organic Search", "Google", ["SEO – Blog"], 12, (1.8, 2.2), (1.4, 2.8), 0),
    ("Organic Search", "Bing", ["SEO – Blog"], 2, (1.8, 2.2), (1.4, 2.8), 0),
    ("Organic Search", "Baidu", ["SEO – China"], 2, (1.7, 2.3), (1.4, 2.8), 0),
    ("Email Marketing", "Newsletter", ["Monthly newsletter"], 7, (1.8, 2.2), (1.3, 2.8), 12),
    ("Email Marketing", "Nurture sequence", ["Nurture – Trial", "Nurture – Re-engage"], 5, (2, 2), (1.8, 2.2), 15),
    ("Events", "Trade show", ["SaaStr 2025", "Dreamforce booth"], 5, (2.8, 1.6), (1.8, 2.0), 420),
    ("Events", "Roadshow", ["Roadshow – EMEA"], 2, (2.6, 1.7), (1.7, 2.1), 380),
    ("Events", "Meetup", ["RevOps meetup"], 1, (2.0, 2.0), (1.6, 2.2), 120),
    ("Webinars", "Product webinar", ["Webinar – Funnel analytics 101", "Webinar – Scoring masterclass"], 6, (2.2, 1.9), (2.2, 1.8), 95),
    ("Webinars", "Partner webinar", ["Partner webinar – CRM"], 2, (2.3, 1.8), (2.0, 2.0), 110),
    ("Referrals", "Partner referral", ["Partner program"], 3, (3.0, 1.5), (2.4, 1.7), 150),
    ("Referrals", "Customer referral", ["Refer-a-friend"], 2, (3.0, 1.5), (2.6, 1.6), 60),
    ("Referrals", "G2", ["G2 profile"], 3, (2.2, 1.9), (2.6, 1.7), 85),
    ("Direct", "Website", ["(none)"], 7, (1.9, 2.1), (1.7, 2.3), 0),
    ("Direct", "Chat", ["Chatbot"], 1, (2.0, 2.0), (2.2, 1.8), 0),
]

SOURCE_GROUPS = list(dict.fromkeys(s[0] for s in SOURCES))

# Spend: cost per thousand impressions and click-through rate per source group.
CPM = {"Paid Search": 45.0, "Paid Social": 14.0, "Email Marketing": 2.0, "Events": 900.0, "Webinars": 25.0,
       "Referrals": 60.0}
CTR = {"Paid Search": 0.045, "Paid Social": 0.008, "Email Marketing": 0.03, "Events": 0.2, "Webinars": 0.05,
       "Referrals": 0.06}

EVENT_TYPES = ["page_view", "pricing_view", "email_open", "email_click", "content_download",
               "webinar_attended", "demo_request", "trial_signup", "form_submit", "event_attended"]
# Relative frequency of each event type for a lead of low and of high intent.
EVENT_WEIGHTS_LOW = [40, 1.5, 30, 5, 7, 1.5, 0.2, 0.4, 3, 0.8]
EVENT_WEIGHTS_HIGH = [28, 10, 18, 10, 10, 6, 4, 4.5, 4, 3]
# Channels the touches of each event type come through (uniform pick); None = the lead's own source group.
EVENT_CHANNELS = {
    "page_view": ["Organic Search", "Direct", "Paid Search", "Paid Social", "Organic Search", "Referrals"],
    "pricing_view": ["Direct", "Organic Search", "Paid Search"],
    "email_open": ["Email Marketing"],
    "email_click": ["Email Marketing"],
    "content_download": ["Paid Social", "Organic Search", "Email Marketing", "Paid Search"],
    "webinar_attended": ["Webinars"],
    "demo_request": ["Direct", "Paid Search", "Referrals"],
    "trial_signup": ["Direct", "Organic Search"],
    "form_submit": None,
    "event_attended": ["Events"],
}

# (title, seniority score, base weight)
TITLES = [
    ("CEO", 0.95, 2), ("CTO", 0.9, 2), ("VP Marketing", 1.0, 3), ("VP Sales", 0.95, 3),
    ("Director of Marketing", 0.9, 5), ("Head of Growth", 0.85, 4), ("Director of Revenue Operations", 0.95, 3),
    ("Marketing Operations Manager", 0.75, 6), ("Marketing Manager", 0.6, 10), ("Sales Manager", 0.5, 7),
    ("IT Manager", 0.3, 5), ("Marketing Specialist", 0.35, 10), ("Data Analyst", 0.4, 6),
    ("Consultant", 0.2, 6), ("Student", 0.0, 5), ("Intern", 0.05, 3),
]

# (industry, fit score, base weight)
INDUSTRIES = [
    ("Software", 1.0, 14), ("Financial Services", 0.9, 9), ("Professional Services", 0.75, 8),
    ("Healthcare", 0.6, 7), ("Manufacturing", 0.55, 8), ("Telecommunications", 0.7, 4),
    ("Retail", 0.35, 7), ("Media", 0.4, 5), ("Education", 0.15, 7), ("Non-profit", 0.05, 4),
    ("Government", 0.1, 3), ("Hospitality", 0.2, 4),
]

# (country code, country, region, fit score, base weight, phone country code, local number digits)
COUNTRIES = [
    ("US", "United States", "North America", 1.0, 34, "1", 10), ("CA", "Canada", "North America", 0.75, 5, "1", 10),
    ("GB", "United Kingdom", "EMEA", 0.85, 10, "44", 10), ("DE", "Germany", "EMEA", 0.8, 9, "49", 10),
    ("FR", "France", "EMEA", 0.6, 6, "33", 9), ("NL", "Netherlands", "EMEA", 0.7, 3, "31", 9),
    ("CN", "China", "APAC", 0.55, 8, "86", 11), ("JP", "Japan", "APAC", 0.5, 4, "81", 10),
    ("AU", "Australia", "APAC", 0.65, 4, "61", 9), ("IN", "India", "APAC", 0.25, 9, "91", 10),
    ("BR", "Brazil", "LATAM", 0.25, 5, "55", 11), ("MX", "Mexico", "LATAM", 0.2, 3, "52", 10),
]

FIRST_NAMES = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
               "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Chris", "Karen",
               "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Emily", "Wei", "Li", "Hannah",
               "Lukas", "Sophie", "Pierre", "Camille", "Hiroshi", "Yuki", "Priya", "Arjun", "Lucas", "Ana", "Sven",
               "Fatima", "Omar", "Elena", "Marco", "Julia", "Noah", "Mia", "Leon"]
LAST_NAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
              "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White",
              "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Zhang", "Wang", "Chen",
              "Liu", "Muller", "Schmidt", "Dubois", "Bernard", "Tanaka", "Sato", "Sharma", "Patel", "Silva",
              "Santos", "Jansen", "Berg", "Rossi", "Novak", "Kowalski", "Nguyen", "Kim", "Park"]

COMPANY_PREFIX = ["Acme", "Blue", "Nova", "Apex", "Orbit", "Vertex", "Pioneer", "Summit", "Bright", "Silver",
                  "Iron", "Green", "Red", "Quantum", "Polar", "Stellar", "Rapid", "Prime", "Atlas", "Zen",
                  "Cedar", "Falcon", "Harbor", "Lumen", "Maple", "Nimbus", "Oak", "Pixel", "Quartz", "Rocket",
                  "Sierra", "Terra", "Unity", "Vista", "Willow", "Xeno", "Yellow", "Zephyr", "Alpine", "Beacon"]
COMPANY_CORE = ["soft", "data", "logic", "works", "scale", "cloud", "metrics", "point", "wave", "line",
                "stack", "forge", "grid", "path", "core", "bridge", "field", "stone", "light", "mind",
                "link", "hub", "base", "craft", "flow"]
COMPANY_TAIL = ["Systems", "Labs", "Analytics", "Logistics", "Health", "Capital", "Foods", "Energy", "Robotics",
                "Media", "Software", "Partners", "Group", "Solutions", "Networks", "Retail", "Bank", "Insurance",
                "Consulting", "Industries"]
CN_CITIES = ["上海", "北京", "深圳", "杭州", "广州", "成都", "南京", "苏州"]
CN_CORES = ["云创", "数智", "华信", "天合", "博远", "星辰", "恒通", "锐思", "智联", "新元"]
CN_TAILS = ["科技", "信息技术", "网络科技", "软件", "数据"]
# Legal suffixes by country; duplicates of a company may use another spelling of the same suffix.
LEGAL_SUFFIXES = {"US": ["Inc", "Inc.", "LLC", "Corp."], "CA": ["Inc.", "Ltd."], "GB": ["Ltd", "Limited", "PLC"],
                  "DE": ["GmbH", "AG"], "FR": ["SA", "SAS"], "NL": ["B.V."], "JP": ["K.K.", "Co., Ltd."],
                  "AU": ["Pty Ltd"], "IN": ["Pvt. Ltd."], "BR": ["Ltda."], "MX": ["S.A. de C.V."]}

SALES_REPS = [  # (owner, region, median hours to accept)
    ("Alice Morgan", "North America", 0.7), ("Ben Carter", "North America", 2.5), ("Carla Diaz", "North America", 6.0),
    ("Dev Patel", "North America", 1.2), ("Emma Schulz", "EMEA", 1.0), ("Felix Laurent", "EMEA", 9.0),
    ("Grace O'Neill", "EMEA", 3.0), ("Hao Chen", "APAC", 1.5), ("Ines Kato", "APAC", 14.0),
    ("Jonas Silva", "LATAM", 4.0), ("Kira Novak", "EMEA", 0.8), ("Liam Brooks", "North America", 20.0),
]

RETURN_REASONS = [  # (reason, weight for a poor-fit lead, weight for a good-fit lead)
    ("Not a fit: company too small", 5, 0.5), ("Student or job seeker", 3, 0.1), ("Bad contact data", 2, 1),
    ("No budget", 2, 2), ("Timing: not buying this year", 1, 3), ("Already in contact with sales", 0.5, 2),
    ("Competitor", 0.5, 0.5),
]
