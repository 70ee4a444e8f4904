"""The API's contract, written once as data: the validator enforces it and /api/v1/openapi.json renders it.

Each API module lists its routes; a route says what it takes (path, query and body, as JSON Schema built
with the helpers below), who may call it, and what it answers. `mount` wraps every handler so it runs only
on checked input; `document` turns the same list into the OpenAPI document. A limit therefore lives in one
place, and what is published is what is enforced. An example route and its handler:

    ROUTES = [Route(
        "PATCH", "/students/{id}", update_student, "Rename a student or reassign their card",
        path={"id": ID},
        body=obj({"name": text(100), "card": integer(1, CARD_COUNT)}),
        responses={200: STUDENT, 404: "no such student", 409: "the card is taken"},
    )]

    async def update_student(request: web.Request, args: Args) -> web.Response:
        args.user, args.path["id"], args.body.get("card")   # logged in; id is 1..2**63-1; card is checked

Bodies that are not JSON are declared as `Upload(("text/csv",), max_bytes=...)`; the handler gets the bytes.
Statuses every route can give (400 bad input, 401 not logged in, 403 admin only / cross-origin, 404 for a
path id, 413 too large, 415 wrong content type) are added to the document by themselves; list the others.

Schemas are a subset of JSON Schema 2020-12 that `validate` fully enforces; a keyword outside it is an error
when the route is declared, so the document cannot promise a check the server does not make. Bounds that come
from the settings (the number of cards) are written as `Setting("cards.count")` and filled in when mounted.
"""
from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

MAX_ID = 2**63 - 1  # SQLite's INTEGER: a larger id could never name a row, and would not even fit the query

# What `validate` enforces, and annotations it may ignore. Nothing else may appear in a schema.
_ASSERTIONS = {"type", "enum", "minimum", "maximum", "minLength", "maxLength", "pattern", "properties",
               "required", "additionalProperties", "items", "minItems", "maxItems", "allOf", "if", "then", "else"}
_ANNOTATIONS = {"description", "title", "default", "examples", "format", "contentMediaType"}
_INTEGER = re.compile(r"-?[0-9]{1,20}")  # ASCII digits only: str.isdigit() takes '²', which int() refuses


@dataclasses.dataclass(frozen=True)
class Setting:
    """A bound read from the settings when the API is mounted, e.g. Setting("cards.count")."""
    path: str

    def resolve(self, settings) -> Any:
        value = settings
        for part in self.path.split("."):
            value = getattr(value, part)
        return value


CARD_COUNT = Setting("cards.count")


# ---- schema helpers: plain JSON Schema dicts ----

def integer(lo: int | Setting, hi: int | Setting, **extra) -> dict:
    """Integers always carry bounds: an unbounded one would reach SQLite and overflow there."""
    return {"type": "integer", "minimum": lo, "maximum": hi, **extra}


ID = integer(1, MAX_ID, description="a row id")


def text(max_length: int, **extra) -> dict:
    """Non-blank text of at most max_length characters (handlers strip the surrounding spaces)."""
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": r"\S", **extra}


def string(max_length: int, **extra) -> dict:
    return {"type": "string", "maxLength": max_length, **extra}


def boolean(**extra) -> dict:
    return {"type": "boolean", **extra}


def one_of(*values, **extra) -> dict:
    return {"enum": list(values), **extra}


def when(condition: dict, then: dict, otherwise: dict | None = None) -> dict:
    """A rule between fields: if the value fits `condition`, it must fit `then` (else `otherwise`)."""
    return {"if": condition, "then": then, **({"else": otherwise} if otherwise is not None else {})}


def array(items: dict, max_items: int, min_items: int = 0, **extra) -> dict:
    return {"type": "array", "items": items, "minItems": min_items, "maxItems": max_items, **extra}


def obj(properties: Mapping[str, dict] | None = None, required=(), **extra) -> dict:
    schema = {"type": "object", "properties": dict(properties or {}), **extra}
    if required:
        schema["required"] = list(required)
    return schema


