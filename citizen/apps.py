from django.apps import AppConfig


class CitizenConfig(AppConfig):
    """Citizens' web pages: the report form and the tracking page (phản ánh hiện trường).

    Pages only: every read and write goes through the incidents API from static scripts, so the
    rules (routing, duplicates, photos, rating, what is public) stay in one place."""

    name = "citizen"
    verbose_name = "Phản ánh của người dân"
