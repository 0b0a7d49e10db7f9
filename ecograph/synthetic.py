"""A synthetic but plausible Vietnamese innovation ecosystem, with weak links planted in it.

:func:`generate` builds organisations (startups, companies, universities, research
institutes, investors, government bodies, incubators and hubs, foreign partners) and their
collaborations, deterministically from a seed. Every name is fictional, composed from
Vietnamese and English parts; provinces and cities are real. Ties follow the pair's kinds
(an investor invests in a startup, an incubator incubates it, a university spins it off,
research institutes co-publish with universities, foreign partners join projects), grow by
preferential attachment so there are hubs, and stay in their province more often than not.

Into that graph it plants the weak links ecograph is built to surface, and records each in
:attr:`Demo.truth`:

- ``articulation_university``: a small province whose organisations reach the rest only
  through one university;
- ``gatekeeper``: a research institute through which every partner from one foreign
  country reaches the country;
- ``sector_without_research``: a sector whose startups have no university or research
  institute partner;
- ``under_connected_sector_pair``: two large sectors with no tie between their
  organisations;
- ``isolates``, ``startups_without_investor`` and ``missing_links`` (pairs with several
  common partners and a shared sector, but no tie).

It also plants changes between 2020–2022 and 2023–2025 (:data:`BEFORE`, :data:`AFTER`),
recorded under ``changes`` in the truth:

- ``healed_bridge``: a second small province whose organisations, tied in a ring, reach
  the rest through one tie (a bridge) until a second route opens in 2024;
- ``new_gatekeeper``: a foreign country whose partners, untied before 2023, all reach the
  country through one company from 2023;
- ``sector_gaining_research``: a sector whose startups have no university or research
  institute partner before 2023 and gain their first ones in 2023–2024;
- ``recommended_pairs``: two pairs with three common partners (and a shared sector) since
  before 2020 that collaborate from 2024 — what the recommender of 2020–2022 should find.

The planted structures are checked with networkx before :func:`generate` returns.

Examples
--------
>>> demo = generate(orgs=300, seed=7)
>>> len(demo.organizations), demo.truth["orgs"]
(300, 300)
>>> demo.truth["under_connected_sector_pair"]
['agritech', 'fintech']
>>> generate(orgs=300, seed=7).collaborations == demo.collaborations
True
"""

from __future__ import annotations

import csv
import gc
import json
import math
import random
import re
import unicodedata
from array import array
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

import networkx as nx
import numpy as np

from ecograph.countries import COUNTRY_CODES
from ecograph.csvcells import neutralise
from ecograph.model import (
    COLLABORATION_FIELDS,
    ORGANIZATION_FIELDS,
    Collaboration,
    Organization,
)
from ecograph.period import Period, active_ties
from ecograph.report import LoadReport
from ecograph.store import Store

__all__ = ["AFTER", "BEFORE", "MIN_ORGS", "Demo", "demo", "generate", "write_csv"]

MIN_ORGS = 100
"""The fewest organisations :func:`generate` accepts (the planted structures need room)."""

SECTOR_WITHOUT_RESEARCH = "cybersecurity"
UNDER_CONNECTED_PAIR = ("agritech", "fintech")
SECTOR_GAINING_RESEARCH = "mobility"
BEFORE, AFTER = (2020, 2022), (2023, 2025)
"""The two periods the planted changes fall between (first and last year of each)."""
_HEAL_YEAR = 2024  # the year the healed province's second route opens
_YEAR_MIN, _YEAR_MAX = 2015, 2026
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass
class Demo:
    """A generated ecosystem and the truth about the weak links planted in it."""

    organizations: list[Organization]
    collaborations: list[Collaboration]
    truth: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- vocabularies

# (sector, weight): how common each sector is among startups, companies and investors.
_SECTORS: tuple[tuple[str, float], ...] = (
    ("ai", 14),
    ("fintech", 13),
    ("agritech", 12),
    ("ecommerce", 10),
    ("iot", 8),
    ("edtech", 7),
    ("healthtech", 7),
    ("logistics", 7),
    ("cleantech", 6),
    ("semiconductors", 5),
    ("biotech", 5),
    ("cybersecurity", 5),
    ("robotics", 4),
    ("mobility", 4),
    ("foodtech", 3),
    ("blockchain", 3),
    ("gaming", 3),
)

# (province, weight, cities): where the home ecosystem lives, weighted towards the hubs.
_PROVINCES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("TP. Hồ Chí Minh", 32, ("TP. Hồ Chí Minh", "Thủ Đức")),
    ("Hà Nội", 30, ("Hà Nội",)),
    ("Đà Nẵng", 8, ("Đà Nẵng",)),
    ("Hải Phòng", 4, ("Hải Phòng",)),
    ("Cần Thơ", 4, ("Cần Thơ",)),
    ("Bắc Ninh", 3, ("Bắc Ninh", "Từ Sơn")),
    ("Bình Dương", 3, ("Thủ Dầu Một", "Dĩ An", "Thuận An")),
    ("Đồng Nai", 2.5, ("Biên Hòa", "Long Khánh")),
    ("Thái Nguyên", 2, ("Thái Nguyên", "Sông Công")),
    ("Khánh Hòa", 2, ("Nha Trang", "Cam Ranh")),
    ("Thừa Thiên Huế", 2, ("Huế",)),
    ("Nghệ An", 2, ("Vinh",)),
    ("Quảng Ninh", 2, ("Hạ Long", "Móng Cái")),
    ("Lâm Đồng", 1.5, ("Đà Lạt", "Bảo Lộc")),
    ("Thanh Hóa", 1.2, ("Thanh Hóa",)),
    ("Vĩnh Phúc", 1.2, ("Vĩnh Yên",)),
    ("Bà Rịa – Vũng Tàu", 1.2, ("Vũng Tàu", "Bà Rịa")),
    ("An Giang", 1, ("Long Xuyên", "Châu Đốc")),
    ("Hưng Yên", 1, ("Hưng Yên",)),
    ("Quảng Nam", 1, ("Tam Kỳ", "Hội An")),
    ("Bình Định", 1, ("Quy Nhơn",)),
    ("Long An", 1, ("Tân An",)),
    ("Đắk Lắk", 0.8, ("Buôn Ma Thuột",)),
    ("Hải Dương", 0.8, ("Hải Dương",)),
)
# Small provinces, one of which becomes the province cut off behind one university.
_SMALL_PROVINCES: tuple[tuple[str, str], ...] = (
    ("Điện Biên", "Điện Biên Phủ"),
    ("Lai Châu", "Lai Châu"),
    ("Cao Bằng", "Cao Bằng"),
    ("Sơn La", "Sơn La"),
    ("Lạng Sơn", "Lạng Sơn"),
)
# Sectors the cut-off province and its university work in (none of the planted sectors).
_RURAL_SECTORS = ("agritech", "cleantech", "edtech", "healthtech", "logistics", "foodtech")

