"""Seller program endpoints: eligibility, applying, and the staff review and suspension."""

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from storefeed.accounts.models import User
from storefeed.api.shop.auth import READ, WRITE, account_of
from storefeed.api.shop.common import ERRORS, Id, iso, sid, to_id
from storefeed.core.errors import Forbidden, NotFound
from storefeed.sellers import selectors, services
from storefeed.sellers.models import Seller, SellerApplication

router = Router(tags=["seller program"])


class EligibilityOut(Schema):
    eligible: bool
    followers_count: int
    min_followers: int
    message: str


class FieldOut(Schema):
    slug: str
    name: str


class ApplicationIn(Schema):
    shop_name: str = ""
    field: Id = ""  # an expert field's slug ("beauty") or id
    sells: str = ""
    contact_phone: str = ""
    real_name: str = ""
    id_number: str = ""
    agreed: bool = False


class ApplicationOut(Schema):
    id: str
    state: Literal["pending", "approved", "rejected"]
    shop_name: str
    field: FieldOut
    sells: str
    contact_phone: str  # masked
    real_name: str  # masked
    id_number: str  # masked
    reason: str  # the staff's reason (a rejection's reason is for the applicant)
    created_at: str
    decided_at: str | None


class ApplicantOut(Schema):
    id: str
    username: str
    display_name: str
    followers_count: int


class StaffApplicationOut(ApplicationOut):
    """What staff see: who applied; the personal data masked unless asked for with a reason."""

    account: ApplicantOut
    decided_by: str | None


class ReasonIn(Schema):
    reason: str = ""


class SellerOut(Schema):
    account_id: str
    shop_name: str
    state: Literal["active", "suspended"]
    state_changed_at: str


class StaffQueueQuery(Schema):
    state: Literal["pending", "approved", "rejected", "all"] = "pending"
    max_id: Id | None = None
    limit: int = 50


def _field(application: SellerApplication) -> dict:
    return {"slug": application.field.slug, "name": application.field.name}


def render_application(application: SellerApplication) -> dict:
    return {
        "id": str(application.pk),
        "state": application.state,
        "shop_name": application.shop_name,
        "field": _field(application),
        "sells": application.sells,
        "contact_phone": application.masked_phone,
        "real_name": application.masked_real_name,
        "id_number": application.masked_id_number,
        "reason": application.reason,
        "created_at": iso(application.created_at),
        "decided_at": iso(application.decided_at),
    }


def render_staff_application(application: SellerApplication, *, revealed: bool = False) -> dict:
    """What staff see of an application: the personal data masked unless `revealed` (a
    look recorded with its reason by `application_personal_data_reveal`)."""
    account: User = application.account
    personal = (
        {
            "contact_phone": application.contact_phone,
            "real_name": application.real_name,
            "id_number": application.id_number,
        }
        if revealed
        else {}
    )
    return {
        **render_application(application),
        **personal,
        "account": {
            "id": str(account.pk),
            "username": account.username,
            "display_name": account.name,
            "followers_count": account.followers_count,
        },
        "decided_by": sid(application.decided_by_id),
    }


def render_seller(seller: Seller) -> dict:
    return {
        "account_id": str(seller.account_id),
        "shop_name": seller.shop_name,
        "state": seller.state,
        "state_changed_at": iso(seller.state_changed_at),
    }


def _require_staff(user: User) -> None:
    if not user.is_staff:
        raise Forbidden(_("Only staff can review seller applications."))


@router.get("/seller/eligibility", auth=READ, response={200: EligibilityOut, **ERRORS})
def eligibility(request: HttpRequest) -> dict:
    """Whether the signed-in account may apply, with its follower count and the threshold."""
    found = services.seller_eligibility(account=account_of(request))
    return {
        "eligible": found.eligible,
        "followers_count": found.followers_count,
        "min_followers": found.min_followers,
        "message": found.message,
    }


