"""Render the public reference layers' tiles over the province into the cache (with a progress
bar), so the first visitors and nginx find them ready."""
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from tqdm import tqdm

from access.principal import ANONYMOUS
from tiles.grid import TileAddress, lonlat_to_tile
from tiles.services import tile_get
from tiles.sources import sources_visible
from tiles.tilejson import province_bounds


def reference_slugs() -> list[str]:
    """Public sources whose data are not a stream of events: basemap, units, facilities."""
    return [s.slug for s in sources_visible(principal=ANONYMOUS) if not s.is_temporal]


def province_tiles(z: int) -> list[TileAddress]:
    west, south, east, north = province_bounds()
    top_left, bottom_right = lonlat_to_tile(west, north, z), lonlat_to_tile(east, south, z)
    return [TileAddress(z, x, y) for x in range(top_left.x, bottom_right.x + 1)
            for y in range(top_left.y, bottom_right.y + 1)]


class Command(BaseCommand):
    help = "Tạo sẵn tile của các lớp tham chiếu công khai trên địa bàn tỉnh tới mức zoom."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--max-zoom", type=int, default=12)
        parser.add_argument("--min-zoom", type=int, default=0)
        parser.add_argument("--layer", action="append", dest="layers",
                            help="chỉ các lớp này (mặc định: mọi lớp tham chiếu công khai)")

    def handle(self, *args, max_zoom: int, min_zoom: int, layers, **options) -> None:
        allowed = reference_slugs()
        slugs = layers or allowed
        unknown = sorted(set(slugs) - set(allowed))
        if unknown:
            raise CommandError(f"Không phải lớp tham chiếu công khai: {', '.join(unknown)}")
        if not 0 <= min_zoom <= max_zoom <= 22:
            raise CommandError("Cần 0 <= --min-zoom <= --max-zoom <= 22.")
        jobs = [(slug, address) for slug in slugs for z in range(min_zoom, max_zoom + 1)
                for address in province_tiles(z)]
        empty = 0
        for slug, address in tqdm(jobs, desc="Tạo tile", unit=" tile"):
            empty += tile_get(principal=ANONYMOUS, slug=slug, address=address,
                              query=QueryDict()).is_empty
        self.stdout.write(self.style.SUCCESS(
            f"Đã tạo {len(jobs):,} tile ({len(jobs) - empty:,} có dữ liệu) cho {len(slugs)} lớp."))
