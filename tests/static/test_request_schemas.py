"""Request validation has one source: every request field table of
api/schemas.c (as `bin/unit-tests --dump-request-schemas` prints them)
agrees with the schema of the same name in mobile-spec/openapi.yaml, and
every JSON request body of the spec has its table."""
import copy
import json
import os
import subprocess

from lib import ROOT, SPEC

BIN = os.environ.get("QLVB_BIN", os.path.join(ROOT, "bin"))
SCHEMAS = SPEC["components"]["schemas"]
REF = "#/components/schemas/"

# keywords that only describe; anything else is a rule the table must hold
NOTES = {"description", "examples", "title", "deprecated"}
# string formats that only describe, with nothing for the server to check
NOTE_FORMATS = {"password"}
# the keywords each kind of field may carry in the spec, besides NOTES
KEYWORDS = {
    "string": {"type", "minLength", "maxLength", "format"},
    "integer": {"type", "minimum", "maximum"},
    "id": {"type", "minimum"},
    "date": {"type", "format"},
    "time": {"type", "format"},
    "enum": {"type", "enum"},
    "array": {"type", "minItems", "maxItems", "items"},
    "boolean": {"type"},
}


def tables():
    out = subprocess.run([os.path.join(BIN, "unit-tests"), "--dump-request-schemas"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def resolve(node):
    """(the components/schemas name it refers to or None, the schema)"""
    name = None
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith(REF), ref
        name = ref[len(REF):]
        node = SCHEMAS[name]
    return name, node


def compare_object(where, fields, schema):
    """What differs between a table and an object schema, in words."""
    errs = []
    if schema.get("type") != "object":
        errs.append(f"{where}: the spec's schema is not of type object")
    if schema.get("additionalProperties") is not False:
        errs.append(f"{where}: the spec does not say additionalProperties: false, the table refuses unknown fields")
    props = schema.get("properties", {})
    for k in set(schema) - NOTES - {"type", "additionalProperties", "required", "properties", "oneOf"}:
        errs.append(f"{where}: the spec's '{k}' is a rule the table cannot hold")
    for branch in schema.get("oneOf", []):
        # either this field or that: the handler checks it, the table holds the fields
        if set(branch) != {"required"} or not set(branch["required"]) <= set(props):
            errs.append(f"{where}: a oneOf branch other than a list of required fields: {branch}")
    names = [f["name"] for f in fields]
    if len(names) != len(set(names)):
        errs.append(f"{where}: the table names a field twice")
    for n in sorted(set(props) - set(names)):
        errs.append(f"{where}.{n}: in the spec, not in the table")
    for n in sorted(set(names) - set(props)):
        errs.append(f"{where}.{n}: in the table, not in the spec")
    required = {f["name"] for f in fields if f["required"]}
    spec_required = set(schema.get("required", []))
    for n in sorted(spec_required - required):
        errs.append(f"{where}.{n}: required by the spec, optional in the table")
    for n in sorted(required - spec_required):
        errs.append(f"{where}.{n}: required by the table, optional in the spec")
    for f in fields:
        if f["name"] in props:
            errs += compare_field(f"{where}.{f['name']}", f, props[f["name"]])
    return errs


def compare_field(where, f, prop):
    _, p = resolve(prop)
    kind = f["type"]
    errs = []
    if kind not in KEYWORDS:
        return [f"{where}: a table type the test does not know: {kind}"]
    for k in sorted(set(p) - NOTES - KEYWORDS[kind]):
        errs.append(f"{where}: the spec's '{k}' is not a rule of a table's {kind} field")

    def same(spec_key, table_value):
        if p.get(spec_key) != table_value:
            errs.append(f"{where}: {spec_key} is {p.get(spec_key)} in the spec, {table_value} in the table")

    def want_type(t):
        if p.get("type") != t:
            errs.append(f"{where}: type {p.get('type')!r} in the spec, {t!r} in the table ({kind})")

    if kind not in ("string", "integer", "array") and (f["min"], f["max"]) != (0, 0):
        errs.append(f"{where}: min/max {f['min']}/{f['max']} in the table mean nothing for {kind}")
    if ("values" in f) != (kind == "enum"):
        errs.append(f"{where}: enum values only belong to an enum field")
    if kind == "string":
        want_type("string")
        same("minLength", f["min"])
        same("maxLength", f["max"])
        if "format" in p and p["format"] not in NOTE_FORMATS:
            errs.append(f"{where}: format {p['format']} in the spec, a plain string in the table")
    elif kind == "integer":
        want_type("integer")
        same("minimum", f["min"])
        same("maximum", f["max"])
    elif kind == "id":
        want_type("integer")
        same("minimum", 1)
        if "maximum" in p:
            errs.append(f"{where}: the spec caps an id at {p['maximum']}, the table does not")
    elif kind == "date":
        want_type("string")
        same("format", "date")
    elif kind == "time":
        want_type("string")
        same("format", "date-time")
    elif kind == "enum":
        want_type("string")
        if sorted(p.get("enum", [])) != sorted(f.get("values", [])):
            errs.append(f"{where}: enum {p.get('enum')} in the spec, {f.get('values')} in the table")
    elif kind == "boolean":
        want_type("boolean")
    elif kind == "array":
        want_type("array")
        same("minItems", f["min"])
        same("maxItems", f["max"])
        name, items = resolve(p.get("items", {}))
        if f["items"] == "code":
            errs += compare_field(f"{where}[]", {"name": "", "type": "string", "required": True, "min": 1,
                                                 "max": f["item_max"]}, items)
        elif f["items"] == "id":
            errs += compare_field(f"{where}[]", {"name": "", "type": "id", "required": True, "min": 0, "max": 0},
                                  items)
        elif isinstance(f["items"], str):
            # the table of another schema, compared on its own
            if name != f["items"]:
                errs.append(f"{where}: items are {name or 'an inline schema'} in the spec, {f['items']} in the table")
        else:
            errs += compare_object(f"{where}[]", f["items"], items)
    return errs


def compare_all(dumped):
    errs = []
    for name, fields in dumped.items():
        if name not in SCHEMAS:
            errs.append(f"{name}: no such entry in components/schemas")
            continue
        errs += compare_object(name, fields, SCHEMAS[name])
    return errs


def test_every_request_field_table_agrees_with_its_schema():
    dumped = tables()
    assert "LoginRequest" in dumped and "DirectRequest" in dumped, list(dumped)
    errs = compare_all(dumped)
    assert not errs, "tables and openapi.yaml disagree:\n  " + "\n  ".join(errs)


def _request_bodies():
    """(method path, requestBody) of every operation taking a JSON body."""
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody") if isinstance(op, dict) else None
            if body and "application/json" in body["content"]:
                yield f"{method.upper()} {path}", body


def test_every_json_request_body_of_the_spec_has_a_table():
    dumped = tables()
    errs, used = [], set()
    for op, body in _request_bodies():
        name, schema = resolve(body["content"]["application/json"]["schema"])
        if name is None:
            errs.append(f"{op}: an inline request schema; name it in components/schemas and give it a table")
            continue
        if name not in dumped:
            errs.append(f"{op}: no table for {name}")
            continue
        used.add(name)
        # an empty body is an empty object exactly when nothing is required
        needs = any(f["required"] for f in dumped[name])
        if body.get("required", False) != needs:
            errs.append(f"{op}: requestBody.required is {body.get('required', False)}, but {name} has "
                        f"{'required fields' if needs else 'none required'}")
    # the objects inside a body have their tables too, and no table is left over
    for name in list(used):
        stack = [SCHEMAS[name]]
        while stack:
            for prop in stack.pop().get("properties", {}).values():
                _, p = resolve(prop)
                inner, items = resolve(p.get("items", {})) if p.get("type") == "array" else (None, None)
                if inner and inner not in used:
                    used.add(inner)
                    stack.append(items)
    for name in sorted(set(dumped) - used):
        errs.append(f"{name}: a table no request body of the spec takes")
    assert not errs, "\n  ".join(errs)


def test_the_comparison_sees_every_kind_of_drift():
    good = tables()
    known = set(compare_all(good))     # the test above reports those

    def drifted(change):
        t = copy.deepcopy(good)
        change(t)
        return set(compare_all(t)) - known

    def field(t, schema, name):
        return next(f for f in t[schema] if f["name"] == name)

    changes = {
        "a longer maximum": lambda t: field(t, "LoginRequest", "username").update(max=65),
        "a shorter minimum": lambda t: field(t, "IncomingRequest", "subject").update(min=0),
        "an integer range": lambda t: field(t, "IncomingRequest", "urgency").update(max=4),
        "a field renamed": lambda t: field(t, "ReturnRequest", "reason").update(name="reasons"),
        "a field dropped": lambda t: t["PresentRequest"].pop(),
        "required flipped": lambda t: field(t, "ApproveRequest", "note").update(required=True),
        "an enum value more": lambda t: field(t, "BatchRequest", "action")["values"].append("delete"),
        "date for time": lambda t: field(t, "IncomingRequest", "deadline").update(type="date"),
        "integer for id": lambda t: field(t, "SignRequest", "signed_file_id").update(type="integer", min=1, max=9),
        "fewer items": lambda t: field(t, "BatchRequest", "item_ids").update(max=49),
        "ids for objects": lambda t: field(t, "DraftRequest", "recipients").update(items="id"),
        "objects of another table": lambda t: field(t, "DraftRequest", "recipients").update(items="Assignment"),
        "objects inline": lambda t: field(t, "DirectRequest", "assignments").update(items=t["Assignment"][:2]),
        "a nested length": lambda t: field(t, "Recipient", "agency_code").update(min=12),
        "a nested enum": lambda t: field(t, "Assignment", "role")["values"].pop(),
        "a table of no schema": lambda t: t.update(Nothing=[]),
    }
    for what, change in changes.items():
        assert drifted(change), f"{what}: not seen"
