from django.shortcuts import render

from registry import selectors


def home(request):
    return render(request, "registry/home.html", {"counts": selectors.registry_counts()})
