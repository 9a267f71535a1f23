"""The seeded category catalogue: every sector of the province's plan, who handles each
category by default and its handling time (SLA). Editable in the admin afterwards."""
from datetime import timedelta

from django.db import migrations

CATEGORIES = [
    # code, sector, Vietnamese, English, handling level, agency, SLA hours
    ("tai-nan-giao-thong", "TRAFFIC", "Tai nạn giao thông", "Traffic accident", "PROVINCE",
     "Công an tỉnh (Phòng CSGT)", 2),
    ("un-tac-giao-thong", "TRAFFIC", "Ùn tắc giao thông", "Traffic jam", "COMMUNE",
     "Công an tỉnh (Phòng CSGT)", 4),
    ("den-tin-hieu-hong", "TRAFFIC", "Đèn tín hiệu hỏng", "Broken traffic light", "COMMUNE",
     "Sở Xây dựng", 24),
    ("hu-hong-mat-duong", "TRAFFIC", "Hư hỏng mặt đường, ổ gà", "Road damage, pothole",
     "COMMUNE", "Sở Xây dựng", 72),
    ("an-ninh-trat-tu", "SECURITY", "Mất an ninh trật tự", "Public order", "COMMUNE",
     "Công an tỉnh", 4),
    ("chay-no", "SECURITY", "Cháy, nổ", "Fire, explosion", "PROVINCE",
     "Công an tỉnh (Phòng Cảnh sát PCCC và CNCH)", 1),
    ("rac-thai-moi-truong", "SOCIO_ECONOMIC", "Rác thải, ô nhiễm môi trường",
     "Waste, pollution", "COMMUNE", "Sở Nông nghiệp và Môi trường", 48),
    ("ngap-ung", "SOCIO_ECONOMIC", "Ngập úng", "Flooding", "COMMUNE", "Sở Xây dựng", 12),
    ("an-toan-thuc-pham", "HEALTH", "An toàn thực phẩm", "Food safety", "PROVINCE",
     "Sở Y tế", 72),
    ("dich-benh", "HEALTH", "Dịch bệnh", "Disease outbreak", "PROVINCE", "Sở Y tế", 24),
    ("truong-hoc", "EDUCATION", "Trường học, an toàn học đường", "Schools", "COMMUNE",
     "Sở Giáo dục và Đào tạo", 120),
    ("du-lich", "TOURISM", "Du lịch: chặt chém, chèo kéo khách", "Tourism: overcharging, touts",
     "COMMUNE", "Sở Văn hóa, Thể thao và Du lịch", 24),
    ("thu-tuc-hanh-chinh", "GOVERNMENT", "Thủ tục hành chính", "Administrative procedures",
     "COMMUNE", "Sở Nội vụ", 120),
    ("lua-dao-qua-mang", "CYBER", "Lừa đảo qua mạng", "Online fraud", "PROVINCE",
     "Công an tỉnh (Phòng An ninh mạng)", 48),
    ("tin-sai-su-that", "PRESS", "Thông tin sai sự thật trên mạng", "False information online",
     "PROVINCE", "Sở Văn hóa, Thể thao và Du lịch", 48),
    ("khac", "CITIZEN", "Phản ánh khác", "Other", "COMMUNE", "UBND xã, phường", 120),
]


def seed(apps, schema_editor):
    Category = apps.get_model("incidents", "Category")
    for code, sector, name_vi, name_en, level, agency, hours in CATEGORIES:
        Category.objects.update_or_create(code=code, defaults={
            "sector": sector, "name_vi": name_vi, "name_en": name_en, "handling_level": level,
            "agency": agency, "sla": timedelta(hours=hours)})


class Migration(migrations.Migration):

    dependencies = [("incidents", "0001_incidents")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
