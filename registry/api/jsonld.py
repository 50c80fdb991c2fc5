"""Old home of the JSON-LD mapping, now registry.linked_data (shared by the web
and the API); these names stay importable from here for the API's renderers and tests."""

from registry.linked_data import (  # noqa: F401
    CONTEXT,
    SCRIPT_ESCAPES,
    evaluation_jsonld,
    evaluation_jsonld_script,
    record_jsonld,
    records_jsonld,
)
