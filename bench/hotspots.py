"""Incident hotspots (issue 8) at scale: GET /api/hotspots/ and /api/hotspots/patterns/ over
`--incidents` incidents (default 1,000,000), ms per answer p50/p95 as a province-wide leader and
as a commune official, with the parts of the province-wide answer (SQL aggregation, Gi*,
rendering). Target: about 1 s or less province-wide at 1 M incidents. Baseline of the same run:
one `count(*)` of the incidents of the window (the scan every answer pays). Prints figures;
asserts nothing about time.

The incidents: `load_demo --scale N` makes map features, not incidents, so this bench makes its
own. On a database of its own (`<DATABASE_URL's name>_hotspots`: migrated, demo loaded), one
INSERT … SELECT copies the demo's 7,200 security-incident and traffic-accident points, each many
times, jittered by up to ±330 m, moved forward by whole weeks (their local hour and weekday
rhythm stays) so they end today and span ~21 months; categories at random, 2 % rejected and 1 %
duplicate (never counted).

Usage: .venv/bin/python bench/hotspots.py [--incidents 1000000] [--repeat 7] [--keep]
       .venv/bin/python bench/hotspots.py --reuse   (the database a --keep run left)"""
import argparse
import statistics
import time

from _django import drop_database, fresh_database, setup

