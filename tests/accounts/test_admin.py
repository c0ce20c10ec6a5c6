"""Staff verify experts from the account list, through the service."""

import pytest

from storefeed.accounts.models import ExpertField

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.admin_urls")]

CHANGELIST = "/admin/accounts/user/"


@pytest.fixture
def admin_user(db):
    from tests.conftest import make_user

    return make_user("boss", is_staff=True, is_superuser=True)


def test_changelist_lists_and_searches(client_for, admin_user, alice, bob):
    response = client_for(admin_user).get(CHANGELIST, {"q": "ali"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "alice" in body
    assert ">bob<" not in body


def test_verify_action_marks_experts_in_the_chosen_field(client_for, admin_user, alice, bob):
    food = ExpertField.objects.get(slug="food")
    response = client_for(admin_user).post(
        CHANGELIST,
        {
            "action": "verify_expert",
            "_selected_action": [alice.pk, bob.pk],
            "expert_field": food.pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "2 accounts verified as experts in Food" in response.content.decode()
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.is_expert
    assert alice.expert_field == food
    assert bob.is_expert


def test_verify_action_without_a_field_changes_nothing(client_for, admin_user, alice):
    response = client_for(admin_user).post(
        CHANGELIST, {"action": "verify_expert", "_selected_action": [alice.pk]}, follow=True
    )
    assert "Choose an expert field" in response.content.decode()
    alice.refresh_from_db()
    assert not alice.is_expert


def test_revoke_action(client_for, admin_user, alice):
    from storefeed.accounts.services import expert_verify

    expert_verify(account=alice, field="tech", by=admin_user)
    response = client_for(admin_user).post(
        CHANGELIST, {"action": "revoke_expert", "_selected_action": [alice.pk]}, follow=True
    )
    assert "1 expert badge removed." in response.content.decode()
    alice.refresh_from_db()
    assert not alice.is_expert


def test_user_change_page_renders(client_for, admin_user, alice):
    response = client_for(admin_user).get(f"{CHANGELIST}{alice.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "use the list&#x27;s actions to change" in body or "use the list's actions" in body
    # Counters and the badge are shown, not editable: they change only through services.
    assert 'name="followers_count"' not in body
    assert 'name="expert_field"' not in body


def test_expert_field_admin_lists_both_names(client_for, admin_user):
    response = client_for(admin_user).get("/admin/accounts/expertfield/")
    assert response.status_code == 200
    assert "美妆" in response.content.decode()


def test_staff_can_add_an_account_and_case_duplicates_are_refused(client_for, admin_user, alice):
    client = client_for(admin_user)
    assert client.get("/admin/accounts/user/add/").status_code == 200
    form = {"username": "ALICE", "password1": "plum-orchard-47", "password2": "plum-orchard-47"}
    response = client.post("/admin/accounts/user/add/", form)
    assert response.status_code == 200  # the form again, with the error
    assert not response.context["adminform"].form.is_valid()
    from storefeed.accounts.models import User

    assert User.objects.filter(username__iexact="alice").count() == 1
    response = client.post("/admin/accounts/user/add/", {**form, "username": "newbie"})
    assert response.status_code == 302
    assert User.objects.filter(username="newbie").exists()
