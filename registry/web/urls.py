from django.urls import path

from registry.web import browse, documents, home, records

app_name = "registry"

urlpatterns = [
    path("", home.home, name="home"),
    path("evaluations/", browse.browse, name="browse"),
    path("evaluations/<slug:slug>/", records.evaluation, name="evaluation"),
    path("documents/", documents.document_list, name="documents"),
    path("documents/<int:pk>/", documents.document, name="document"),
]
