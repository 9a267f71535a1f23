"""The seeded KPI catalogue: reference data covering every sector of the province's plan
(socio-economic, government performance, public security, traffic safety, health, education,
tourism, press & internet, cybersecurity, citizen interaction). Definitions only — targets and
values are data (demo/kpis.py seeds demo ones). Frozen here, as a data migration must be:
later changes to a definition are made in the admin or in a new migration. Existing codes are
left as they are (an administrator may have edited them)."""
from django.db import migrations

STATS = "Cơ quan thống kê tỉnh Thanh Hóa"
FINANCE = "Sở Tài chính"
INDUSTRY = "Sở Công Thương"
ONE_STOP = "Trung tâm Phục vụ hành chính công tỉnh"
POLICE = "Công an tỉnh"
TRAFFIC_POLICE = "Công an tỉnh (Phòng Cảnh sát giao thông)"
HEALTH = "Sở Y tế"
EDUCATION = "Sở Giáo dục và Đào tạo"
CULTURE = "Sở Văn hóa, Thể thao và Du lịch"
SCIENCE = "Sở Khoa học và Công nghệ"
IOC = "Trung tâm Điều hành thông minh"


def k(code, sector, owner, names, units, definitions, *, periodicity="MONTH", grain="COMMUNE",
      aggregation="SUM", direction="HIGHER", computation="", parts=None, scale=1.0,
      amber=10.0, decimals=0, public=False):
    """One catalogue entry."""
    return {"code": code, "sector": sector, "owner_department": owner,
            "name_vi": names[0], "name_en": names[1], "unit_vi": units[0], "unit_en": units[1],
            "definition_vi": definitions[0], "definition_en": definitions[1],
            "periodicity": periodicity, "grain": grain, "aggregation": aggregation,
            "direction": direction, "computation": computation,
            "source": "COMPUTED" if computation else "IMPORTED", "parts": parts, "scale": scale,
            "amber_margin_pct": amber, "decimals": decimals, "is_public": public}


PCT = ("%", "%")
BILLION = ("tỷ đồng", "billion VND")
CASES = ("vụ", "cases")
PEOPLE = ("người", "persons")
DOSSIERS = ("hồ sơ", "dossiers")
INCIDENTS = ("sự cố", "incidents")