def nullable(schema: dict) -> dict:
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    return {**schema, "type": [schema["type"], "null"]}


ERROR = obj({"error": {"type": "string"}, "problems": {"type": "array", "items": {"type": "string"}}},
            required=["error"])


# ---- routes ----

@dataclasses.dataclass(frozen=True)
class Upload:
    """A body that is not JSON: which content types are taken (a trailing /* takes a family) and how big."""
    content_types: tuple[str, ...]
    max_bytes: int | Setting
    description: str = ""

    def accepts(self, content_type: str) -> bool:
        return any(content_type == t or (t.endswith("/*") and content_type.startswith(t[:-1]))
                   for t in self.content_types)


@dataclasses.dataclass(frozen=True)
class Reply:
    """A documented answer: JSON with a schema, a file of some content type, or just a description."""
    description: str
    schema: dict | None = None
    content_type: str | None = "application/json"


@dataclasses.dataclass(frozen=True)
class Args:
    """What a handler gets, already checked against its route."""
    user: Any  # the logged-in User, or None on a public route
    path: dict
    query: dict
    body: Any  # the JSON value, the uploaded bytes, or None


Handler = Callable[[web.Request, Args], Awaitable[web.StreamResponse]]


@dataclasses.dataclass(frozen=True)
class Route:
    method: str
    path: str  # relative to /api/v1, in OpenAPI's template syntax: "/classes/{id}"
    handler: Handler
    summary: str
    auth: str = "user"  # "public", "user" or "admin"
    path_params: Mapping[str, dict] = dataclasses.field(default_factory=dict)
    query: dict | None = None  # obj({...}, required=[...]); every value is a string on the wire
    body: dict | Upload | None = None  # a JSON Schema for a JSON body, or an Upload
    body_required: bool = True
    max_json_bytes: int = 1_048_576
    responses: Mapping[int, dict | str | Reply] = dataclasses.field(default_factory=dict)
    raw: bool = False  # the handler takes only the request (a websocket); nothing is checked but auth

    def __post_init__(self):
        if self.auth not in ("public", "user", "admin"):
            raise ValueError(f"{self.method} {self.path}: auth must be public, user or admin")
        names = set(re.findall(r"{(\w+)}", self.path))
        if names != set(self.path_params):
            raise ValueError(f"{self.method} {self.path}: path parameters {sorted(names)} are declared as "
                             f"{sorted(self.path_params)}")
        for where, schema in [*(("path " + n, s) for n, s in self.path_params.items()),
                              ("query", self.query), ("body", self.body)]:
            if isinstance(schema, dict):
                check_schema(schema, f"{self.method} {self.path} {where}")


