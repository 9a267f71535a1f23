"""A tqdm bar per step of a zonal run (one per raster or measure and generation)."""
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bars(disabled: bool):
    """Yields a callback(what, done, total) drawing one bar per `what`."""
    bars: dict[str, tqdm] = {}

    def progress(what: str, done: int, total: int) -> None:
        bar = bars.get(what)
        if bar is None:
            for other in bars.values():
                other.close()
            bar = bars[what] = tqdm(total=total, desc=what, unit=" đv", disable=disabled)
        bar.update(done - bar.n)

    try:
        yield progress
    finally:
        for bar in bars.values():
            bar.close()