@router.post("/seller/applications", auth=WRITE, response={201: ApplicationOut, **ERRORS})
def apply(request: HttpRequest, payload: ApplicationIn) -> Status:
    """Apply to the seller program (403 `not_eligible` under the follower threshold, 409 when
    an application is already waiting or the account already sells)."""
    application = services.seller_application_submit(
        account=account_of(request),
        shop_name=payload.shop_name,
        field=str(payload.field),
        sells=payload.sells,
        contact_phone=payload.contact_phone,
        real_name=payload.real_name,
        id_number=payload.id_number,
        agreed=payload.agreed,
    )
    application = selectors.current_application(account=account_of(request)) or application
    return Status(201, render_application(application))


@router.get("/seller/applications/current", auth=READ, response={200: ApplicationOut, **ERRORS})
def current(request: HttpRequest) -> dict:
    """The latest application of the signed-in account (404 if it never applied)."""
    application = selectors.current_application(account=account_of(request))
    if application is None:
        raise NotFound(_("You have not applied to the seller program yet."))
    return render_application(application)


@router.get(
    "/admin/seller_applications", auth=READ, response={200: list[StaffApplicationOut], **ERRORS}
)
def staff_queue(request: HttpRequest, query: Query[StaffQueueQuery]) -> list[dict]:
    """Staff: the review queue (pending oldest first; decided ones newest first)."""
    _require_staff(account_of(request))
    max_id = to_id(query.max_id, field="max_id") if query.max_id not in (None, "") else None
    rows = selectors.applications(
        state=None if query.state == "all" else query.state, max_id=max_id, limit=query.limit
    )
    return [render_staff_application(a) for a in rows]


@router.post(
    "/admin/seller_applications/{application_id}/personal_data",
    auth=WRITE,
    response={200: StaffApplicationOut, **ERRORS},
)
def reveal(request: HttpRequest, application_id: str, payload: ReasonIn) -> dict:
    """Staff: the applicant's personal data unmasked, for a reason that is recorded."""
    application = services.application_personal_data_reveal(
        application_id=to_id(application_id), by=account_of(request), reason=payload.reason
    )
    return render_staff_application(application, revealed=True)


@router.post(
    "/admin/seller_applications/{application_id}/approve",
    auth=WRITE,
    response={200: SellerOut, **ERRORS},
)
def approve(request: HttpRequest, application_id: str, payload: ReasonIn | None = None) -> dict:
    """Staff: approve a pending application; the applicant becomes an active seller."""
    seller = services.seller_application_approve(
        application_id=to_id(application_id),
        by=account_of(request),
        reason=payload.reason if payload else "",
    )
    return render_seller(seller)


@router.post(
    "/admin/seller_applications/{application_id}/reject",
    auth=WRITE,
    response={200: StaffApplicationOut, **ERRORS},
)
def reject(request: HttpRequest, application_id: str, payload: ReasonIn) -> dict:
    """Staff: reject a pending application with a reason the applicant reads."""
    application = services.seller_application_reject(
        application_id=to_id(application_id), by=account_of(request), reason=payload.reason
    )
    return render_staff_application(application)


@router.post("/admin/sellers/{account_id}/suspend", auth=WRITE, response={200: SellerOut, **ERRORS})
def suspend(request: HttpRequest, account_id: str, payload: ReasonIn) -> dict:
    """Staff: suspend a seller with a reason; their products cannot be bought."""
    seller = services.seller_suspend(
        account_id=to_id(account_id), by=account_of(request), reason=payload.reason
    )
    return render_seller(seller)


@router.post(
    "/admin/sellers/{account_id}/reinstate", auth=WRITE, response={200: SellerOut, **ERRORS}
)
def reinstate(request: HttpRequest, account_id: str, payload: ReasonIn) -> dict:
    """Staff: lift a suspension, with a reason."""
    seller = services.seller_reinstate(
        account_id=to_id(account_id), by=account_of(request), reason=payload.reason
    )
    return render_seller(seller)