def check_schema(schema: dict, where: str) -> None:
    """Refuse keywords `validate` would not enforce, and integers without bounds."""
    unknown = set(schema) - _ASSERTIONS - _ANNOTATIONS
    if unknown:
        raise ValueError(f"{where}: schema keyword(s) {sorted(unknown)} are not enforced by the validator")
    types = schema.get("type", [])
    if "integer" in (types if isinstance(types, list) else [types]) and not {"minimum", "maximum"} <= set(schema):
        raise ValueError(f"{where}: an integer needs a minimum and a maximum")
    for name, sub in schema.get("properties", {}).items():
        check_schema(sub, f"{where}.{name}")
    for i, sub in enumerate(schema.get("allOf", ())):
        check_schema(sub, f"{where} allOf[{i}]")
    for keyword in ("if", "then", "else"):
        if keyword in schema:
            check_schema(schema[keyword], f"{where} {keyword}")
    if isinstance(schema.get("items"), dict):
        check_schema(schema["items"], f"{where}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        check_schema(schema["additionalProperties"], f"{where}.*")


def resolve(schema, settings):
    """The schema with every Setting replaced by its value."""
    if isinstance(schema, Setting):
        return schema.resolve(settings)
    if isinstance(schema, dict):
        return {k: resolve(v, settings) for k, v in schema.items()}
    if isinstance(schema, list):
        return [resolve(v, settings) for v in schema]
    return schema


# ---- validation ----

class Invalid(ValueError):
    """Input that breaks its schema; `problems` names every field that does, the message the first few."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else ""))


def _name(where: str) -> str:
    return f"'{where}'" if where else "the request body"


def _types(schema: dict) -> list[str]:
    kind = schema.get("type")
    return [] if kind is None else kind if isinstance(kind, list) else [kind]


def _is(value, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    raise ValueError(f"unknown JSON type {kind}")


def _same(a, b) -> bool:
    """JSON equality: true is not 1, but 1.0 is 1."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _describe(schema: dict) -> str:
    if "enum" in schema:
        return "one of " + ", ".join("null" if v is None else '""' if v == "" else str(v) for v in schema["enum"])
    kinds = [k for k in _types(schema) if k != "null"]
    words = {"integer": "an integer", "number": "a number", "string": "text", "boolean": "true or false",
             "array": "a list", "object": "an object"}
    phrase = " or ".join(words[k] for k in kinds) or "a value"
    if kinds in (["integer"], ["number"]):
        phrase += f" from {schema['minimum']} to {schema['maximum']}"
    if "null" in _types(schema):
        phrase += " or null"
    return phrase


def validate(value, schema: dict, where: str = ""):
    """The value if it fits the schema (integral floats become ints, object defaults are filled in);
    otherwise Invalid, naming every field that does not fit."""
    problems: list[str] = []
    value = _check(value, schema, where, problems)
    if problems:
        raise Invalid(problems)
    return value


def _check(value, schema: dict, where: str, problems: list[str]):
    kinds = _types(schema)
    wrong = f"{_name(where)} must be {_describe(schema)}"
    if kinds and not any(_is(value, k) for k in kinds):
        problems.append(wrong)
        return value
    if "enum" in schema and not any(_same(value, v) for v in schema["enum"]):
        problems.append(wrong)
        return value
    if isinstance(value, float) and value.is_integer() and "integer" in kinds:
        value = int(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            problems.append(wrong)
    elif isinstance(value, str):
        shortest = schema.get("minLength", 0)
        if len(value) < shortest:
            problems.append(f"{_name(where)} must be " + ("non-empty text" if shortest == 1 else
                                                         f"at least {shortest} characters"))
        elif "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{_name(where)} must be " + ("non-empty text" if schema["pattern"] == r"\S" else
                                                         f"text matching {schema['pattern']}"))
        elif len(value) > schema.get("maxLength", len(value)):
            problems.append(f"{_name(where)} must be at most {schema['maxLength']} characters")
    elif isinstance(value, list):
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value)):
            problems.append(f"{_name(where)} must have {schema.get('minItems', 0)} to {schema['maxItems']} items"
                            if "maxItems" in schema else f"{_name(where)} needs at least {schema['minItems']} items")
        elif "items" in schema:
            value = [_check(item, schema["items"], f"{where}[{i}]", problems) for i, item in enumerate(value)]
    elif isinstance(value, dict):
        value = _check_object(value, schema, where, problems)
    # Rules between fields (a poll has no correct answer): they add problems, never change the value.
    for sub in schema.get("allOf", ()):
        _check(value, sub, where, problems)
    if "if" in schema:
        branch = "then" if not _problems(value, schema["if"], where) else "else"
        if branch in schema:
            _check(value, schema[branch], where, problems)
    return value


def _problems(value, schema: dict, where: str) -> list[str]:
    found: list[str] = []
    _check(value, schema, where, found)
    return found


