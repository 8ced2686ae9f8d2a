/* bin/unit-tests --dump-request-schemas: the request field tables as JSON,
 * so that a test can hold each against its schema in openapi.yaml:
 *   { "LoginRequest": [ { "name", "type", "required", "min", "max",
 *                         "values" (enum), "items" (array) }, ... ], ... }
 * An array's "items" is "id" for positive integer ids, "code" for codes
 * (F_CODES), the name of its
 * objects' table when schemas[] lists it, else the list of their fields. */
#include "unit.h"
#include "../../api/schemas.h"

#include <jansson.h>

static const char *const type_names[] = {
    [F_STR] = "string", [F_INT] = "integer", [F_DATE] = "date", [F_TIME] = "time",
    [F_ENUM] = "enum", [F_ARRAY] = "array", [F_ID] = "id", [F_BOOL] = "boolean", [F_CODES] = "array",
};

static json_t *fields_json(const struct field *fields);

static json_t *items_json(const struct field *items)
{
    for (const struct schema *s = schemas; s->name; s++)
        if (s->fields == items)
            return json_string(s->name);
    return fields_json(items);
}

static json_t *fields_json(const struct field *fields)
{
    json_t *list = json_array();
    for (const struct field *f = fields; f->name; f++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(f->name));
        json_object_set_new(o, "type", json_string(type_names[f->type]));
        json_object_set_new(o, "required", json_boolean(f->required));
        json_object_set_new(o, "min", json_integer(f->min));
        json_object_set_new(o, "max", json_integer(f->max));
        if (f->values) {
            json_t *v = json_array();
            for (const char *const *e = f->values; *e; e++)
                json_array_append_new(v, json_string(*e));
            json_object_set_new(o, "values", v);
        }
        if (f->type == F_ARRAY)
            json_object_set_new(o, "items", f->items ? items_json(f->items) : json_string("id"));
        if (f->type == F_CODES) {
            json_object_set_new(o, "items", json_string("code"));
            json_object_set_new(o, "item_max", json_integer(CODE_MAX));
        }
        json_array_append_new(list, o);
    }
    return list;
}

void dump_schemas(FILE *out)
{
    json_t *all = json_object();
    for (const struct schema *s = schemas; s->name; s++)
        json_object_set_new(all, s->name, fields_json(s->fields));
    json_dumpf(all, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(all);
}
