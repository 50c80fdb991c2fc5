"""Template context shared by every page."""


def registry_context(request):
    return {}
