from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Thanh Hóa demo province: deterministic loader from fixtures/thanh-hoa/."""

    name = "demo"
    verbose_name = "Dữ liệu demo Thanh Hóa"