def _check_object(value: dict, schema: dict, where: str, problems: list[str]) -> dict:
    properties = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in value:
            problems.append(f"'{_join(where, name)}' is missing")
    extra = schema.get("additionalProperties", True)
    checked = {}
    for name, item in value.items():
        if name in properties:
            checked[name] = _check(item, properties[name], _join(where, name), problems)
        elif extra is False:
            problems.append(f"'{_join(where, name)}' is not a known field")
        elif isinstance(extra, dict):
            checked[name] = _check(item, extra, _join(where, name), problems)
        else:
            checked[name] = item
    for name, sub in properties.items():
        if name not in checked and "default" in sub:
            checked[name] = sub["default"]
    return checked


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def from_text(raw: str, schema: dict, name: str):
    """A path or query value (always text on the wire) converted to what its schema says, then checked."""
    kinds = _types(schema) or [type(v).__name__ for v in schema.get("enum", ())]
    if "integer" in kinds or "int" in kinds:
        if not _INTEGER.fullmatch(raw):
            raise Invalid([f"'{name}' must be {_describe(schema) if _types(schema) else 'a whole number'}"])
        value: Any = int(raw)
    elif "boolean" in kinds:
        if raw not in ("true", "false"):
            raise Invalid([f"'{name}' must be true or false"])
        value = raw == "true"
    else:
        value = raw
    return validate(value, schema, name)


def parse_json(data: bytes):
    """The JSON value of a request body; anything that is not UTF-8 JSON is an Invalid naming the problem."""
    try:
        text_ = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid([f"the request body is not UTF-8 text (byte {exc.start})"]) from None
    try:
        return json.loads(text_, parse_constant=_no_constant)
    except RecursionError:
        raise Invalid(["the request body is nested too deeply"]) from None
    except json.JSONDecodeError as exc:
        raise Invalid([f"the request body is not valid JSON: {exc}"]) from None
    except ValueError as exc:  # e.g. a number of more than 4300 digits
        raise Invalid([f"the request body is not valid JSON: {exc}"]) from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


# ---- mounting ----

def mount(app: web.Application, routes: list[Route], settings, access: Mapping[str, Callable]) -> list[Route]:
    """Add every route to `app` (the /api/v1 sub-application), each behind its checks; returns the routes
    with their Settings resolved, which is what `document` renders.

    `access` maps "user" and "admin" to coroutines that return the caller or raise 401/403."""
    resolved = []
    for route in routes:
        route = dataclasses.replace(
            route, path_params=resolve(dict(route.path_params), settings), query=resolve(route.query, settings),
            body=dataclasses.replace(route.body, max_bytes=resolve(route.body.max_bytes, settings))
            if isinstance(route.body, Upload) else resolve(route.body, settings))
        app.router.add_route(route.method, route.path, _checked(route, access))
        resolved.append(route)
    return resolved


def _checked(route: Route, access: Mapping[str, Callable]) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        user = await access[route.auth](request) if route.auth != "public" else None
        if route.raw:
            return await route.handler(request)
        try:
            path = {name: from_text(request.match_info[name], schema, name)
                    for name, schema in route.path_params.items()}
            query = _query(request, route.query)
            body = await _body(request, route)
        except Invalid as exc:
            return web.json_response({"error": str(exc), "problems": exc.problems}, status=400)
        return await route.handler(request, Args(user, path, query, body))
    handler.__name__ = getattr(route.handler, "__name__", "handler")
    handler.__doc__ = route.handler.__doc__
    return handler


def _query(request: web.Request, schema: dict | None) -> dict:
    if not schema:
        return {}
    properties = schema.get("properties", {})
    values = {}
    for name in schema.get("required", ()):
        if name not in request.query:
            raise Invalid([f"the query parameter '{name}' is missing"])
    for name, sub in properties.items():
        if name in request.query:
            values[name] = from_text(request.query[name], sub, name)
        elif "default" in sub:
            values[name] = sub["default"]
    return values


