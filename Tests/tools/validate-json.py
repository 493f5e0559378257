#!/usr/bin/env python3
"""Validates a JSON document (standard input) against one of RouteRisk's output schemas.

Usage: validate-json.py SCHEMA_DIR SCHEMA_FILE < document.json
Exit 0 when the document is valid; 1 with every violation on stderr when it is not; 2 when a
schema itself is invalid or cannot be read. The schemas refer to each other by file name, so
every file in SCHEMA_DIR is registered under its name.
"""
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    folder, name = pathlib.Path(sys.argv[1]), sys.argv[2]
    resources = []
    for path in sorted(folder.glob("*.schema.json")):
        contents = json.loads(path.read_text())
        try:
            jsonschema.Draft202012Validator.check_schema(contents)
        except jsonschema.SchemaError as error:
            print(f"{path}: invalid schema: {error.message}", file=sys.stderr)
            return 2
        resources.append((path.name, Resource.from_contents(contents)))
    registry = Registry().with_resources(resources)
    schema = registry.contents(name)
    document = json.load(sys.stdin)
    validator = jsonschema.Draft202012Validator(schema, registry=registry)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    for error in errors:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        print(f"{name}: {where}: {error.message}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
