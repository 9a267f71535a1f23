"""Signals the layers app sends; other apps (tiles) listen without layers knowing them."""
from django.dispatch import Signal

# Sent inside the transaction after a batch write or delete of features of `layer` (a Layer,
# or None when the writer knows only its slug: `layer_slug`).
features_changed = Signal()