GENERATE = """
WITH seeds AS (
  SELECT row_number() OVER (ORDER BY f.id) - 1 AS k, f.geom, f.observed_at, f.commune_code
  FROM layers_feature f JOIN layers_layer l ON l.id = f.layer_id
  WHERE l.slug IN ('security-incidents', 'traffic-accidents') AND f.commune_code IS NOT NULL
    AND GeometryType(f.geom) = 'POINT'),
shift AS (SELECT floor(extract(epoch FROM now() - max(observed_at)) / 604800) AS weeks,
                 count(*) AS n FROM seeds),
cats AS (SELECT row_number() OVER (ORDER BY code) - 1 AS k, id, agency,
                count(*) OVER () AS n FROM incidents_category)
INSERT INTO incidents_incident (public_id, category_id, severity, status, title, description,
  location, address, channel, origin, origin_system, origin_ref, origin_url, reporter_name,
  reporter_phone, reporter_email, commune_code, assigned_unit_code, agency, escalation_level,
  due_at, created_at, updated_at)
SELECT 'PB-' || lpad(g::text, 9, '0'), c.id, 'medium',
  CASE WHEN g %% 100 < 2 THEN 'rejected' WHEN g %% 100 = 2 THEN 'duplicate' ELSE 'closed' END,
  'Bench', 'Bench',
  ST_SetSRID(ST_MakePoint(ST_X(s.geom) + (random() - 0.5) * 0.007,
                          ST_Y(s.geom) + (random() - 0.5) * 0.006), 4326),
  '', 'hotline', '', '', '', '', '', '', '', s.commune_code, s.commune_code, c.agency, 0,
  t.at + interval '3 days', t.at, t.at
FROM generate_series(1, %(n)s) g CROSS JOIN shift
CROSS JOIN LATERAL (SELECT (g::bigint * 7919) %% shift.n AS sk, floor(random() * 16)::int AS ck,
                           floor(random() * 12)::int AS back) r
JOIN seeds s ON s.k = r.sk
JOIN cats c ON c.k = r.ck %% c.n
CROSS JOIN LATERAL (SELECT s.observed_at + (shift.weeks - r.back) * interval '7 days' AS at) t
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--reuse", action="store_true",
                        help="use <name>_hotspots as a --keep run left it")
    return parser.parse_args()


def prepare(args) -> str:
    """The bench database, with its incidents; its name."""
    from django.conf import settings
    from django.db import connection, connections

    if args.reuse:
        name = f"{settings.DATABASES['default']['NAME']}_hotspots"
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = name
        return name
    name, _ = fresh_database("hotspots")
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute(GENERATE, {"n": args.incidents})
            cursor.execute("ANALYZE incidents_incident")
    except BaseException:
        drop_database(name)
        raise
    print(f"  {args.incidents:,} incidents written in {time.perf_counter() - started:.0f} s",
          flush=True)
    return name


def timed(call, repeat: int) -> tuple[float, float]:
    """(p50, p95) in ms of `call()` run `repeat` times after one warm-up."""
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95 + 0.5) - 1)]


def main() -> None:
    args = parse_args()
    setup()
    name = prepare(args)
    try:
        run(args)
    finally:
        if not args.keep and not args.reuse:
            drop_database(name)


def _client(role: str, units=()):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from access.models import Jurisdiction

    user, _ = get_user_model().objects.get_or_create(username=f"bench-hotspots-{role}")
    user.groups.add(Group.objects.get(name=role))
    if units:
        jurisdiction, _ = Jurisdiction.objects.get_or_create(user=user)
        jurisdiction.units.set(units)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def run(args) -> None:
    from datetime import timedelta

    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from incidents.models import Incident
    from layers.models import AdminLevel, AdminUnit

    today = timezone.localdate()
    year = f"since={today - timedelta(days=364)}&until={today}"
    leader = _client("province_leader")
    busiest = (Incident.objects.values_list("commune_code").order_by()
               .annotate(n=Count("id")).order_by("-n")[0][0])
    official = _client("unit_official", units=[AdminUnit.objects.get(
        code=busiest, level=AdminLevel.COMMUNE, valid_to__isnull=True)])
    last_year = Incident.objects.filter(created_at__gte=timezone.now() - timedelta(days=365))
    print(f"{Incident.objects.count():,} incidents, {last_year.count():,} in the last year; "
          f"today {today}")
    with connection.cursor() as cursor:
        p50, _ = timed(lambda: cursor.execute(
            "SELECT count(*) FROM incidents_incident WHERE created_at >= now() - interval "
            "'1 year' AND status NOT IN ('rejected', 'duplicate')"), args.repeat)
    print(f"baseline, count(*) of one year of incidents: p50 {p50:.0f} ms")
    cases = [
        ("province, 1 year, hex 2 km", leader, f"/api/hotspots/?{year}"),
        ("province, 1 year, square 2 km", leader, f"/api/hotspots/?{year}&shape=square"),
        ("province, 1 year, hex 1 km", leader, f"/api/hotspots/?{year}&cell=1000"),
        ("province, 1 year, square 1 km", leader, f"/api/hotspots/?{year}&cell=1000&shape=square"),
        ("province, 2 years (the most), hex 2 km", leader,
         f"/api/hotspots/?since={today - timedelta(days=730)}&until={today}"),
        ("province, 30 days (default), hex 2 km", leader, "/api/hotspots/"),
        ("province, 1 year, one category", leader, f"/api/hotspots/?{year}&category=chay-no"),
        (f"commune {busiest} official, 1 year, hex 1 km", official,
         f"/api/hotspots/?{year}&cell=1000"),
        ("patterns, province, 1 year", leader, f"/api/hotspots/patterns/?{year}"),
    ]
    for label, client, path in cases:
        sizes = []

        def call(client=client, path=path, sizes=sizes):
            response = client.get(path)
            assert response.status_code == 200, (path, response.content[:300])
            sizes.append(len(response.content))
        p50, p95 = timed(call, args.repeat)
        print(f"{label:48s} p50 {p50:7.0f} ms  p95 {p95:7.0f} ms  {sizes[-1] / 1024:6.0f} KB  "
              f"[{'ok' if p50 <= 1000 else 'MISSED'} ≤ ~1 s]", flush=True)
    parts(args, today)


def parts(args, today) -> None:
    """Where the province-wide answer (1 year, hex 2 km) spends its time."""
    from datetime import date, timedelta

    from django.contrib.auth import get_user_model

    from access.principal import principal_for_user
    from hotspots.aggregate import cell_counts, ground_cells, study_area
    from hotspots.gistar import gi_star
    from hotspots.grid import Grid
    from hotspots.output import hotspots_collection
    from hotspots.selectors import (ground_units, hotspot_incidents, hotspot_window,
                                    hotspots)

    principal = principal_for_user(get_user_model().objects.get(
        username="bench-hotspots-province_leader"))
    since: date = today - timedelta(days=364)
    window = hotspot_window(since=since, until=today)
    grid = Grid.of(shape="hex", cell_m=2000)
    incidents = hotspot_incidents(principal=principal, window=window)
    counts = cell_counts(incidents=incidents, grid=grid)
    ground = ground_cells(units=ground_units(principal=principal), grid=grid)
    i, j, x, _ = study_area(ground=ground, counts=counts)
    result = hotspots(principal=principal, since=since, until=today, cell_m=2000)
    steps = [
        ("SQL: count per cell, category, commune", lambda: cell_counts(incidents=incidents,
                                                                       grid=grid)),
        ("study area (cached outline cells) + merge", lambda: study_area(
            ground=ground_cells(units=ground_units(principal=principal), grid=grid),
            counts=counts)),
        (f"Gi* over {len(x):,} cells (numpy)", lambda: gi_star(grid, i, j, x)),
        ("render the FeatureCollection", lambda: hotspots_collection(result, {})),
    ]
    print("parts of 'province, 1 year, hex 2 km':")
    for label, call in steps:
        p50, _ = timed(call, args.repeat)
        print(f"  {label:46s} p50 {p50:7.1f} ms")


if __name__ == "__main__":
    main()
