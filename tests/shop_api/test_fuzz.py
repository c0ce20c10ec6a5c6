"""Property-based fuzzing of the shop API from its own OpenAPI document (schemathesis): every
operation gets generated requests, valid and invalid, from a seller who owns a product and a
buyer with money, a PIN and an address; no answer may be a 5xx, and every documented answer
must match its schema.

Bounded for CI: STOREFEED_FUZZ_EXAMPLES cases per operation (default 12, about 40 s per
database pass on the CI machine); raise it for a longer hunt. The totals are printed."""

import os
import time
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from storefeed.api.shop.api import api as shop_api
from storefeed.api.shop.urls import PREFIX
from storefeed.config.wsgi import application
from tests.shop_api.conftest import ShopApi

EXAMPLES = int(os.environ.get("STOREFEED_FUZZ_EXAMPLES", "12"))


def _schema():
    schema = schemathesis.openapi.from_dict(shop_api.get_openapi_schema(path_prefix=f"/{PREFIX}"))
    schema.app = application
    return schema


# Values schemathesis does not make (hypothesis' text leaves out surrogates, and "valid"
# strings are rarely numbers in disguise), put in place of one field of the body or the path.
HOSTILE = ["²", "①", "٣", "３", str(2**63), "9" * 30, "-1", "+1.00", " 1.00", "1e3", "1_000.00",
           ".5", "1.", "2027-02-30T10:00:00Z", "\x00", "a\x00b", "\ud800", "x\udfff", "",
           [], {}, None, -(2**70), 1.999, True]  # fmt: skip
PATH_HOSTILE = [v for v in HOSTILE if isinstance(v, str) and v and v[-1] not in "\ud800\udfff"]


def _spoil(case, data) -> None:
    """Maybe put a hostile value in one field of the body, or in one path parameter."""
    body = getattr(case, "body", None)
    if isinstance(body, dict) and body and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(body)))
        body[key] = data.draw(st.sampled_from(HOSTILE))
    if case.path_parameters and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(case.path_parameters)))
        case.path_parameters[key] = data.draw(st.sampled_from(PATH_HOSTILE))


def _fuzz(operation, token: str, real_ids: dict, totals: dict, failures: list[str]) -> None:
    """Up to EXAMPLES generated cases of one operation, from data that fits the document,
    data that does not, and (so that requests get past the lookups) real ids in the path; a
    failure is recorded, not raised."""
    label = f"{operation.method.upper()} {operation.path}"
    named = {k: v for k, v in real_ids.items() if "{" + k + "}" in operation.path}
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if named:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=named))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies), data=st.data())
    def run(case, data):
        _spoil(case, data)
        totals["cases"] += 1
        headers = {
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": f"fuzz-{totals['cases']}",
            # The test transport does not undo GZipMiddleware.
            "Accept-Encoding": "identity",
        }
        response = case.call(headers=headers)
        if response.status_code >= 500:
            totals["5xx"] += 1
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    try:
        run()
    except (Exception, BaseExceptionGroup) as failure:  # the shrunk failure: keep it, go on
        failures.append(f"{label}: {failure}"[:3000])


@pytest.fixture
def wsgi_keeps_the_test_connection() -> Iterator[None]:
    """Requests go through the real WSGI application; as Django's test client does, keep it
    from closing the connection that holds the test's transaction after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_keeps_the_test_connection")
def test_no_generated_request_gets_a_5xx_or_an_undocumented_shape(seller, product, buyer):
    seller_token = ShopApi(seller).token.token
    buyer_token = ShopApi(buyer).token.token
    real_ids = {
        "product_id": str(product.pk),
        "account_id": str(seller.pk),
        "address_id": str(buyer.address.pk),
    }
    totals = {"cases": 0, "5xx": 0}
    failures: list[str] = []
    started = time.monotonic()
    for result in _schema().get_all_operations():
        operation = result.ok()
        # The seller's operations as the seller, everything else as the buyer.
        token = seller_token if "/products" in operation.path else buyer_token
        _fuzz(operation, token, real_ids, totals, failures)
    elapsed = time.monotonic() - started
    print(
        f"\nshop API fuzz: {totals['cases']} cases, {totals['5xx']} 5xx, "
        f"{len(failures)} failing operations, {elapsed:.1f} s"
    )
    assert not failures, "\n\n".join(failures)
    assert totals["cases"] > 0
