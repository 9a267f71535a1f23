"""Source columns → the target layer's properties: the connector's field mapping, code lists
(source values matched ignoring case and diacritics), types from the layer's JSON Schema,
Vietnamese text in NFC; then every row checked against the schema."""
import json
import math
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from jsonschema import Draft202012Validator

from layers.checks import object_predicate, property_checks
from layers.models import Layer
from layers.validation import schema_validator

from .errors import ConnectorMisconfigured, MissingColumns
from .models import Connector
from .positions import Reasons, fold
from .reader import SourceTable

TRUE_WORDS = {"1", "true", "yes", "y", "x", "co", "dung"}
FALSE_WORDS = {"0", "false", "no", "n", "khong", "sai"}
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
# Distinct values remembered per column (a column of unique names gains nothing past this).
MEMO_LIMIT = 50_000


class Uncoercible(ValueError):
    """A source value cannot become the target property's type."""


def _nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _json_type(spec: dict) -> str | None:
    kind = spec.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind


def coerce(value, spec: dict):
    """A source value as the schema wants it (None: leave the property out)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        value = _nfc(value.strip())
        if value == "":
            return None
    kind = _json_type(spec)
    if kind in ("number", "integer"):
        number = _as_number(value)
        if kind == "integer":
            if not float(number).is_integer():
                raise Uncoercible(f"“{value}” không phải số nguyên")
            return int(number)
        return number
    if kind == "boolean":
        word = fold(str(value))
        if word in TRUE_WORDS or value is True:
            return True
        if word in FALSE_WORDS or value is False:
            return False
        raise Uncoercible(f"“{value}” không phải có/không")
    if kind == "string" and not isinstance(value, str):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return value


def _as_number(value) -> float:
    if isinstance(value, bool):
        raise Uncoercible(f"“{value}” không phải số")
    if isinstance(value, (int, float)):
        return value
    text = value.replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # Vietnamese decimal comma
    try:
        number = float(text)
    except ValueError:
        raise Uncoercible(f"“{value}” không phải số") from None
    if not math.isfinite(number):
        raise Uncoercible(f"“{value}” không phải số hữu hạn")
    return number


class PropertyMapper:
    """Builds and checks each row's properties for one connector and layer."""

    def __init__(self, connector: Connector, layer: Layer, table: SourceTable) -> None:
        self.layer = layer
        self.schema = layer.property_schema or {}
        specs = self.schema.get("properties", {})
        self.targets = []
        for target, rule in (connector.field_mapping or {}).items():
            if target not in specs:
                raise ConnectorMisconfigured(f"Ánh xạ tới thuộc tính “{target}” không có trong "
                                             f"lược đồ lớp {layer.slug}.")
            rule = rule if isinstance(rule, dict) else {"source": rule}
            column = table.column(str(rule.get("source", "")))
            if column is None:
                raise MissingColumns(f"Tệp không có cột “{rule.get('source')}” (ánh xạ tới "
                                     f"“{target}”; các cột: {', '.join(list(table.columns)[:30])}).")
            values = {fold(str(k)): v for k, v in (rule.get("values") or {}).items()}
            self.targets.append((target, column, values, specs[target], {}))
        self.validator = schema_validator(layer)
        self.fast = self._fast_checks()
        self.required = list(self.schema.get("required", []))
        # A row's whole object (the slow path): from the same checks, else jsonschema.
        self._valid = (self.validator.is_valid if self.fast is None
                       else object_predicate(self.schema, self.fast))

    def _fast_checks(self) -> dict | None:
        """A check per property (compiled when its keywords allow, else jsonschema's, its
        answers remembered), or None when the object schema needs the full validator."""
        return property_checks(self.schema,
                               fallback=lambda spec: _remembered(Draft202012Validator(spec)))

    def row(self, index: int) -> tuple[dict, list[str]]:
        """The properties of row `index` and what is wrong with them."""
        properties, errors = {}, []
        for target, column, values, spec, memo in self.targets:
            value, error = self._converted(column[index], values, spec, memo)
            if error is not None:
                errors.append(f"{target}: {error}")
            elif value is not None:
                properties[target] = value
        if not errors and not self._valid(properties):
            errors += [f"{e.json_path.removeprefix('$.') or 'thuộc tính'}: {e.message}"
                       for e in self.validator.iter_errors(properties)]
        return properties, errors

    @staticmethod
    def _converted(raw, values: dict, spec: dict, memo: dict) -> tuple[object, str | None]:
        """(value, None) or (None, why): one source value mapped and coerced. Columns repeat
        (code lists, counts, flags): answers are remembered per column, by type and value."""
        try:
            key = (type(raw), raw)
            hit = memo.get(key)
        except TypeError:  # an unhashable value
            key = hit = None
        if hit is not None:
            return hit
        mapped = raw
        if values and raw is not None:
            mapped = values.get(fold(str(raw)), raw)
        try:
            hit = (coerce(mapped, spec), None)
        except Uncoercible as exc:
            hit = (None, str(exc))
        if key is not None and len(memo) < MEMO_LIMIT:
            memo[key] = hit
        return hit

    def rows_encoded(self, count: int) -> tuple[list[str | None], list[list[str]]]:
        """Every row's properties as JSON text (None when the row has errors) and its errors,
        as `row` gives them. Column by column: each distinct source value is converted, checked
        and encoded once, and a row's text is its cells joined (a third of the per-row cost)."""
        if self.fast is None:  # the full validator: row by row
            texts, errors = [], []
            for index in range(count):
                properties, problems = self.row(index)
                texts.append(None if problems else json.dumps(properties, ensure_ascii=False))
                errors.append(problems)
            return texts, errors
        columns = [self._cells(target, column, values, spec, count)
                   for target, column, values, spec, _ in self.targets]
        required = set(self.required)
        unmapped = required - {target for target, *_ in self.targets}
        needed = [index for index, (target, *_) in enumerate(self.targets) if target in required]
        texts: list[str | None] = []
        errors: list[list[str]] = []
        no_errors: list[str] = []
        for index, cells in enumerate(zip(*columns) if columns else [()] * count):
            if unmapped or not all(cell[1] for cell in cells) or any(
                    cells[n][0] is None for n in needed):
                properties, problems = self.row(index)  # the slow path words the reasons
                texts.append(None)
                errors.append(problems)
                continue
            texts.append("{" + ",".join(cell[0] for cell in cells if cell[0] is not None) + "}")
            errors.append(no_errors)
        return texts, errors

    def _cells(self, target: str, column, values: dict, spec: dict, count: int) -> list[tuple]:
        """Per row: (encoded `"target":value` or None when absent, fine?)."""
        key_text = json.encoder.encode_basestring(target) + ":"
        check, memo, cells = self.fast.get(target), {}, []
        for raw in column[:count]:
            try:
                key = (type(raw), raw)
                cell = memo.get(key)
            except TypeError:  # an unhashable value
                key = cell = None
            if cell is None:
                value, error = self._converted(raw, values, spec, {})
                if error is not None:
                    cell = (None, False)
                elif value is None:
                    cell = (None, True)
                else:
                    cell = (key_text + _json_value(value), check is not None and check(value))
                if key is not None and len(memo) < MEMO_LIMIT:
                    memo[key] = cell
            cells.append(cell)
        return cells


