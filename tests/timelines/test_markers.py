"""Read positions (markers): the service's rules."""

import pytest

from storefeed.core.errors import ValidationFailed
from storefeed.timelines.markers import markers_for, markers_save
from storefeed.timelines.models import Marker

pytestmark = pytest.mark.django_db


def test_a_changed_position_bumps_the_version_and_the_same_one_does_not(alice):
    [home] = markers_save(account=alice, positions={"home": "10"})
    assert (home.last_read_id, home.version) == (10, 0)
    [home] = markers_save(account=alice, positions={"home": 12})
    assert (home.last_read_id, home.version) == (12, 1)
    [home] = markers_save(account=alice, positions={"home": "12"})
    assert home.version == 1
    # Going back is allowed: another app may have read less far.
    [home] = markers_save(account=alice, positions={"home": "11"})
    assert (home.last_read_id, home.version) == (11, 2)
    assert [m.timeline for m in markers_for(account=alice, timelines=["notifications"])] == []


@pytest.mark.parametrize(
    "positions",
    [
        {"public": "1"},
        {"home": "2", "notifications": "x"},
        {"home": None},
        {"home": 2**63},
    ],
)
def test_bad_positions_are_refused_before_anything_is_saved(alice, positions):
    with pytest.raises(ValidationFailed):
        markers_save(account=alice, positions=positions)
    assert not Marker.objects.exists()


def test_reading_an_unknown_timeline_is_refused(alice):
    with pytest.raises(ValidationFailed):
        markers_for(account=alice, timelines=["home", "local"])
