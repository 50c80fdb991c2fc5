"""The account page where a signed-in user creates and revokes their API token.

DRF's authtoken keeps one token per user; creating a new one replaces the old.
The key is shown once, in the response to the request that made it, and is
never put in a message, cookie or session.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from registry.services.accounts import replace_token, revoke_token

TEMPLATE = "registry/api_tokens.html"


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    token = Token.objects.filter(user=request.user).first()
    if request.method == "GET":
        return render(request, TEMPLATE, {"token": token})
    action = request.POST.get("action")
    if action == "create":
        token = replace_token(request.user)
        return render(request, TEMPLATE, {"token": token, "new_key": token.key}, status=201)
    if action == "revoke":
        if revoke_token(request.user):
            messages.success(request, "Your API token has been revoked. Programs using it can no longer sign in.")
        return redirect("registry:api-tokens")
    errors = {"__all__": ["Choose whether to create or revoke a token."]}
    return render(request, TEMPLATE, {"token": token, "errors": errors}, status=400)


urlpatterns = [path("account/tokens/", api_tokens, name="api-tokens")]