# Vietnamese rivers, mountains and regions: the place part of fictional names.
_VN_PLACES = (
    "Sông Hồng", "Cửu Long", "Trường Sơn", "Hoàng Liên", "Sông Đà", "Lam Sơn", "Bạch Đằng",
    "Phong Nha", "Tây Nguyên", "Tràng An", "Hương Giang", "Sông Hàn", "Sông Lam", "Sông Mã",
    "Sông Cầu", "Sông Tiền", "Sông Hậu", "Hải Vân", "Ba Vì", "Tam Đảo", "Yên Tử", "Bến Nghé",
    "Cần Giờ", "Lang Biang", "Thu Bồn", "Trà Khúc", "Non Nước", "Cát Bà", "Côn Sơn", "Mũi Né",
    "Ngũ Hành", "Duyên Hải", "Châu Thổ", "Sông Gianh", "Sông Thương", "Sông Lô", "Sông Chu",
    "Sông Bé", "Đồng Văn", "Mẫu Sơn", "Bạch Mã", "Ngọc Linh", "Nam Bộ", "Bắc Bộ", "Trung Bộ",
    "Sông Kôn", "Sông Trà", "Vàm Cỏ", "Hàm Rồng", "Núi Cấm",
)  # fmt: skip
# Syllables of Vietnamese brand names, two to a brand: "Thịnh Phát", "Minh Khang".
_VN_BRAND_SYLLABLES = (
    "An", "Bảo", "Gia", "Hưng", "Minh", "Phúc", "Quang", "Tân", "Thịnh", "Tiến", "Trí", "Việt",
    "Vĩnh", "Đức", "Hòa", "Kim", "Ngọc", "Phú", "Thành", "Thiên", "Nhật", "Hải", "Long", "Phát",
    "Đạt", "Khang", "Lộc", "Tâm", "Sơn", "Nam", "Huy", "Khôi", "Lâm", "Nguyên", "Thái", "Vạn",
)  # fmt: skip
# Syllables of invented brand names: "Vinova", "Kalumi", "Zotek".
_BRAND_HEADS = (
    "Vi", "Ka", "Lu", "Mi", "Zo", "Na", "Ta", "Ri", "Bo", "Ha", "Lo", "Sa", "Xe", "Da", "Fi",
    "Ne", "Po", "Te", "Ki", "Mo",
)  # fmt: skip
_BRAND_MIDDLES = ("no", "ra", "li", "ta", "mo", "ve", "ko", "zi", "na", "lu", "")
_BRAND_TAILS = ("va", "tek", "ra", "lo", "mi", "x", "ly", "fy", "go", "on", "ia", "sa", "ki")
# English and Vietnamese brand words for startups ("Lotus AI Labs", "Mây Pay").
_BRAND_NOUNS_EN = (
    "Lotus", "Bamboo", "Jade", "Saola", "Lantern", "Orchid", "Monsoon", "Delta", "Mekong",
    "Kite", "Compass", "Pebble", "Harbor", "Horizon", "Nova", "Zenith", "Aurora", "Orbit",
    "Vega", "Lumen", "Tidal", "Pagoda", "Sampan", "Silk", "Indigo", "Cinnamon", "Pepper",
    "Mango", "Jackfruit", "Durian", "Coconut", "Lychee", "Pomelo", "Starfruit", "Kingfisher",
    "Crane", "Heron", "Egret", "Swallow", "Peacock", "Buffalo", "Dragonfly", "Firefly",
    "Banyan", "Rattan",
)  # fmt: skip
_BRAND_NOUNS_VN = (
    "Sen", "Tre", "Mây", "Sao", "Nắng", "Gió", "Biển", "Lúa", "Mầm", "Cánh Diều", "Sóng",
    "Ánh Dương", "Hạt Ngọc", "Phù Sa", "Chuồn Chuồn", "Hoa Cau", "Lá Chuối", "Sương Sớm",
)  # fmt: skip
_BRAND_ADJECTIVES = (
    "Blue", "Red", "Golden", "Silver", "Green", "Bright", "Swift", "Smart", "Deep", "True",
    "Open", "Next", "Clear", "Little", "Wild", "Rising", "North", "South", "East", "West",
)  # fmt: skip
# Per sector: English name suffixes and Vietnamese trade words.
_SECTOR_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ai": (("AI", "AI Labs", "Vision", "Mind", "Intelligence", "Neural"),
           ("Trí tuệ Nhân tạo", "Giải pháp Thông minh")),
    "fintech": (("Pay", "Fintech", "Wallet", "Lend", "Finance"), ("Thanh toán Số", "Tài chính Số")),
    "ecommerce": (("Mart", "Shop", "Commerce", "Market"), ("Thương mại Điện tử", "Bán lẻ Số")),
    "agritech": (("Agri", "Farm", "AgriTech", "Harvest"),
                 ("Nông nghiệp Công nghệ cao", "Nông sản Số")),
    "iot": (("IoT", "Sense", "Connect", "Devices"), ("Thiết bị Thông minh", "Kết nối Vạn vật")),
    "edtech": (("Edu", "Learn", "Academy", "Class"), ("Giáo dục Số", "Đào tạo Trực tuyến")),
    "healthtech": (("Health", "Care", "Med", "Clinic"), ("Y tế Số", "Thiết bị Y tế")),
    "logistics": (("Logistics", "Express", "Freight", "Route"), ("Logistics", "Vận tải Thông minh")),
    "cleantech": (("Solar", "Energy", "Green", "Power"), ("Năng lượng Xanh", "Năng lượng Tái tạo")),
    "semiconductors": (("Semi", "Silicon", "Chip Design", "Microelectronics"),
                       ("Vi mạch", "Bán dẫn")),
    "biotech": (("Bio", "Genomics", "Biotech", "Life Sciences"),
                ("Công nghệ Sinh học", "Dược phẩm Sinh học")),
    "cybersecurity": (("Secure", "Cyber", "Shield", "Guard"), ("An ninh Mạng", "Bảo mật Thông tin")),
    "robotics": (("Robotics", "Automation", "Robot"), ("Tự động hóa", "Robot")),
    "mobility": (("Mobility", "Ride", "EV", "Move"), ("Giao thông Thông minh", "Xe điện")),
    "foodtech": (("Food", "Kitchen", "Fresh"), ("Thực phẩm Số", "Công nghệ Thực phẩm")),
    "blockchain": (("Chain", "Ledger", "Block"), ("Chuỗi khối", "Sổ cái Số")),
    "gaming": (("Games", "Studio", "Play"), ("Trò chơi Số", "Giải trí Số")),
}  # fmt: skip
_VN_FORMS_STARTUP = (
    "{brand} {suffix}", "{brand} {suffix}", "{brand}{compact}", "Công ty Cổ phần {brand} {suffix}",
    "Công ty TNHH {brand} {suffix}", "{brand} {suffix} Việt Nam", "{vnplace} {suffix}",
)  # fmt: skip
_VN_FORMS_COMPANY = (
    "Công ty Cổ phần {trade} {vnbrand}", "Công ty Cổ phần {trade} {vnbrand}",
    "Công ty TNHH {trade} {vnbrand}", "Tập đoàn {trade} {vnbrand}",
    "Tổng Công ty {trade} {vnplace}", "{brand} {suffix} Corporation", "{brand} {suffix} JSC",
)  # fmt: skip
# University fields: (Vietnamese, English, sectors).
_UNI_FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Công nghệ", "University of Technology", ("ai", "iot", "semiconductors", "robotics")),
    ("Kỹ thuật", "University of Engineering", ("iot", "robotics", "cleantech", "mobility")),
    ("Bách khoa", "Polytechnic University", ("semiconductors", "ai", "cleantech", "robotics")),
    ("Khoa học Ứng dụng", "University of Applied Sciences", ("ai", "biotech", "iot")),
    ("Kinh tế", "University of Economics", ("fintech", "ecommerce", "logistics")),
    ("Nông Lâm", "University of Agriculture and Forestry", ("agritech", "biotech", "foodtech")),
    ("Y Dược", "University of Medicine and Pharmacy", ("healthtech", "biotech")),
    ("Sư phạm Kỹ thuật", "University of Technical Education", ("edtech", "robotics", "iot")),
    ("Công nghệ Thông tin", "University of Information Technology",
     ("ai", "cybersecurity", "blockchain", "gaming")),
    ("Khoa học Tự nhiên", "University of Science", ("biotech", "ai", "semiconductors")),
    ("Giao thông Vận tải", "University of Transport", ("logistics", "mobility")),
    ("Thủy sản", "University of Fisheries", ("agritech", "foodtech")),
)  # fmt: skip
_UNI_PREFIXES = ("Đại học", "Trường Đại học", "Trường Đại học", "Học viện")
# Research fields: (Vietnamese, English, sectors).
_RI_FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Nông nghiệp", "Agriculture", ("agritech", "foodtech")),
    ("Vật liệu Tiên tiến", "Advanced Materials", ("semiconductors", "cleantech")),
    ("Công nghệ Sinh học", "Biotechnology", ("biotech", "healthtech")),
    ("Trí tuệ Nhân tạo", "Artificial Intelligence", ("ai", "robotics")),
    ("Vi điện tử", "Microelectronics", ("semiconductors", "iot")),
    ("Năng lượng Tái tạo", "Renewable Energy", ("cleantech", "mobility")),
    ("Y sinh", "Biomedicine", ("healthtech", "biotech")),
    ("Cơ điện tử", "Mechatronics", ("robotics", "iot")),
    ("Khoa học Dữ liệu", "Data Science", ("ai", "fintech")),
    ("Thủy sản", "Aquaculture", ("agritech", "foodtech")),
    ("Công nghệ Môi trường", "Environmental Technology", ("cleantech", "agritech")),
    ("An toàn Thông tin", "Information Security", ("cybersecurity", "blockchain")),
    ("Logistics và Chuỗi cung ứng", "Logistics and Supply Chains", ("logistics", "ecommerce")),
)  # fmt: skip
_RI_FORMS = (
    "Viện Nghiên cứu {field} {place}", "Viện {field} {place}",
    "Trung tâm Nghiên cứu {field} {place}", "Phòng Thí nghiệm Trọng điểm {field} {place}",
)  # fmt: skip
_INVESTOR_FORMS = (
    "{brand} Ventures", "{brand} Capital", "{brand} Partners", "{brand} Angels",
    "Quỹ Đầu tư {vnbrand}", "Quỹ Đầu tư Mạo hiểm {vnbrand}", "Quỹ Khởi nghiệp {vnplace}",
    "{vnbrand} Capital",
)  # fmt: skip
_GOV_FORMS = (
    "Ban Đổi mới Sáng tạo {province}", "Văn phòng Chuyển đổi số {province}",
    "Quỹ Phát triển Công nghệ {province}", "Trung tâm Xúc tiến Đầu tư Công nghệ {province}",
    "Ban Quản lý Khu Công nghệ {vnplace}", "Chương trình Ươm tạo Công nghệ {vnplace}",
    "Trung tâm Chuyển giao Công nghệ {vnplace}", "Văn phòng Điều phối {trade} {province}",
)  # fmt: skip
_SUPPORT_FORMS = (
    "Vườn ươm Doanh nghiệp {vnplace}", "{brand} Accelerator", "{brand} Innovation Hub",
    "Trung tâm Khởi nghiệp Sáng tạo {vnplace}", "Hiệp hội Doanh nghiệp {trade} {vnplace}",
    "{brand} Startup Studio", "{brand} Makerspace", "Không gian Sáng tạo {vnplace}",
)  # fmt: skip
_OTHER_FORMS = (
    "Bệnh viện Đa khoa {vnplace}", "Hợp tác xã Nông nghiệp {vnplace}",
    "Trung tâm Dữ liệu {vnbrand}", "Quỹ Học bổng {vnbrand}", "Mạng lưới Chuyên gia {vnplace}",
)  # fmt: skip