def _json_value(value) -> str:
    """`json.dumps(value, ensure_ascii=False)` for a coerced scalar, without its overhead."""
    if isinstance(value, str):
        return json.encoder.encode_basestring(value)
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is int or type(value) is float:  # finite: coerce refuses the rest
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def _remembered(check: Draft202012Validator):
    """jsonschema's answer for one property; code lists and small numbers repeat, so answers
    for hashable values are remembered (per check: one import run's schema)."""
    seen: dict[tuple, bool] = {}

    def valid(value) -> bool:
        key = (type(value), value)
        try:
            hit = seen.get(key)
        except TypeError:  # an unhashable value
            return check.is_valid(value)
        if hit is None:
            hit = check.is_valid(value)
            if len(seen) < MEMO_LIMIT:
                seen[key] = hit
        return hit
    return valid


def external_ids(table: SourceTable, connector: Connector) -> list:
    """The id column's values as text (integral floats without “.0”)."""
    column = table.column(connector.id_column)
    if column is None:
        raise MissingColumns(f"Tệp không có cột mã ngoài “{connector.id_column}” (các cột: "
                             f"{', '.join(list(table.columns)[:30])}).")
    return [coerce(value, {"type": "string"}) for value in column]


def observed_times(table: SourceTable, connector: Connector, reasons: Reasons) -> list:
    """Aware datetimes from the time column (Vietnam time when no offset is given)."""
    if not connector.observed_at_column:
        return [None] * table.count
    column = table.column(connector.observed_at_column)
    if column is None:
        raise MissingColumns(f"Tệp không có cột thời điểm “{connector.observed_at_column}”.")
    times = []
    for index, value in enumerate(column):
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("/", "-"))
        except ValueError:
            reasons[index].append(f"thời điểm “{value}” không đúng dạng ISO 8601")
            times.append(None)
            continue
        times.append(moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TIME))
    return times