async def _body(request: web.Request, route: Route):
    if route.body is None:
        return None
    limit = route.body.max_bytes if isinstance(route.body, Upload) else route.max_json_bytes
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length,
                                            text=f"the request body is larger than {_size(limit)}")
    data = await request.read()
    if len(data) > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(data),
                                            text=f"the request body is larger than {_size(limit)}")
    if not data and not route.body_required:
        return None
    if isinstance(route.body, Upload):
        if request.content_type not in ("", "application/octet-stream") and not route.body.accepts(
                request.content_type):
            raise web.HTTPUnsupportedMediaType(text=f"send {' or '.join(route.body.content_types)}, not "
                                                    f"{request.content_type}")
        if not data:
            raise Invalid(["the request body is empty"])
        return data
    if not data:
        raise Invalid(["the request body is empty: send a JSON object"])
    return validate(parse_json(data), route.body)


def _size(limit: int) -> str:
    return f"{limit // 1_048_576} MiB" if limit >= 1_048_576 and limit % 1_048_576 == 0 else f"{limit // 1024} KiB"


# ---- the OpenAPI document ----

_STANDARD = {400: "the input breaks the contract; the message names the field", 401: "not logged in",
             403: "not allowed: admin only, or a cross-origin request", 404: "no such row",
             413: "the body is too large", 415: "the body's content type is not accepted"}
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _reply(value: dict | str | Reply) -> Reply:
    if isinstance(value, Reply):
        return value
    if isinstance(value, str):
        return Reply(value, ERROR)
    return Reply("OK", value)


def _operation(route: Route) -> dict:
    op: dict = {"summary": route.summary,
                "operationId": re.sub(r"\W+", "_", f"{route.method} {route.path}").strip("_").lower()}
    params = [{"name": n, "in": "path", "required": True, "schema": s} for n, s in route.path_params.items()]
    if route.query:
        required = set(route.query.get("required", ()))
        params += [{"name": n, "in": "query", "required": n in required, "schema": s}
                   for n, s in route.query["properties"].items()]
    if params:
        op["parameters"] = params
    if isinstance(route.body, Upload):
        op["requestBody"] = {"required": route.body_required, "description": route.body.description or
                             f"at most {_size(route.body.max_bytes)}",
                             "content": {t: {} for t in route.body.content_types}}
    elif route.body is not None:
        op["requestBody"] = {"required": route.body_required, "content": {"application/json": {"schema": route.body}}}
    statuses: dict[int, Reply] = {}
    if not route.raw and (params or route.body is not None):
        statuses[400] = Reply(_STANDARD[400], ERROR)
    if route.auth != "public":
        statuses[401] = Reply(_STANDARD[401], ERROR)
    if route.auth == "admin" or route.method in _UNSAFE:
        statuses[403] = Reply(_STANDARD[403], ERROR)
    if route.path_params:
        statuses[404] = Reply(_STANDARD[404], ERROR)
    if route.body is not None:
        statuses[413] = Reply(_STANDARD[413], ERROR)
    if isinstance(route.body, Upload):
        statuses[415] = Reply(_STANDARD[415], ERROR)
    statuses.update({status: _reply(value) for status, value in route.responses.items()})
    op["responses"] = {str(status): _render_reply(reply) for status, reply in sorted(statuses.items())}
    if route.auth == "public":
        op["security"] = []
    return op


def _render_reply(reply: Reply) -> dict:
    out: dict = {"description": reply.description}
    if reply.content_type:
        out["content"] = {reply.content_type: {"schema": reply.schema} if reply.schema is not None else {}}
    return out


def document(routes: list[Route], prefix: str, version: str) -> dict:
    """The OpenAPI 3.1 document of mounted routes (as `mount` returned them)."""
    paths: dict = {}
    for route in routes:
        paths.setdefault(prefix + route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Argus appliance API", "version": version,
                 "description": "Generated from the route table the server validates requests with "
                                "(appliance/http/schema.py)."},
        "components": {"securitySchemes": {"cookie": {"type": "apiKey", "in": "cookie", "name": "argus_session"}}},
        "security": [{"cookie": []}],
        "paths": paths,
    }
