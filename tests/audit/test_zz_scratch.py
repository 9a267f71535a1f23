import pytest
from layers.services import features_upsert
from tests.audit.test_audit_overhead import _items, _explain_upsert
from tests.factories import make_layer

pytestmark = pytest.mark.django_db

def show(plan):
    return round(plan["Execution Time"]/1000, 2), [(t["Trigger Name"][:24], round(t["Time"]/1000,2)) for t in plan.get("Triggers", [])]

@pytest.mark.parametrize("n", [10000, 25000, 50000, 25000])
def test_scratch(n):
    layer = make_layer()
    features_upsert(layer=layer, items=_items(1, n=n))
    print("\n", n, "update", show(_explain_upsert(layer, _items(1, n=n, label="X"))))
