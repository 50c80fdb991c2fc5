"""drf-spectacular hooks."""


def drop_format_aliases(endpoints, **kwargs):
    """`/findings.csv` and `/evaluations.csv` are aliases of documented endpoints with ?format=csv."""
    return [endpoint for endpoint in endpoints if not endpoint[0].endswith(".csv")]