CATALOGUE = [
    # ---- socio-economic ------------------------------------------------------------------
    k("grdp-growth", "SOCIO_ECONOMIC", STATS, ("Tốc độ tăng trưởng GRDP", "GRDP growth rate"),
      PCT, ("Tốc độ tăng tổng sản phẩm trên địa bàn (giá so sánh 2010) so với cùng kỳ năm "
            "trước, lũy kế từ đầu năm đến hết quý.",
            "Growth of gross regional domestic product at constant 2010 prices over the same "
            "period of the previous year, year to date to the end of the quarter."),
      periodicity="QUARTER", grain="PROVINCE", aggregation="MEAN", amber=15.0, decimals=2,
      public=True),
    k("grdp", "SOCIO_ECONOMIC", STATS, ("GRDP theo giá hiện hành", "GRDP at current prices"),
      BILLION, ("Tổng sản phẩm trên địa bàn tỉnh trong năm, theo giá hiện hành.",
                "Gross regional domestic product of the year at current prices."),
      periodicity="YEAR", grain="PROVINCE", public=True),
    k("budget-revenue", "SOCIO_ECONOMIC", FINANCE,
      ("Thu ngân sách nhà nước trên địa bàn", "State budget revenue"), BILLION,
      ("Tổng thu ngân sách nhà nước trên địa bàn tỉnh trong tháng (nội địa và xuất nhập khẩu).",
       "State budget revenue collected in the province in the month (domestic and trade)."),
      grain="PROVINCE", amber=15.0, decimals=1, public=True),
    k("investment-realised", "SOCIO_ECONOMIC", FINANCE,
      ("Vốn đầu tư thực hiện toàn xã hội", "Realised social investment"), BILLION,
      ("Vốn đầu tư phát triển toàn xã hội thực hiện trên địa bàn trong quý (mọi nguồn vốn).",
       "Development investment from all sources realised in the province in the quarter."),
      periodicity="QUARTER", grain="PROVINCE", amber=15.0, decimals=1),
    k("iip-growth", "SOCIO_ECONOMIC", INDUSTRY,
      ("Tăng chỉ số sản xuất công nghiệp (IIP)", "Industrial production index growth"), PCT,
      ("Chỉ số sản xuất công nghiệp của tháng so với cùng tháng năm trước, trừ 100.",
       "Industrial production index of the month against the same month a year earlier, "
       "minus 100."),
      grain="PROVINCE", aggregation="MEAN", amber=25.0, decimals=1),
    # ---- government performance ------------------------------------------------------------
    k("dossiers-received", "GOVERNMENT", ONE_STOP,
      ("Hồ sơ thủ tục hành chính tiếp nhận", "Administrative dossiers received"), DOSSIERS,
      ("Số hồ sơ thủ tục hành chính tiếp nhận trong tháng, mọi cấp và mọi hình thức nộp.",
       "Administrative procedure dossiers received in the month, at every level and through "
       "every channel.")),
    k("dossiers-online", "GOVERNMENT", ONE_STOP,
      ("Hồ sơ nộp trực tuyến", "Dossiers submitted online"), DOSSIERS,
      ("Số hồ sơ tiếp nhận trong tháng qua Cổng dịch vụ công (trực tuyến một phần hoặc toàn "
       "trình).", "Dossiers received in the month through the public service portal (partly "
                  "or fully online).")),
    k("dossiers-online-pct", "GOVERNMENT", ONE_STOP,
      ("Tỷ lệ hồ sơ nộp trực tuyến", "Share of dossiers submitted online"), PCT,
      ("Hồ sơ nộp trực tuyến / hồ sơ tiếp nhận × 100.",
       "Dossiers submitted online / dossiers received × 100."),
      aggregation="RATIO", parts=("dossiers-online", "dossiers-received"), scale=100.0,
      amber=15.0, decimals=1),
    k("dossiers-resolved", "GOVERNMENT", ONE_STOP, ("Hồ sơ đã giải quyết", "Dossiers resolved"),
      DOSSIERS, ("Số hồ sơ đã có kết quả giải quyết trong tháng.",
                 "Dossiers whose result was issued in the month.")),
    k("dossiers-on-time", "GOVERNMENT", ONE_STOP,
      ("Hồ sơ giải quyết đúng hạn", "Dossiers resolved on time"), DOSSIERS,
      ("Số hồ sơ có kết quả trong tháng, trước hoặc đúng hạn hẹn trả.",
       "Dossiers whose result was issued in the month by the promised date.")),
    k("dossiers-on-time-pct", "GOVERNMENT", ONE_STOP,
      ("Tỷ lệ hồ sơ giải quyết đúng hạn", "Dossiers resolved on time (%)"), PCT,
      ("Hồ sơ giải quyết đúng hạn / hồ sơ đã giải quyết × 100.",
       "Dossiers resolved on time / dossiers resolved × 100."),
      aggregation="RATIO", parts=("dossiers-on-time", "dossiers-resolved"), scale=100.0,
      amber=3.0, decimals=1),
    # ---- public security (computed from the security incidents layer) ----------------------
    k("security-incidents", "SECURITY", POLICE,
      ("Vụ việc an ninh trật tự", "Public security incidents"), CASES,
      ("Số tin báo, vụ việc an ninh trật tự xảy ra trong tháng (mọi loại).",
       "Public security reports and cases that occurred in the month (every type)."),
      direction="LOWER", computation="security_incidents"),
    k("security-theft", "SECURITY", POLICE, ("Trộm cắp tài sản", "Theft"), CASES,
      ("Số vụ trộm cắp tài sản xảy ra trong tháng.", "Thefts that occurred in the month."),
      direction="LOWER", computation="security_theft"),
    k("security-fraud", "SECURITY", POLICE,
      ("Lừa đảo chiếm đoạt tài sản", "Fraud"), CASES,
      ("Số vụ lừa đảo chiếm đoạt tài sản xảy ra trong tháng.",
       "Frauds that occurred in the month."), direction="LOWER", computation="security_fraud"),
    k("security-assault", "SECURITY", POLICE,
      ("Cố ý gây thương tích, đánh nhau", "Assaults and fights"), CASES,
      ("Số vụ cố ý gây thương tích, đánh nhau xảy ra trong tháng.",
       "Assaults and fights that occurred in the month."),
      direction="LOWER", computation="security_assault"),
    k("security-drugs", "SECURITY", POLICE, ("Vụ việc về ma túy", "Drug offences"), CASES,
      ("Số vụ việc liên quan đến ma túy phát hiện trong tháng.",
       "Drug-related cases detected in the month."),
      direction="LOWER", computation="security_drugs"),
    # ---- traffic safety (computed from the traffic accidents layer) ------------------------
    k("traffic-accidents", "TRAFFIC", TRAFFIC_POLICE,
      ("Số vụ tai nạn giao thông", "Traffic accidents"), CASES,
      ("Số vụ tai nạn, va chạm giao thông xảy ra trong tháng.",
       "Road traffic accidents and collisions that occurred in the month."),
      direction="LOWER", computation="traffic_accidents"),
    k("traffic-deaths", "TRAFFIC", TRAFFIC_POLICE,
      ("Số người chết do tai nạn giao thông", "Traffic deaths"), PEOPLE,
      ("Số người chết trong các vụ tai nạn giao thông xảy ra trong tháng.",
       "People killed in the traffic accidents of the month."),
      direction="LOWER", computation="traffic_deaths"),
    k("traffic-injuries", "TRAFFIC", TRAFFIC_POLICE,
      ("Số người bị thương do tai nạn giao thông", "Traffic injuries"), PEOPLE,
      ("Số người bị thương trong các vụ tai nạn giao thông xảy ra trong tháng.",
       "People injured in the traffic accidents of the month."),
      direction="LOWER", computation="traffic_injuries"),
    k("traffic-accidents-per-100k", "TRAFFIC", TRAFFIC_POLICE,
      ("Tai nạn giao thông trên 100.000 dân", "Traffic accidents per 100,000 people"),
      ("vụ/100.000 dân", "per 100,000 people"),
      ("Số vụ tai nạn giao thông trong tháng / dân số của đơn vị × 100.000 (chỉ tính cho đơn "
       "vị có số liệu dân số).",
       "Traffic accidents of the month / the unit's population × 100,000 (only for units "
       "with a known population)."),
      aggregation="RATIO", direction="LOWER", computation="traffic_accidents_per_100k",
      decimals=2),
    # ---- health ------------------------------------------------------------------------------
    k("bed-occupancy", "HEALTH", HEALTH,
      ("Công suất sử dụng giường bệnh", "Hospital bed occupancy"), PCT,
      ("Ngày điều trị nội trú thực tế / (giường kế hoạch × số ngày) × 100; trên 100% là quá "
       "tải.", "Inpatient days / (planned beds × days) × 100; above 100% means overcrowding."),
      grain="DISTRICT", aggregation="MEAN", direction="LOWER", amber=10.0, decimals=1),
    k("notifiable-disease-cases", "HEALTH", HEALTH,
      ("Ca bệnh truyền nhiễm phải báo cáo", "Notifiable disease cases"), ("ca", "cases"),
      ("Số ca mắc các bệnh truyền nhiễm phải báo cáo (sốt xuất huyết, tay chân miệng, sởi…) "
       "ghi nhận trong tháng.", "Cases of notifiable infectious diseases (dengue, hand, foot "
                                "and mouth disease, measles…) recorded in the month."),
      direction="LOWER", amber=20.0),
    # ---- education ---------------------------------------------------------------------------
    k("school-enrolment", "EDUCATION", EDUCATION, ("Học sinh đầu năm học", "School enrolment"),
      ("học sinh", "pupils"),
      ("Số học sinh phổ thông (tiểu học, THCS, THPT) đầu năm học bắt đầu trong năm.",
       "Primary and secondary pupils at the start of the school year beginning in the year."),
      periodicity="YEAR", amber=3.0),
    k("grade1-enrolment-rate", "EDUCATION", EDUCATION,
      ("Tỷ lệ huy động trẻ 6 tuổi vào lớp 1", "Enrolment of 6-year-olds in grade 1"), PCT,
      ("Trẻ 6 tuổi vào lớp 1 / trẻ 6 tuổi trên địa bàn × 100.",
       "Six-year-olds entering grade 1 / six-year-olds living in the unit × 100."),
      periodicity="YEAR", grain="DISTRICT", aggregation="MEAN", amber=1.0, decimals=1),
    k("graduation-rate", "EDUCATION", EDUCATION,
      ("Tỷ lệ tốt nghiệp THPT", "Upper-secondary graduation rate"), PCT,
      ("Thí sinh đỗ tốt nghiệp THPT / thí sinh dự thi × 100.",
       "Candidates passing the upper-secondary graduation exam / candidates sitting it × 100."),
      periodicity="YEAR", grain="DISTRICT", aggregation="MEAN", amber=2.0, decimals=2),
    # ---- tourism -----------------------------------------------------------------------------
    k("tourist-arrivals", "TOURISM", CULTURE, ("Lượt khách du lịch", "Tourist arrivals"),
      ("lượt", "visits"), ("Lượt khách du lịch (trong nước và quốc tế) phục vụ trong tháng.",
                           "Domestic and international tourist visits served in the month."),
      grain="DISTRICT", public=True),
    k("tourism-revenue", "TOURISM", CULTURE, ("Tổng thu từ du lịch", "Tourism revenue"), BILLION,
      ("Tổng thu từ khách du lịch trong tháng (lưu trú, ăn uống, lữ hành, dịch vụ).",
       "Revenue from tourists in the month (lodging, food, travel services)."),
      grain="DISTRICT", decimals=1, public=True),
    k("room-occupancy", "TOURISM", CULTURE,
      ("Công suất sử dụng buồng lưu trú", "Accommodation room occupancy"), PCT,
      ("Buồng đêm có khách / buồng đêm sẵn có × 100 (Sầm Sơn cao điểm mùa biển).",
       "Occupied room-nights / available room-nights × 100 (Sầm Sơn peaks in the beach "
       "season)."), grain="DISTRICT", aggregation="MEAN", amber=15.0, decimals=1),
    # ---- press & internet --------------------------------------------------------------------
    k("press-mentions", "PRESS", CULTURE,
      ("Tin bài, bài đăng nhắc đến tỉnh", "Press and social media mentions"),
      ("tin bài", "items"), ("Số tin bài báo chí và bài đăng mạng xã hội nhắc đến tỉnh trong "
                             "ngày (hệ thống theo dõi thông tin).",
                             "Press articles and social media posts mentioning the province "
                             "in the day (media monitoring)."),
      periodicity="DAY", grain="PROVINCE"),
    k("press-negative", "PRESS", CULTURE, ("Tin bài tiêu cực", "Negative items"),
      ("tin bài", "items"), ("Số tin bài, bài đăng có sắc thái tiêu cực trong ngày.",
                             "Items with a negative tone in the day."),
      periodicity="DAY", grain="PROVINCE", direction="LOWER"),
    k("press-negative-share", "PRESS", CULTURE,
      ("Tỷ lệ tin bài tiêu cực", "Share of negative items"), PCT,
      ("Tin bài tiêu cực / tổng tin bài × 100.", "Negative items / all items × 100."),
      periodicity="DAY", grain="PROVINCE", aggregation="RATIO",
      parts=("press-negative", "press-mentions"), scale=100.0, direction="LOWER", amber=30.0,
      decimals=1),
    # ---- cybersecurity -----------------------------------------------------------------------
    k("cyber-events", "CYBER", SCIENCE,
      ("Tấn công, sự kiện mất an toàn thông tin phát hiện",
       "Cyber attacks and security events detected"), ("sự kiện", "events"),
      ("Số lượt tấn công và sự kiện bất thường hệ thống giám sát phát hiện trên các hệ thống "
       "của tỉnh trong tháng.", "Attacks and anomalous events the monitoring detected on the "
                                "province's systems in the month."),
      grain="PROVINCE", direction="LOWER"),
    k("cyber-attacks-blocked", "CYBER", SCIENCE,
      ("Tấn công mạng bị ngăn chặn", "Cyber attacks blocked"), ("sự kiện", "events"),
      ("Số lượt tấn công đã bị ngăn chặn, xử lý trong tháng.",
       "Attacks blocked or remediated in the month."), grain="PROVINCE"),
    k("cyber-blocked-pct", "CYBER", SCIENCE,
      ("Tỷ lệ tấn công bị ngăn chặn", "Share of attacks blocked"), PCT,
      ("Tấn công bị ngăn chặn / tấn công, sự kiện phát hiện × 100.",
       "Attacks blocked / attacks and events detected × 100."),
      grain="PROVINCE", aggregation="RATIO", parts=("cyber-attacks-blocked", "cyber-events"),
      scale=100.0, amber=1.0, decimals=2),
    # ---- citizen interaction (computed from incidents) ---------------------------------------
    k("citizen-reports", "CITIZEN", IOC,
      ("Phản ánh của người dân tiếp nhận", "Citizen reports received"),
      ("phản ánh", "reports"),
      ("Phản ánh người dân gửi qua web và ứng dụng Open311 trong tháng (trừ phản ánh bị từ "
       "chối hoặc trùng).", "Reports citizens sent through the web and Open311 apps in the "
                            "month (rejected and duplicate ones left out)."),
      computation="citizen_reports_received"),
    k("incidents-received", "CITIZEN", IOC,
      ("Sự cố tiếp nhận (mọi kênh)", "Incidents received (all channels)"), INCIDENTS,
      ("Sự cố tiếp nhận trong tháng qua mọi kênh (trừ sự cố bị từ chối hoặc trùng).",
       "Incidents received in the month through every channel (rejected and duplicate ones "
       "left out)."), direction="LOWER", computation="incidents_received"),
    k("incidents-resolved", "CITIZEN", IOC, ("Sự cố đã xử lý xong", "Incidents resolved"),
      INCIDENTS, ("Sự cố xử lý xong trong tháng (đã xử lý hoặc đã đóng), theo thời điểm xử lý "
                  "xong.", "Incidents resolved in the month (resolved or closed), by the time "
                           "of resolution."), computation="incidents_resolved"),
    k("incidents-resolved-on-time", "CITIZEN", IOC,
      ("Sự cố xử lý xong đúng hạn", "Incidents resolved on time"), INCIDENTS,
      ("Sự cố xử lý xong trong tháng trước hoặc đúng hạn xử lý (SLA).",
       "Incidents resolved in the month by their due time (SLA)."),
      computation="incidents_resolved_on_time"),
    k("incidents-on-time-pct", "CITIZEN", IOC,
      ("Tỷ lệ sự cố xử lý đúng hạn", "Incidents resolved on time (%)"), PCT,
      ("Sự cố xử lý xong đúng hạn / sự cố xử lý xong × 100 (như chỉ số trên màn hình tường).",
       "Incidents resolved on time / incidents resolved × 100 (as on the video wall)."),
      aggregation="RATIO", parts=("incidents-resolved-on-time", "incidents-resolved"),
      scale=100.0, computation="incidents_on_time_pct", decimals=1),
    k("citizen-satisfaction", "CITIZEN", IOC,
      ("Mức hài lòng của người dân", "Citizen satisfaction"), ("điểm (1–5)", "points (1–5)"),
      ("Điểm đánh giá trung bình (1–5) người phản ánh cho các sự cố xử lý xong trong tháng.",
       "Average rating (1–5) reporters gave the incidents resolved in the month."),
      aggregation="MEAN", computation="citizen_satisfaction", decimals=2),
]


