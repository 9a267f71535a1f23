"""The JSON shapes of the dashboard's API (plain dicts; figures and units in the KPI app's own
shapes, kpi.output, so the page reads one vocabulary)."""
from kpi.models import Kpi
from kpi.output import figure_data, unit_data
from kpi.units import RefUnit

from .records import FEATURES, records_rule
from .selectors import KpiAcross, KpiRecords


def kpi_data(kpi: Kpi) -> dict:
    """What the page needs of a KPI beside its figures."""
    return {"code": kpi.code, "name": kpi.name_vi, "name_en": kpi.name_en, "unit": kpi.unit_vi,
            "unit_en": kpi.unit_en, "sector": kpi.sector, "direction": kpi.direction,
            "periodicity": kpi.periodicity, "decimals": kpi.decimals,
            "is_public": kpi.is_public, "source": kpi.source.lower(),
            "has_records": records_rule(kpi) is not None}


def _units(chain: list[RefUnit], generation: str) -> list[dict]:
    return [unit_data(unit, generation) for unit in chain]


def across_data(answer: KpiAcross) -> dict:
    """A KPI for a unit and its children in one period, children ranked best first."""
    units = []
    for rank, figure in enumerate(answer.children, start=1):
        point = figure.point
        units.append({
            "code": figure.unit.code, "name": figure.unit.name,
            "level": figure.unit.level.lower(),
            "rank": rank if point is not None else None,
            "value": point.value if point else None, "origin": point.origin if point else None,
            "target": figure.target, "status": figure.judgement.status.lower(),
            "status_reason": figure.judgement.reason,
            "shortfall_pct": figure.judgement.shortfall_pct})
    return {"kpi": kpi_data(answer.kpi), "unit": unit_data(answer.unit, answer.generation),
            "breadcrumb": _units(answer.breadcrumb, answer.generation),
            "period": {"label": answer.period.label, "start": answer.period.start,
                       "end": answer.period.end},
            "own": figure_data(answer.own), "level": answer.level and answer.level.lower(),
            "bbox": answer.bbox, "units": units}


def _incident(incident) -> dict:
    return {"id": incident.public_id, "title": incident.title, "status": incident.status,
            "status_label": incident.get_status_display(),
            "category": incident.category.code, "category_name": incident.category.name_vi,
            "category_name_en": incident.category.name_en,
            "created_at": incident.created_at, "due_at": incident.due_at,
            "resolved_at": incident.resolved_at,
            "on_time": (incident.resolved_at <= incident.due_at
                        if incident.resolved_at and incident.due_at else None),
            "rating": incident.rating, "commune_code": incident.commune_code}


def _feature(feature, layer, principal) -> dict:
    properties = feature.properties
    if not principal.can_read_private(layer):  # the feature API's rule (layers.feature_api)
        public = set(layer.public_property_names())
        properties = {k: v for k, v in properties.items() if k in public}
    return {"id": feature.external_id, "observed_at": feature.observed_at,
            "commune_code": feature.commune_code, "properties": properties}


def records_data(answer: KpiRecords, principal) -> dict:
    """The records behind a KPI's figure, with the figure itself."""
    records = answer.records
    if records.kind == FEATURES:
        rows = [_feature(f, records.layer, principal) for f in records.rows]
        layer = {"slug": records.layer.slug, "title": records.layer.title_vi,
                 "title_en": records.layer.title_en}
    else:
        rows, layer = [_incident(i) for i in records.rows], None
    return {"kpi": kpi_data(answer.kpi), "unit": unit_data(answer.unit, answer.generation),
            "period": {"label": answer.figure.period.label, "start": answer.figure.period.start,
                       "end": answer.figure.period.end},
            "figure": figure_data(answer.figure), "kind": records.kind,
            "counted": records.counted, "layer": layer, "total": records.total,
            "shown": len(rows), "results": rows}