# Foreign countries: weight, name words, (province, city) pairs, legal suffix, templates.
_FOREIGN: dict[str, dict] = {
    "JP": dict(weight=18, words=("Hoshizora", "Aozora", "Kawabe", "Minamikaze", "Yamabuki",
               "Takamine", "Kirigaoka", "Hinode", "Tsubame", "Komorebi", "Shinonome", "Akatsuki"),
               places=(("Tokyo", "Tokyo"), ("Osaka", "Osaka"), ("Fukuoka", "Fukuoka"),
                       ("Aichi", "Nagoya")),
               legal="Co., Ltd.", uni="{w} Institute of Technology", ri="{w} Research Institute for {f}",
               gov="{w} Prefectural Innovation Office"),
    "KR": dict(weight=16, words=("Hanbit", "Saebyeok", "Dongbang", "Haneul", "Bitnara", "Saeron",
               "Nuri", "Gaon", "Dasom", "Yeoul", "Areum", "Chorok"),
               places=(("Seoul", "Seoul"), ("Gyeonggi", "Suwon"), ("Daejeon", "Daejeon"),
                       ("Busan", "Busan")),
               legal="Co., Ltd.", uni="{w} Institute of Science and Technology",
               ri="{w} Research Institute of {f}", gov="{w} Technology Cooperation Agency"),
    "SG": dict(weight=12, words=("Merlion", "Kallang", "Straits", "Lion City", "Marina Bay",
               "Bukit Timah Tech", "Tanjong", "Serangoon", "Katong", "Punggol"),
               places=((None, "Singapore"),), legal="Pte. Ltd.", uni="{w} Institute of Technology",
               ri="{w} Centre for {f}", gov="{w} Enterprise Development Office"),
    "US": dict(weight=12, words=("Cascade", "Redwood", "Prairie", "Bluegrass", "Lakeshore",
               "Granite", "Mesa", "Sierra", "Bayou", "Piedmont", "Cypress", "Timberline"),
               places=(("California", "San Jose"), ("Massachusetts", "Boston"),
                       ("Texas", "Austin"), ("Washington", "Seattle")),
               legal="Inc.", uni="{w} State Institute of Technology", ri="{w} Laboratory for {f}",
               gov="{w} Trade and Technology Office"),
    "DE": dict(weight=7, words=("Lindenau", "Rheinfeld", "Nordwerk", "Elbtal", "Tannberg",
               "Schwarzach", "Auental", "Weidenbach", "Bergheide", "Mainau"),
               places=(("Bayern", "München"), ("Baden-Württemberg", "Stuttgart"),
                       ("Sachsen", "Dresden"), ("Berlin", "Berlin")),
               legal="GmbH", uni="Technische Hochschule {w}", ri="Institut {w} für {f}", lang="de",
               gov="Innovationsagentur {w}"),
    "FR": dict(weight=6, words=("Beaumont", "Clairvaux", "Montclair", "Saint-Aubin", "Valmont",
               "Lumière-Atlantique", "Belle-Rive", "Hautecombe", "Rochefort-Azur"),
               places=(("Île-de-France", "Paris"), ("Auvergne-Rhône-Alpes", "Grenoble"),
                       ("Occitanie", "Toulouse")),
               legal="SAS", uni="Université de {w}", ri="Institut de Recherche {w} en {f}", lang="fr",
               gov="Agence de l'Innovation {w}"),
    "AU": dict(weight=6, words=("Southern Cross", "Wattle", "Kookaburra", "Bluegum", "Coral Coast",
               "Red Centre", "Murray Basin", "Ironbark", "Saltbush"),
               places=(("New South Wales", "Sydney"), ("Victoria", "Melbourne"),
                       ("Queensland", "Brisbane")),
               legal="Pty Ltd", uni="{w} University of Technology", ri="{w} Institute for {f}",
               gov="{w} Trade and Investment Office"),
    "TW": dict(weight=7, words=("Jade Mountain", "Tamsui", "Sun Moon", "Alishan", "Keelung",
               "Taroko", "Penghu", "Yehliu", "Hehuan"),
               places=(("Hsinchu", "Hsinchu"), ("Taipei", "Taipei"), ("Tainan", "Tainan")),
               legal="Corp.", uni="{w} University of Science and Technology",
               ri="{w} Institute for {f}", gov="{w} Industrial Development Office"),
    "CN": dict(weight=6, words=("Qinghe", "Nanhu", "Jinjiang", "Xiangshan", "Baiyun", "Yuelu",
               "Donghu", "Xilin", "Huangpu Bay"),
               places=(("Guangdong", "Shenzhen"), ("Beijing", "Beijing"), ("Shanghai", "Shanghai")),
               legal="Co., Ltd.", uni="{w} University of Technology", ri="{w} Institute of {f}",
               gov="{w} Science Park Administration"),
    "NL": dict(weight=5, words=("Polder", "Zeewind", "Veenland", "Duinrand", "Waterland",
               "Lindeboom", "Molenwaard", "Kanaalzicht", "Tulpendal"),
               places=(("Noord-Brabant", "Eindhoven"), ("Zuid-Holland", "Delft"),
                       ("Gelderland", "Wageningen")),
               legal="B.V.", uni="{w} University of Applied Sciences", ri="{w} Institute for {f}",
               gov="{w} Innovation Agency"),
    "FI": dict(weight=5, words=("Revontuli", "Kuusi", "Järvi", "Saimaa", "Koivu", "Lumi",
               "Kallio", "Hiekka", "Myrsky", "Tähti", "Kaamos", "Ruska"),
               places=(("Uusimaa", "Espoo"), ("Pirkanmaa", "Tampere"),
                       ("Pohjois-Pohjanmaa", "Oulu")),
               legal="Oy", uni="{w} University of Applied Sciences", ri="{w} Research Centre for {f}",
               gov="{w} Regional Innovation Office"),
}  # fmt: skip
# Research fields in the languages of foreign names that are not English.
_FIELD_NAMES: dict[str, dict[str, str]] = {
    "de": {
        "Agriculture": "Agrarforschung", "Advanced Materials": "Neue Materialien",
        "Biotechnology": "Biotechnologie", "Artificial Intelligence": "Künstliche Intelligenz",
        "Microelectronics": "Mikroelektronik", "Renewable Energy": "Erneuerbare Energien",
        "Biomedicine": "Biomedizin", "Mechatronics": "Mechatronik",
        "Data Science": "Datenwissenschaft", "Aquaculture": "Aquakultur",
        "Environmental Technology": "Umwelttechnik",
        "Information Security": "Informationssicherheit",
        "Logistics and Supply Chains": "Logistik und Lieferketten",
    },
    "fr": {
        "Agriculture": "Agronomie", "Advanced Materials": "Matériaux Avancés",
        "Biotechnology": "Biotechnologie", "Artificial Intelligence": "Intelligence Artificielle",
        "Microelectronics": "Microélectronique", "Renewable Energy": "Énergies Renouvelables",
        "Biomedicine": "Biomédecine", "Mechatronics": "Mécatronique",
        "Data Science": "Science des Données", "Aquaculture": "Aquaculture",
        "Environmental Technology": "Technologies de l'Environnement",
        "Information Security": "Sécurité de l'Information",
        "Logistics and Supply Chains": "Logistique",
    },
}  # fmt: skip
_GENERIC_FOREIGN = (
    "Works", "Dynamics", "Solutions", "Industries", "Electronics", "Networks",
    "Systems", "Technologies", "Labs", "Digital",
)  # fmt: skip
_GATEKEEPER_COUNTRIES = ("FI", "NL", "DE", "FR")
_FOREIGN_KIND_SHARES = (
    ("university", 22), ("research_institute", 15), ("company", 33), ("startup", 7),
    ("investor", 13), ("government", 5), ("support_org", 5),
)  # fmt: skip
_DOMESTIC_KIND_SHARES = (
    ("startup", 0.45), ("company", 0.25), ("university", 0.045), ("research_institute", 0.04),
    ("investor", 0.06), ("government", 0.035), ("support_org", 0.06), ("other", 0.035),
)  # fmt: skip
_KIND_CODES = {
    "startup": "st", "company": "co", "university": "uni", "research_institute": "ri",
    "investor": "inv", "government": "gov", "support_org": "sup", "other": "oth",
}  # fmt: skip
_RESEARCH_KINDS = frozenset({"university", "research_institute"})

# Pools that ties draw their ends from: the kind at home, or a group of foreign kinds.
_FOREIGN_POOL = {
    "university": "f_research", "research_institute": "f_research", "investor": "f_investor",
    "government": "f_gov", "company": "f_company", "startup": "f_company",
    "support_org": "f_company", "other": "f_company",
}  # fmt: skip
# The mix of pairs the bulk of ties join: (weight, pool of one end, pool of the other).
_MIX: tuple[tuple[float, str, str], ...] = (
    (14, "investor", "startup"), (2, "investor", "company"), (2.5, "f_investor", "startup"),
    (1, "investor", "support_org"), (0.6, "investor", "investor"),
    (9, "support_org", "startup"), (1.5, "support_org", "company"),
    (0.6, "support_org", "university"),
    (7, "university", "startup"), (9, "university", "company"),
    (3, "research_institute", "startup"), (4, "research_institute", "company"),
    (5, "university", "university"), (4, "university", "research_institute"),
    (1.5, "research_institute", "research_institute"),
    (3, "f_research", "university"), (1.5, "f_research", "research_institute"),
    (3, "f_company", "company"), (1, "f_company", "startup"), (1, "f_company", "university"),
    (0.7, "f_gov", "government"), (0.5, "f_gov", "university"),
    (2.5, "government", "company"), (1.5, "government", "startup"),
    (1.5, "government", "university"), (1, "government", "support_org"),
    (0.7, "government", "research_institute"),
    (12, "company", "startup"), (8, "company", "company"), (5, "startup", "startup"),
    (1, "other", "company"), (1, "other", "university"), (0.5, "other", "startup"),
)  # fmt: skip
# Each organisation's first tie: the pools it looks for a partner in, by its own pool.
_FIRST_TIE: dict[str, tuple[tuple[str, float], ...]] = {
    "startup": (("investor", 3), ("support_org", 3), ("company", 2), ("university", 2),
                ("research_institute", 0.5), ("startup", 1)),
    "company": (("company", 2), ("startup", 1), ("university", 2), ("research_institute", 1),
                ("government", 1), ("investor", 0.5)),
    "university": (("company", 2), ("university", 1), ("research_institute", 1),
                   ("government", 1), ("startup", 1), ("f_research", 0.5)),
    "research_institute": (("university", 2), ("company", 1), ("research_institute", 0.5),
                           ("f_research", 0.5)),
    "investor": (("startup", 4), ("company", 1)),
    "government": (("university", 1), ("company", 1), ("support_org", 1), ("startup", 0.5)),
    "support_org": (("startup", 3), ("government", 1), ("university", 1)),
    "other": (("company", 1), ("university", 1), ("government", 0.5)),
    "f_research": (("university", 2), ("research_institute", 1), ("company", 0.5)),
    "f_company": (("company", 2), ("startup", 1), ("university", 1)),
    "f_investor": (("startup", 3), ("company", 1)),
    "f_gov": (("government", 1), ("university", 1)),
}  # fmt: skip

# Tie start years 2015–2026, more in recent years.
_YEARS = tuple(range(_YEAR_MIN, _YEAR_MAX + 1))
_YEAR_CUM = tuple(accumulate((3, 3, 4, 4, 5, 5, 6, 7, 8, 8, 7, 4)))
_WEIGHTS: dict[str, tuple[float, ...]] = {
    "investment": (1.0, 1.0, 2.0, 3.0),
    "incubation": (1.0, 1.0, 2.0),
    "spin_off": (3.0, 4.0),
    "research": (1.0, 2.0, 2.0, 3.0, 4.0, 5.0),
    "licensing": (2.0, 2.5, 3.0),
    "training": (0.5, 1.0, 1.0, 2.0),
    "co_publication": (1.0, 1.0, 2.0, 3.0, 4.0, 6.0, 9.0, 12.0),
    "joint_project": (1.0, 1.5, 2.0, 3.0),
    "mou": (0.5, 1.0, 1.0),
    "other": (0.5, 1.0, 1.5),
}
# Chance that a tie of each kind has a known end, and how many years it runs.
_END: dict[str, tuple[float, int, int]] = {
    "mou": (0.35, 3, 5),
    "joint_project": (0.3, 1, 3),
    "research": (0.3, 1, 4),
    "training": (0.25, 1, 2),
    "incubation": (0.6, 1, 2),
    "licensing": (0.2, 3, 5),
}
_EVIDENCE_PATH = {
    "investment": "deals",
    "co_publication": "publications",
    "mou": "agreements",
    "spin_off": "spin-offs",
    "licensing": "licences",
}

