"""How much the Feature audit triggers cost a bulk upsert. A measurement, not a check: runs only
with IOC_AUDIT_BENCH=1 and prints its numbers (pytest -s).

    IOC_AUDIT_BENCH=1 IOC_TEST_DB_NAME=test_ioc_audit .venv/bin/python -m pytest -q -s \
        tests/audit/test_audit_overhead.py
"""
import os
import random
import time

import pytest
from django.db import connection

from audit.models import FeatureEvent, TrackedFeature
from layers.services import features_upsert
from layers.validation import FeatureInput
from tests.factories import make_layer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("IOC_AUDIT_BENCH"), reason="set IOC_AUDIT_BENCH=1"),
]
N = int(os.environ.get("IOC_AUDIT_BENCH_ROWS", 50_000))
ROUNDS = int(os.environ.get("IOC_AUDIT_BENCH_ROUNDS", 3))


def _items(seed: int, n: int = N, label: str = "Giếng") -> list[FeatureInput]:
    rng = random.Random(seed)
    return [FeatureInput(f"b{i}", {"type": "Point", "coordinates": [
        round(rng.uniform(104.9, 106.0), 6), round(rng.uniform(19.4, 20.6), 6)]},
        {"name": f"{label} {i}", "depth_m": rng.randint(1, 80)}) for i in range(n)]


def _audit_triggers(enabled: bool) -> None:
    pgids = [t.get_pgid(TrackedFeature) for t in TrackedFeature._meta.triggers]
    verb = "ENABLE" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks: ALTER may run
        for pgid in pgids:
            cursor.execute(f"ALTER TABLE layers_feature {verb} TRIGGER {pgid}")


def _timed(fn) -> tuple[float, float]:
    """(total seconds, seconds spent in the upsert statements themselves)."""
    in_sql = [0.0]

    def clock(execute, sql, params, many, context):
        if "INSERT INTO layers_feature" not in sql:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_sql[0] += time.perf_counter() - started

    started = time.perf_counter()
    with connection.execute_wrapper(clock):
        fn()
    return time.perf_counter() - started, in_sql[0]


def test_feature_trigger_overhead():
    assert len(TrackedFeature._meta.triggers) == 4  # insert, update, delete, truncate
    results = {True: {"insert": [], "update": []}, False: {"insert": [], "update": []}}
    for round_ in range(ROUNDS):
        for audited in (True, False) if round_ % 2 == 0 else (False, True):
            _audit_triggers(audited)
            layer = make_layer()
            inserts, updates = _items(round_), _items(round_, label="Giếng khoan")
            results[audited]["insert"].append(
                _timed(lambda: features_upsert(layer=layer, items=inserts)))
            results[audited]["update"].append(
                _timed(lambda: features_upsert(layer=layer, items=updates)))
            _audit_triggers(True)
            expected = 2 * N if audited else 0
            assert FeatureEvent.objects.filter(layer_id=layer.pk).count() == expected
    print(f"\nfeatures_upsert of {N:,} points (best of {ROUNDS}):")
    for kind in ("insert", "update"):
        for part, name in ((0, "whole call"), (1, "upsert SQL only")):
            on = min(r[part] for r in results[True][kind])
            off = min(r[part] for r in results[False][kind])
            print(f"  {kind:6} {name:16}: audited {on:6.2f} s, not audited {off:6.2f} s, "
                  f"overhead {on - off:+.2f} s ({(on / off - 1) * 100:+.0f} %)")


def _explain_upsert(layer, items) -> dict:
    """Stage `items` as features_upsert does, then EXPLAIN ANALYZE its upsert statement."""
    import json

    from layers import services

    rows = services._validated_rows(layer, items)
    with connection.cursor() as cursor:
        cursor.execute(services._STAGE_SQL)
        cursor.execute("TRUNCATE ioc_feature_stage")
        services._copy_rows(cursor, rows)
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + services._UPSERT_SQL,
                       {"layer_id": layer.pk})
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return plan[0]


def test_feature_trigger_time_from_the_database():
    """Exact time PostgreSQL spent in each trigger of one 50,000-row insert and update."""
    layer = make_layer()
    audit = {t.get_pgid(TrackedFeature) for t in TrackedFeature._meta.triggers}
    print(f"\nEXPLAIN ANALYZE of the upsert statement, {N:,} points:")
    for kind, items in (("insert", _items(7)), ("update", _items(7, label="Giếng khoan"))):
        plan = _explain_upsert(layer, items)
        total = plan["Execution Time"] / 1000
        for trigger in plan.get("Triggers", []):
            who = "audit" if trigger["Trigger Name"] in audit else "other"
            print(f"  {kind}: {who} trigger {trigger['Trigger Name']}: "
                  f"{trigger['Time'] / 1000:.2f} s in {trigger['Calls']:,} calls")
        spent = sum(t["Time"] for t in plan.get("Triggers", [])
                    if t["Trigger Name"] in audit) / 1000
        print(f"  {kind}: statement {total:.2f} s, of which audit {spent:.2f} s "
              f"({spent / (total - spent) * 100:+.0f} % over the statement without it)")


def test_admin_list_stays_fast_on_a_large_trail():
    """The admin's first page, filtered pages and an object search, over N feature events."""
    from django.urls import reverse

    from tests.audit.helpers import verified_admin_client

    layer = make_layer()
    features_upsert(layer=layer, items=_items(3))
    client, admin_user = verified_admin_client()
    url = reverse("admin:audit_auditlog_changelist")
    some_id = FeatureEvent.objects.filter(layer_id=layer.pk).values_list("pgh_obj_id",
                                                                          flat=True).first()
    print(f"\nadmin list over {N:,} feature events (+ the demo's):")
    for query in ({}, {"model": "layers.Feature"}, {"label": "update"}, {"q": str(some_id)},
                  {"user": str(admin_user.pk)}):
        elapsed, _ = _timed(lambda q=query: client.get(url, q))
        print(f"  {query or 'first page'}: {elapsed * 1000:.0f} ms")
