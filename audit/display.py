"""How events read in the admin: Vietnamese action names, field labels, short values, diffs."""
import json

from django.apps import apps
from django.utils.html import format_html, format_html_join

from .log import event_models, tracked_label

ACTIONS = {"insert": "Thêm", "update": "Sửa", "delete": "Xóa", "truncate": "Xóa toàn bảng"}
MAX_VALUE_CHARS = 120


def action_name(label: str) -> str:
    """Vietnamese name of an event label (unknown labels are shown as they are)."""
    return ACTIONS.get(label, label)


def model_choices() -> list[tuple[str, str]]:
    """(object model label, Vietnamese name) of every audited model."""
    choices = {tracked_label(m): str(m.pgh_tracked_model._meta.verbose_name)
               for m in event_models()}
    return sorted(choices.items(), key=lambda item: item[1])


def model_name(label: str) -> str:
    """Vietnamese name of an audited model, by label (e.g. 'layers.Feature')."""
    return dict(model_choices()).get(label, label)


def column_labels(object_model: str) -> dict[str, str]:
    """Column → verbose name of the audited model's fields."""
    try:
        model = apps.get_model(object_model)
    except LookupError:
        return {}
    return {f.column: str(f.verbose_name) for f in model._meta.concrete_fields}


def short_value(value) -> str:
    """A value as one short line: GeoJSON becomes its type (and a point's coordinates)."""
    if isinstance(value, dict) and "coordinates" in value and "type" in value:
        if value["type"] == "Point":
            return "POINT ({} {})".format(*value["coordinates"][:2])
        return f"{value['type']} (hình học)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           default=str)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 1] + "…"


def diff_html(diff: dict | None, object_model: str) -> str:
    """`{column: [before, after]}` as a list of 'field: before → after' lines."""
    if not diff:
        return "—"
    labels = column_labels(object_model)
    rows = ((labels.get(column, column), short_value(before), short_value(after))
            for column, (before, after) in sorted(diff.items()))
    return format_html("<ul class='audit-diff'>{}</ul>", format_html_join(
        "", "<li><b>{}</b>: {} → {}</li>", rows))


def values_html(values: dict, object_model: str) -> str:
    """A snapshot `{column: value}` as a two-column table."""
    labels = column_labels(object_model)
    rows = ((labels.get(column, column), short_value(value)) for column, value in values.items())
    return format_html("<table class='audit-snapshot'>{}</table>", format_html_join(
        "", "<tr><th>{}</th><td>{}</td></tr>", rows))
