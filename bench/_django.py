"""Bootstraps Django for the bench scripts (run from the repository root or bench/)."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup() -> None:
    """Make the project importable and configure Django with the dev settings (.env)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc_gis.settings.dev")
    import django

    django.setup()
