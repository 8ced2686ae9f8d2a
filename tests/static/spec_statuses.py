"""The statuses every operation of mobile-spec/openapi.yaml must declare,
from what the server and nginx in front of it can send for it."""

# the shared response of each status (components/responses)
RESPONSE_OF = {
    "304": "NotModified", "400": "BadRequest", "401": "Unauthorized", "404": "NotFound", "409": "Conflict",
    "412": "PreconditionFailed", "413": "TooLarge", "414": "UriTooLong", "415": "UnsupportedMediaType",
    "422": "Unprocessable", "429": "TooManyRequests", "500": "InternalError", "503": "Unavailable",
}


def _params(spec, op):
    out = []
    for p in op.get("parameters", []):
        if "$ref" in p:
            p = spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]
        out.append(p)
    return out


def required_statuses(spec, path, method, op):
    """What this operation can be answered, whatever the request."""
    # nginx: a malformed request, an over-long URI, a body past its limit
    # (any request may carry one), a transfer coding it does not support;
    # any failure
    need = {"400", "413", "414", "500", "501", "503"}
    if op.get("security", spec.get("security")) != []:
        need.add("401")
    if "requestBody" in op:
        need.add("415")
    params = _params(spec, op)
    if any(p["in"] == "path" for p in params):
        need.add("404")
    names = {p["name"] for p in params}
    if "Idempotency-Key" in names:
        need |= {"409", "422"}            # the key's request still running; the key reused for another
    if "If-Match" in names:
        need.add("412")
    if "If-None-Match" in names:
        need.add("304")
    if path == "/api/v1/auth/login":
        need.add("429")
    return need
