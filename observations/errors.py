"""Named failures of the observations app (categories from ioc_gis/errors.py decide the status)."""
from ioc_gis.errors import InvalidInputError, NotFoundError


class StationNotFound(NotFoundError):
    """No such station, or not visible to the caller."""

    code = "station_not_found"


class ObservationQueryInvalid(InvalidInputError):
    """A filter of an observations query cannot be used (bad station, time window, limit)."""

    code = "invalid_query"


class UnknownMetric(InvalidInputError):
    """The metric code is not in the catalogue."""

    code = "unknown_metric"


class NotAStationLayer(InvalidInputError):
    """The layer is no sensor stream's station layer."""

    code = "not_a_station_layer"


class BrokerNotConfigured(InvalidInputError):
    """IOC_MQTT_URL is empty or not an mqtt:// / mqtts:// URL."""

    code = "broker_not_configured"
