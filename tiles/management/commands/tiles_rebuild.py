"""Recompute everything the tile server derives from the data, then empty the tile cache."""
from django.core.management.base import BaseCommand
from tqdm import tqdm

from layers.models import Layer
from tiles.basemap import basemap_load
from tiles.cache import tile_cache
from tiles.maintenance import analyze, bump_version, rollup_rebuild, unit_shapes_rebuild
from tiles.sources import registry


class Command(BaseCommand):
    help = "Tính lại số đếm ô lưới, ranh giới đơn giản hóa, nền bản đồ; xóa bộ đệm tile."

    def handle(self, *args, **options) -> None:
        layers = list(Layer.objects.order_by("slug"))
        for layer in tqdm(layers, desc="Lớp", unit=" lớp"):
            cells = rollup_rebuild(layer)
            bump_version(layer)
            if cells:
                self.stdout.write(f"  {layer.slug}: {cells:,} ô lưới")
        self.stdout.write(f"Ranh giới đơn giản hóa: {unit_shapes_rebuild():,}")
        self.stdout.write(f"Nền bản đồ: {basemap_load():,} đối tượng")
        analyze()  # after every rebuilt table: stale statistics make unit tiles ~80x slower
        cache = tile_cache()
        for source in registry.all():
            cache.clear_layer(source)
        self.stdout.write(self.style.SUCCESS("Đã xóa bộ đệm tile."))
