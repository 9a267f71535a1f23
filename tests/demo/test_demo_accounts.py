"""`manage.py ensure_demo_admin` also makes one demo account per kind of screen user; each can
sign in with the printed password (no second factor owed) and open its screen; a second run
keeps the passwords."""
import pytest
from django.core.management import call_command
from django.test import Client

from demo import accounts

pytestmark = pytest.mark.django_db


@pytest.fixture
def password_file(tmp_path, monkeypatch):
    path = tmp_path / "demo-accounts"
    monkeypatch.setattr(accounts, "PASSWORD_FILE", path)
    return path


def test_each_demo_account_signs_in_and_opens_its_screen(password_file):
    made = accounts.demo_accounts_ensure()
    assert [a.username for a, _ in made] == ["tuong", "lanhdao", "dieuhanh", "quyhoach"]
    assert oct(password_file.stat().st_mode & 0o777) == "0o600"
    for account, password in made:
        client = Client()
        assert client.login(username=account.username, password=password)
        response = client.get(account.screen)
        assert response.status_code == 200, (account.username, response.status_code)
    again = accounts.demo_accounts_ensure()
    assert [p for _, p in again] == [p for _, p in made]


def test_the_command_prints_every_login(password_file, capsys, tmp_path, monkeypatch):
    from demo.management.commands import ensure_demo_admin

    monkeypatch.setattr(ensure_demo_admin, "PASSWORD_FILE", tmp_path / "admin")
    call_command("ensure_demo_admin")
    out = capsys.readouterr().out
    for account, password in accounts.demo_accounts_ensure():
        assert f"user: {account.username}  password: {password}" in out
