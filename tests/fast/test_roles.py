"""Several roles per account: what an account reads follows its most privileged role, what it opens and does follows
any of its roles."""
import pytest

from dashboard.auth.roles import (ADMIN, APPROVER, COMMISSIONER, MEMBER, UPLOADER, check_roles, describe_roles,
                                  primary_role, role_allows, roles_of, stored_roles)


def test_an_account_may_hold_several_roles_and_the_store_keeps_them_in_one_order():
    roles = check_roles(["uploader", "commissioner"])
    assert roles == {COMMISSIONER, UPLOADER}
    assert stored_roles(roles) == "commissioner,uploader" == stored_roles(check_roles("uploader, Commissioner"))
    assert roles_of("commissioner,uploader") == roles
    assert describe_roles(roles) == "commissioner and uploader"
    assert describe_roles({MEMBER}) == "member"


def test_admin_stands_alone_and_member_is_dropped_beside_another_role():
    assert check_roles(["admin", "uploader"]) == {ADMIN}
    assert check_roles(["member", "approver"]) == {APPROVER}
    assert check_roles("member") == {MEMBER}


@pytest.mark.parametrize("bad", [[], "", ["owner"], "commissioner,superuser", [["admin"]], [7]])
def test_no_role_or_an_unknown_one_is_refused_with_the_choices(bad):
    with pytest.raises(ValueError, match="member, commissioner, uploader, approver, admin"):
        check_roles(bad)


def test_reading_follows_the_most_privileged_role():
    assert primary_role("commissioner,uploader") == COMMISSIONER
    assert primary_role("uploader,approver") == APPROVER
    assert primary_role("admin") == ADMIN
    assert primary_role("member") == MEMBER
    assert primary_role("nonsense") == MEMBER          # an unknown stored name grants nothing


def test_a_page_opens_for_any_role_the_account_holds():
    both = roles_of("commissioner,uploader")
    assert role_allows(both, (UPLOADER, ADMIN))          # Upload
    assert role_allows(both, (COMMISSIONER,))            # Sufficiency
    assert not role_allows(both, (ADMIN, APPROVER))      # Admin
    assert role_allows("admin", (COMMISSIONER,)) and role_allows(MEMBER, None)
    assert not role_allows("owner", (COMMISSIONER,))