_YEAR_TEXT = {y: str(y) for y in _YEARS}
_REPORT_TEXT = {y: f"Báo cáo thường niên {y}" for y in range(_YEAR_MIN, _YEAR_MAX + 10)}
# Founding years (low, high, mode) by kind, at home and abroad.
_FOUNDED: dict[str, tuple[int, int, int]] = {
    "startup": (2010, 2025, 2019),
    "company": (1988, 2020, 2008),
    "university": (1956, 2012, 1995),
    "research_institute": (1960, 2018, 1998),
    "investor": (2005, 2023, 2016),
    "government": (1990, 2020, 2008),
    "support_org": (2012, 2024, 2018),
    "other": (1980, 2020, 2005),
}
_FOREIGN_FOUNDED: dict[str, tuple[int, int, int]] = {
    "university": (1877, 1995, 1960),
    "research_institute": (1950, 2015, 1990),
    "government": (1960, 2015, 1995),
    "company": (1950, 2020, 1995),
    "investor": (1985, 2022, 2010),
}

# Groups of organisations set apart by a planted structure; reserved are the common
# partners of a missing link, kept to the ties planted for them.
# Groups from _ISOLATE up never take part in the random ties: their ties are planted.
_GENERAL, _CUT_OFF, _GATED, _ISOLATE, _RESERVED, _HEALED, _NEW_GATED = 0, 1, 2, 3, 4, 5, 6
# Flags: what makes a tie break a planted sector structure. _LATE startups (of the sector
# gaining research partners) get research partners only where planted.
_X_STARTUP, _RESEARCH, _S1, _S2, _LATE = 1, 2, 4, 8, 16
_FLAG_BITS = 5
_NO_RESEARCH = _X_STARTUP | _LATE
_CONFLICT = bytes(
    bool(
        (a & _NO_RESEARCH and b & _RESEARCH)
        or (b & _NO_RESEARCH and a & _RESEARCH)
        or (a & _S1 and b & _S2)
        or (a & _S2 and b & _S1)
    )
    for a in range(1 << _FLAG_BITS)
    for b in range(1 << _FLAG_BITS)
)


# --------------------------------------------------------------------------- helpers


