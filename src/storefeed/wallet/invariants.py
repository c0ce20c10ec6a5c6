"""Checks of the ledger's promises, for tests and for an operator's sanity check: entries sum
to zero (in all and per transaction), every balance equals the sum of its entries, and no
account but the external one is below zero."""

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from storefeed.wallet.models import AccountKind, Entry, LedgerAccount, LedgerTransaction


def ledger_problems() -> list[str]:
    """Every broken invariant, described; an empty list when the ledger is sound."""
    problems: list[str] = []
    for row in Entry.objects.values("currency").annotate(total=Sum("amount")):
        if row["total"] != 0:
            problems.append(f"entries in {row['currency']} sum to {row['total']}, not 0")
    unbalanced = (
        LedgerTransaction.objects.annotate(
            total=Coalesce(Sum("entries__amount"), 0), legs=Count("entries")
        )
        .filter(~Q(total=0) | Q(legs__lt=2))
        .values_list("pk", "total", "legs")
    )
    for pk, total, legs in unbalanced:
        problems.append(f"transaction {pk} has {legs} entries summing to {total}")
    drifted = (
        LedgerAccount.objects.annotate(total=Coalesce(Sum("entries__amount"), 0))
        .exclude(balance=F("total"))
        .values_list("pk", "balance", "total")
    )
    for pk, balance, total in drifted:
        problems.append(f"account {pk} has balance {balance} but its entries sum to {total}")
    negative = (
        LedgerAccount.objects.exclude(kind=AccountKind.EXTERNAL)
        .filter(balance__lt=0)
        .values_list("pk", "kind", "balance")
    )
    for pk, kind, balance in negative:
        problems.append(f"{kind} account {pk} is below zero: {balance}")
    mixed = Entry.objects.exclude(currency=F("account__currency")).values_list("pk", flat=True)
    problems.extend(f"entry {pk} is in another currency than its account" for pk in mixed)
    return problems
