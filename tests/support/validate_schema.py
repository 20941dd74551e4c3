"""Validates TOML manifests against a JSON Schema (draft 2020-12).

usage: validate_schema.py SCHEMA MANIFEST...; prints one line per error and
exits 1 when any manifest is invalid, 77 when jsonschema is not installed.
"""
import json
import sys
import tomllib

try:
    import jsonschema
except ImportError:
    sys.exit(77)

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
invalid = 0
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        errors = list(validator.iter_errors(tomllib.load(f)))
    for e in errors:
        print(f"{path}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
    invalid += bool(errors)
sys.exit(1 if invalid else 0)
