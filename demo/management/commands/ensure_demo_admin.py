"""`manage.py ensure_demo_admin`: make sure the demo administrator exists and print its login."""
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.services import otp_devices_reset
from audit.services import audit_context
from demo.accounts import demo_accounts_ensure

PASSWORD_FILE = Path(settings.BASE_DIR) / "var" / "demo-admin-password"


class Command(BaseCommand):
    help = ("Tạo (nếu chưa có) tài khoản quản trị demo và các tài khoản demo của màn hình "
            "tường, lãnh đạo, điều hành, quy hoạch; in thông tin đăng nhập.")

    def handle(self, *args, **options) -> None:
        with audit_context(command="ensure_demo_admin"):
            self._ensure()

    def _ensure(self) -> None:
        User = get_user_model()
        user = User.objects.filter(username="admin").first()
        password = PASSWORD_FILE.read_text().strip() if PASSWORD_FILE.exists() else None
        if user is None or password is None or not user.check_password(password):
            password = secrets.token_urlsafe(12)
            PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
            PASSWORD_FILE.write_text(password + "\n")
            PASSWORD_FILE.chmod(0o600)
            user = user or User(username="admin", email="admin@localhost")
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
            otp_devices_reset(user=user)  # a new demo admin enrols its own authenticator
        port = self._port()
        self.stdout.write(self.style.SUCCESS(
            f"Quản trị / Admin: http://127.0.0.1:{port}/admin/  user: admin  password: {password}"))
        self.stdout.write("Lần đăng nhập đầu: quét mã QR ở trang xác thực hai lớp bằng ứng dụng "
                          "xác thực (TOTP). Mất điện thoại: python manage.py otp_reset admin")
        for account, secret in demo_accounts_ensure():
            self.stdout.write(f"  {account.full_name}: http://127.0.0.1:{port}{account.screen}  "
                              f"user: {account.username}  password: {secret}")

    @staticmethod
    def _port() -> str:
        import os

        return os.environ.get("PORT", "8000")