def seed(apps, schema_editor) -> None:
    Kpi = apps.get_model("kpi", "Kpi")
    by_code = {}
    for position, entry in enumerate(CATALOGUE):
        fields = {key: value for key, value in entry.items() if key not in ("code", "parts")}
        by_code[entry["code"]], _ = Kpi.objects.get_or_create(
            code=entry["code"], defaults={**fields, "position": position})
    for entry in CATALOGUE:
        kpi = by_code[entry["code"]]
        if entry["parts"] and kpi.numerator_id is None:
            kpi.numerator = by_code[entry["parts"][0]]
            kpi.denominator = by_code[entry["parts"][1]]
            kpi.save(update_fields=["numerator", "denominator"])


def unseed(apps, schema_editor) -> None:
    """Remove the seeded KPIs, and with them their values (a KPI protects its values)."""
    Kpi = apps.get_model("kpi", "Kpi")
    codes = [entry["code"] for entry in CATALOGUE]
    apps.get_model("kpi", "KpiValue").objects.filter(kpi__code__in=codes).delete()
    Kpi.objects.filter(code__in=codes).update(numerator=None, denominator=None)
    Kpi.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):

    dependencies = [("kpi", "0002_value_periodicity_follows_kpi")]

    operations = [migrations.RunPython(seed, unseed)]
