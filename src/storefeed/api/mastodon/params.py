"""One adapter for Mastodon's loose parameters.

A client may send a parameter in the query string, a form or multipart body, or a JSON body,
with arrays as `key[]=a&key[]=b` and nested keys as `poll[options][]=x` or `source[note]=y`.
`Params` merges all of them into one nested dict so endpoints read values one way.
"""

import builtins
import io
import json
import re
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import MultiValueDict

from storefeed.core.errors import DomainError
from storefeed.core.parse import check_payload, id_or_none, parse_count

_PART = re.compile(r"\[([^\]]*)\]")
TRUE = {"true", "1", "on", "yes", "t"}
FALSE = {"false", "0", "off", "no", "f", ""}


class BadRequest(DomainError):
    code = "bad_request"
    http_status = 400


class Invalid(DomainError):
    code = "unprocessable"
    http_status = 422


def _insert(target: dict[str, Any], key: str, values: list[Any]) -> None:
    """Place `values` at the path written in `key` (`a`, `a[]`, `a[b]`, `a[b][]`)."""
    head = key.split("[", 1)[0]
    parts = [head, *_PART.findall(key[len(head) :])]
    node = target
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            return
    last = parts[-1]
    if last == "" and len(parts) > 1:
        # `a[]`: the parent is a list.
        parent_key = parts[-2]
        container = target
        for part in parts[:-2]:
            container = container[part]
        container[parent_key] = list(values)
    else:
        node[last] = values if key.endswith("[]") else values[-1]


def _from_querydict(qd: QueryDict, into: dict[str, Any]) -> None:
    for key in qd:
        _insert(into, key, qd.getlist(key))


class Params:
    def __init__(self, request: HttpRequest) -> None:
        self.data: dict[str, Any] = {}
        _from_querydict(request.GET, self.data)
        content_type = (request.content_type or "").lower()
        # A JSON body is read on GET too, as Rails does: Mastodon.py sends familiar_followers'
        # ids that way.
        if request.method in ("POST", "PUT", "PATCH", "DELETE") or (
            request.method == "GET" and content_type == "application/json"
        ):
            if content_type == "application/json":
                body = request.body
                if body.strip():
                    try:
                        parsed = json.loads(body)
                    except (ValueError, UnicodeDecodeError, RecursionError):
                        raise BadRequest("Error while parsing request: malformed JSON") from None
                    if not isinstance(parsed, dict):
                        raise BadRequest("Error while parsing request: expected a JSON object")
                    self.data.update(parsed)
            elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form: QueryDict
                files: MultiValueDict[builtins.str, UploadedFile]
                if request.method == "POST":
                    try:
                        form, files = request.POST, request.FILES
                    except MultiPartParserError:
                        raise BadRequest(
                            "Error while parsing request: malformed multipart"
                        ) from None
                elif content_type == "multipart/form-data":
                    # Django parses bodies of POSTs only; and by now the token check has
                    # touched request.POST (empty for other methods), so parse_file_upload
                    # would refuse to run. Parse the body here instead.
                    try:
                        form, files = MultiPartParser(
                            request.META,
                            io.BytesIO(request.body),
                            request.upload_handlers,
                            request.encoding,
                        ).parse()
                    except MultiPartParserError:
                        raise BadRequest(
                            "Error while parsing request: malformed multipart"
                        ) from None
                else:
                    form, files = (
                        QueryDict(request.body, encoding=request.encoding),
                        MultiValueDict(),
                    )
                _from_querydict(form, self.data)
                for key in files:
                    _insert(self.data, key, files.getlist(key))
        problem = check_payload(self.data)
        if problem == "depth":
            raise BadRequest("Error while parsing request: nested too deeply")
        if problem is not None:
            raise Invalid(f"{problem} contains characters that cannot be stored", field=problem)

    def has(self, name: str) -> bool:
        return name in self.data

    def names(self) -> builtins.list[builtins.str]:
        """Every top-level parameter name, in the order given."""
        return builtins.list(self.data)

    def raw(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.data.get(name)
        if value is None:
            return default
        if isinstance(value, (dict, list)):
            raise Invalid(f"{name} must be a string")
        return str(value)

    def int(self, name: builtins.str, default: builtins.int | None = None) -> builtins.int | None:
        value = self.data.get(name)
        if value in (None, ""):
            return default
        try:
            return parse_count(value, field=name, maximum=2**63 - 1)
        except DomainError:
            raise Invalid(f"{name} must be a number") from None

    def id(self, name: builtins.str) -> builtins.int | None:
        """An id parameter; anything that is not an id matches nothing (never an error)."""
        value = self.data.get(name)
        if value in (None, ""):
            return None
        return id_or_none(value) or -1

    def bool(self, name: builtins.str, default: bool = False) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise Invalid(f"{name} must be true or false")

    def list(self, name: builtins.str) -> list[Any]:
        value = self.data.get(name)
        if value is None:
            value = self.data.get(f"{name}[]")
        if value is None:
            return []
        if isinstance(value, list):
            return value
        if isinstance(value, dict):  # `a[0]=x&a[1]=y`
            return [value[k] for k in sorted(value, key=lambda k: id_or_none(k) or 0)]
        return [value]

    def dict(self, name: builtins.str) -> dict[builtins.str, Any]:
        value = self.data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise Invalid(f"{name} must be an object")
        return value

    def file(self, name: builtins.str) -> UploadedFile | None:
        value = self.data.get(name)
        if isinstance(value, list):
            value = value[-1] if value else None
        if value is None or value == "":
            return None
        if not isinstance(value, UploadedFile):
            raise Invalid(f"{name} must be a file")
        return value
