"""The one answer to "who is asking, and what may they see and do?" for every path.

Views never filter by hand: they build the `Principal` of the request and pass it to the
selectors, which apply `feature_filter` and the `can_*` predicates."""
import threading
import time
from dataclasses import dataclass

from django.db.models import Q

from layers.models import Layer

from .jurisdiction import ground_of
from .models import ApiToken

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Principal:
    """An anonymous caller, a signed-in user, or an integration client's token."""

    user_id: int | None = None
    perms: frozenset[str] = frozenset()
    province_wide: bool = False
    pre_codes: frozenset[str] = frozenset()
    cur_codes: frozenset[str] = frozenset()
    sectors: frozenset[str] | None = None  # None: every sector
    token_id: int | None = None
    token_scopes: frozenset[str] | None = None  # None: not a token

    @property
    def is_anonymous(self) -> bool:
        """Nobody signed in and no token."""
        return self.user_id is None

    def has(self, perm: str) -> bool:
        """The principal holds a Django permission ("app.codename")."""
        return perm in self.perms

    def has_scope(self, scope: str) -> bool:
        """A session user has every scope; a token only those it was given."""
        return self.token_scopes is None or scope in self.token_scopes

    def in_sector(self, layer: Layer) -> bool:
        """The layer's sector is one the principal works in."""
        return self.sectors is None or layer.sector in self.sectors

    def can_see_layer(self, layer: Layer) -> bool:
        """Public layers are for everybody; others need view rights in the layer's sector."""
        if layer.is_public:
            return True
        return (self.has("layers.view_feature") and self.in_sector(layer)
                and self.has_scope("layers:read"))

    def can_write_layer(self, layer: Layer) -> bool:
        """Create or update features of the layer (inside the jurisdiction)."""
        return (self.has("layers.add_feature") and self.has("layers.change_feature")
                and self.in_sector(layer) and self.has_scope(f"layers:write:{layer.slug}"))

    def can_delete_in_layer(self, layer: Layer) -> bool:
        """Delete features of the layer (inside the jurisdiction)."""
        return (self.has("layers.delete_feature") and self.in_sector(layer)
                and self.has_scope(f"layers:write:{layer.slug}"))

    def can_read_private(self, layer: Layer) -> bool:
        """Non-public properties: staff with that right in the layer's sector; never tokens."""
        return (self.token_scopes is None and self.has("access.view_private_properties")
                and self.in_sector(layer))

    def feature_scope(self, layer: Layer) -> "FeatureScope":
        """Which features of a layer the principal may read, as unit codes: the one answer
        behind `feature_filter` (ORM) and the tile server's SQL, so the two cannot drift."""
        if not self.can_see_layer(layer):
            return FeatureScope.NOTHING
        if layer.is_public or self.province_wide:
            return FeatureScope.EVERYTHING
        if not (self.pre_codes or self.cur_codes):
            return FeatureScope.NOTHING
        return FeatureScope(cur_codes=tuple(sorted(self.cur_codes)),
                            pre_codes=tuple(sorted(self.pre_codes)))

    def ground_filter(self) -> Q:
        """Features on the principal's ground (both unit generations, see ADR 0005)."""
        if self.province_wide:
            return Q()
        if not (self.pre_codes or self.cur_codes):
            return NOTHING
        return Q(commune_code_pre2025__in=self.pre_codes) | Q(commune_code__in=self.cur_codes)

    def feature_filter(self, layer: Layer) -> Q:
        """Which features of a visible layer the principal may read."""
        return self.feature_scope(layer).as_q()


@dataclass(frozen=True)
class FeatureScope:
    """Features on the current-generation communes `cur_codes` or the pre-reform communes
    `pre_codes`; `everything` lifts the restriction, and neither means nothing at all."""

    cur_codes: tuple[str, ...] = ()
    pre_codes: tuple[str, ...] = ()
    everything: bool = False

    @property
    def is_nothing(self) -> bool:
        return not (self.everything or self.cur_codes or self.pre_codes)

    def as_q(self) -> Q:
        if self.everything:
            return Q()
        if self.is_nothing:
            return NOTHING
        return Q(commune_code_pre2025__in=self.pre_codes) | Q(commune_code__in=self.cur_codes)

    def key(self) -> str:
        """Stable text naming the scope, for cache keys."""
        if self.everything:
            return "all"
        if self.is_nothing:
            return "none"
        return "c:" + ",".join(self.cur_codes) + ";p:" + ",".join(self.pre_codes)


FeatureScope.EVERYTHING = FeatureScope(everything=True)
FeatureScope.NOTHING = FeatureScope()


ANONYMOUS = Principal()


def _perms(user) -> frozenset[str]:
    return frozenset(user.get_all_permissions()) if user.is_active else frozenset()


# Building a principal costs several queries (permissions, jurisdiction, unit codes) on every
# request, more than a cached tile itself. It is kept per user and token for a few seconds;
# changes made in this process forget it at once (access/signals.py), other processes within
# PRINCIPAL_TTL_SECONDS. Tokens are still looked up (and revocation checked) on every request.
PRINCIPAL_TTL_SECONDS = 5.0
_principals: dict[tuple, tuple[float, "Principal"]] = {}
_principals_lock = threading.Lock()


def principals_forget(**_) -> None:
    """Drop every remembered principal (roles, rights, jurisdictions or tokens changed)."""
    with _principals_lock:
        _principals.clear()


def principal_for_user(user, token: ApiToken | None = None) -> Principal:
    """The principal of a user, narrowed by a token when the request carried one."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    key = (user.pk, user.is_active, token.pk if token else None)
    now = time.monotonic()
    hit = _principals.get(key)
    if hit is not None and now - hit[0] < PRINCIPAL_TTL_SECONDS:
        return hit[1]
    principal = _principal_build(user, token)
    with _principals_lock:
        if len(_principals) > 10_000:
            _principals.clear()
        _principals[key] = (now, principal)
    return principal


def _principal_build(user, token: ApiToken | None) -> Principal:
    perms = _perms(user)
    jurisdiction = getattr(user, "jurisdiction", None)
    units = list(jurisdiction.units.all()) if jurisdiction else []
    sectors = list(jurisdiction.sectors) if jurisdiction else []
    wide = "access.province_wide" in perms
    if token is not None:
        token_units = list(token.units.all())
        if token_units:
            units, wide = token_units, False
        sectors = list(token.sectors) or sectors
    ground = ground_of(units)
    return Principal(
        user_id=user.pk, perms=perms, province_wide=wide or ground.province_wide,
        pre_codes=frozenset(ground.pre_codes), cur_codes=frozenset(ground.cur_codes),
        sectors=frozenset(sectors) if sectors else None,
        token_id=token.pk if token else None,
        token_scopes=frozenset(token.scopes) if token else None,
    )


def principal_of(request) -> Principal:
    """The principal of a (DRF or Django) request, computed once per request."""
    cached = getattr(request, "_ioc_principal", None)
    if cached is None:
        token = getattr(request, "auth", None)
        cached = principal_for_user(getattr(request, "user", None),
                                    token if isinstance(token, ApiToken) else None)
        request._ioc_principal = cached
    return cached
