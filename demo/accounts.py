"""Demo accounts for the staff screens, one per kind of user, so `make demo` can be tried as
each of them: the video wall, a province leader, an operator and a planner. They are staff
(the sign-in page is the admin's) but not administrators, so no second factor is asked until
they enrol one. Passwords are random, kept in var/demo-accounts (mode 600) and printed."""
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from access.models import Jurisdiction, Role
from layers.models import AdminLevel, AdminUnit

PASSWORD_FILE = Path(settings.BASE_DIR) / "var" / "demo-accounts"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    full_name: str
    screen: str  # where this user starts


DEMO_ACCOUNTS = (
    DemoAccount("tuong", Role.WALL_DISPLAY, "Màn hình tường IOC", "/wall/"),
    DemoAccount("lanhdao", Role.PROVINCE_LEADER, "Lãnh đạo tỉnh (demo)", "/drill/"),
    DemoAccount("dieuhanh", Role.SECTOR_OPERATOR, "Cán bộ điều hành (demo)", "/ops/"),
    DemoAccount("quyhoach", Role.PLANNER, "Chuyên viên quy hoạch (demo)", "/planner/"),
)


def _saved_passwords() -> dict[str, str]:
    if not PASSWORD_FILE.exists():
        return {}
    lines = PASSWORD_FILE.read_text(encoding="utf-8").splitlines()
    return dict(line.split(" ", 1) for line in lines if " " in line)


@transaction.atomic
def demo_accounts_ensure() -> list[tuple[DemoAccount, str]]:
    """Create or repair the demo accounts (role, whole-province jurisdiction, a password that
    matches the saved one); returns each with its password."""
    User = get_user_model()
    saved = _saved_passwords()
    province = AdminUnit.objects.get(level=AdminLevel.PROVINCE, valid_to__isnull=True)
    result = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        password = saved.get(account.username)
        if user is None or password is None or not user.check_password(password):
            password = secrets.token_urlsafe(9)
            user = user or User(username=account.username)
            user.set_password(password)
        first, _, last = account.full_name.rpartition(" ")
        user.first_name, user.last_name = first, last
        user.is_staff, user.is_superuser = True, False
        user.save()
        user.groups.set([Group.objects.get(name=account.role)])
        jurisdiction, _ = Jurisdiction.objects.get_or_create(user=user,
                                                             defaults={"sectors": []})
        jurisdiction.units.set([province])
        result.append((account, password))
    PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
    PASSWORD_FILE.write_text("".join(f"{a.username} {p}\n" for a, p in result), encoding="utf-8")
    PASSWORD_FILE.chmod(0o600)
    return result
