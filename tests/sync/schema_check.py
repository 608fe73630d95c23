"""A small JSON Schema validator for the subset commune/sync/data/dossier.schema.json uses
(jsonschema is not among the pinned dependencies): type, enum, pattern, minLength, maxLength,
minimum, required, properties, additionalProperties: false, items, $ref to #/$defs/…."""
import re

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def errors(instance, schema, root=None, path="$"):
    """Every way `instance` breaks `schema`, as 'path: why' strings (empty when it fits)."""
    root = root or schema
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return errors(instance, root["$defs"][name], root, path)
    found = []
    kind = schema.get("type")
    if kind == "integer":
        if not isinstance(instance, int) or isinstance(instance, bool):
            return [f"{path}: not an integer ({instance!r})"]
    elif kind and not isinstance(instance, TYPES[kind]):
        return [f"{path}: not {kind} ({instance!r})"]
    if "enum" in schema and instance not in schema["enum"]:
        found.append(f"{path}: {instance!r} not in {schema['enum']}")
    if isinstance(instance, str):
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            found.append(f"{path}: {instance!r} does not match {schema['pattern']}")
        if len(instance) < schema.get("minLength", 0):
            found.append(f"{path}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(instance) > schema["maxLength"]:
            found.append(f"{path}: longer than {schema['maxLength']}")
    if isinstance(instance, int) and "minimum" in schema and instance < schema["minimum"]:
        found.append(f"{path}: below {schema['minimum']}")
    if isinstance(instance, dict):
        for name in schema.get("required", []):
            if name not in instance:
                found.append(f"{path}: {name} is missing")
        properties = schema.get("properties", {})
        for name, value in instance.items():
            if name in properties:
                found.extend(errors(value, properties[name], root, f"{path}.{name}"))
            elif schema.get("additionalProperties") is False:
                found.append(f"{path}: {name} is not in the schema")
    if isinstance(instance, list) and "items" in schema:
        for i, item in enumerate(instance):
            found.extend(errors(item, schema["items"], root, f"{path}[{i}]"))
    return found


def history_schema(schema):
    return {"$ref": "#/$defs/history", "$defs": schema["$defs"]}
