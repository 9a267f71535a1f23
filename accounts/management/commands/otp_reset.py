"""`manage.py otp_reset <username>`: remove a user's second-factor devices (lost phone)."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import otp_devices_reset


class Command(BaseCommand):
    """Delete every OTP device of one user."""

    help = ("Xóa thiết bị xác thực hai lớp (TOTP) của một người dùng; lần đăng nhập sau họ "
            "sẽ quét mã QR để đăng ký lại.")

    def add_arguments(self, parser) -> None:
        """The username."""
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        """Remove the devices and say how many."""
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có người dùng «{username}».")
        removed = otp_devices_reset(user=user)
        self.stdout.write(self.style.SUCCESS(
            f"Đã xóa {removed} thiết bị xác thực của «{username}»."))
