"""Reading the seller program: an applicant's application, the staff queue, who sells."""

from django.db.models import Prefetch, QuerySet

from storefeed.accounts.models import User
from storefeed.core import sql
from storefeed.sellers.models import (
    ApplicationState,
    PersonalDataView,
    Seller,
    SellerApplication,
    SellerDecision,
    SellerState,
)


def current_application(*, account: User) -> SellerApplication | None:
    """The applicant's latest application (pending, approved or the last rejected one)."""
    return (
        SellerApplication.objects.filter(account_id=account.pk)
        .select_related("field")
        .order_by("-id")
        .first()
    )


def applications(
    *, state: str | None = ApplicationState.PENDING, max_id: int | None = None, limit: int = 50
) -> list[SellerApplication]:
    """The staff queue: oldest first for pending (first come, first reviewed), newest first
    for decided ones. For staff only: rows carry the unmasked personal data (staff pages show
    it masked until revealed with a reason) and who revealed it."""
    qs: QuerySet[SellerApplication] = SellerApplication.objects.select_related(
        "account", "field", "decided_by"
    ).prefetch_related(
        Prefetch("personal_data_views", queryset=PersonalDataView.objects.select_related("by"))
    )
    if state:
        qs = qs.filter(state=state)
    if state == ApplicationState.PENDING:
        qs = qs.order_by("id")
        if max_id is not None:
            qs = qs.filter(id__gt=max_id)
    else:
        qs = qs.order_by("-id")
        if max_id is not None:
            qs = qs.filter(id__lt=max_id)
    return list(qs[: max(1, min(limit, 200))])


def pending_applications(*, limit: int = 50) -> list[SellerApplication]:
    return applications(state=ApplicationState.PENDING, limit=limit)


def seller_for(account_id: int) -> Seller | None:
    return Seller.objects.select_related("field").filter(account_id=account_id).first()


def seller_state(account_id: int) -> str | None:
    """The account's seller state (active or suspended), None if it is not a seller: one
    plain query, as every web page's menu asks it."""
    found = sql.rows(
        f"SELECT state FROM {sql.table(Seller)} WHERE account_id = %s",  # noqa: S608
        [account_id],
    )
    return str(found[0][0]) if found else None


def is_active_seller(account_id: int) -> bool:
    return Seller.objects.filter(account_id=account_id, state=SellerState.ACTIVE).exists()


def seller_decisions(*, account: User, limit: int = 50) -> list[SellerDecision]:
    return list(
        SellerDecision.objects.filter(account_id=account.pk)
        .select_related("by", "application")
        .order_by("-id")[:limit]
    )


def sellers(*, query: str = "", limit: int = 100) -> list[Seller]:
    """Sellers, newest first, optionally those whose username contains `query` (staff lists)."""
    qs = Seller.objects.select_related("account", "field").order_by("-created_at")
    query = query.strip().lstrip("@")[:30]
    if query:
        qs = qs.filter(account__username__icontains=query)
    return list(qs[:limit])


def shop_names(account_ids: list[int]) -> dict[int, list[str]]:
    """The shop's name of each seller among these accounts, for the accounts' search index
    (registered in sellers/apps.py): a shop is found by its name on the people tab."""
    rows = Seller.objects.filter(account_id__in=account_ids).values_list("account_id", "shop_name")
    return {pk: [name] for pk, name in rows}
