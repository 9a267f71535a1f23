"""The colour ramps a raster may be drawn with: a small allow-list of named colour sequences.
A raster pairs one with its own value stops (as many as the ramp has colours, ascending) and a
mode: LINEAR blends between neighbouring stops (clamped at both ends), STEP gives every value
from a stop up to the next that stop's colour and leaves values below the first stop
transparent (e.g. hazard level 0, "no hazard", is not drawn). Nodata is always transparent."""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Ramp:
    name: str
    label: str
    colours: tuple[str, ...]  # "#rrggbb"

    def rgb(self) -> np.ndarray:
        """The colours as an (n, 3) array of 0–255 floats."""
        return np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in self.colours],
                        dtype=np.float64)


RAMPS: dict[str, Ramp] = {ramp.name: ramp for ramp in (
    Ramp("flood", "Ngập lụt (xanh lam, 3 cấp)", ("#9ecae1", "#3182bd", "#08306b")),
    Ramp("blues", "Xanh lam (5 màu)", ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")),
    Ramp("ylorrd", "Vàng – cam – đỏ (5 màu)",
         ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")),
    Ramp("terrain", "Địa hình (xanh lục – nâu, 5 màu)",
         ("#006837", "#78c679", "#ffffcc", "#d8b365", "#8c510a")),
    Ramp("greys", "Xám (2 màu)", ("#f0f0f0", "#252525")),
)}
RAMP_CHOICES = [(ramp.name, ramp.label) for ramp in RAMPS.values()]


class RampMode:
    LINEAR = "LINEAR"
    STEP = "STEP"


def stops_problem(ramp_name: str, stops: list[float]) -> str | None:
    """Why `stops` cannot go with the ramp (None when they can)."""
    ramp = RAMPS.get(ramp_name)
    if ramp is None:
        return f"Thang màu “{ramp_name}” không có trong danh mục: {', '.join(RAMPS)}."
    if len(stops) != len(ramp.colours):
        return f"Thang màu “{ramp_name}” cần đúng {len(ramp.colours)} mốc giá trị."
    if not all(np.isfinite(stops)) or any(b <= a for a, b in zip(stops, stops[1:])):
        return "Các mốc giá trị phải là số hữu hạn, tăng dần."
    return None


def colourize(values: np.ndarray, *, ramp_name: str, stops: list[float],
              mode: str) -> np.ndarray:
    """RGBA (h, w, 4, uint8) of a float array whose NaNs are nodata."""
    ramp = RAMPS[ramp_name]
    rgb = ramp.rgb()
    valid = np.isfinite(values)
    safe = np.where(valid, values, stops[0])
    out = np.zeros(values.shape + (4,), dtype=np.uint8)
    if mode == RampMode.STEP:
        index = np.searchsorted(np.asarray(stops), safe, side="right") - 1
        drawn = valid & (index >= 0)
        chosen = rgb[np.clip(index, 0, len(stops) - 1)]
        out[..., :3] = np.rint(chosen).astype(np.uint8)
    else:
        drawn = valid
        for channel in range(3):
            out[..., channel] = np.rint(np.interp(safe, stops, rgb[:, channel])).astype(np.uint8)
    out[..., 3] = np.where(drawn, 255, 0)
    out[~drawn, :3] = 0
    return out


def ramp_legend(*, ramp_name: str, stops: list[float], mode: str) -> list[dict]:
    """The ramp's stops and colours, for legends and TileJSON."""
    ramp = RAMPS[ramp_name]
    return [{"value": value, "colour": colour} for value, colour in zip(stops, ramp.colours)]
