"""GET /api/units/{code}/stats/ (the leaders' drill-down, issue 6) on the `--scale` dataset:
ms per answer p50/p95 for the province (also with a window of local days), a pre-reform
district and communes, as a province-wide leader, with and without a layer's choropleth —
against the target of 50 ms p95 at 1 M incidents. Prints figures; asserts nothing. Baseline
of the same run: one count statement over the largest layer (what each answer would cost
without the kept per-unit counts).

Usage: DATABASE_URL=postgres://…/ioc_bench .venv/bin/python bench/unit_stats.py [--repeat 20]"""
import argparse
import statistics
import time

from _django import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from layers.models import AdminLevel, AdminUnit, Feature, Layer
    from layers.stats import PRE_REFORM_REFERENCE_DATE

    user, _ = get_user_model().objects.get_or_create(username="bench-unit-stats")
    user.groups.add(Group.objects.get(name="province_leader"))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    biggest = max(Layer.objects.all(), key=lambda layer: Feature.objects.filter(
        layer=layer).count())
    communes = list(AdminUnit.objects.filter(level=AdminLevel.COMMUNE, valid_to__isnull=True)
                    .order_by("code").values_list("code", flat=True))
    district = (AdminUnit.objects.filter(level=AdminLevel.DISTRICT,
                                         valid_from__lte=PRE_REFORM_REFERENCE_DATE)
                .order_by("code").values_list("code", flat=True).first())
    cases = {
        "province": "/api/units/38/stats/",
        f"province + choropleth of {biggest.slug}": f"/api/units/38/stats/?layer={biggest.slug}",
        "pre-reform district + choropleth": (f"/api/units/{district}/stats/?generation=pre2025"
                                             f"&layer={biggest.slug}"),
        "province, Jan 10 – Apr 20 2025 (partial months)": (
            f"/api/units/38/stats/?since=2025-01-10&until=2025-04-20&layer={biggest.slug}"),
        "commune (one of 166)": None,
    }
    print(f"{Feature.objects.count():,} features; largest layer {biggest.slug} "
          f"({Feature.objects.filter(layer=biggest).count():,}); today {timezone.localdate()}")
    with connection.cursor() as cursor:
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            cursor.execute("SELECT count(*) FROM layers_feature WHERE layer_id = %s",
                           [biggest.pk])
            cursor.fetchone()
            timings.append((time.perf_counter() - start) * 1000)
    print(f"baseline, count(*) of {biggest.slug} alone: p50 {statistics.median(timings):.1f} ms")
    for label, url in cases.items():
        timings = []
        for i in range(args.repeat):
            path = url or f"/api/units/{communes[i % len(communes)]}/stats/?layer={biggest.slug}"
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{label:45s} p50 {statistics.median(timings):7.1f} ms  p95 {p95:7.1f} ms  "
              f"[{'ok' if p95 <= 50 else 'MISSED'} ≤ 50 ms p95]")


if __name__ == "__main__":
    main()