def _slug(text: str) -> str:
    """ASCII, lower case, words joined by ``-``: ``"Sông Hàn AI"`` → ``"song-han-ai"``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _NON_ALNUM.sub("-", ascii_).strip("-")


def _acronym(text: str) -> str:
    """Initials of the capitalised words: ``"Song Hong University of Technology"`` → ``"SHUT"``."""
    return "".join(w[0] for w in _slug(text).split("-") if w not in {"of", "and", "for", "en"}).upper()


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else repr(value)


def _text(value: str | None) -> str:
    return "" if value is None else neutralise(value)


class _Parts(dict):
    """The parts of a name template, drawn only when the template asks for them."""

    def __init__(self, builder: _Builder, sector: str, province: str) -> None:
        super().__init__(province=province)
        self.builder = builder
        self.suffixes, self.trades = _SECTOR_WORDS[sector]

    def __missing__(self, key: str) -> str:
        pick = self.builder._pick
        if key == "brand":
            value = self.builder._brand()
        elif key == "suffix":
            value = pick(self.suffixes)
        elif key == "compact":
            value = pick(self.suffixes).replace(" ", "")
        elif key == "vnplace":
            value = pick(_VN_PLACES)
        elif key == "vnbrand":
            value = self.builder._vn_brand()
        elif key == "trade":
            value = pick(self.trades)
        else:
            raise KeyError(key)
        self[key] = value
        return value


class _Builder:
    """The generation state. Organisations are indices into parallel lists."""

    def __init__(self, orgs: int, seed: int, home_country: str) -> None:
        self.total_orgs = orgs
        self.seed = seed
        self.home = home_country
        self.rng = random.Random(seed)
        self.random = self.rng.random
        # Organisations, by index.
        self.orgs: list[Organization] = []
        self.ids: list[str] = []
        self.kind: list[str] = []
        self.foreign: list[bool] = []
        self.province: list[str | None] = []
        self.founded: list[int | None] = []
        self.group: list[int] = []
        self.flags = bytearray()  # _X_STARTUP | _RESEARCH | _S1 | _S2
        self.pool: list[str | None] = []
        self.degree: list[int] = []
        self.used_names: set[str] = set()
        self.id_counters: dict[tuple[str, str], int] = {}
        self.id_widths: dict[tuple[str, str], int] = {}
        # Ties: the records, their ends as indices, and the pairs already tied.
        self.ties: list[Collaboration] = []
        self.sources = array("l")
        self.targets = array("l")
        self.pairs: set[int] = set()
        self.forbidden: set[int] = set()
        self.deal_counter = 0
        self.dates: dict[str, str] = {}
        # Preferential attachment: a pool is a list of tickets, some per organisation at
        # first and one more per tie; drawing a ticket draws an organisation.
        self.tickets: dict[str, list[int]] = {}
        self.local: dict[tuple[str, str | None], list[int]] = {}
        self.my_tickets: list[list[int] | None] = []
        self.my_local: list[list[int] | None] = []
        self.first_tie_options: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {}
        self.cut_university = self.gatekeeper = -1
        self.province_cum = tuple(accumulate(w for _, w, _ in _PROVINCES))
        self.sector_cum = tuple(accumulate(w for _, w in _SECTORS))
        self.sector_names = tuple(s for s, _ in _SECTORS)

    # ---------------------------------------------------------------- names and fields

    def _pick(self, seq):
        return seq[int(self.random() * len(seq))]

    def _sectors(self, how_many: int, pool: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """*how_many* sectors (by prevalence, or from *pool*), never both of the planted pair."""
        chosen: list[str] = []
        s1, s2 = UNDER_CONNECTED_PAIR
        for _ in range(how_many * 4):
            if len(chosen) == how_many:
                break
            if pool is None:
                s = self.sector_names[bisect(self.sector_cum, self.random() * self.sector_cum[-1])]
            else:
                s = self._pick(pool)
            if s in chosen or (s == s1 and s2 in chosen) or (s == s2 and s1 in chosen):
                continue
            chosen.append(s)
        return tuple(chosen)

    def _how_many_sectors(self) -> int:
        r = self.random()
        return 1 if r < 0.5 else 2 if r < 0.85 else 3

    def _brand(self) -> str:
        r = self.random()
        pick = self._pick
        if r < 0.45:
            return pick(_BRAND_HEADS) + pick(_BRAND_MIDDLES) + pick(_BRAND_TAILS)
        if r < 0.75:
            return pick(_BRAND_ADJECTIVES) + pick(_BRAND_NOUNS_EN)
        return pick(_BRAND_NOUNS_EN if r < 0.9 else _BRAND_NOUNS_VN)

    def _vn_brand(self) -> str:
        first = self._pick(_VN_BRAND_SYLLABLES)
        second = self._pick(_VN_BRAND_SYLLABLES)
        return f"{first} {second}" if first != second else f"{first} {self._pick(_VN_PLACES)}"

    def _unique(self, make, disambiguators: tuple[str, ...]) -> str:
        """A name from *make* not used before: redraws, then a place in brackets, then a number."""
        used = self.used_names
        name = make()
        for _ in range(4):
            if name not in used:
                break
            name = make()
        if name in used:
            for extra in disambiguators:
                if f"{name} ({extra})" not in used:
                    name = f"{name} ({extra})"
                    break
            else:
                n = 2
                while f"{name} {n}" in used:
                    n += 1
                name = f"{name} {n}"
        used.add(name)
        return name

    def _domestic_name(self, kind: str, sectors: tuple[str, ...], province: str, city: str):
        """(name, aliases, description) for a home organisation."""
        sector = sectors[0] if sectors else self._pick(self.sector_names)
        aliases: tuple[str, ...] = ()
        description: str | None = None
        pick = self._pick

        last = [_Parts(self, sector, province)]

        def templated(forms: tuple[str, ...]):
            def make() -> str:
                last[0] = _Parts(self, sector, province)
                return pick(forms).format_map(last[0])

            return make

        if kind == "startup":
            name = self._unique(templated(_VN_FORMS_STARTUP), (city,))
            short = name.removeprefix("Công ty Cổ phần ").removeprefix("Công ty TNHH ")
            if short != name and self.random() < 0.7:
                aliases = (short,)
            description = f"Khởi nghiệp {sector} tại {city}"
        elif kind == "company":
            name = self._unique(templated(_VN_FORMS_COMPANY), (city,))
            parts = last[0]
            if self.random() < 0.4:
                if name.startswith("Tập đoàn"):
                    aliases = (f"{parts['vnbrand']} Group",)
                elif name.startswith("Công ty Cổ phần"):
                    aliases = (f"{parts['vnbrand']} JSC",)
                elif "brand" in parts:
                    aliases = (f"{parts['brand']} {parts['suffix']}",)
            description = f"Doanh nghiệp công nghệ ({', '.join(sectors)}) tại {province}"
        elif kind in _RESEARCH_KINDS:
            table = _UNI_FIELDS if kind == "university" else _RI_FIELDS
            field_vn, field_en, _ = pick([f for f in table if sector in f[2]] or table)
            place = [""]

            def make() -> str:
                place[0] = pick(_VN_PLACES)
                if kind == "university":
                    return f"{pick(_UNI_PREFIXES)} {field_vn} {place[0]}"
                return pick(_RI_FORMS).format(field=field_vn, place=place[0])

            name = self._unique(make, (f"Phân hiệu {province}" if kind == "university" else province,))
            english_place = _slug(place[0]).replace("-", " ").title()
            if kind == "university":
                english = f"{english_place} {field_en}"
                aliases = (english, _acronym(english))
                description = f"Trường đại học đào tạo và nghiên cứu tại {province}"
            else:
                english = f"{english_place} Institute of {field_en}"
                aliases = (english, _acronym(english)) if self.random() < 0.6 else (english,)
                description = f"Viện nghiên cứu {field_vn.lower()}"
        elif kind == "investor":
            name = self._unique(templated(_INVESTOR_FORMS), (city,))
            if sectors:
                description = f"Nhà đầu tư tập trung vào {', '.join(sectors)}"
        elif kind == "government":
            name = self._unique(templated(_GOV_FORMS), (city,))
            description = f"Cơ quan quản lý khoa học và công nghệ, {province}"
        elif kind == "support_org":
            name = self._unique(templated(_SUPPORT_FORMS), (city,))
            description = "Vườn ươm, tăng tốc và hỗ trợ khởi nghiệp"
        else:
            name = self._unique(templated(_OTHER_FORMS), (city,))
        if self.random() < 0.5:
            description = None
        return name, aliases, description

    def _foreign_name(self, kind: str, country: str, sectors: tuple[str, ...]):
        spec = _FOREIGN[country]
        sector = sectors[0] if sectors else self._pick(self.sector_names)
        suffixes = _SECTOR_WORDS[sector][0]
        pick = self._pick

        def make() -> str:
            w = pick(spec["words"])
            if kind == "university":
                return spec["uni"].format(w=w)
            if kind == "research_institute":
                fields_ = [f for f in _RI_FIELDS if sector in f[2]] or _RI_FIELDS
                english = pick(fields_)[1]
                return spec["ri"].format(w=w, f=_FIELD_NAMES.get(spec.get("lang"), {}).get(english, english))
            if kind == "government":
                return spec["gov"].format(w=w)
            if kind == "investor":
                return f"{w} {pick(('Ventures', 'Capital', 'Capital Partners', 'Growth Fund'))}"
            if kind == "support_org":
                return f"{w} {pick(('Innovation Centre', 'Accelerator', 'Tech Hub'))}"
            generic = _GENERIC_FOREIGN[-4:] if kind == "startup" else _GENERIC_FOREIGN
            word = pick(suffixes) if self.random() < 0.5 else pick(generic)
            return f"{w} {word} {spec['legal']}"

        name = self._unique(make, tuple(c for _, c in spec["places"]))
        aliases: tuple[str, ...] = ()
        if kind in _RESEARCH_KINDS and self.random() < 0.5:
            aliases = (_acronym(name),)
        return name, aliases

    def _founded(self, kind: str, foreign: bool) -> int | None:
        if foreign:
            if self.random() < 0.3:
                return None
            low, high, mode = _FOREIGN_FOUNDED.get(kind) or _FOUNDED[kind]
        else:
            if kind == "government" and self.random() < 0.3:
                return None
            low, high, mode = _FOUNDED[kind]
        return min(high, int(self.rng.triangular(low, high + 1, mode)))

    # ---------------------------------------------------------------- organisations

    def _add_org(
        self,
        kind: str,
        *,
        country: str | None = None,
        province: tuple[str, str] | None = None,
        sectors: tuple[str, ...] | None = None,
        group: int = _GENERAL,
        founded_by: int | None = None,
    ) -> int:
        random_ = self.random
        country = country or self.home
        foreign = country != self.home
        if sectors is None:
            if kind in _RESEARCH_KINDS:
                table = _UNI_FIELDS if kind == "university" else _RI_FIELDS
                sectors = self._sectors(self._how_many_sectors(), self._pick(table)[2])
            elif kind == "government" or (kind in ("support_org", "other") and random_() < 0.5):
                sectors = ()
            else:
                sectors = self._sectors(self._how_many_sectors())
        description = None
        if foreign:
            prov, city = self._pick(_FOREIGN[country]["places"])
            if random_() < 0.2:
                prov = city = None
            name, aliases = self._foreign_name(kind, country, sectors)
        else:
            if province is None:
                prov, _, cities = _PROVINCES[bisect(self.province_cum, random_() * self.province_cum[-1])]
                city = self._pick(cities)
            else:
                prov, city = province
            name, aliases, description = self._domestic_name(kind, sectors, prov, city)
        founded = self._founded(kind, foreign)
        if founded is not None and founded_by is not None:
            founded = min(founded, founded_by)  # planted ties start early: so must the organisation
        code = (country.lower(), _KIND_CODES[kind])
        number = self.id_counters.get(code, 0) + 1
        self.id_counters[code] = number
        org_id = f"{code[0]}-{code[1]}-{number:0{self.id_widths.get(code, 4)}d}"
        website = None
        if random_() < 0.45:
            slug = _slug(name)
            if len(slug) > 48:
                slug = slug[:49].rsplit("-", 1)[0]
            website = f"https://{slug}.example.com"
        self.orgs.append(
            Organization(
                id=org_id,
                name=name,
                kind=kind,
                country=country,
                province=prov,
                city=city,
                sectors=sectors,
                founded=founded,
                aliases=aliases,
                website=website,
                description=description,
            )
        )
        s1, s2 = UNDER_CONNECTED_PAIR
        flags = (
            (_X_STARTUP if kind == "startup" and SECTOR_WITHOUT_RESEARCH in sectors else 0)
            | (_LATE if kind == "startup" and not foreign and SECTOR_GAINING_RESEARCH in sectors else 0)
            | (_RESEARCH if kind in _RESEARCH_KINDS else 0)
            | (_S1 if s1 in sectors else 0)
            | (_S2 if s2 in sectors else 0)
        )
        index = len(self.ids)
        self.ids.append(org_id)
        self.kind.append(kind)
        self.foreign.append(foreign)
        self.province.append(None if foreign else prov)
        self.founded.append(founded)
        self.group.append(group)
        self.flags.append(flags)
        self.degree.append(0)
        self.pool.append(None)
        self.my_tickets.append(None)
        self.my_local.append(None)
        if group == _GENERAL:
            pool = _FOREIGN_POOL[kind] if foreign else kind
            tickets = 1 + min(int(self.rng.paretovariate(1.6)), 12)
            own = self.tickets.setdefault(pool, [])
            own.extend([index] * tickets)
            self.my_tickets[index] = own
            self.pool[index] = pool
            if not foreign:
                local = self.local.setdefault((pool, prov), [])
                local.extend([index] * tickets)
                self.my_local[index] = local
        return index

    def _set_apart(self, index: int, group: int) -> None:
        """Move an organisation to *group*: it gets no new tickets and :meth:`_allowed`
        refuses the tickets it holds."""
        self.group[index] = group
        self.my_tickets[index] = self.my_local[index] = None
        self.pool[index] = None

    def _create_organizations(self) -> None:
        rng = self.rng
        n = self.total_orgs
        self.n_cut_off = max(5, min(40, n // 150))
        self.n_gated = max(5, min(15, n // 150))
        self.n_isolates = max(3, n // 500)
        self.n_missing = 5 if n >= 500 else 3 if n >= 200 else 2
        self.n_healed = max(4, min(10, n // 200))
        self.n_new_gated = max(3, min(8, n // 250))
        # Foreign partners, ~9 %: the two gated countries', and the others'.
        countries = [c for c in _FOREIGN if c != self.home]
        self.gate_country = self._pick([c for c in _GATEKEEPER_COUNTRIES if c != self.home])
        self.new_gate_country = self._pick(
            [c for c in _GATEKEEPER_COUNTRIES if c not in (self.home, self.gate_country)]
        )
        others = [c for c in countries if c not in (self.gate_country, self.new_gate_country)]
        n_planted = self.n_gated + self.n_new_gated
        n_foreign = max(n_planted + 5, round(0.09 * n))
        foreign_cum = tuple(accumulate(_FOREIGN[c]["weight"] for c in others))
        kind_cum = tuple(accumulate(w for _, w in _FOREIGN_KIND_SHARES))
        plan: dict[str, list[str]] = {c: [] for c in countries}
        for _ in range(n_foreign - n_planted):
            c = others[bisect(foreign_cum, self.random() * foreign_cum[-1])]
            plan[c].append(_FOREIGN_KIND_SHARES[bisect(kind_cum, self.random() * kind_cum[-1])][0])
        gated_kinds = ("university", "research_institute", "company")
        plan[self.gate_country] = [gated_kinds[i % 3] for i in range(self.n_gated)]
        plan[self.new_gate_country] = [gated_kinds[(i + 2) % 3] for i in range(self.n_new_gated)]
        # Home organisations by kind; startups take what the other kinds leave.
        n_home = n - n_foreign
        total_share = sum(s for _, s in _DOMESTIC_KIND_SHARES)
        counts = {k: max(3, round(n_home * s / total_share)) for k, s in _DOMESTIC_KIND_SHARES}
        counts["company"] = max(counts["company"], 8)
        counts["startup"] = n_home - sum(v for k, v in counts.items() if k != "startup")
        # Id widths: enough digits for the largest number of each (country, kind).
        for kind, count in counts.items():
            self.id_widths[(self.home.lower(), _KIND_CODES[kind])] = max(4, len(str(count)))
        for c, kinds in plan.items():
            for kind in dict.fromkeys(kinds):
                self.id_widths[(c.lower(), _KIND_CODES[kind])] = max(4, len(str(kinds.count(kind))))
        # The cut-off province: a government body, a cooperative, maybe an incubator,
        # startups and companies, and the one university that links them to the rest.
        small_province = self._pick(_SMALL_PROVINCES)
        self.cut_province = small_province[0]
        cut_kinds = ["government", "other"] + (["support_org"] if self.n_cut_off >= 8 else [])
        while len(cut_kinds) < self.n_cut_off:
            cut_kinds.append("startup" if self.random() < 0.6 else "company")
        # The healed province: another small one, its companies and startups in a ring.
        heal_province = self._pick([p for p in _SMALL_PROVINCES if p != small_province])
        self.heal_province = heal_province[0]
        heal_kinds = ["company"] + ["startup" if i % 2 else "company" for i in range(self.n_healed - 1)]
        rural = tuple(
            s for s in _RURAL_SECTORS if s not in (SECTOR_WITHOUT_RESEARCH, UNDER_CONNECTED_PAIR[1])
        )
        gate_sectors = ("ai", "semiconductors", "iot", "robotics", "biotech", "cleantech")
        others_than_x = tuple(s for s in self.sector_names if s != SECTOR_WITHOUT_RESEARCH)
        others_than_late = tuple(s for s in others_than_x if s != SECTOR_GAINING_RESEARCH)
        self.cut_off: list[int] = []
        self.healed: list[int] = []
        self.late_startups: list[int] = []
        for kind, _ in _DOMESTIC_KIND_SHARES:
            special = ["cut"] * cut_kinds.count(kind) + ["heal"] * heal_kinds.count(kind)
            if kind == "university":
                special.append("cut_university")
            if kind == "research_institute":
                special.append("gatekeeper")
            if kind == "startup":
                special += ["x_startup"] * 5 + ["late_startup"] * 3
            roles = special + ["general"] * (counts[kind] - len(special))
            rng.shuffle(roles)
            for role in roles:
                if role == "cut":
                    sectors = () if kind == "government" else self._sectors(self._how_many_sectors(), rural)
                    self.cut_off.append(
                        self._add_org(kind, province=small_province, sectors=sectors, group=_CUT_OFF)
                    )
                elif role == "cut_university":
                    self.cut_university = self._add_org(
                        kind, province=small_province, sectors=self._sectors(2, rural)
                    )
                elif role == "heal":
                    sectors = self._sectors(self._how_many_sectors(), rural)
                    self.healed.append(
                        self._add_org(
                            kind, province=heal_province, sectors=sectors, group=_HEALED, founded_by=_YEAR_MIN
                        )
                    )
                elif role == "x_startup":
                    more = self._sectors(self._how_many_sectors() - 1, others_than_x)
                    self._add_org(kind, sectors=(SECTOR_WITHOUT_RESEARCH, *more))
                elif role == "late_startup":
                    more = self._sectors(self._how_many_sectors() - 1, others_than_late)
                    self.late_startups.append(
                        self._add_org(
                            kind, sectors=(SECTOR_GAINING_RESEARCH, *more), founded_by=BEFORE[0] - 1
                        )
                    )
                elif role == "gatekeeper":
                    self.gatekeeper = self._add_org(kind, sectors=self._sectors(2, gate_sectors))
                else:
                    self._add_org(kind)
        order = [k for k, _ in _FOREIGN_KIND_SHARES]
        self.gated: list[int] = []
        self.new_gated: list[int] = []
        for c in countries:
            for kind in sorted(plan[c], key=order.index):
                if c == self.gate_country:
                    sectors = self._sectors(2, gate_sectors)
                    self.gated.append(self._add_org(kind, country=c, sectors=sectors, group=_GATED))
                elif c == self.new_gate_country:
                    sectors = self._sectors(2, gate_sectors)
                    self.new_gated.append(
                        self._add_org(
                            kind, country=c, sectors=sectors, group=_NEW_GATED, founded_by=_YEAR_MIN
                        )
                    )
                else:
                    self._add_org(kind, country=c)

    # ---------------------------------------------------------------- ties

    def _pair(self, i: int, j: int) -> int:
        return i * self.total_orgs + j if i < j else j * self.total_orgs + i

    def _allowed(self, i: int, j: int) -> bool:
        """Whether a first tie between *i* and *j* keeps every planted structure."""
        if i == j or _CONFLICT[self.flags[i] << _FLAG_BITS | self.flags[j]]:
            return False
        gi, gj = self.group[i], self.group[j]
        if (gi or gj) and not self._groups_allow(i, j, gi, gj):
            return False
        key = self._pair(i, j)
        return key not in self.pairs and key not in self.forbidden

    def _groups_allow(self, i: int, j: int, gi: int, gj: int) -> bool:
        if gi >= _ISOLATE or gj >= _ISOLATE:
            return False
        if gi == gj:
            return True
        if _CUT_OFF in (gi, gj):
            return (j if gi == _CUT_OFF else i) == self.cut_university
        return (j if gi == _GATED else i) == self.gatekeeper

    def _kind_for(self, i: int, j: int) -> tuple[str, int, int]:
        """A tie kind that suits the pair, with its direction: (kind, source, target)."""
        r = self.random()
        ki, kj = self.kind[i], self.kind[j]
        research = _RESEARCH_KINDS
        if self.foreign[i] or self.foreign[j]:
            if ki == "investor" and not self.foreign[j] and kj in ("startup", "company"):
                return "investment", i, j
            if kj == "investor" and not self.foreign[i] and ki in ("startup", "company"):
                return "investment", j, i
            if ki in research and kj in research:
                return ("co_publication" if r < 0.6 else "joint_project" if r < 0.85 else "mou"), i, j
            if "government" in (ki, kj) or "investor" in (ki, kj):
                return "mou", i, j
            return ("joint_project" if r < 0.7 else "mou"), i, j
        if kj == "investor" and ki != "investor":
            i, j, ki, kj = j, i, kj, ki
        if ki == "investor":
            if kj == "startup" or (kj == "company" and r < 0.7):
                return "investment", i, j
            return ("mou" if r < 0.5 or kj == "government" else "other"), i, j
        if "government" in (ki, kj):
            return ("mou" if r < 0.8 else "training" if r < 0.9 else "other"), i, j
        if kj == "support_org" and ki != "support_org":
            i, j, ki, kj = j, i, kj, ki
        if ki == "support_org":
            if kj == "startup":
                return ("incubation" if r < 0.85 else "training"), i, j
            if kj == "company":
                return ("training" if r < 0.4 else "other" if r < 0.7 else "mou"), i, j
            return ("mou" if r < 0.6 else "training"), i, j
        if kj in research and ki not in research:
            i, j, ki, kj = j, i, kj, ki
        if ki in research:
            if kj in research:
                return ("co_publication" if r < 0.7 else "research" if r < 0.9 else "mou"), i, j
            if kj == "startup":
                born = self.founded[j] or 0
                if r < 0.15 and born >= _YEAR_MIN and born >= (self.founded[i] or 0):
                    return "spin_off", i, j
                return ("research" if r < 0.65 else "training" if r < 0.8 else "joint_project"), i, j
            if kj == "company":
                if r < 0.45:
                    return "research", i, j
                return ("licensing" if r < 0.6 else "training" if r < 0.8 else "joint_project"), i, j
            return ("research" if r < 0.5 else "training"), i, j
        if "other" in (ki, kj):
            return ("other" if r < 0.5 else "joint_project" if r < 0.8 else "mou"), i, j
        return ("joint_project" if r < 0.6 else "other"), i, j

    def _start(self, low: int) -> tuple[int, str]:
        """A start year from *low* (2015–2026, recent years likelier), sometimes a full date."""
        random_ = self.random
        year = _YEARS[bisect(_YEAR_CUM, random_() * _YEAR_CUM[-1])]
        if year < low:
            year = min(low, _YEAR_MAX)
        if random_() < 0.3:
            date = f"{year}-{int(random_() * 12) + 1:02d}-{int(random_() * 28) + 1:02d}"
            return year, self.dates.setdefault(date, date)
        return year, _YEAR_TEXT[year]

    def _connect(self, i: int, j: int) -> None:
        """Tie *i* and *j*, already :meth:`_allowed`, with a kind that suits them."""
        kind, source, target = self._kind_for(i, j)
        founded = self.founded
        if kind == "spin_off":
            low = founded[target] or _YEAR_MIN
        else:
            low = max(_YEAR_MIN, founded[source] or 0, founded[target] or 0)
        year, start = self._start(low)
        self._add(source, target, kind, year, start)
        # Follow-ups between the same pair: later funding rounds, research turned licence.
        if kind == "investment":
            while year < _YEAR_MAX and self.random() < 0.15:
                year, start = self._start(year + 1 + int(self.random() * 2))
                self._add(source, target, kind, year, start, 2.0)
        elif kind == "research" and year < _YEAR_MAX and self.random() < 0.08:
            year, start = self._start(year + 1)
            self._add(source, target, "licensing", year, start)

    def _add(
        self,
        source: int,
        target: int,
        kind: str,
        year: int,
        start: str,
        scale: float = 1.0,
        ends: bool = True,
    ) -> None:
        random_ = self.random
        weights = _WEIGHTS[kind]
        weight = weights[int(random_() * len(weights))]
        end = None
        ending = _END.get(kind)
        if ends and ending is not None and random_() < ending[0]:
            last = year + ending[1] + int(random_() * (ending[2] - ending[1] + 1))
            end = f"{last}{start[4:]}"
        amount = currency = tie_id = None
        if kind == "investment":
            if self.foreign[source] or random_() < 0.3:
                amount, currency = (5 + int(random_() * 496)) * 10_000 * scale, "USD"
            else:
                amount, currency = (5 + int(random_() * 496)) * 100_000_000 * scale, "VND"
            if random_() < 0.1:
                self.deal_counter += 1
                tie_id = f"deal-{self.deal_counter:06d}"
        src, tgt = self.ids[source], self.ids[target]
        evidence = None
        r = random_()
        if r < 0.3:
            evidence = f"https://example.org/{_EVIDENCE_PATH.get(kind, 'projects')}/{src}-{tgt}-{year}"
        elif r < 0.33:
            evidence = _REPORT_TEXT[year]
        self.ties.append(
            Collaboration(src, tgt, kind, weight, start, end, amount, currency, evidence, tie_id)
        )
        self.sources.append(source)
        self.targets.append(target)
        n = self.total_orgs
        self.pairs.add(source * n + target if source < target else target * n + source)
        degree, my_tickets, my_local = self.degree, self.my_tickets, self.my_local
        degree[source] += 1
        degree[target] += 1
        # One more ticket each: preferential attachment.
        own = my_tickets[source]
        if own is not None:
            own.append(source)
            if my_local[source] is not None:
                my_local[source].append(source)
        own = my_tickets[target]
        if own is not None:
            own.append(target)
            if my_local[target] is not None:
                my_local[target].append(target)

    def _partner(self, i: int, pool: str) -> int:
        """A partner for *i* from *pool*: by preferential attachment, and more often than not in
        *i*'s own province."""
        random_ = self.random
        lst = self.tickets[pool]
        if not self.foreign[i] and random_() < (0.8 if self.kind[i] == "government" else 0.5):
            lst = self.local.get((pool, self.province[i]), lst)
        return lst[int(random_() * len(lst))]

    def _tie_to_pool(self, i: int, options: tuple[tuple[str, float], ...], attempts: int = 40) -> bool:
        """Tie *i* to someone in one of the weighted pools *options*; False if none would do."""
        options = tuple((p, w) for p, w in options if self.tickets.get(p))
        if not options:
            return False
        cum = tuple(accumulate(w for _, w in options))
        for _ in range(attempts):
            j = self._partner(i, options[bisect(cum, self.random() * cum[-1])][0])
            if self._allowed(i, j):
                self._connect(i, j)
                return True
        return False

    def _plant(self) -> None:
        rng = self.rng
        # The planted ties of the university and the gatekeeper earn them no tickets: they
        # are not national hubs for it.
        u, g, cut = self.cut_university, self.gatekeeper, self.cut_off
        held = [(k, self.my_tickets[k], self.my_local[k]) for k in (u, g)]
        for k in (u, g):
            self.my_tickets[k] = self.my_local[k] = None
        # The cut-off province: a tree of local ties, most organisations tied to the university...
        for pos, i in enumerate(cut):
            if pos:
                self._connect(i, cut[int(self.random() * pos)])
            if pos == 0 or self.random() < 0.6:
                self._connect(u, i)
        for _ in range(len(cut) // 3):
            a, b = self._pick(cut), self._pick(cut)
            if self._allowed(a, b):
                self._connect(a, b)
        # The gatekeeper: every partner from one country is tied to it, some among themselves.
        for pos, i in enumerate(self.gated):
            self._connect(g, i)
            if pos and self.random() < 0.5:
                j = self.gated[int(self.random() * pos)]
                if self._allowed(i, j):
                    self._connect(i, j)
        for k, own, local in held:
            self.my_tickets[k], self.my_local[k] = own, local
        # Both reach the rest of the country.
        for pool in ("university", "company", "government", "research_institute"):
            self._tie_to_pool(u, ((pool, 1.0),))
        for pool in ("university", "company", "startup"):
            self._tie_to_pool(g, ((pool, 1.0),))
        # Isolates: a few home startups and companies with no tie at all.
        candidates = [
            i
            for i in range(len(self.ids))
            if self.group[i] == _GENERAL
            and self.kind[i] in ("startup", "company")
            and not self.foreign[i]
            and not self.flags[i] & _NO_RESEARCH
            and not self.degree[i]
        ]
        self.isolates = sorted(rng.sample(candidates, self.n_isolates))
        for i in self.isolates:
            self._set_apart(i, _ISOLATE)
        # Missing links: two organisations that share a sector and five partners, never tied.
        # The partners are kept to those ties, so the shared partners stand out.
        taken = {*self.isolates, u, g, *self.late_startups}
        self.missing = self._plant_pairs(self.n_missing, 5, taken, None)
        # Recommended pairs: the same with three partners tied by 2022 (for good), so that the
        # recommender of 2020–2022 finds them; they collaborate from 2024 (see _plant_changes).
        self.recommended = self._plant_pairs(2, 3, taken, BEFORE[1])

    def _plant_pairs(self, count: int, shared: int, taken: set[int], by: int | None) -> list[tuple[int, int]]:
        """*count* pairs that share a sector and *shared* partners kept to them, never tied.

        With *by*, every organisation involved was founded by that year and the partners'
        ties start no later, with no end.
        """
        home = [i for i in range(len(self.ids)) if self.group[i] == _GENERAL and not self.foreign[i]]
        if by is not None:
            home = [i for i in home if (self.founded[i] or 0) <= by]
        leads = [i for i in home if self.kind[i] in ("university", "research_institute", "company")]
        # Partners and second ends: startups and companies (and, for early pairs, which
        # fewer organisations can make, investors and support organisations too).
        kinds = ("startup", "company") if by is None else ("startup", "company", "investor", "support_org")
        small = [i for i in home if self.kind[i] in kinds]
        sectors = [set(o.sectors) for o in self.orgs]
        pairs: list[tuple[int, int]] = []
        for _ in range(200):
            if len(pairs) == count or not leads or not small:
                break
            a = self._pick(leads)
            if a in taken:
                continue
            # Scan the candidates from a random point, so the search is exhaustive but varied.
            offset = int(self.random() * len(small))
            scan = small[offset:] + small[:offset]
            b = next(
                (b for b in scan if b not in taken and sectors[a] & sectors[b] and self._allowed(a, b)), None
            )
            if b is None:
                continue
            common = sectors[a] & sectors[b]
            partners: list[int] = []
            for c in scan:
                if (
                    c not in taken
                    and c not in (a, b)
                    and common & sectors[c]
                    and self._allowed(a, c)
                    and self._allowed(b, c)
                ):
                    partners.append(c)
                    if len(partners) == shared:
                        break
            if len(partners) < shared:
                continue
            self.forbidden.add(self._pair(a, b))
            taken.update((a, b, *partners))
            for c in partners:
                self._set_apart(c, _RESERVED)
                for end in (a, b):
                    if by is None:
                        self._connect(end, c)
                    else:
                        low = max(_YEAR_MIN, self.founded[end] or 0, self.founded[c] or 0)
                        self._tie(end, c, low + int(self.random() * (by - low + 1)))
            pairs.append((a, b))
        if len(pairs) < count:
            raise RuntimeError("could not plant the missing links")
        return pairs

    def _tie(self, i: int, j: int, year: int) -> None:
        """A planted tie of a kind that suits *i* and *j*, starting in *year*, with no end."""
        kind, source, target = self._kind_for(i, j)
        self._add(source, target, kind, year, _YEAR_TEXT[year], ends=False)

    def _plantable(self, i: int, j: int, research: bool = False) -> bool:
        """Whether a planted tie *i*–*j* keeps the planted sector structures (and is new).

        *research* allows a research partner for a startup of the sector gaining them.
        """
        a, b = self.flags[i], self.flags[j]
        if research:
            a, b = a & ~_LATE, b & ~_LATE
        pair = self._pair(i, j)
        return (
            i != j
            and not _CONFLICT[a << _FLAG_BITS | b]
            and pair not in self.pairs
            and pair not in self.forbidden
        )

    def _hub(self, *pools: list[int], avoid: set[int], partners: tuple[int, ...] = ()) -> int:
        """The organisation with most ties (then the lowest index) of the first pool that has one not
        in *avoid* and plantable with every one of *partners*."""
        for pool in pools:
            best = [i for i in pool if i not in avoid and all(self._plantable(i, p) for p in partners)]
            if best:
                return max(best, key=lambda i: (self.degree[i], -i))
        raise RuntimeError("could not plant the changes over time")

    def _plant_changes(self) -> None:
        """The changes between :data:`BEFORE` and :data:`AFTER`, planted after the random ties."""
        home = [
            i
            for i in range(len(self.ids))
            if self.group[i] == _GENERAL and not self.foreign[i] and self.degree[i]
        ]
        early = [i for i in home if (self.founded[i] or 0) <= _YEAR_MIN]
        # The healed province: a ring, tied to the rest by one tie until a second route opens.
        ring, random_ = self.healed, self.random
        for pos, i in enumerate(ring):
            self._tie(i, ring[(pos + 1) % len(ring)], _YEAR_MIN + 1 + int(random_() * 4))
        universities = [i for i in early if self.kind[i] == "university"]
        companies = [i for i in early if self.kind[i] == "company"]
        self.anchor = self._hub(universities, early, avoid=set(), partners=(ring[0],))
        mid = ring[len(ring) // 2]
        self.healer = self._hub(companies, early, avoid={self.anchor}, partners=(mid, self.anchor))
        self._tie(ring[0], self.anchor, _YEAR_MIN + 2)
        self._tie(self.healer, self.anchor, _YEAR_MIN + 3)
        self._tie(mid, self.healer, _HEAL_YEAR)
        # The new gatekeeper: every partner of one country tied to one company from 2023.
        self.new_gatekeeper = self._hub(
            companies, early, avoid={self.anchor, self.healer}, partners=tuple(self.new_gated)
        )
        for pos, f in enumerate(self.new_gated):
            self._tie(self.new_gatekeeper, f, AFTER[0] + pos % 2)
            if pos and random_() < 0.5:
                self._tie(f, self.new_gated[pos - 1], AFTER[0] + 1)
        # The sector gaining research partners: its planted startups' first ones, in 2023–2024.
        research = [i for i in home if self.kind[i] in _RESEARCH_KINDS and (self.founded[i] or 0) < AFTER[0]]
        self.research_partners: list[int] = []
        for pos, st in enumerate(self.late_startups):
            offset = int(random_() * len(research))
            partner = next(
                (r for r in research[offset:] + research[:offset] if self._plantable(r, st, research=True)),
                None,
            )
            if partner is None:
                raise RuntimeError("could not plant the sector gaining research partners")
            self._tie(partner, st, AFTER[0] + pos % 2)
            self.research_partners.append(partner)
        # The recommended pairs of 2020–2022 collaborate from 2024.
        for a, b in self.recommended:
            self._tie(a, b, _HEAL_YEAR)

    def _first_ties(self) -> None:
        """Every organisation still in the pools gets at least one tie."""
        order = [i for i in range(len(self.ids)) if self.pool[i] is not None]
        self.rng.shuffle(order)
        options = {
            pool: tuple((p, w) for p, w in opts if self.tickets.get(p)) for pool, opts in _FIRST_TIE.items()
        }
        cums = {pool: tuple(accumulate(w for _, w in opts)) for pool, opts in options.items()}
        random_ = self.random
        for attempts in (40, 400):
            for i in order:
                if self.degree[i]:
                    continue
                pool = self.pool[i]
                opts, cum = options[pool], cums[pool]
                for _ in range(attempts):
                    j = self._partner(i, opts[bisect(cum, random_() * cum[-1])][0])
                    if self._allowed(i, j):
                        self._connect(i, j)
                        break
        for i in order:
            if not self.degree[i]:
                raise RuntimeError(f"could not tie {self.ids[i]}")

    def _bulk(self, target: int) -> None:
        """Ties between pools in the proportions of :data:`_MIX` until there are *target*."""
        tickets, local = self.tickets, self.local
        mix = [(w, a, b) for w, a, b in _MIX if tickets.get(a) and tickets.get(b)]
        cum = tuple(accumulate(w for w, _, _ in mix))
        total = cum[-1]
        random_ = self.random
        ties, flags, group, kind = self.ties, self.flags, self.group, self.kind
        foreign, province = self.foreign, self.province
        pairs, forbidden, n = self.pairs, self.forbidden, self.total_orgs
        attempts, limit = 0, 30 * target
        while len(ties) < target and attempts < limit:
            attempts += 1
            _, a_pool, b_pool = mix[bisect(cum, random_() * total)]
            lst = tickets[a_pool]
            i = lst[int(random_() * len(lst))]
            lst = tickets[b_pool]
            if not foreign[i] and random_() < (0.8 if kind[i] == "government" else 0.5):
                lst = local.get((b_pool, province[i]), lst)
            j = lst[int(random_() * len(lst))]
            if i == j or _CONFLICT[flags[i] << _FLAG_BITS | flags[j]]:
                continue
            if (group[i] or group[j]) and not self._groups_allow(i, j, group[i], group[j]):
                continue
            key = i * n + j if i < j else j * n + i
            if key in pairs or key in forbidden:
                continue
            self._connect(i, j)

    # ---------------------------------------------------------------- truth

    def build(self) -> Demo:
        n = self.total_orgs
        self._create_organizations()
        if len(self.orgs) != n:
            raise RuntimeError(f"generated {len(self.orgs)} organisations, not {n}")
        self._plant()
        self._first_ties()
        self._bulk(_tie_target(n))
        self._plant_changes()
        ids = self.ids
        invested = bytearray(n)
        for tie, t in zip(self.ties, self.targets, strict=True):
            if tie.kind == "investment":
                invested[t] = 1
        truth = {
            "seed": self.seed,
            "orgs": n,
            "collaborations": len(self.ties),
            "home_country": self.home,
            "articulation_university": {
                "id": ids[self.cut_university],
                "province": self.cut_province,
                "cut_off": sorted(ids[i] for i in self.cut_off),
            },
            "gatekeeper": {
                "id": ids[self.gatekeeper],
                "country": self.gate_country,
                "foreign_partners": sorted(ids[i] for i in self.gated),
            },
            "sector_without_research": SECTOR_WITHOUT_RESEARCH,
            "under_connected_sector_pair": list(UNDER_CONNECTED_PAIR),
            "isolates": sorted(ids[i] for i in self.isolates),
            "startups_without_investor": sorted(
                ids[i] for i in range(n) if self.kind[i] == "startup" and not invested[i]
            ),
            "missing_links": sorted(sorted((ids[a], ids[b])) for a, b in self.missing),
            "changes": {
                "before": list(BEFORE),
                "after": list(AFTER),
                "healed_bridge": {
                    "province": self.heal_province,
                    "bridge": [ids[self.healed[0]], ids[self.anchor]],
                    "cut_off": sorted(ids[i] for i in self.healed),
                    "second_route": [ids[self.healed[len(self.healed) // 2]], ids[self.healer]],
                    "year": _HEAL_YEAR,
                },
                "new_gatekeeper": {
                    "id": ids[self.new_gatekeeper],
                    "country": self.new_gate_country,
                    "foreign_partners": sorted(ids[i] for i in self.new_gated),
                    "year": AFTER[0],
                },
                "sector_gaining_research": {
                    "sector": SECTOR_GAINING_RESEARCH,
                    "startups": sorted(ids[i] for i in self.late_startups),
                    "research_partners": sorted({ids[i] for i in self.research_partners}),
                },
                "recommended_pairs": sorted(sorted((ids[a], ids[b])) for a, b in self.recommended),
            },
        }
        self._verify()
        return Demo(organizations=self.orgs, collaborations=self.ties, truth=truth)

    def _verify(self) -> None:
        """Check every planted structure on the undirected projection; raise if one is broken.

        Whole-graph facts (no self-loop, which organisations have no tie, no tie across the
        planted sector pair) are counted over the tie list; the neighbourhood facts are
        checked with networkx on every tie that touches a planted organisation.
        """
        n = len(self.ids)
        problems: list[str] = []
        degree = [0] * n
        flags = self.flags
        crossing = 0
        for s, t in zip(self.sources, self.targets, strict=True):
            degree[s] += 1
            degree[t] += 1
            if s == t:
                problems.append("a self-loop")
            if (flags[s] & _S1 and flags[t] & _S2) or (flags[s] & _S2 and flags[t] & _S1):
                crossing += 1
        if crossing:
            problems.append("under-connected sector pair")
        if [i for i in range(n) if not degree[i]] != self.isolates:
            problems.append("isolates")
        x_startups = [i for i in range(n) if flags[i] & _X_STARTUP]
        watched = bytearray(n)
        for i in (self.cut_university, self.gatekeeper, *self.cut_off, *self.gated, *x_startups):
            watched[i] = 1
        for pair in self.missing:
            watched[pair[0]] = watched[pair[1]] = 1
        G = nx.Graph()
        G.add_edges_from(
            (s, t) for s, t in zip(self.sources, self.targets, strict=True) if watched[s] or watched[t]
        )
        u, cut = self.cut_university, set(self.cut_off)
        reached = nx.node_connected_component(nx.restricted_view(G, [u], []), self.cut_off[0])
        if reached != cut or all(v in cut for v in G[u]):
            problems.append("articulation university")
        g, gated = self.gatekeeper, set(self.gated)
        if any(g not in G[i] or any(v not in gated and v != g for v in G[i]) for i in self.gated):
            problems.append("gatekeeper")
        if all(self.foreign[v] for v in G[g]):
            problems.append("gatekeeper without home partners")
        if len(x_startups) < 2 or any(
            not G.has_node(i) or any(flags[v] & _RESEARCH for v in G[i]) for i in x_startups
        ):
            problems.append("sector without research")
        for a, b in self.missing:
            shared = set(self.orgs[a].sectors) & set(self.orgs[b].sectors)
            if G.has_edge(a, b) or len(set(G[a]) & set(G[b])) < 4 or not shared:
                problems.append("missing links")
        problems += self._changes_broken()
        if problems:
            raise RuntimeError("planted structures broken: " + ", ".join(sorted(set(problems))))

    def _changes_broken(self) -> list[str]:
        """The planted changes that do not hold on the ties active in :data:`BEFORE` and :data:`AFTER`."""
        watched = {
            *self.healed, self.anchor, self.healer, self.new_gatekeeper, *self.new_gated,
            *self.late_startups, *(i for pair in self.recommended for i in pair),
        }  # fmt: skip
        rows = [
            (s, t, tie)
            for s, t, tie in zip(self.sources, self.targets, self.ties, strict=True)
            if s in watched or t in watched
        ]
        start = np.array([float(t.start[:4]) if t.start else np.nan for *_, t in rows])
        end = np.array([float(t.end[:4]) if t.end else np.nan for *_, t in rows])
        B, A = nx.Graph(), nx.Graph()
        for G, (first, last) in ((B, BEFORE), (A, AFTER)):
            G.add_nodes_from(watched)
            active, _ = active_ties(start, end, Period(first, last))
            G.add_edges_from((s, t) for (s, t, _), keep in zip(rows, active.tolist(), strict=True) if keep)
        problems = []
        ring, mid = set(self.healed), self.healed[len(self.healed) // 2]
        if {(i, v) for i in ring for v in B[i] if v not in ring} != {(self.healed[0], self.anchor)}:
            problems.append("healed bridge before")
        if not (A.has_edge(mid, self.healer) and A.has_edge(self.healer, self.anchor)):
            problems.append("healed bridge after")
        if any(B.degree(f) for f in self.new_gated) or any(
            {v for v in A[f] if not self.foreign[v]} != {self.new_gatekeeper} for f in self.new_gated
        ):
            problems.append("new gatekeeper")
        research = [
            {v for v in G[i] if self.flags[v] & _RESEARCH} for G in (B, A) for i in self.late_startups
        ]
        if any(research[: len(self.late_startups)]) or not all(research[len(self.late_startups) :]):
            problems.append("sector gaining research")
        for a, b in self.recommended:
            if B.has_edge(a, b) or len(set(B[a]) & set(B[b])) < 3 or not A.has_edge(a, b):
                problems.append("recommended pairs")
        return problems


def _tie_target(orgs: int) -> int:
    """About 4 ties per organisation at 1,500 organisations, rising to 5 at 100,000."""
    lift = math.log(max(orgs, 1500) / 1500) / math.log(100_000 / 1500)
    return round(orgs * (4 + min(lift, 1.0)))


# --------------------------------------------------------------------------- public API


def generate(orgs: int = 1500, seed: int = 1, home_country: str = "VN") -> Demo:
    """A synthetic Vietnamese innovation ecosystem with planted weak links.

    Parameters
    ----------
    orgs : int
        How many organisations (at least :data:`MIN_ORGS`); collaborations number about
        4× that at 1,500 organisations, 5× at 100,000.
    seed : int
        The seed: the same ``orgs`` and ``seed`` always give the same ecosystem.
    home_country : str
        ISO 3166-1 alpha-2 code of the home organisations; every other country is a
        foreign partner.

    Returns
    -------
    Demo
        ``organizations``, ``collaborations`` and ``truth`` (a JSON-serialisable dict
        describing the planted weak links; see the module docstring).

    Examples
    --------
    >>> demo = generate(orgs=300, seed=2)
    >>> sorted(demo.truth)[:3]
    ['articulation_university', 'changes', 'collaborations']
    """
    home = str(home_country).strip().upper()
    if home not in COUNTRY_CODES:
        raise ValueError(f"home_country must be an ISO 3166-1 alpha-2 code, not {home_country!r}")
    if isinstance(orgs, bool) or not isinstance(orgs, int) or orgs < MIN_ORGS:
        raise ValueError(f"orgs must be an integer of at least {MIN_ORGS}, not {orgs!r}")
    # The builder makes millions of long-lived objects and no reference cycles: pausing the
    # cyclic garbage collector saves it from rescanning them (a third of the time at 100k).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Builder(orgs, seed, home).build()
    finally:
        if collecting:
            gc.enable()


def write_csv(demo: Demo, folder: str | Path) -> tuple[Path, Path]:
    """Write *demo* as the canonical CSV files; returns (organisations path, collaborations path).

    The files are ``organizations.csv`` and ``collaborations.csv`` in *folder* (created if
    needed): UTF-8, lists joined with ``|``, empty cells for missing values, integral
    numbers without a trailing ``.0``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    orgs_path = folder / "organizations.csv"
    collabs_path = folder / "collaborations.csv"
    with orgs_path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(ORGANIZATION_FIELDS)
        writer.writerows(
            (
                o.id,
                _text(o.name),
                o.kind,
                o.country,
                _text(o.province),
                _text(o.city),
                "|".join(o.sectors),
                "" if o.founded is None else o.founded,
                _text("|".join(o.aliases)),
                _text(o.website),
                _text(o.ror),
                _text(o.description),
            )
            for o in demo.organizations
        )
    with collabs_path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLLABORATION_FIELDS)
        writer.writerows(
            (
                c.source,
                c.target,
                c.kind,
                _number(c.weight),
                c.start or "",
                c.end or "",
                _number(c.amount),
                c.currency or "",
                _text(c.evidence),
                c.id or "",
            )
            for c in demo.collaborations
        )
    return orgs_path, collabs_path


def demo(
    store: Store | str | None = None,
    *,
    orgs: int = 1500,
    seed: int = 1,
    truth: str | Path | None = None,
    home_country: str | None = None,
) -> LoadReport:
    """Generate the demo ecosystem and load it into *store* as one load batch.

    The ``ecograph demo`` command. Loading the same ``orgs`` and ``seed`` again changes
    nothing (every record is unchanged).

    Parameters
    ----------
    store : Store, URL or None
        Where to load it (None: the ``store`` setting).
    orgs : int
        How many organisations (ties are about four to five times as many).
    seed : int
        The same seed gives the same ecosystem.
    truth : path, optional
        Write the planted weak links here as JSON (see :attr:`Demo.truth`).
    home_country : str, optional
        Default: the store's home country.

    Returns
    -------
    LoadReport
    """
    from ecograph.ingest import write_records
    from ecograph.store import open_store

    handle = store if isinstance(store, Store) else open_store(store)
    try:
        made = generate(orgs, seed=seed, home_country=home_country or handle.home_country)
        if truth is not None:
            Path(truth).write_text(
                json.dumps(made.truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        return write_records(
            handle,
            made.organizations,
            made.collaborations,
            file=f"demo:orgs={orgs},seed={seed}",
            format="demo",
        )
    finally:
        if handle is not store:
            handle.close()
