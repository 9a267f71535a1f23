"""The audit trail's cost (issue 3, ADR 0006): a bulk upsert of `--rows` points with the
feature table's audit triggers on, against the same upsert with them off in the same run (the
baseline), best of `--rounds` alternating rounds; the time PostgreSQL spends inside the audit
trigger functions (track_functions); and the audit admin's list pages over that many events.
Prints figures and ratios; asserts nothing about time (it stops if the audit trail did not
record what it should, as its figures would then mean nothing).

On a database of its own (`<DATABASE_URL's name>_audit`: migrated, demo loaded; dropped at the
end unless --keep).
Usage: .venv/bin/python bench/audit.py [--rows 50000] [--rounds 3] [--keep]"""
import argparse
import random
import time

from _django import drop_database, fresh_database, setup

SCHEMA = {"type": "object", "properties": {"name": {"type": "string"},
                                           "depth_m": {"type": "integer", "minimum": 0}}}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def items(seed: int, n: int, label: str) -> list:
    from layers.validation import FeatureInput

    rng = random.Random(seed)
    return [FeatureInput(f"b{i}", {"type": "Point", "coordinates": [
        round(rng.uniform(104.9, 106.0), 6), round(rng.uniform(19.4, 20.6), 6)]},
        {"name": f"{label} {i}", "depth_m": rng.randint(1, 80)}) for i in range(n)]


def layer_create(number: int):
    from layers.models import GeometryKind, Layer, Sector

    return Layer.objects.create(
        slug=f"bench-wells-{number}", title_vi="Giếng nước", title_en="Water wells",
        sector=Sector.SOCIO_ECONOMIC, geometry_kind=GeometryKind.POINT, property_schema=SCHEMA,
        owner_department="Sở Nông nghiệp và Môi trường")


def audit_triggers() -> list[str]:
    """The feature table's audit triggers, as pghistory installed them."""
    from audit.models import TrackedFeature

    return [trigger.get_pgid(TrackedFeature) for trigger in TrackedFeature._meta.triggers]


def audit_switch(enabled: bool) -> None:
    from django.db import connection
    from psycopg2 import sql

    verb = sql.SQL("ENABLE" if enabled else "DISABLE")
    with connection.cursor() as cursor:
        for name in audit_triggers():
            cursor.execute(sql.SQL("ALTER TABLE layers_feature {} TRIGGER {}").format(
                verb, sql.Identifier(name)))


def timed_upsert(layer, batch) -> tuple[float, float]:
    """(seconds for the whole call, seconds inside the audit trigger functions)."""
    from django.db import connection, transaction

    from layers.services import features_upsert

    begun = time.perf_counter()
    with transaction.atomic():
        features_upsert(layer=layer, items=batch)
        with connection.cursor() as cursor:
            # This transaction's own function statistics (track_functions, set below).
            cursor.execute("SELECT coalesce(sum(total_time), 0) FROM "
                           "pg_stat_xact_user_functions WHERE funcname = ANY(%s)",
                           [audit_triggers()])  # pghistory names each function as its trigger
            in_triggers = float(cursor.fetchone()[0]) / 1000
    return time.perf_counter() - begun, in_triggers


def overhead(rows: int, rounds: int) -> None:
    from audit.models import FeatureEvent

    best: dict[tuple[bool, str], list[tuple[float, float]]] = {}
    number = 0
    for round_ in range(rounds):
        for audited in (True, False) if round_ % 2 == 0 else (False, True):
            audit_switch(audited)
            number += 1
            layer = layer_create(number)
            for kind, label in (("insert", "Giếng"), ("update", "Giếng khoan")):
                best.setdefault((audited, kind), []).append(
                    timed_upsert(layer, items(round_, rows, label)))
            audit_switch(True)
            events = FeatureEvent.objects.filter(layer_id=layer.pk).count()
            if events != (2 * rows if audited else 0):
                raise SystemExit(f"the audit trail holds {events} events for {2 * rows} writes "
                                 f"(audited: {audited}): figures would be meaningless")
    print(f"\nfeatures_upsert of {rows:,} points, best of {rounds} (audit off = the baseline):")
    for kind in ("insert", "update"):
        on = min(best[(True, kind)])
        off = min(best[(False, kind)])
        print(f"  {kind:6}: audited {on[0]:6.2f} s, not audited {off[0]:6.2f} s = "
              f"{on[0] / off[0]:.3f} x ({(on[0] / off[0] - 1) * 100:+.1f} %); "
              f"inside the audit triggers {on[1]:.2f} s")


def admin_pages(rows: int) -> None:
    """The audit admin's first page, filtered pages and a search over the events written."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from audit.models import FeatureEvent

    user = get_user_model().objects.create_superuser("bench-audit", "bench@example.vn", None)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # the second factor, as if passed
    session.save()
    url = reverse("admin:audit_auditlog_changelist")
    some_id = FeatureEvent.objects.values_list("pgh_obj_id", flat=True).first()
    print(f"\naudit admin list over {FeatureEvent.objects.count():,} feature events "
          "(ms, best of 3):")
    for query in ({}, {"model": "layers.Feature"}, {"label": "update"}, {"q": str(some_id)},
                  {"user": str(user.pk)}):
        times = []
        for _ in range(3):
            begun = time.perf_counter()
            response = client.get(url, query)
            times.append(time.perf_counter() - begun)
            if response.status_code != 200:
                raise SystemExit(f"admin list {query}: HTTP {response.status_code}")
        print(f"  {query or 'first page'}: {min(times) * 1000:.0f} ms")


def main() -> int:
    args = parse_args()
    setup()
    import logging

    logging.getLogger("axes").setLevel(logging.WARNING)  # the admin's sign-in, once per run
    print("preparing a fresh database", flush=True)
    name, _ = fresh_database("audit")
    try:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SET track_functions = 'pl'")
        overhead(args.rows, args.rounds)
        admin_pages(args.rows)
    finally:
        audit_switch(True)
        if not args.keep:
            drop_database(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
